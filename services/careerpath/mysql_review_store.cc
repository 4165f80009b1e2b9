#include "services/careerpath/mysql_review_store.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "cppconn/exception.h"
#include "cppconn/prepared_statement.h"
#include "cppconn/resultset.h"
#include "services/careerpath/case_rows.h"
#include "services/careerpath/review_operation.h"

namespace ladder::careerpath {
namespace {

using db::Connection;
using ResultSetPtr = std::unique_ptr<sql::ResultSet>;

constexpr char kColumns[] =
    "id, cycle_id, state, participant_count, processed_count, reviewed_count, created_case_count, "
    "existing_case_count, resume_token, cancel_requested, error_code, error_message, requested_by, "
    "requested_role, requested_on_behalf_of, create_time, update_time, end_time, lease_owner, "
    "lease_until IS NOT NULL AND lease_until >= NOW(6)";

// The method a review's changes are recorded under in the audit trail.
constexpr char kReviewMethod[] = "/ladder.careerpath.v1.CareerPathService/RunCycleReview";

struct Row {
  Review review;
  std::string lease_owner;
  // A replica holds the review now (its lease has not run out, by the database's clock).
  bool lease_live = false;
};

absl::StatusOr<Row> RowFrom(const sql::ResultSet& row) {
  Row result;
  Review& review = result.review;
  review.id = row.getInt64(1);
  review.cycle_id = row.getInt64(2);
  review.state = static_cast<ReviewState>(row.getInt(3));
  review.participant_count = row.getInt(4);
  review.progress = {row.getInt(5), row.getInt(6), row.getInt(7), row.getInt(8)};
  review.resume_token = row.getString(9);
  review.cancel_requested = row.getBoolean(10);
  if (row.getInt(11) != 0) {
    review.error = absl::Status(static_cast<absl::StatusCode>(row.getInt(11)), std::string(row.getString(12)));
  }
  review.requested_by = row.getString(13);
  review.requested_role = row.getString(14);
  review.requested_on_behalf_of = row.getString(15);
  LADDER_ASSIGN_OR_RETURN(review.create_time, FromSqlTimestamp(std::string(row.getString(16))));
  LADDER_ASSIGN_OR_RETURN(review.update_time, FromSqlTimestamp(std::string(row.getString(17))));
  if (!row.isNull(18)) {
    LADDER_ASSIGN_OR_RETURN(absl::Time end, FromSqlTimestamp(std::string(row.getString(18))));
    review.end_time = end;
  }
  result.lease_owner = row.getString(19);
  result.lease_live = row.getBoolean(20);
  return result;
}

absl::StatusOr<Row> ReadRow(Connection& connection, int64_t id, bool for_update) {
  db::Statement& select = connection.Prepare(
      absl::StrCat("SELECT ", kColumns, " FROM reviews WHERE id = ?", for_update ? " FOR UPDATE" : ""));
  select.setInt64(1, id);
  ResultSetPtr row(select.executeQuery());
  if (!row->next()) return NotFoundError(OperationName(id));
  return RowFrom(*row);
}

// Ends a running review: `error` OK for success, CANCELLED for a cancel, anything else for a
// failure. The cycle is free for another review after.
void Finish(Connection& connection, int64_t id, const absl::Status& error) {
  const ReviewState state = error.ok()                                     ? ReviewState::kSucceeded
                            : error.code() == absl::StatusCode::kCancelled ? ReviewState::kCancelled
                                                                           : ReviewState::kFailed;
  db::Statement& update = connection.Prepare(
      "UPDATE reviews SET state = ?, error_code = ?, error_message = ?, running_cycle_id = NULL, "
      "lease_owner = '', lease_until = NULL, update_time = NOW(6), end_time = NOW(6) WHERE id = ?");
  update.setInt(1, static_cast<int>(state));
  update.setInt(2, static_cast<int>(error.code()));
  update.setString(3, std::string(error.message().substr(0, 1000)));
  update.setInt64(4, id);
  update.executeUpdate();
}

// Reads the review as the change left it and appends the change's audit event, by whoever
// made it; returns the review.
absl::StatusOr<Review> AuditedReview(Connection& connection, const db::MutationContext& context, int64_t id) {
  LADDER_ASSIGN_OR_RETURN(Row now, ReadRow(connection, id, false));
  db::MutationContext audited = context;
  audited.audit_resource = OperationName(id);
  LADDER_RETURN_IF_ERROR(db::AuditMutation(connection, audited, MetadataOf(now.review)));
  return now.review;
}

}  // namespace

absl::StatusOr<Review> MySqlReviewStore::StartReview(int64_t cycle_id, int participant_count,
                                                     const db::MutationContext& context) {
  return db::RunInTransaction<Review>(*pool_, [&](Connection& connection) -> absl::StatusOr<Review> {
    db::Statement& running = connection.Prepare("SELECT id FROM reviews WHERE running_cycle_id = ?");
    running.setInt64(1, cycle_id);
    ResultSetPtr found(running.executeQuery());
    if (found->next()) {
      LADDER_ASSIGN_OR_RETURN(Row row, ReadRow(connection, found->getInt64(1), false));
      return row.review;
    }
    db::Statement& insert = connection.Prepare(
        "INSERT INTO reviews (cycle_id, running_cycle_id, state, participant_count, requested_by, "
        "requested_role, requested_on_behalf_of, create_time, update_time) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, NOW(6), NOW(6))");
    insert.setInt64(1, cycle_id);
    insert.setInt64(2, cycle_id);
    insert.setInt(3, static_cast<int>(ReviewState::kRunning));
    insert.setInt(4, participant_count);
    insert.setString(5, context.actor);
    insert.setString(6, context.role);
    insert.setString(7, context.on_behalf_of);
    try {
      insert.executeUpdate();
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() != db::kErrDuplicateEntry) throw;
      // A concurrent call started the cycle's review first: run again and return that one.
      return db::MarkRetryable(absl::AbortedError("a concurrent call started the review"));
    }
    return AuditedReview(connection, context, connection.LastInsertId());
  });
}

