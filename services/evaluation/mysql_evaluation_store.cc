#include "services/evaluation/mysql_evaluation_store.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/resource_name.h"
#include "common/db/change_feed.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "common/util/stable_hash.h"
#include "cppconn/datatype.h"
#include "cppconn/resultset.h"
#include "ladder/evaluation/v1/evaluation_service.pb.h"
#include "services/evaluation/scoring.h"

namespace ladder::evaluation {
namespace {

// Publishes `change` on evaluation's change feed with the mutation's audit event.
void PublishChange(const MutationContext& context, const ev1::Change& change) {
  db::FeedChange feed;
  feed.kind = ev1::Change::Kind_Name(change.kind());
  feed.county_id = api::IdOf(change.county());
  feed.payload = change.SerializeAsString();
  db::NoteFeedChange(context, std::move(feed));
}

using api::FormatName;
using api::IdOf;
using api::TrimPage;
using db::Connection;
using ResultSetPtr = std::unique_ptr<sql::ResultSet>;

// Rows per multi-row statement of an import: large enough to amortise round trips, small
// enough to keep each statement and its transaction short.
constexpr size_t kRowsPerStatement = 250;

// request_log.request_id holds up to 64 characters, the most a caller may send.
constexpr size_t kMaxRequestIdLength = 64;

constexpr char kCycleColumns[] =
    "c.id, c.display_name, c.period, c.start_date, c.end_date, c.scorecard_id, c.scope_id, "
    "c.state, c.participant_count, c.create_time, c.finalize_time, "
    "(SELECT COUNT(*) FROM evaluations e WHERE e.cycle_id = c.id AND e.composite_milli IS NOT NULL), "
    "(SELECT COUNT(*) FROM evaluations e WHERE e.cycle_id = c.id AND e.state = 3)";
constexpr char kEvaluationColumns[] =
    "cycle_id, employee_id, county_id, team_id, level, state, scores, composite_milli, scorer, "
    "recheck_reason, flagged_by, flag_time, resolved_by, resolution, resolve_time, version, "
    "update_time";

std::string EvaluationName(int64_t cycle_id, int64_t employee_id) {
  return absl::StrCat("cycles/", cycle_id, "/evaluations/", employee_id);
}

absl::Status WrongState(int64_t cycle_id, ev1::Cycle::State state, absl::string_view action) {
  return RuleViolationError(
      "WRONG_CYCLE_STATE", FormatName("cycles", cycle_id),
      absl::StrCat(FormatName("cycles", cycle_id), " is ", ev1::Cycle::State_Name(state), "; cannot ", action),
      {{"cycle", FormatName("cycles", cycle_id)}, {"state", ev1::Cycle::State_Name(state)}});
}

absl::Status Timestamp(const sql::ResultSet& row, int column, google::protobuf::Timestamp* out) {
  if (row.isNull(column)) return absl::OkStatus();
  LADDER_ASSIGN_OR_RETURN(absl::Time time, FromSqlTimestamp(std::string(row.getString(column))));
  *out = ToProtoTimestamp(time);
  return absl::OkStatus();
}

absl::Status Date(const sql::ResultSet& row, int column, google::type::Date* out) {
  LADDER_ASSIGN_OR_RETURN(absl::CivilDay day, FromSqlDate(std::string(row.getString(column))));
  *out = ToDate(day);
  return absl::OkStatus();
}

absl::StatusOr<ev1::Scorecard> ReadScorecard(Connection& connection, int64_t id, bool for_update) {
  db::Statement& head = connection.Prepare(absl::StrCat(
      "SELECT id, display_name, in_use, create_time FROM scorecards WHERE id = ?", for_update ? " FOR UPDATE" : ""));
  head.setInt64(1, id);
  ev1::Scorecard scorecard;
  {
    ResultSetPtr row(head.executeQuery());
    if (!row->next()) return NotFoundError(FormatName("scorecards", id));
    scorecard.set_name(FormatName("scorecards", id));
    scorecard.set_display_name(row->getString(2));
    scorecard.set_in_use(row->getInt(3) != 0);
    LADDER_RETURN_IF_ERROR(Timestamp(*row, 4, scorecard.mutable_create_time()));
  }
  db::Statement& indicators = connection.Prepare(
      "SELECT indicator_key, display_name, weight_percent FROM scorecard_indicators "
      "WHERE scorecard_id = ? ORDER BY position");
  indicators.setInt64(1, id);
  ResultSetPtr row(indicators.executeQuery());
  while (row->next()) {
    auto* indicator = scorecard.add_indicators();
    indicator->set_key(row->getString(1));
    indicator->set_display_name(row->getString(2));
    indicator->set_weight_percent(row->getInt(3));
  }
  return scorecard;
}

void WriteIndicators(Connection& connection, int64_t id,
                     const google::protobuf::RepeatedPtrField<ev1::Scorecard::Indicator>& indicators) {
  db::Statement& clear = connection.Prepare("DELETE FROM scorecard_indicators WHERE scorecard_id = ?");
  clear.setInt64(1, id);
  clear.executeUpdate();
  db::Statement& insert = connection.Prepare(
      "INSERT INTO scorecard_indicators (scorecard_id, position, indicator_key, display_name, "
      "weight_percent) VALUES (?, ?, ?, ?, ?)");
  for (int i = 0; i < indicators.size(); ++i) {
    insert.setInt64(1, id);
    insert.setInt(2, i);
    insert.setString(3, indicators[i].key());
    insert.setString(4, indicators[i].display_name());
    insert.setInt(5, indicators[i].weight_percent());
    insert.executeUpdate();
  }
}

absl::StatusOr<ev1::Cycle> CycleFromRow(const sql::ResultSet& row) {
  ev1::Cycle cycle;
  cycle.set_name(FormatName("cycles", row.getInt64(1)));
  cycle.set_display_name(row.getString(2));
  cycle.set_period(static_cast<ev1::Cycle::Period>(row.getInt(3)));
  LADDER_RETURN_IF_ERROR(Date(row, 4, cycle.mutable_start_date()));
  LADDER_RETURN_IF_ERROR(Date(row, 5, cycle.mutable_end_date()));
  cycle.set_scorecard(FormatName("scorecards", row.getInt64(6)));
  cycle.set_scope(FormatName("orgUnits", row.getInt64(7)));
  cycle.set_state(static_cast<ev1::Cycle::State>(row.getInt(8)));
  cycle.set_participant_count(row.getInt(9));
  LADDER_RETURN_IF_ERROR(Timestamp(row, 10, cycle.mutable_create_time()));
  // mutable_*() would set the field: only touch it when there is a time.
  if (!row.isNull(11)) LADDER_RETURN_IF_ERROR(Timestamp(row, 11, cycle.mutable_finalize_time()));
  cycle.set_scored_count(row.getInt(12));
  cycle.set_open_flag_count(row.getInt(13));
  return cycle;
}

absl::StatusOr<ev1::Cycle> ReadCycle(Connection& connection, int64_t id) {
  db::Statement& select = connection.Prepare(absl::StrCat("SELECT ", kCycleColumns, " FROM cycles c WHERE c.id = ?"));
  select.setInt64(1, id);
  ResultSetPtr row(select.executeQuery());
  if (!row->next()) return NotFoundError(FormatName("cycles", id));
  return CycleFromRow(*row);
}

// Locks the cycle row, shared for score writes or exclusive for state changes, and
// returns its state.
absl::StatusOr<ev1::Cycle::State> LockCycle(Connection& connection, int64_t id, bool exclusive) {
  db::Statement& lock = connection.Prepare(
      absl::StrCat("SELECT state FROM cycles WHERE id = ?", exclusive ? " FOR UPDATE" : " LOCK IN SHARE MODE"));
  lock.setInt64(1, id);
  ResultSetPtr row(lock.executeQuery());
  if (!row->next()) return NotFoundError(FormatName("cycles", id));
  return static_cast<ev1::Cycle::State>(row->getInt(1));
}

absl::Status RequireWritable(Connection& connection, int64_t cycle_id, bool exclusive = false) {
  LADDER_ASSIGN_OR_RETURN(ev1::Cycle::State state, LockCycle(connection, cycle_id, exclusive));
  if (state == ev1::Cycle::STATE_FINALIZED) {
    return RuleViolationError(
        "CYCLE_FINALIZED", FormatName("cycles", cycle_id),
        absl::StrCat(FormatName("cycles", cycle_id), " is finalised; its evaluations never change"),
        {{"cycle", FormatName("cycles", cycle_id)}});
  }
  return absl::OkStatus();
}

absl::StatusOr<ev1::Evaluation> EvaluationFromRow(const sql::ResultSet& row, const ev1::Scorecard& scorecard) {
  ev1::Evaluation evaluation;
  const int64_t cycle_id = row.getInt64(1);
  const int64_t employee_id = row.getInt64(2);
  evaluation.set_name(EvaluationName(cycle_id, employee_id));
  evaluation.set_employee(FormatName("employees", employee_id));
  evaluation.set_county(FormatName("orgUnits", row.getInt64(3)));
  if (row.getInt64(4) != 0) evaluation.set_team(FormatName("teams", row.getInt64(4)));
  evaluation.set_level(static_cast<common::v1::Level>(row.getInt(5)));
  evaluation.set_state(static_cast<ev1::Evaluation::State>(row.getInt(6)));
  LADDER_ASSIGN_OR_RETURN(auto scores, DecodeScores(scorecard, std::string(row.getString(7))));
  for (auto& score : scores) *evaluation.add_scores() = std::move(score);
  if (!row.isNull(8)) evaluation.set_composite(row.getInt64(8) / 1000.0);
  evaluation.set_scorer(row.getString(9));
  if (!row.isNull(12)) {
    auto* recheck = evaluation.mutable_recheck();
    recheck->set_reason(row.getString(10));
    recheck->set_flagged_by(row.getString(11));
    LADDER_RETURN_IF_ERROR(Timestamp(row, 12, recheck->mutable_flag_time()));
    recheck->set_resolved_by(row.getString(13));
    recheck->set_resolution(row.getString(14));
    if (!row.isNull(15)) LADDER_RETURN_IF_ERROR(Timestamp(row, 15, recheck->mutable_resolve_time()));
  }
  evaluation.set_etag(absl::StrCat(row.getInt64(16)));
  LADDER_RETURN_IF_ERROR(Timestamp(row, 17, evaluation.mutable_update_time()));
  return evaluation;
}

// The evaluation row, locked for update when asked; NOT_FOUND names the evaluation.
absl::StatusOr<ev1::Evaluation> ReadEvaluation(Connection& connection, const ev1::Scorecard& scorecard,
                                               int64_t cycle_id, int64_t employee_id, bool for_update) {
  db::Statement& select = connection.Prepare(absl::StrCat("SELECT ", kEvaluationColumns,
                                                          " FROM evaluations WHERE cycle_id = ? AND employee_id = ?",
                                                          for_update ? " FOR UPDATE" : ""));
  select.setInt64(1, cycle_id);
  select.setInt64(2, employee_id);
  ResultSetPtr row(select.executeQuery());
  if (!row->next()) return NotFoundError(EvaluationName(cycle_id, employee_id));
  return EvaluationFromRow(*row, scorecard);
}

void UpdateScores(Connection& connection, int64_t cycle_id, const ScoreRow& row, const std::string& scorer,
                  const std::string& now) {
  db::Statement& update = connection.Prepare(
      "UPDATE evaluations SET scores = ?, composite_milli = ?, state = 2, scorer = ?, "
      "version = version + 1, update_time = ? WHERE cycle_id = ? AND employee_id = ?");
  update.setString(1, EncodeScores(row.tenths));
  update.setInt64(2, row.composite_milli);
  update.setString(3, scorer);
  update.setString(4, now);
  update.setInt64(5, cycle_id);
  update.setInt64(6, row.employee_id);
  update.executeUpdate();
}

// Writes many rows with multi-row upserts of kRowsPerStatement (the rows exist: every
// participant got one when the cycle was created), and the remainder one by one.
void UpsertScores(Connection& connection, int64_t cycle_id, const ScoreRows& rows, size_t begin, size_t end,
                  const std::string& scorer, const std::string& now) {
  static const std::string kBatchSql = [] {
    std::vector<std::string> values(kRowsPerStatement, "(?, ?, ?, ?, 2, ?, ?)");
    return absl::StrCat(
        "INSERT INTO evaluations (cycle_id, employee_id, scores, composite_milli, state, "
        "scorer, update_time) VALUES ",
        absl::StrJoin(values, ", "),
        " ON DUPLICATE KEY UPDATE scores = VALUES(scores), composite_milli = "
        "VALUES(composite_milli), state = 2, scorer = VALUES(scorer), version = version + 1, "
        "update_time = VALUES(update_time)");
  }();
  size_t next = begin;
  if (end - begin >= kRowsPerStatement) {
    db::Statement& batch = connection.Prepare(kBatchSql);
    for (; next + kRowsPerStatement <= end; next += kRowsPerStatement) {
      int index = 1;
      for (size_t i = next; i < next + kRowsPerStatement; ++i) {
        batch.setInt64(index++, cycle_id);
        batch.setInt64(index++, rows.employee_id(i));
        batch.setString(index++, EncodeScores(rows.tenths(i)));
        batch.setInt64(index++, rows.composite_milli(i));
        batch.setString(index++, scorer);
        batch.setString(index++, now);
      }
      batch.executeUpdate();
    }
  }
  for (; next < end; ++next) UpdateScores(connection, cycle_id, rows.Row(next), scorer, now);
}

template <typename T>
absl::StatusOr<T> ReadAssessment(Connection& connection, const std::string& sql, int64_t id,
                                 absl::FunctionRef<absl::StatusOr<T>(const sql::ResultSet&)> read,
                                 absl::string_view collection) {
  db::Statement& select = connection.Prepare(sql);
  select.setInt64(1, id);
  ResultSetPtr row(select.executeQuery());
  if (!row->next()) return NotFoundError(FormatName(collection, id));
  return read(*row);
}

// A page of one of the assessment tables, optionally for one employee, in id order.
template <typename T>
absl::StatusOr<Page<T>> ListAssessments(Connection& connection, absl::string_view columns, absl::string_view table,
                                        int64_t employee_id, const api::PageRequest& page,
                                        absl::FunctionRef<absl::StatusOr<T>(const sql::ResultSet&)> read) {
  db::Statement& select = connection.Prepare(absl::StrCat(
      "SELECT ", columns, " FROM ", table, " WHERE id > ? AND (? = 0 OR employee_id = ?) ORDER BY id LIMIT ?"));
  select.setInt64(1, page.after_id);
  select.setInt64(2, employee_id);
  select.setInt64(3, employee_id);
  select.setInt(4, page.page_size + 1);
  ResultSetPtr row(select.executeQuery());
  std::vector<T> items;
  while (row->next()) {
    LADDER_ASSIGN_OR_RETURN(T item, read(*row));
    items.push_back(std::move(item));
  }
  return TrimPage<T>(std::move(items), page.page_size, [](const T& item) { return IdOf(item.name()); });
}

constexpr char kTrialColumns[] = "id, employee_id, outcome, score_tenths, assessor, assessed_on, note, create_time";
constexpr char kCandidateColumns[] =
    "id, employee_id, written_tenths, interview_tenths, total_milli, passed, policy_version, "
    "assessor, assessed_on, note, create_time";

absl::StatusOr<ev1::TrialAssessment> TrialFromRow(const sql::ResultSet& row) {
  ev1::TrialAssessment assessment;
  assessment.set_name(FormatName("trialAssessments", row.getInt64(1)));
  assessment.set_employee(FormatName("employees", row.getInt64(2)));
  assessment.set_outcome(static_cast<ev1::TrialAssessment::Outcome>(row.getInt(3)));
  assessment.set_score(TenthsToScore(row.getInt(4)));
  assessment.set_assessor(row.getString(5));
  LADDER_RETURN_IF_ERROR(Date(row, 6, assessment.mutable_assessed_on()));
  assessment.set_note(row.getString(7));
  LADDER_RETURN_IF_ERROR(Timestamp(row, 8, assessment.mutable_create_time()));
  return assessment;
}

absl::StatusOr<ev1::CandidateAssessment> CandidateFromRow(const sql::ResultSet& row) {
  ev1::CandidateAssessment assessment;
  assessment.set_name(FormatName("candidateAssessments", row.getInt64(1)));
  assessment.set_employee(FormatName("employees", row.getInt64(2)));
  assessment.set_written_test_score(TenthsToScore(row.getInt(3)));
  assessment.set_interview_score(TenthsToScore(row.getInt(4)));
  assessment.set_total(row.getInt64(5) / 1000.0);
  assessment.set_passed(row.getInt(6) != 0);
  assessment.set_policy_version(row.getString(7));
  assessment.set_assessor(row.getString(8));
  LADDER_RETURN_IF_ERROR(Date(row, 9, assessment.mutable_assessed_on()));
  assessment.set_note(row.getString(10));
  LADDER_RETURN_IF_ERROR(Timestamp(row, 11, assessment.mutable_create_time()));
  return assessment;
}

}  // namespace

absl::StatusOr<ev1::Scorecard> MySqlEvaluationStore::CachedScorecardOfCycle(Connection& connection, int64_t cycle_id) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = scorecard_by_cycle_.find(cycle_id); it != scorecard_by_cycle_.end()) {
      return it->second;
    }
  }
  db::Statement& select = connection.Prepare("SELECT scorecard_id FROM cycles WHERE id = ?");
  select.setInt64(1, cycle_id);
  int64_t scorecard_id = 0;
  {
    ResultSetPtr row(select.executeQuery());
    if (!row->next()) return NotFoundError(FormatName("cycles", cycle_id));
    scorecard_id = row->getInt64(1);
  }
  LADDER_ASSIGN_OR_RETURN(ev1::Scorecard scorecard, ReadScorecard(connection, scorecard_id, false));
  absl::MutexLock lock(&mu_);
  scorecard_by_cycle_[cycle_id] = scorecard;
  return scorecard;
}

