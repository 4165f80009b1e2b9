#pragma once

// Proof, on a Galera node, that the transaction a session commits is the one it began.
//
// A transaction that a replicated write aborts (a "brute-force abort") is rolled back by
// the node, and the session is meant to learn it from the next statement's error 1213.
// Under concurrent certification conflicts MariaDB 10.11 sometimes does not say so: the
// statement succeeds, the statements after it run in a new transaction, and COMMIT commits
// that remainder, which then holds part of a change (an employee's new state without its
// request-id claim or its county's version) or nothing at all while the call is told OK.
// Seen in the Galera integration test as a request id taking effect twice and as gaps in
// a county's version history.
//
// The witness makes such a split show: the first statement of each transaction writes
// this session's row of `transaction_witnesses` with the transaction's attempt number,
// a row no other session touches (so it never conflicts). Before COMMIT the row must
// still hold the number: if the beginning was rolled back it does not, and the remainder
// is rolled back too. After COMMIT it must hold the number as committed: if the abort fell
// on the last check, what committed was empty. Either way the transaction runs again, as
// after any lost certification.

#include <cstdint>

#include "absl/status/status.h"

namespace ladder::db {

class Connection;

class TransactionWitness final {
 public:
  // `session_token`: a random number naming this session's row, unique in practice.
  explicit TransactionWitness(uint64_t session_token) : token_(session_token) {}

  // Right after START TRANSACTION: records the new attempt's number in the session's row.
  // A database without the table (its migration not yet run) turns the witness off for
  // the session.
  absl::Status Begin(Connection& connection);

  // Right before COMMIT: ABORTED (retryable) when the transaction that began is gone.
  absl::Status CheckBeforeCommit(Connection& connection);

  // Right after a successful COMMIT: ABORTED (retryable) when what committed was not it.
  absl::Status CheckAfterCommit(Connection& connection);

  // Removes the session's row (best effort, when the session closes).
  void Forget(Connection& connection);

 private:
  absl::Status Check(Connection& connection, const char* stage);

  const uint64_t token_;
  int64_t attempt_ = 0;
  bool available_ = true;
  bool registered_ = false;
};

}  // namespace ladder::db
