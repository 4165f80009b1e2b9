#include "services/careerpath/case_rows.h"

#include <cmath>
#include <istream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/db/change_feed.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "cppconn/datatype.h"
#include "cppconn/prepared_statement.h"
#include "ladder/careerpath/v1/change.pb.h"

namespace ladder::careerpath {
namespace {

using api::FormatName;
using api::IdOf;
using db::Connection;
using ResultSetPtr = std::unique_ptr<sql::ResultSet>;

// Reads a DATETIME column into `field` of `value`; a NULL leaves the field unset (asking for
// the mutable field first would mark it present).
absl::Status Timestamp(const sql::ResultSet& row, int column, cv1::Case& value,
                       google::protobuf::Timestamp* (cv1::Case::*field)()) {
  if (row.isNull(column)) return absl::OkStatus();
  LADDER_ASSIGN_OR_RETURN(absl::Time time, FromSqlTimestamp(std::string(row.getString(column))));
  *(value.*field)() = ToProtoTimestamp(time);
  return absl::OkStatus();
}

}  // namespace

const char kCaseColumns[] =
    "id, kind, employee_id, county_id, from_level, to_level, career_move_target, cycle_id, "
    "evidence, policy_version, state, state_reason, proposed_by, create_time, decided_by, "
    "decide_time, apply_time, version";

absl::StatusOr<cv1::Case> CaseFromRow(const sql::ResultSet& row) {
  cv1::Case value;
  value.set_name(FormatName("cases", row.getInt64(1)));
  value.set_kind(static_cast<cv1::Case::Kind>(row.getInt(2)));
  value.set_employee(FormatName("employees", row.getInt64(3)));
  value.set_county(FormatName("orgUnits", row.getInt64(4)));
  value.set_from_level(static_cast<common::v1::Level>(row.getInt(5)));
  value.set_to_level(static_cast<common::v1::Level>(row.getInt(6)));
  value.set_career_move_target(static_cast<common::v1::CareerMoveTarget>(row.getInt(7)));
  if (row.getInt64(8) != 0) value.set_cycle(FormatName("cycles", row.getInt64(8)));
  {
    std::unique_ptr<std::istream> blob(row.getBlob(9));
    std::ostringstream bytes;
    bytes << blob->rdbuf();
    if (!value.mutable_evidence()->ParseFromString(bytes.str())) {
      return absl::InternalError(absl::StrCat("stored evidence of ", value.name(), " does not parse"));
    }
  }
  value.set_policy_version(row.getString(10));
  value.set_state(static_cast<cv1::Case::State>(row.getInt(11)));
  value.set_state_reason(row.getString(12));
  value.set_proposed_by(row.getString(13));
  LADDER_RETURN_IF_ERROR(Timestamp(row, 14, value, &cv1::Case::mutable_create_time));
  value.set_decided_by(row.getString(15));
  LADDER_RETURN_IF_ERROR(Timestamp(row, 16, value, &cv1::Case::mutable_decide_time));
  LADDER_RETURN_IF_ERROR(Timestamp(row, 17, value, &cv1::Case::mutable_apply_time));
  value.set_etag(absl::StrCat(row.getInt64(18)));
  return value;
}

absl::StatusOr<cv1::Case> ReadCase(Connection& connection, int64_t id, bool for_update) {
  db::Statement& select = connection.Prepare(
      absl::StrCat("SELECT ", kCaseColumns, " FROM cases WHERE id = ?", for_update ? " FOR UPDATE" : ""));
  select.setInt64(1, id);
  ResultSetPtr row(select.executeQuery());
  if (!row->next()) return NotFoundError(FormatName("cases", id));
  return CaseFromRow(*row);
}

int64_t InsertCaseRow(Connection& connection, const NewCase& fresh, const std::string& actor, absl::Time now,
                      bool skip_existing) {
  // With skip_existing, a duplicate review key inserts nothing and reports no row, so a
  // batch learns which of its cases exist without a read per case. IGNORE would also turn a
  // value the column cannot hold into a warning; the values are the service's own (the
  // only free text, state_reason, is empty for a review's cases).
  db::Statement& insert = connection.Prepare(
      absl::StrCat(skip_existing ? "INSERT IGNORE" : "INSERT",
                   " INTO cases (kind, employee_id, county_id, from_level, to_level, career_move_target, "
                   "post_grade, cycle_id, evidence, policy_version, state, state_reason, rank_composite_milli, "
                   "rank_days_at_level, proposed_by, create_time, review_key) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const cv1::Case& value = fresh.value;
  std::istringstream evidence(value.evidence().SerializeAsString());
  insert.setInt(1, value.kind());
  insert.setInt64(2, IdOf(value.employee()));
  insert.setInt64(3, IdOf(value.county()));
  insert.setInt(4, value.from_level());
  insert.setInt(5, value.to_level());
  insert.setInt(6, value.career_move_target());
  insert.setInt(7, fresh.post_grade);
  insert.setInt64(8, IdOf(value.cycle()));
  insert.setBlob(9, &evidence);
  insert.setString(10, value.policy_version());
  insert.setInt(11, cv1::Case::STATE_PROPOSED);
  insert.setString(12, value.state_reason());
  insert.setInt(13, static_cast<int>(std::llround(value.evidence().latest_composite() * 1000)));
  insert.setInt(14, value.evidence().days_at_level());
  insert.setString(15, actor);
  insert.setString(16, ToSqlTimestamp(now));
  if (fresh.review_key.empty()) {
    insert.setNull(17, sql::DataType::VARCHAR);
  } else {
    insert.setString(17, fresh.review_key);
  }
  if (insert.executeUpdate() == 0) return 0;
  return connection.LastInsertId();
}

cv1::Case InsertedCase(const NewCase& fresh, int64_t id, const std::string& actor, absl::Time now) {
  cv1::Case value = fresh.value;
  value.set_name(FormatName("cases", id));
  value.set_state(cv1::Case::STATE_PROPOSED);
  value.set_proposed_by(actor);
  // As the DATETIME(6) column keeps it: whole microseconds.
  *value.mutable_create_time() = ToProtoTimestamp(absl::FromUnixMicros(absl::ToUnixMicros(now)));
  value.set_etag("1");
  return value;
}

void PublishCaseChange(const db::MutationContext& context, const cv1::Case& after) {
  if (!db::ChangeFeedPublishing()) return;
  cv1::Change change;
  switch (after.state()) {
    case cv1::Case::STATE_PROPOSED:
      change.set_kind(cv1::Change::KIND_CASE_PROPOSED);
      break;
    case cv1::Case::STATE_APPROVED:
      change.set_kind(cv1::Change::KIND_CASE_APPROVED);
      break;
    case cv1::Case::STATE_WAITING_FOR_SLOT:
      change.set_kind(cv1::Change::KIND_CASE_WAITING);
      break;
    case cv1::Case::STATE_APPLIED:
      change.set_kind(cv1::Change::KIND_CASE_APPLIED);
      break;
    case cv1::Case::STATE_REJECTED:
      change.set_kind(cv1::Change::KIND_CASE_REJECTED);
      break;
    case cv1::Case::STATE_WITHDRAWN:
      change.set_kind(cv1::Change::KIND_CASE_WITHDRAWN);
      break;
    default:
      return;
  }
  change.set_career_case(after.name());
  change.set_employee(after.employee());
  change.set_county(after.county());
  *change.mutable_case_after() = after;
  db::FeedChange feed;
  feed.kind = cv1::Change::Kind_Name(change.kind());
  feed.county_id = api::IdOf(after.county());
  feed.payload = change.SerializeAsString();
  db::NoteFeedChange(context, std::move(feed));
}

}  // namespace ladder::careerpath