absl::StatusOr<ev1::Scorecard> MySqlEvaluationStore::CreateScorecard(const ev1::Scorecard& scorecard,
                                                                     const MutationContext& context) {
  return db::RunIdempotent<ev1::Scorecard>(
      *pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::Scorecard> {
        db::Statement& insert =
            connection.Prepare("INSERT INTO scorecards (display_name, in_use, create_time) VALUES (?, 0, ?)");
        insert.setString(1, scorecard.display_name());
        insert.setString(2, ToSqlTimestamp(absl::Now()));
        insert.executeUpdate();
        const int64_t id = connection.LastInsertId();
        WriteIndicators(connection, id, scorecard.indicators());
        return ReadScorecard(connection, id, false);
      });
}

absl::StatusOr<ev1::Scorecard> MySqlEvaluationStore::GetScorecard(int64_t id) {
  return db::WithConnection<ev1::Scorecard>(
      *pool_, [&](Connection& connection) { return ReadScorecard(connection, id, false); });
}

absl::StatusOr<Page<ev1::Scorecard>> MySqlEvaluationStore::ListScorecards(const api::PageRequest& page) {
  return db::WithConnection<Page<ev1::Scorecard>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<Page<ev1::Scorecard>> {
        std::vector<int64_t> ids;
        {
          db::Statement& select = connection.Prepare("SELECT id FROM scorecards WHERE id > ? ORDER BY id LIMIT ?");
          select.setInt64(1, page.after_id);
          select.setInt(2, page.page_size + 1);
          ResultSetPtr row(select.executeQuery());
          while (row->next()) ids.push_back(row->getInt64(1));
        }
        std::vector<ev1::Scorecard> scorecards;
        for (int64_t id : ids) {
          LADDER_ASSIGN_OR_RETURN(ev1::Scorecard scorecard, ReadScorecard(connection, id, false));
          scorecards.push_back(std::move(scorecard));
        }
        return TrimPage<ev1::Scorecard>(std::move(scorecards), page.page_size,
                                        [](const ev1::Scorecard& s) { return IdOf(s.name()); });
      });
}