absl::StatusOr<Review> MySqlReviewStore::GetReview(int64_t id) {
  return db::WithConnection<Review>(*pool_, [&](Connection& connection) -> absl::StatusOr<Review> {
    LADDER_ASSIGN_OR_RETURN(Row row, ReadRow(connection, id, false));
    return row.review;
  });
}

absl::StatusOr<api::Page<Review>> MySqlReviewStore::ListReviews(const api::PageRequest& page) {
  return db::WithConnection<api::Page<Review>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<api::Page<Review>> {
        db::Statement& select = connection.Prepare(
            absl::StrCat("SELECT ", kColumns, " FROM reviews WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?"));
        select.setInt64(1, page.after_id);
        select.setInt64(2, page.after_id);
        select.setInt(3, page.page_size + 1);
        ResultSetPtr row(select.executeQuery());
        std::vector<Review> reviews;
        while (row->next()) {
          LADDER_ASSIGN_OR_RETURN(Row one, RowFrom(*row));
          reviews.push_back(std::move(one.review));
        }
        return api::TrimPage<Review>(std::move(reviews), page.page_size, [](const Review& r) { return r.id; });
      });
}

absl::StatusOr<Review> MySqlReviewStore::RequestCancel(int64_t id, const db::MutationContext& context) {
  return db::RunInTransaction<Review>(*pool_, [&](Connection& connection) -> absl::StatusOr<Review> {
    LADDER_ASSIGN_OR_RETURN(Row row, ReadRow(connection, id, true));
    if (row.review.done()) return row.review;
    db::Statement& mark =
        connection.Prepare("UPDATE reviews SET cancel_requested = TRUE, update_time = NOW(6) WHERE id = ?");
    mark.setInt64(1, id);
    mark.executeUpdate();
    // No replica works on it: nobody would see the request, so it stops here.
    if (!row.lease_live) Finish(connection, id, absl::CancelledError(absl::StrCat("cancelled by ", context.actor)));
    return AuditedReview(connection, context, id);
  });
}

absl::StatusOr<std::optional<Review>> MySqlReviewStore::LeaseReview(const std::string& owner, absl::Duration lease) {
  return db::RunInTransaction<std::optional<Review>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<std::optional<Review>> {
        // SKIP LOCKED: replicas looking at once take different reviews instead of queueing.
        db::Statement& free = connection.Prepare(
            "SELECT id FROM reviews WHERE state = ? AND (lease_until IS NULL OR lease_until < NOW(6)) "
            "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED");
        free.setInt(1, static_cast<int>(ReviewState::kRunning));
        ResultSetPtr found(free.executeQuery());
        if (!found->next()) return std::optional<Review>();
        const int64_t id = found->getInt64(1);
        db::Statement& take = connection.Prepare(
            "UPDATE reviews SET lease_owner = ?, lease_until = TIMESTAMPADD(MICROSECOND, ?, NOW(6)) WHERE id = ?");
        take.setString(1, owner);
        take.setInt64(2, absl::ToInt64Microseconds(lease));
        take.setInt64(3, id);
        take.executeUpdate();
        LADDER_ASSIGN_OR_RETURN(Row row, ReadRow(connection, id, false));
        return std::optional<Review>(std::move(row.review));
      });
}

