#include "services/careerpath/mysql_case_store.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <map>
#include <memory>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/resource_name.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "cppconn/datatype.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "services/careerpath/case_rows.h"
#include "services/careerpath/waitlist_order.h"

namespace ladder::careerpath {
namespace {

using api::FormatName;
using api::IdOf;
using db::Connection;
using ResultSetPtr = std::unique_ptr<sql::ResultSet>;

// The county's waiting cases in line order. `latest` reads them with a locking read, which
// sees every commit up to now whatever the transaction's snapshot (taken by its first read,
// possibly before the county lock was granted).
absl::StatusOr<std::vector<cv1::Case>> ReadWaitlist(Connection& connection, int64_t county_id, bool latest = false) {
  db::Statement& select = connection.Prepare(absl::StrCat("SELECT ", kCaseColumns,
                                                          " FROM cases WHERE county_id = ? AND state = ? ORDER BY id",
                                                          latest ? " LOCK IN SHARE MODE" : ""));
  select.setInt64(1, county_id);
  select.setInt(2, cv1::Case::STATE_WAITING_FOR_SLOT);
  ResultSetPtr row(select.executeQuery());
  std::vector<cv1::Case> cases;
  while (row->next()) {
    LADDER_ASSIGN_OR_RETURN(cv1::Case value, CaseFromRow(*row));
    cases.push_back(std::move(value));
  }
  std::stable_sort(cases.begin(), cases.end(), WaitlistBefore);
  for (size_t i = 0; i < cases.size(); ++i) cases[i].set_waitlist_position(static_cast<int32_t>(i + 1));
  return cases;
}

// Fills waitlist_position of the waiting cases among `cases`.
absl::Status AnnotatePositions(Connection& connection, std::vector<cv1::Case>& cases) {
  std::map<int64_t, std::vector<cv1::Case>> lines;
  for (cv1::Case& value : cases) {
    if (value.state() != cv1::Case::STATE_WAITING_FOR_SLOT) continue;
    const int64_t county = IdOf(value.county());
    if (!lines.count(county)) {
      LADDER_ASSIGN_OR_RETURN(lines[county], ReadWaitlist(connection, county));
    }
    for (const cv1::Case& queued : lines[county]) {
      if (queued.name() == value.name()) value.set_waitlist_position(queued.waitlist_position());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::pair<cv1::Case, bool>> MySqlCaseStore::CreateCase(const NewCase& fresh,
                                                                      const MutationContext& context) {
  struct Result {
    cv1::Case value;
    bool created = false;
  };
  absl::StatusOr<Result> result =
      db::RunInTransaction<Result>(*pool_, [&](Connection& connection) -> absl::StatusOr<Result> {
        if (!context.request.request_id.empty()) {
          // First, so that a concurrent duplicate waits here and then gets this case.
          LADDER_ASSIGN_OR_RETURN(std::optional<std::string> stored, db::ClaimRequest(connection, context.request));
          if (stored.has_value()) {
            cv1::Case value;
            if (!value.ParseFromString(*stored)) return absl::InternalError("a recorded response does not parse");
            return Result{std::move(value), false};
          }
        }
        if (!fresh.review_key.empty()) {
          db::Statement& existing = connection.Prepare("SELECT id FROM cases WHERE review_key = ?");
          existing.setString(1, fresh.review_key);
          ResultSetPtr row(existing.executeQuery());
          if (row->next()) {
            LADDER_ASSIGN_OR_RETURN(cv1::Case value, ReadCase(connection, row->getInt64(1), false));
            return Result{std::move(value), false};
          }
        }
        int64_t id = 0;
        try {
          id = InsertCaseRow(connection, fresh, context.actor, absl::Now(), /*skip_existing=*/false);
        } catch (const sql::SQLException& e) {
          if (e.getErrorCode() != db::kErrDuplicateEntry || fresh.review_key.empty()) throw;
          // A concurrent review of the cycle created this case first (the insert waited for
          // it to commit): run again, and find it above.
          return db::MarkRetryable(absl::AbortedError("a concurrent review created the case"));
        }
        LADDER_ASSIGN_OR_RETURN(cv1::Case created, ReadCase(connection, id, false));
        PublishCaseChange(context, created);
        LADDER_RETURN_IF_ERROR(db::AuditMutation(connection, context, created));
        if (!context.request.request_id.empty()) {
          LADDER_RETURN_IF_ERROR(db::ClaimedResponse(connection, context.request, created.SerializeAsString()));
        }
        return Result{std::move(created), true};
      });
  if (!result.ok()) return result.status();
  return std::make_pair(std::move(result->value), result->created);
}

absl::StatusOr<cv1::Case> MySqlCaseStore::GetCase(int64_t id) {
  return db::WithConnection<cv1::Case>(*pool_, [&](Connection& connection) -> absl::StatusOr<cv1::Case> {
    LADDER_ASSIGN_OR_RETURN(cv1::Case value, ReadCase(connection, id, false));
    std::vector<cv1::Case> one = {value};
    LADDER_RETURN_IF_ERROR(AnnotatePositions(connection, one));
    return one.front();
  });
}

absl::StatusOr<int> MySqlCaseStore::PostGradeOf(int64_t id) {
  return db::WithConnection<int>(*pool_, [&](Connection& connection) -> absl::StatusOr<int> {
    db::Statement& select = connection.Prepare("SELECT post_grade FROM cases WHERE id = ?");
    select.setInt64(1, id);
    ResultSetPtr row(select.executeQuery());
    if (!row->next()) return NotFoundError(FormatName("cases", id));
    return row->getInt(1);
  });
}

absl::StatusOr<api::Page<cv1::Case>> MySqlCaseStore::ListCases(const CaseQuery& query) {
  return db::WithConnection<api::Page<cv1::Case>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<api::Page<cv1::Case>> {
        if (query.state == cv1::Case::STATE_WAITING_FOR_SLOT && query.county_id != 0) {
          // A county's waitlist comes in line order; a page continues after the last position
          // given.
          LADDER_ASSIGN_OR_RETURN(std::vector<cv1::Case> line, ReadWaitlist(connection, query.county_id));
          std::vector<cv1::Case> cases;
          for (cv1::Case& value : line) {
            if (value.waitlist_position() <= query.page.after_id) continue;
            if (query.cycle_id != 0 && IdOf(value.cycle()) != query.cycle_id) continue;
            if (query.employee_id != 0 && IdOf(value.employee()) != query.employee_id) continue;
            if (query.kind != cv1::Case::KIND_UNSPECIFIED && value.kind() != query.kind) continue;
            cases.push_back(std::move(value));
          }
          return api::TrimPage<cv1::Case>(std::move(cases), query.page.page_size,
                                          [](const cv1::Case& value) { return value.waitlist_position(); });
        }
        db::Statement& select = connection.Prepare(
            absl::StrCat("SELECT ", kCaseColumns,
                         " FROM cases WHERE (? = 0 OR id < ?) AND (? = 0 OR county_id = ?) AND (? = 0 OR cycle_id = ?) "
                         "AND (? = 0 OR employee_id = ?) AND (? = 0 OR kind = ?) AND (? = 0 OR state = ?) "
                         "ORDER BY id DESC LIMIT ?"));
        int index = 1;
        for (int64_t value : {query.page.after_id, query.county_id, query.cycle_id, query.employee_id}) {
          select.setInt64(index++, value);
          select.setInt64(index++, value);
        }
        for (int value : {static_cast<int>(query.kind), static_cast<int>(query.state)}) {
          select.setInt(index++, value);
          select.setInt(index++, value);
        }
        select.setInt(index, query.page.page_size + 1);
        ResultSetPtr row(select.executeQuery());
        std::vector<cv1::Case> cases;
        while (row->next()) {
          LADDER_ASSIGN_OR_RETURN(cv1::Case value, CaseFromRow(*row));
          cases.push_back(std::move(value));
        }
        LADDER_RETURN_IF_ERROR(AnnotatePositions(connection, cases));
        return api::TrimPage<cv1::Case>(std::move(cases), query.page.page_size,
                                        [](const cv1::Case& value) { return IdOf(value.name()); });
      });
}

absl::StatusOr<std::vector<OpenCase>> MySqlCaseStore::OpenCasesOf(const std::vector<int64_t>& employee_ids) {
  return db::WithConnection<std::vector<OpenCase>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<std::vector<OpenCase>> {
        std::vector<OpenCase> open;
        if (employee_ids.empty()) return open;
        // One statement for the batch; the ids are numbers, so the list is built, not bound.
        ResultSetPtr row(connection.Query(
            absl::StrCat("SELECT employee_id, kind, cycle_id FROM cases WHERE employee_id IN (",
                         absl::StrJoin(employee_ids, ","), ") AND state IN (", cv1::Case::STATE_PROPOSED, ",",
                         cv1::Case::STATE_APPROVED, ",", cv1::Case::STATE_WAITING_FOR_SLOT, ")")));
        while (row->next()) {
          open.push_back(OpenCase{row->getInt64(1), static_cast<cv1::Case::Kind>(row->getInt(2)), row->getInt64(3)});
        }
        return open;
      });
}

absl::StatusOr<std::vector<cv1::Case>> MySqlCaseStore::Waitlist(int64_t county_id) {
  return db::WithConnection<std::vector<cv1::Case>>(
      *pool_, [&](Connection& connection) { return ReadWaitlist(connection, county_id); });
}

absl::StatusOr<cv1::Case> MySqlCaseStore::Transition(
    int64_t id,
    const std::function<absl::StatusOr<CaseTransition>(const cv1::Case&, const std::vector<cv1::Case>&)>& decide,
    const MutationContext& context) {
  return db::RunIdempotent<cv1::Case>(*pool_, context, [&](Connection& connection) -> absl::StatusOr<cv1::Case> {
    LADDER_ASSIGN_OR_RETURN(cv1::Case current, ReadCase(connection, id, false));
    // The county's lock row first, then the case: every transition takes them in this order.
    // The upsert takes the row's exclusive lock at once; INSERT IGNORE of an existing row
    // takes a shared lock, and two transitions upgrading theirs deadlock.
    const int64_t county = IdOf(current.county());
    db::Statement& lock = connection.Prepare(
        "INSERT INTO county_locks (county_id) VALUES (?) ON DUPLICATE KEY UPDATE county_id = county_id");
    lock.setInt64(1, county);
    lock.executeUpdate();
    LADDER_ASSIGN_OR_RETURN(current, ReadCase(connection, id, true));
    db::NoteAuditBefore(context, current);
    LADDER_ASSIGN_OR_RETURN(std::vector<cv1::Case> waitlist, ReadWaitlist(connection, county, true));
    LADDER_ASSIGN_OR_RETURN(CaseTransition change, decide(current, waitlist));
    if (change.state != cv1::Case::STATE_UNSPECIFIED) {
      const std::string now = ToSqlTimestamp(absl::Now());
      const cv1::Eligibility& evidence = change.evidence.has_value() ? *change.evidence : current.evidence();
      std::istringstream bytes(evidence.SerializeAsString());
      db::Statement& update = connection.Prepare(
          "UPDATE cases SET state = ?, state_reason = ?, evidence = ?, rank_composite_milli = ?, "
          "rank_days_at_level = ?, decided_by = IF(?, ?, decided_by), "
          "decide_time = IF(?, ?, decide_time), apply_time = IF(?, ?, apply_time), "
          "version = version + 1 WHERE id = ?");
      update.setInt(1, change.state);
      update.setString(2, change.reason);
      update.setBlob(3, &bytes);
      update.setInt(4, static_cast<int>(std::llround(evidence.latest_composite() * 1000)));
      update.setInt(5, evidence.days_at_level());
      update.setInt(6, change.decided ? 1 : 0);
      update.setString(7, context.actor);
      update.setInt(8, change.decided ? 1 : 0);
      update.setString(9, now);
      update.setInt(10, change.applied ? 1 : 0);
      update.setString(11, now);
      update.setInt64(12, id);
      update.executeUpdate();
    }
    LADDER_ASSIGN_OR_RETURN(cv1::Case stored, ReadCase(connection, id, false));
    std::vector<cv1::Case> one = {stored};
    LADDER_RETURN_IF_ERROR(AnnotatePositions(connection, one));
    if (change.state != cv1::Case::STATE_UNSPECIFIED) PublishCaseChange(context, one.front());
    return one.front();
  });
}

absl::StatusOr<std::optional<cv1::Case>> MySqlCaseStore::RecordedResponse(const db::RequestKey& key) {
  LADDER_ASSIGN_OR_RETURN(std::optional<std::string> bytes, RecordedBytes(key));
  if (!bytes.has_value()) return std::optional<cv1::Case>();
  cv1::Case value;
  if (!value.ParseFromString(*bytes)) return absl::InternalError("a recorded response does not parse");
  return std::optional<cv1::Case>(std::move(value));
}

absl::StatusOr<std::optional<std::string>> MySqlCaseStore::RecordedBytes(const db::RequestKey& key) {
  if (key.request_id.empty()) return std::optional<std::string>();
  return db::StoredResponse(*pool_, key);
}

absl::StatusOr<std::string> MySqlCaseStore::RunClaimed(const db::RequestKey& key,
                                                       const std::function<absl::StatusOr<std::string>()>& work) {
  return db::RunInTransaction<std::string>(*pool_, [&](Connection& connection) -> absl::StatusOr<std::string> {
    LADDER_ASSIGN_OR_RETURN(std::optional<std::string> first, db::ClaimRequest(connection, key));
    if (first.has_value()) return *first;
    LADDER_ASSIGN_OR_RETURN(std::string response, work());
    LADDER_RETURN_IF_ERROR(db::ClaimedResponse(connection, key, response));
    return response;
  });
}

absl::StatusOr<std::vector<OpenCaseCount>> MySqlCaseStore::OpenCaseCounts() {
  return db::WithConnection<std::vector<OpenCaseCount>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<std::vector<OpenCaseCount>> {
        db::Statement& select = connection.Prepare(
            "SELECT county_id, state, COUNT(*) FROM cases WHERE state IN (?, ?, ?) GROUP BY county_id, state");
        select.setInt(1, cv1::Case::STATE_PROPOSED);
        select.setInt(2, cv1::Case::STATE_APPROVED);
        select.setInt(3, cv1::Case::STATE_WAITING_FOR_SLOT);
        ResultSetPtr rows(select.executeQuery());
        std::vector<OpenCaseCount> counts;
        while (rows->next()) {
          OpenCaseCount& count = counts.emplace_back();
          count.county = FormatName("orgUnits", rows->getInt64(1));
          switch (rows->getInt(2)) {
            case cv1::Case::STATE_PROPOSED:
              count.state = "proposed";
              break;
            case cv1::Case::STATE_APPROVED:
              count.state = "approved";
              break;
            default:
              count.state = "waiting_for_slot";
          }
          count.cases = rows->getInt64(3);
        }
        return counts;
      });
}

}  // namespace ladder::careerpath