absl::StatusOr<ev1::Scorecard> MySqlEvaluationStore::UpdateScorecard(int64_t id, const ScorecardPatch& patch,
                                                                     const MutationContext& context) {
  return db::RunIdempotent<ev1::Scorecard>(
      *pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::Scorecard> {
        LADDER_ASSIGN_OR_RETURN(ev1::Scorecard current, ReadScorecard(connection, id, true));
        db::NoteAuditBefore(context, current);
        if (current.in_use()) {
          return RuleViolationError("SCORECARD_IN_USE", current.name(),
                                    absl::StrCat(current.name(),
                                                 " is used by a cycle and can no "
                                                 "longer change; create a new one"));
        }
        if (patch.display_name.has_value()) {
          db::Statement& update = connection.Prepare("UPDATE scorecards SET display_name = ? WHERE id = ?");
          update.setString(1, *patch.display_name);
          update.setInt64(2, id);
          update.executeUpdate();
        }
        if (patch.indicators.has_value()) WriteIndicators(connection, id, *patch.indicators);
        return ReadScorecard(connection, id, false);
      });
}

absl::StatusOr<ev1::Cycle> MySqlEvaluationStore::CreateCycle(const ev1::Cycle& cycle,
                                                             const std::vector<ParticipantRecord>& participants,
                                                             const MutationContext& context) {
  return db::RunIdempotent<ev1::Cycle>(*pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::Cycle> {
    const int64_t scorecard_id = IdOf(cycle.scorecard());
    absl::StatusOr<ev1::Scorecard> scorecard = ReadScorecard(connection, scorecard_id, true);
    if (absl::IsNotFound(scorecard.status())) {
      return InvalidFieldError("cycle.scorecard", absl::StrCat(cycle.scorecard(), " does not exist"));
    }
    if (!scorecard.ok()) return scorecard.status();
    db::Statement& use = connection.Prepare("UPDATE scorecards SET in_use = 1 WHERE id = ?");
    use.setInt64(1, scorecard_id);
    use.executeUpdate();

    const std::string now = ToSqlTimestamp(absl::Now());
    db::Statement& insert = connection.Prepare(
        "INSERT INTO cycles (display_name, period, start_date, end_date, scorecard_id, scope_id, "
        "state, participant_count, create_time) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)");
    insert.setString(1, cycle.display_name());
    insert.setInt(2, cycle.period());
    insert.setString(3, ToSqlDate(*ToCivilDay(cycle.start_date(), "")));
    insert.setString(4, ToSqlDate(*ToCivilDay(cycle.end_date(), "")));
    insert.setInt64(5, scorecard_id);
    insert.setInt64(6, IdOf(cycle.scope()));
    insert.setInt(7, static_cast<int>(participants.size()));
    insert.setString(8, now);
    insert.executeUpdate();
    const int64_t id = connection.LastInsertId();

    db::Statement& participant = connection.Prepare(
        "INSERT INTO evaluations (cycle_id, employee_id, county_id, team_id, level, state, "
        "update_time) VALUES (?, ?, ?, ?, ?, 1, ?)");
    for (const ParticipantRecord& record : participants) {
      participant.setInt64(1, id);
      participant.setInt64(2, record.employee_id);
      participant.setInt64(3, record.county_id);
      participant.setInt64(4, record.team_id);
      participant.setInt(5, record.level);
      participant.setString(6, now);
      participant.executeUpdate();
    }
    return ReadCycle(connection, id);
  });
}

