#pragma once

// The `cases` table's rows as cases, for the MySQL stores (the case store and the review
// store, which commits a review's cases with its progress). Within an open connection;
// Connector/C++ errors are thrown as sql::SQLException, as everywhere under the
// transaction helpers.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection_pool.h"
#include "common/db/idempotency.h"
#include "cppconn/resultset.h"
#include "ladder/careerpath/v1/career_case.pb.h"
#include "services/careerpath/case_store.h"

namespace ladder::careerpath {

// The columns CaseFromRow reads, in its order.
extern const char kCaseColumns[];

absl::StatusOr<cv1::Case> CaseFromRow(const sql::ResultSet& row);

absl::StatusOr<cv1::Case> ReadCase(db::Connection& connection, int64_t id, bool for_update);

// Inserts `fresh` as a proposed case by `actor` at `now` and returns its id. With
// `skip_existing`, a case whose review key exists already is left as it is and 0 returned;
// without, that insert throws the duplicate-key error.
int64_t InsertCaseRow(db::Connection& connection, const NewCase& fresh, const std::string& actor, absl::Time now,
                      bool skip_existing);

// The case InsertCaseRow stored, as ReadCase would read it, without reading it back.
cv1::Case InsertedCase(const NewCase& fresh, int64_t id, const std::string& actor, absl::Time now);

// Publishes `after`, the case as a change left it, on careerpath's change feed with the
// mutation's next audit event (nothing for a state the feed does not name).
void PublishCaseChange(const db::MutationContext& context, const cv1::Case& after);

}  // namespace ladder::careerpath