absl::StatusOr<Review> MySqlReviewStore::CommitBatch(int64_t id, const std::string& owner, absl::Duration lease,
                                                     const ReviewBatch& batch) {
  return db::RunInTransaction<Review>(*pool_, [&](Connection& connection) -> absl::StatusOr<Review> {
    LADDER_ASSIGN_OR_RETURN(Row row, ReadRow(connection, id, true));
    if (row.review.done()) return row.review;
    if (row.lease_owner != owner) {
      return ErrorWithReason(absl::StatusCode::kAborted, "REVIEW_LEASE_LOST",
                             absl::StrCat(OperationName(id), " is worked on by another replica now"));
    }
    if (row.review.cancel_requested) {
      Finish(connection, id, absl::CancelledError("the review was cancelled"));
      LADDER_ASSIGN_OR_RETURN(Row now, ReadRow(connection, id, false));
      return now.review;
    }
    // The cases are made in the name of whoever asked for the review.
    db::MutationContext context;
    context.actor = row.review.requested_by;
    context.role = row.review.requested_role;
    context.on_behalf_of = row.review.requested_on_behalf_of;
    context.request.method = kReviewMethod;
    const absl::Time now = absl::Now();
    int created = 0, existing = 0;
    for (const NewCase& fresh : batch.cases) {
      const int64_t case_id = InsertCaseRow(connection, fresh, context.actor, now, /*skip_existing=*/true);
      if (case_id == 0) {
        ++existing;
        continue;
      }
      ++created;
      const cv1::Case inserted = InsertedCase(fresh, case_id, context.actor, now);
      PublishCaseChange(context, inserted);
      LADDER_RETURN_IF_ERROR(db::AuditMutation(connection, context, inserted));
      context.feed_change = db::FeedChange{};  // this case's only
    }
    db::Statement& progress = connection.Prepare(
        "UPDATE reviews SET processed_count = processed_count + ?, reviewed_count = reviewed_count + ?, "
        "created_case_count = created_case_count + ?, existing_case_count = existing_case_count + ?, "
        "resume_token = ?, lease_until = TIMESTAMPADD(MICROSECOND, ?, NOW(6)), update_time = NOW(6) "
        "WHERE id = ?");
    progress.setInt(1, batch.processed);
    progress.setInt(2, batch.reviewed);
    progress.setInt(3, created);
    progress.setInt(4, existing);
    progress.setString(5, batch.next_token);
    progress.setInt64(6, absl::ToInt64Microseconds(lease));
    progress.setInt64(7, id);
    progress.executeUpdate();
    if (batch.next_token.empty()) Finish(connection, id, absl::OkStatus());
    LADDER_ASSIGN_OR_RETURN(Row after, ReadRow(connection, id, false));
    return after.review;
  });
}

absl::Status MySqlReviewStore::FailReview(int64_t id, const std::string& owner, const absl::Status& error) {
  return db::RunInTransaction(*pool_, [&](Connection& connection) -> absl::Status {
    LADDER_ASSIGN_OR_RETURN(Row row, ReadRow(connection, id, true));
    if (row.review.done() || row.lease_owner != owner) return absl::OkStatus();
    Finish(connection, id, error);
    return absl::OkStatus();
  });
}

absl::Status MySqlReviewStore::ReleaseReview(int64_t id, const std::string& owner) {
  return db::WithConnection(*pool_, [&](Connection& connection) -> absl::Status {
    db::Statement& release = connection.Prepare(
        "UPDATE reviews SET lease_owner = '', lease_until = NULL WHERE id = ? AND lease_owner = ? AND state = ?");
    release.setInt64(1, id);
    release.setString(2, owner);
    release.setInt(3, static_cast<int>(ReviewState::kRunning));
    release.executeUpdate();
    return absl::OkStatus();
  });
}

}  // namespace ladder::careerpath