absl::StatusOr<ev1::Cycle> MySqlEvaluationStore::GetCycle(int64_t id) {
  return db::WithConnection<ev1::Cycle>(*pool_, [&](Connection& connection) { return ReadCycle(connection, id); });
}

absl::StatusOr<ev1::Scorecard> MySqlEvaluationStore::ScorecardOfCycle(int64_t cycle_id) {
  return db::WithConnection<ev1::Scorecard>(
      *pool_, [&](Connection& connection) { return CachedScorecardOfCycle(connection, cycle_id); });
}

absl::StatusOr<Page<ev1::Cycle>> MySqlEvaluationStore::ListCycles(const CycleQuery& query) {
  return db::WithConnection<Page<ev1::Cycle>>(*pool_, [&](Connection& connection) -> absl::StatusOr<Page<ev1::Cycle>> {
    db::Statement& select = connection.Prepare(
        absl::StrCat("SELECT ", kCycleColumns,
                     " FROM cycles c WHERE c.id > ? AND (? = 0 OR c.scope_id = ?) AND (? = 0 OR c.state = ?) "
                     "ORDER BY c.id LIMIT ?"));
    select.setInt64(1, query.page.after_id);
    select.setInt64(2, query.scope_id);
    select.setInt64(3, query.scope_id);
    select.setInt(4, query.state);
    select.setInt(5, query.state);
    select.setInt(6, query.page.page_size + 1);
    ResultSetPtr row(select.executeQuery());
    std::vector<ev1::Cycle> cycles;
    while (row->next()) {
      LADDER_ASSIGN_OR_RETURN(ev1::Cycle cycle, CycleFromRow(*row));
      cycles.push_back(std::move(cycle));
    }
    return TrimPage<ev1::Cycle>(std::move(cycles), query.page.page_size,
                                [](const ev1::Cycle& c) { return IdOf(c.name()); });
  });
}

absl::StatusOr<ev1::Cycle> MySqlEvaluationStore::ChangeCycleState(int64_t id, ev1::Cycle::State from,
                                                                  ev1::Cycle::State to,
                                                                  const MutationContext& context) {
  return db::RunIdempotent<ev1::Cycle>(*pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::Cycle> {
    LADDER_ASSIGN_OR_RETURN(ev1::Cycle::State state, LockCycle(connection, id, true));
    context.audit_before_json = absl::StrCat(R"({"state":")", ev1::Cycle::State_Name(state), R"("})");
    if (state != from) {
      return WrongState(
          id, state,
          absl::StrCat("move to ", ev1::Cycle::State_Name(to), " (it must be ", ev1::Cycle::State_Name(from), ")"));
    }
    if (to == ev1::Cycle::STATE_FINALIZED) {
      db::Statement& flags = connection.Prepare("SELECT COUNT(*) FROM evaluations WHERE cycle_id = ? AND state = 3");
      flags.setInt64(1, id);
      ResultSetPtr row(flags.executeQuery());
      row->next();
      if (const int open = row->getInt(1); open > 0) {
        return RuleViolationError("OPEN_RECHECK_FLAGS", FormatName("cycles", id),
                                  absl::StrCat(FormatName("cycles", id), " has ", open,
                                               " quality-inspection flag(s) to resolve before it can be finalised"),
                                  {{"open_flags", absl::StrCat(open)}});
      }
    }
    db::Statement& update =
        connection.Prepare("UPDATE cycles SET state = ?, finalize_time = IF(? = 3, ?, finalize_time) WHERE id = ?");
    update.setInt(1, to);
    update.setInt(2, to);
    update.setString(3, ToSqlTimestamp(absl::Now()));
    update.setInt64(4, id);
    update.executeUpdate();
    LADDER_ASSIGN_OR_RETURN(ev1::Cycle cycle, ReadCycle(connection, id));
    if (to == ev1::Cycle::STATE_FINALIZED && db::ChangeFeedPublishing()) {
      ev1::Change change;
      change.set_kind(ev1::Change::KIND_CYCLE_FINALIZED);
      change.set_cycle(cycle.name());
      change.set_county(cycle.scope());
      *change.mutable_cycle_after() = cycle;
      PublishChange(context, change);
    }
    return cycle;
  });
}

absl::StatusOr<ev1::Evaluation> MySqlEvaluationStore::RecordScores(int64_t cycle_id, const ScoreRow& row,
                                                                   const MutationContext& context) {
  return db::RunIdempotent<ev1::Evaluation>(
      *pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::Evaluation> {
        LADDER_RETURN_IF_ERROR(RequireWritable(connection, cycle_id));
        LADDER_ASSIGN_OR_RETURN(ev1::Scorecard scorecard, CachedScorecardOfCycle(connection, cycle_id));
        LADDER_ASSIGN_OR_RETURN(ev1::Evaluation current,
                                ReadEvaluation(connection, scorecard, cycle_id, row.employee_id, true));
        db::NoteAuditBefore(context, current);
        if (current.state() == ev1::Evaluation::STATE_RECHECK_REQUESTED) {
          return RuleViolationError("RECHECK_OPEN", current.name(),
                                    absl::StrCat(current.name(),
                                                 " is flagged for re-check; answer "
                                                 "the flag with ResolveRecheck"));
        }
        UpdateScores(connection, cycle_id, row, context.actor, ToSqlTimestamp(absl::Now()));
        return ReadEvaluation(connection, scorecard, cycle_id, row.employee_id, false);
      });
}

absl::StatusOr<EvaluationStore::Participants> MySqlEvaluationStore::ParticipantsOf(int64_t cycle_id) {
  return db::WithConnection<Participants>(*pool_, [&](Connection& connection) -> absl::StatusOr<Participants> {
    // By pages of the primary key: Connector/C++ holds a query's whole result in memory,
    // and a cycle may have a million participants.
    constexpr int kPage = 50000;
    db::Statement& select = connection.Prepare(
        "SELECT employee_id, state FROM evaluations WHERE cycle_id = ? AND employee_id > ? "
        "ORDER BY employee_id LIMIT ?");
    Participants participants;
    int64_t after = 0;
    for (int read = kPage; read == kPage;) {
      select.setInt64(1, cycle_id);
      select.setInt64(2, after);
      select.setInt(3, kPage);
      ResultSetPtr row(select.executeQuery());
      for (read = 0; row->next(); ++read) {
        after = row->getInt64(1);
        participants.ids.push_back(after);
        if (row->getInt(2) == ev1::Evaluation::STATE_RECHECK_REQUESTED) participants.flagged.insert(after);
      }
    }
    return participants;
  });
}

absl::StatusOr<int64_t> MySqlEvaluationStore::WriteScores(int64_t cycle_id, const ScoreRows& rows, size_t batch_size,
                                                          const MutationContext& context,
                                                          const std::function<bool()>& cancelled) {
  if (batch_size == 0) batch_size = rows.size();
  int64_t written = 0;
  size_t batch_index = 0;
  for (size_t begin = 0; begin < rows.size(); begin += batch_size, ++batch_index) {
    const size_t end = std::min(rows.size(), begin + batch_size);
    MutationContext this_batch = context;
    this_batch.audit_resource = api::FormatName("cycles", cycle_id);
    db::RequestKey& key = this_batch.request;
    if (!key.request_id.empty()) {
      // A long id leaves no room for the suffix: its stable hash stands in for it.
      const std::string suffix = absl::StrCat("#", batch_index);
      const std::string base =
          key.request_id.size() + suffix.size() > kMaxRequestIdLength ? StableHashHex(key.request_id) : key.request_id;
      key.request_id = base + suffix;
      key.method = absl::StrCat(key.method, "#batch");
    }
    if (cancelled()) {
      return ErrorWithReason(absl::StatusCode::kCancelled, "IMPORT_CANCELLED",
                             absl::StrCat("the import was cancelled after ", written,
                                          " rows; retry it with the same request id to finish"),
                             {{"written_rows", absl::StrCat(written)}});
    }
    // The batch's record holds its row count; a retry finds it and skips the batch.
    absl::StatusOr<ev1::ImportScoresResponse> done = db::RunIdempotent<ev1::ImportScoresResponse>(
        *pool_, this_batch, [&](Connection& connection) -> absl::StatusOr<ev1::ImportScoresResponse> {
          LADDER_RETURN_IF_ERROR(RequireWritable(connection, cycle_id));
          // The rows were checked against the flags when the import began; a flag raised
          // since must not be overwritten. None can be raised while the cycle lock is held.
          db::Statement& flags =
              connection.Prepare("SELECT employee_id FROM evaluations WHERE cycle_id = ? AND state = 3");
          flags.setInt64(1, cycle_id);
          absl::flat_hash_set<int64_t> flagged;
          {
            ResultSetPtr row(flags.executeQuery());
            while (row->next()) flagged.insert(row->getInt64(1));
          }
          for (size_t i = begin; i < end && !flagged.empty(); ++i) {
            if (!flagged.contains(rows.employee_id(i))) continue;
            const std::string name = EvaluationName(cycle_id, rows.employee_id(i));
            return RuleViolationError("RECHECK_OPEN", name,
                                      absl::StrCat(name,
                                                   " was flagged for re-check during the "
                                                   "import; answer the flag with "
                                                   "ResolveRecheck, then import again"));
          }
          UpsertScores(connection, cycle_id, rows, begin, end, context.actor, ToSqlTimestamp(absl::Now()));
          ev1::ImportScoresResponse batch;
          batch.set_written_count(static_cast<int64_t>(end - begin));
          return batch;
        });
    if (!done.ok()) {
      // Earlier batches are committed, each whole: say how many rows they hold.
      absl::Status status = done.status();
      if (written > 0) {
        status = ErrorWithReason(status.code(), ErrorReason(status).value_or("IMPORT_STOPPED"),
                                 absl::StrCat(status.message(), " (", written, " rows of earlier batches are written)"),
                                 {{"written_rows", absl::StrCat(written)}});
      }
      return status;
    }
    written += done->written_count();
  }
  return written;
}

absl::StatusOr<ev1::Evaluation> MySqlEvaluationStore::GetEvaluation(int64_t cycle_id, int64_t employee_id) {
  return db::WithConnection<ev1::Evaluation>(*pool_, [&](Connection& connection) -> absl::StatusOr<ev1::Evaluation> {
    LADDER_ASSIGN_OR_RETURN(ev1::Scorecard scorecard, CachedScorecardOfCycle(connection, cycle_id));
    return ReadEvaluation(connection, scorecard, cycle_id, employee_id, false);
  });
}

absl::StatusOr<Page<ev1::Evaluation>> MySqlEvaluationStore::ListEvaluations(const EvaluationQuery& query) {
  return db::WithConnection<Page<ev1::Evaluation>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<Page<ev1::Evaluation>> {
        LADDER_ASSIGN_OR_RETURN(ev1::Scorecard scorecard, CachedScorecardOfCycle(connection, query.cycle_id));
        db::Statement& select = connection.Prepare(
            absl::StrCat("SELECT ", kEvaluationColumns,
                         " FROM evaluations WHERE cycle_id = ? AND employee_id > ? AND (? = 0 OR county_id = ?) "
                         "AND (? = 0 OR level = ?) AND (? = 0 OR state = ?) AND (? = 0 OR team_id = ?) "
                         "ORDER BY employee_id LIMIT ?"));
        select.setInt64(1, query.cycle_id);
        select.setInt64(2, query.page.after_id);
        select.setInt64(3, query.county_id);
        select.setInt64(4, query.county_id);
        select.setInt(5, query.level);
        select.setInt(6, query.level);
        select.setInt(7, query.state);
        select.setInt(8, query.state);
        select.setInt64(9, query.team_id);
        select.setInt64(10, query.team_id);
        select.setInt(11, query.page.page_size + 1);
        ResultSetPtr row(select.executeQuery());
        std::vector<ev1::Evaluation> evaluations;
        while (row->next()) {
          LADDER_ASSIGN_OR_RETURN(ev1::Evaluation evaluation, EvaluationFromRow(*row, scorecard));
          evaluations.push_back(std::move(evaluation));
        }
        return TrimPage<ev1::Evaluation>(std::move(evaluations), query.page.page_size,
                                         [](const ev1::Evaluation& e) { return IdOf(e.name()); });
      });
}

absl::StatusOr<ev1::Evaluation> MySqlEvaluationStore::FlagForRecheck(int64_t cycle_id, int64_t employee_id,
                                                                     const std::string& reason,
                                                                     const MutationContext& context) {
  return db::RunIdempotent<ev1::Evaluation>(
      *pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::Evaluation> {
        // Exclusive: a flag waits for score writes in flight, which then see no new flag
        // appear before they commit (see WriteScores).
        LADDER_RETURN_IF_ERROR(RequireWritable(connection, cycle_id, true));
        LADDER_ASSIGN_OR_RETURN(ev1::Scorecard scorecard, CachedScorecardOfCycle(connection, cycle_id));
        LADDER_ASSIGN_OR_RETURN(ev1::Evaluation current,
                                ReadEvaluation(connection, scorecard, cycle_id, employee_id, true));
        db::NoteAuditBefore(context, current);
        if (current.state() == ev1::Evaluation::STATE_PENDING) {
          return RuleViolationError("NOT_SCORED", current.name(),
                                    absl::StrCat(current.name(), " has no scores to re-check yet"));
        }
        if (current.state() == ev1::Evaluation::STATE_RECHECK_REQUESTED) {
          return RuleViolationError("RECHECK_OPEN", current.name(),
                                    absl::StrCat(current.name(), " is already flagged for re-check"));
        }
        db::Statement& update = connection.Prepare(
            "UPDATE evaluations SET state = 3, recheck_reason = ?, flagged_by = ?, flag_time = ?, "
            "resolved_by = '', resolution = '', resolve_time = NULL, version = version + 1, "
            "update_time = ? WHERE cycle_id = ? AND employee_id = ?");
        const std::string now = ToSqlTimestamp(absl::Now());
        update.setString(1, reason);
        update.setString(2, context.actor);
        update.setString(3, now);
        update.setString(4, now);
        update.setInt64(5, cycle_id);
        update.setInt64(6, employee_id);
        update.executeUpdate();
        return ReadEvaluation(connection, scorecard, cycle_id, employee_id, false);
      });
}

absl::StatusOr<ev1::Evaluation> MySqlEvaluationStore::ResolveRecheck(int64_t cycle_id, int64_t employee_id,
                                                                     const std::optional<ScoreRow>& corrected,
                                                                     const std::string& resolution,
                                                                     const MutationContext& context) {
  return db::RunIdempotent<ev1::Evaluation>(
      *pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::Evaluation> {
        LADDER_RETURN_IF_ERROR(RequireWritable(connection, cycle_id));
        LADDER_ASSIGN_OR_RETURN(ev1::Scorecard scorecard, CachedScorecardOfCycle(connection, cycle_id));
        LADDER_ASSIGN_OR_RETURN(ev1::Evaluation current,
                                ReadEvaluation(connection, scorecard, cycle_id, employee_id, true));
        db::NoteAuditBefore(context, current);
        if (current.state() != ev1::Evaluation::STATE_RECHECK_REQUESTED) {
          return RuleViolationError("NO_OPEN_RECHECK", current.name(),
                                    absl::StrCat(current.name(), " has no open re-check flag"));
        }
        const std::string now = ToSqlTimestamp(absl::Now());
        if (corrected.has_value()) UpdateScores(connection, cycle_id, *corrected, context.actor, now);
        db::Statement& update = connection.Prepare(
            "UPDATE evaluations SET state = 2, resolved_by = ?, resolution = ?, resolve_time = ?, "
            "version = version + 1, update_time = ? WHERE cycle_id = ? AND employee_id = ?");
        update.setString(1, context.actor);
        update.setString(2, resolution);
        update.setString(3, now);
        update.setString(4, now);
        update.setInt64(5, cycle_id);
        update.setInt64(6, employee_id);
        update.executeUpdate();
        LADDER_ASSIGN_OR_RETURN(ev1::Evaluation resolved,
                                ReadEvaluation(connection, scorecard, cycle_id, employee_id, false));
        if (corrected.has_value() && db::ChangeFeedPublishing()) {
          ev1::Change change;
          change.set_kind(ev1::Change::KIND_SCORES_CORRECTED);
          change.set_cycle(FormatName("cycles", cycle_id));
          change.set_county(resolved.county());
          *change.mutable_evaluation_after() = resolved;
          PublishChange(context, change);
        }
        return resolved;
      });
}

absl::Status MySqlEvaluationStore::CheckCycleExists(int64_t id) {
  return db::WithConnection(*pool_, [&](Connection& connection) -> absl::Status {
    db::Statement& select = connection.Prepare("SELECT 1 FROM cycles WHERE id = ?");
    select.setInt64(1, id);
    ResultSetPtr row(select.executeQuery());
    if (!row->next()) return NotFoundError(FormatName("cycles", id));
    return absl::OkStatus();
  });
}

absl::StatusOr<RankingPage> MySqlEvaluationStore::ListRankings(int64_t cycle_id, int64_t county_id,
                                                               common::v1::Level level, const api::PageRequest& page) {
  return db::WithConnection<RankingPage>(*pool_, [&](Connection& connection) -> absl::StatusOr<RankingPage> {
    // A page is cut from the ranking order (composite descending, then employee) by one
    // range scan of the ranking index from the page's key. What a rank needs of the rows
    // before the page — how many there were, the rank and tie count of the last one, the
    // total — comes from the previous page (its token carries it), so page k costs what
    // page 1 costs.
    struct Carried {
      int64_t position = 0;  // rows before this page
      int64_t last_rank = 0;
      int64_t last_equal = 0;  // rows with the last row's composite, 0 if unknown
      int64_t total = -1;
    } carried;
    int64_t after_composite = kMaxCompositeMilli + 1, after_employee = 0;
    if (page.after_id != 0) {
      if (page.carried.size() != 4) return InvalidFieldError("page_token", "is not a token of this ranking");
      carried = {page.carried[0], page.carried[1], page.carried[2], page.carried[3]};
      after_composite = CompositeOfRankingKey(page.after_id);
      after_employee = EmployeeOfRankingKey(page.after_id);
    }
    auto count = [&](bool only_composite, int64_t composite) -> int64_t {
      db::Statement& select = connection.Prepare(
          "SELECT COUNT(*) FROM evaluations WHERE cycle_id = ? AND county_id = ? AND level = ? "
          "AND composite_milli IS NOT NULL AND (? = 0 OR composite_milli = ?)");
      select.setInt64(1, cycle_id);
      select.setInt64(2, county_id);
      select.setInt(3, level);
      select.setInt(4, only_composite ? 1 : 0);
      select.setInt64(5, composite);
      ResultSetPtr counted(select.executeQuery());
      counted->next();
      return counted->getInt64(1);
    };
    if (carried.total < 0) carried.total = count(false, 0);

    db::Statement& select = connection.Prepare(
        "SELECT employee_id, composite_milli FROM evaluations "
        "WHERE cycle_id = ? AND county_id = ? AND level = ? AND composite_milli IS NOT NULL "
        "AND (composite_milli < ? OR (composite_milli = ? AND employee_id > ?)) "
        "ORDER BY composite_milli DESC, employee_id LIMIT ?");
    select.setInt64(1, cycle_id);
    select.setInt64(2, county_id);
    select.setInt(3, level);
    select.setInt64(4, after_composite);
    select.setInt64(5, after_composite);
    select.setInt64(6, after_employee);
    select.setInt(7, page.page_size + 1);
    ResultSetPtr row(select.executeQuery());
    std::vector<std::pair<int64_t, int64_t>> rows;  // employee, composite
    while (row->next()) rows.emplace_back(row->getInt64(1), row->getInt64(2));
    const bool more = static_cast<int>(rows.size()) > page.page_size;
    if (more) rows.resize(page.page_size);

    RankingPage result;
    result.ranked_count = static_cast<int32_t>(carried.total);
    // Ranks: equal composites share one, the rank of the first of them in the order.
    std::vector<int64_t> ranks(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const int64_t position = carried.position + static_cast<int64_t>(i);
      if (i == 0) {
        ranks[i] = page.after_id != 0 && rows[i].second == after_composite ? carried.last_rank : position + 1;
      } else {
        ranks[i] = rows[i].second == rows[i - 1].second ? ranks[i - 1] : position + 1;
      }
    }
    // Ties: a group that ends within the page is counted by the page; the last group (which
    // may go on) is counted in the index, unless it is the one the previous page counted.
    std::vector<int64_t> equal(rows.size());
    int64_t last_group_equal = 0;
    if (!rows.empty()) {
      const int64_t last_composite = rows.back().second;
      last_group_equal = page.after_id != 0 && last_composite == after_composite && carried.last_equal > 0
                             ? carried.last_equal
                             : count(true, last_composite);
    }
    for (size_t i = rows.size(); i-- > 0;) {
      if (rows[i].second == rows.back().second) {
        equal[i] = last_group_equal;
      } else if (i + 1 < rows.size() && rows[i + 1].second == rows[i].second) {
        equal[i] = equal[i + 1];
      } else {
        // The next group starts at i + 1, so this one's rows are those ranked from ranks[i] to it.
        equal[i] = (carried.position + static_cast<int64_t>(i) + 2) - ranks[i];
      }
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto [employee_id, composite] = rows[i];
      const RankPosition position = PositionOf(ranks[i] - 1, equal[i], carried.total);
      ev1::Ranking ranking;
      ranking.set_rank(position.rank);
      ranking.set_evaluation(EvaluationName(cycle_id, employee_id));
      ranking.set_employee(FormatName("employees", employee_id));
      ranking.set_composite(composite / 1000.0);
      ranking.set_percentile(position.percentile);
      result.rankings.push_back(std::move(ranking));
    }
    if (more) {
      result.next_after_key = RankingKey(rows.back().second, rows.back().first);
      result.next_carried = {carried.position + static_cast<int64_t>(rows.size()), ranks.back(), last_group_equal,
                             carried.total};
    }
    return result;
  });
}

absl::StatusOr<Page<ev1::ScoreHistoryEntry>> MySqlEvaluationStore::ListScoreHistory(int64_t employee_id,
                                                                                    const api::PageRequest& page) {
  return db::WithConnection<Page<ev1::ScoreHistoryEntry>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<Page<ev1::ScoreHistoryEntry>> {
        db::Statement& select = connection.Prepare(
            "SELECT c.id, c.display_name, c.end_date, e.composite_milli, e.county_id, e.level "
            "FROM evaluations e JOIN cycles c ON c.id = e.cycle_id "
            "WHERE e.employee_id = ? AND c.state = 3 AND e.composite_milli IS NOT NULL "
            "ORDER BY c.end_date DESC, c.id DESC LIMIT ? OFFSET ?");
        select.setInt64(1, employee_id);
        select.setInt(2, page.page_size + 1);
        select.setInt64(3, page.after_id);
        ResultSetPtr row(select.executeQuery());
        Page<ev1::ScoreHistoryEntry> result;
        while (row->next()) {
          ev1::ScoreHistoryEntry entry;
          entry.set_cycle(FormatName("cycles", row->getInt64(1)));
          entry.set_cycle_display_name(row->getString(2));
          entry.set_period_end(row->getString(3));
          entry.set_composite(row->getInt64(4) / 1000.0);
          entry.set_county(FormatName("orgUnits", row->getInt64(5)));
          entry.set_level(static_cast<common::v1::Level>(row->getInt(6)));
          result.items.push_back(std::move(entry));
        }
        if (static_cast<int>(result.items.size()) > page.page_size) {
          result.items.resize(page.page_size);
          result.next_after_id = page.after_id + page.page_size;
        }
        return result;
      });
}

absl::StatusOr<std::vector<ev1::ScoreHistory>> MySqlEvaluationStore::BatchScoreHistories(
    const std::vector<int64_t>& employee_ids, int max_entries) {
  using Histories = std::vector<ev1::ScoreHistory>;
  return db::WithConnection<Histories>(*pool_, [&](Connection& connection) -> absl::StatusOr<Histories> {
    std::vector<ev1::ScoreHistory> histories(employee_ids.size());
    absl::flat_hash_map<int64_t, size_t> position;
    for (size_t i = 0; i < employee_ids.size(); ++i) {
      histories[i].set_employee(FormatName("employees", employee_ids[i]));
      position[employee_ids[i]] = i;
    }
    if (employee_ids.empty()) return histories;
    // One statement for the batch (the ids are numbers, not text): each employee's newest
    // `max_entries` composites by the employee index.
    const std::string ids = absl::StrJoin(employee_ids, ",");
    ResultSetPtr row(connection.Query(absl::StrCat(
        "SELECT employee_id, cycle_id, display_name, end_date, composite_milli, county_id, level FROM ("
        "SELECT e.employee_id, c.id AS cycle_id, c.display_name, c.end_date, e.composite_milli, e.county_id, "
        "e.level, ROW_NUMBER() OVER (PARTITION BY e.employee_id ORDER BY c.end_date DESC, c.id DESC) AS n "
        "FROM evaluations e JOIN cycles c ON c.id = e.cycle_id "
        "WHERE e.employee_id IN (",
        ids,
        ") AND c.state = 3 AND e.composite_milli IS NOT NULL) ranked "
        "WHERE n <= ",
        max_entries, " ORDER BY employee_id, n")));
    while (row->next()) {
      ev1::ScoreHistoryEntry* entry = histories[position.at(row->getInt64(1))].add_entries();
      entry->set_cycle(FormatName("cycles", row->getInt64(2)));
      entry->set_cycle_display_name(row->getString(3));
      entry->set_period_end(row->getString(4));
      entry->set_composite(row->getInt64(5) / 1000.0);
      entry->set_county(FormatName("orgUnits", row->getInt64(6)));
      entry->set_level(static_cast<common::v1::Level>(row->getInt(7)));
    }
    return histories;
  });
}

absl::StatusOr<ev1::TrialAssessment> MySqlEvaluationStore::CreateTrialAssessment(const ev1::TrialAssessment& assessment,
                                                                                 const MutationContext& context) {
  return db::RunIdempotent<ev1::TrialAssessment>(
      *pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::TrialAssessment> {
        db::Statement& insert = connection.Prepare(
            "INSERT INTO trial_assessments (employee_id, outcome, score_tenths, assessor, "
            "assessed_on, note, create_time) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert.setInt64(1, IdOf(assessment.employee()));
        insert.setInt(2, assessment.outcome());
        insert.setInt(3, static_cast<int>(std::lround(assessment.score() * 10)));
        insert.setString(4, assessment.assessor());
        insert.setString(5, ToSqlDate(*ToCivilDay(assessment.assessed_on(), "")));
        insert.setString(6, assessment.note());
        insert.setString(7, ToSqlTimestamp(absl::Now()));
        insert.executeUpdate();
        return ReadAssessment<ev1::TrialAssessment>(
            connection, absl::StrCat("SELECT ", kTrialColumns, " FROM trial_assessments WHERE id = ?"),
            connection.LastInsertId(), TrialFromRow, "trialAssessments");
      });
}

absl::StatusOr<ev1::TrialAssessment> MySqlEvaluationStore::GetTrialAssessment(int64_t id) {
  return db::WithConnection<ev1::TrialAssessment>(*pool_, [&](Connection& connection) {
    return ReadAssessment<ev1::TrialAssessment>(
        connection, absl::StrCat("SELECT ", kTrialColumns, " FROM trial_assessments WHERE id = ?"), id, TrialFromRow,
        "trialAssessments");
  });
}

absl::StatusOr<Page<ev1::TrialAssessment>> MySqlEvaluationStore::ListTrialAssessments(int64_t employee_id,
                                                                                      const api::PageRequest& page) {
  return db::WithConnection<Page<ev1::TrialAssessment>>(*pool_, [&](Connection& connection) {
    return ListAssessments<ev1::TrialAssessment>(connection, kTrialColumns, "trial_assessments", employee_id, page,
                                                 TrialFromRow);
  });
}

absl::StatusOr<ev1::CandidateAssessment> MySqlEvaluationStore::CreateCandidateAssessment(
    const ev1::CandidateAssessment& assessment, const MutationContext& context) {
  return db::RunIdempotent<ev1::CandidateAssessment>(
      *pool_, context, [&](Connection& connection) -> absl::StatusOr<ev1::CandidateAssessment> {
        db::Statement& insert = connection.Prepare(
            "INSERT INTO candidate_assessments (employee_id, written_tenths, interview_tenths, "
            "total_milli, passed, policy_version, assessor, assessed_on, note, create_time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insert.setInt64(1, IdOf(assessment.employee()));
        insert.setInt(2, static_cast<int>(std::lround(assessment.written_test_score() * 10)));
        insert.setInt(3, static_cast<int>(std::lround(assessment.interview_score() * 10)));
        insert.setInt64(4, std::llround(assessment.total() * 1000));
        insert.setInt(5, assessment.passed() ? 1 : 0);
        insert.setString(6, assessment.policy_version());
        insert.setString(7, assessment.assessor());
        insert.setString(8, ToSqlDate(*ToCivilDay(assessment.assessed_on(), "")));
        insert.setString(9, assessment.note());
        insert.setString(10, ToSqlTimestamp(absl::Now()));
        insert.executeUpdate();
        return ReadAssessment<ev1::CandidateAssessment>(
            connection, absl::StrCat("SELECT ", kCandidateColumns, " FROM candidate_assessments WHERE id = ?"),
            connection.LastInsertId(), CandidateFromRow, "candidateAssessments");
      });
}

absl::StatusOr<ev1::CandidateAssessment> MySqlEvaluationStore::GetCandidateAssessment(int64_t id) {
  return db::WithConnection<ev1::CandidateAssessment>(*pool_, [&](Connection& connection) {
    return ReadAssessment<ev1::CandidateAssessment>(
        connection, absl::StrCat("SELECT ", kCandidateColumns, " FROM candidate_assessments WHERE id = ?"), id,
        CandidateFromRow, "candidateAssessments");
  });
}

absl::StatusOr<Page<ev1::CandidateAssessment>> MySqlEvaluationStore::ListCandidateAssessments(
    int64_t employee_id, const api::PageRequest& page) {
  return db::WithConnection<Page<ev1::CandidateAssessment>>(*pool_, [&](Connection& connection) {
    return ListAssessments<ev1::CandidateAssessment>(connection, kCandidateColumns, "candidate_assessments",
                                                     employee_id, page, CandidateFromRow);
  });
}

absl::StatusOr<CycleCounts> MySqlEvaluationStore::CountCycles() {
  return db::WithConnection<CycleCounts>(*pool_, [&](Connection& connection) -> absl::StatusOr<CycleCounts> {
    CycleCounts counts;
    db::Statement& by_state = connection.Prepare("SELECT state, COUNT(*) FROM cycles GROUP BY state");
    ResultSetPtr states(by_state.executeQuery());
    while (states->next()) {
      switch (states->getInt(1)) {
        case ev1::Cycle::STATE_OPEN:
          counts.open = states->getInt64(2);
          break;
        case ev1::Cycle::STATE_IN_REVIEW:
          counts.in_review = states->getInt64(2);
          break;
        case ev1::Cycle::STATE_FINALIZED:
          counts.finalized = states->getInt64(2);
          break;
        default:
          break;
      }
    }
    // evaluations_state (cycle_id, state) per cycle still open or in review.
    db::Statement& rechecks = connection.Prepare(
        "SELECT COUNT(*) FROM cycles c JOIN evaluations e ON e.cycle_id = c.id AND e.state = ? "
        "WHERE c.state <> ?");
    rechecks.setInt(1, ev1::Evaluation::STATE_RECHECK_REQUESTED);
    rechecks.setInt(2, ev1::Cycle::STATE_FINALIZED);
    ResultSetPtr flagged(rechecks.executeQuery());
    if (flagged->next()) counts.rechecks_open = flagged->getInt64(1);
    return counts;
  });
}

}  // namespace ladder::evaluation
