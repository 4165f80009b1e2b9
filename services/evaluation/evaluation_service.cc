#include "services/evaluation/evaluation_service.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/field_mask.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/server/rpc_support.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "common/util/stable_hash.h"
#include "services/evaluation/request_validation.h"
#include "services/evaluation/score_rows.h"
#include "services/evaluation/scoring.h"
#include "spdlog/spdlog.h"

namespace ladder::evaluation {
namespace {

using api::FormatName;
using api::ParseName;
using grpc::ServerContext;
namespace pv1 = ::ladder::personnel::v1;

constexpr char kService[] = "/ladder.evaluation.v1.EvaluationService/";
// An import holds its good rows, packed, while it reads the stream (nothing is written
// before the last row is checked): at most one per participant of the cycle, so the
// memory is bounded by the cycle, not by what a client sends. Bad rows are counted; the
// first of them are listed in the answer, which must stay well under gRPC's 4 MB.
constexpr int kMaxListedRejections = 10000;
// Rows per transaction of an import that keeps its good rows.
constexpr size_t kImportBatchRows = 1000;

template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response) {
  return server::Respond(std::move(result), response, kErrorDomain);
}

grpc::Status Respond(const absl::Status& status) { return server::Respond(status, kErrorDomain); }

MutationContext ContextFor(const ServerContext& context, absl::string_view method,
                           const google::protobuf::Message& request) {
  return server::MutationFor(context, absl::StrCat(kService, method), request);
}

// A score row validated against the scorecard.
absl::StatusOr<ScoreRow> RowFor(const ev1::Scorecard& scorecard, int64_t employee_id,
                                const google::protobuf::RepeatedPtrField<ev1::Evaluation::Score>& scores,
                                absl::string_view field) {
  ScoreRow row;
  row.employee_id = employee_id;
  LADDER_ASSIGN_OR_RETURN(row.tenths, ScoresFor(scorecard, scores, field));
  row.composite_milli = CompositeMilli(scorecard, row.tenths);
  return row;
}

}  // namespace

grpc::Status EvaluationServiceImpl::CreateScorecard(ServerContext* context, const ev1::CreateScorecardRequest* request,
                                                    ev1::Scorecard* response) {
  if (absl::Status s = ValidateCreateScorecard(*request); !s.ok()) return Respond(s);
  return Respond(store_->CreateScorecard(request->scorecard(), ContextFor(*context, "CreateScorecard", *request)),
                 response);
}

grpc::Status EvaluationServiceImpl::GetScorecard(ServerContext*, const ev1::GetScorecardRequest* request,
                                                 ev1::Scorecard* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "scorecards", "name");
  if (!id.ok()) return Respond(id.status());
  return Respond(store_->GetScorecard(*id), response);
}

grpc::Status EvaluationServiceImpl::ListScorecards(ServerContext*, const ev1::ListScorecardsRequest* request,
                                                   ev1::ListScorecardsResponse* response) {
  absl::StatusOr<api::PageRequest> page =
      api::ParsePageRequest(request->page_size(), request->page_token(), "scorecards");
  if (!page.ok()) return Respond(page.status());
  absl::StatusOr<Page<ev1::Scorecard>> result = store_->ListScorecards(*page);
  if (!result.ok()) return Respond(result.status());
  for (auto& item : result->items) *response->add_scorecards() = std::move(item);
  response->set_next_page_token(api::NextPageToken(*result, "scorecards"));
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::UpdateScorecard(ServerContext* context, const ev1::UpdateScorecardRequest* request,
                                                    ev1::Scorecard* response) {
  if (absl::Status s = ValidateUpdateScorecard(*request); !s.ok()) return Respond(s);
  ScorecardPatch patch;
  if (api::MaskIncludes(request->update_mask(), "display_name")) {
    patch.display_name = request->scorecard().display_name();
  }
  if (api::MaskIncludes(request->update_mask(), "indicators")) {
    patch.indicators = request->scorecard().indicators();
  }
  const int64_t id = ParseName(request->scorecard().name(), "scorecards", "").value();
  return Respond(store_->UpdateScorecard(id, patch, ContextFor(*context, "UpdateScorecard", *request)), response);
}

grpc::Status EvaluationServiceImpl::CreateCycle(ServerContext* context, const ev1::CreateCycleRequest* request,
                                                ev1::Cycle* response) {
  if (absl::Status s = ValidateCreateCycle(*request); !s.ok()) return Respond(s);
  // Participants are read before the transaction, so an unreachable personnel service
  // leaves nothing behind.
  absl::StatusOr<std::vector<ParticipantRecord>> participants =
      personnel_->ListParticipants(request->cycle().scope(), "cycle.scope");
  if (!participants.ok()) return Respond(participants.status());
  return Respond(store_->CreateCycle(request->cycle(), *participants, ContextFor(*context, "CreateCycle", *request)),
                 response);
}

grpc::Status EvaluationServiceImpl::GetCycle(ServerContext*, const ev1::GetCycleRequest* request,
                                             ev1::Cycle* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "cycles", "name");
  if (!id.ok()) return Respond(id.status());
  return Respond(store_->GetCycle(*id), response);
}

grpc::Status EvaluationServiceImpl::ListCycles(ServerContext*, const ev1::ListCyclesRequest* request,
                                               ev1::ListCyclesResponse* response) {
  CycleQuery query;
  if (!request->scope().empty()) {
    absl::StatusOr<int64_t> scope = ParseName(request->scope(), "orgUnits", "scope");
    if (!scope.ok()) return Respond(scope.status());
    query.scope_id = *scope;
  }
  if (!ev1::Cycle::State_IsValid(request->state())) {
    return Respond(InvalidFieldError("state", "has an unknown value"));
  }
  query.state = request->state();
  const std::string filter = absl::StrCat("cycles|", query.scope_id, "|", query.state);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  query.page = *page;
  absl::StatusOr<Page<ev1::Cycle>> result = store_->ListCycles(query);
  if (!result.ok()) return Respond(result.status());
  for (auto& item : result->items) *response->add_cycles() = std::move(item);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::StartReview(ServerContext* context, const ev1::StartReviewRequest* request,
                                                ev1::Cycle* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "cycles", "name");
  if (!id.ok()) return Respond(id.status());
  if (absl::Status s = db::ValidateRequestId(request->request_id(), "request_id"); !s.ok()) return Respond(s);
  return Respond(store_->ChangeCycleState(*id, ev1::Cycle::STATE_OPEN, ev1::Cycle::STATE_IN_REVIEW,
                                          ContextFor(*context, "StartReview", *request)),
                 response);
}

grpc::Status EvaluationServiceImpl::FinalizeCycle(ServerContext* context, const ev1::FinalizeCycleRequest* request,
                                                  ev1::Cycle* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "cycles", "name");
  if (!id.ok()) return Respond(id.status());
  if (absl::Status s = db::ValidateRequestId(request->request_id(), "request_id"); !s.ok()) return Respond(s);
  return Respond(store_->ChangeCycleState(*id, ev1::Cycle::STATE_IN_REVIEW, ev1::Cycle::STATE_FINALIZED,
                                          ContextFor(*context, "FinalizeCycle", *request)),
                 response);
}

grpc::Status EvaluationServiceImpl::RecordScores(ServerContext* context, const ev1::RecordScoresRequest* request,
                                                 ev1::Evaluation* response) {
  absl::StatusOr<std::pair<int64_t, int64_t>> name = ParseEvaluationName(request->name(), "name");
  if (!name.ok()) return Respond(name.status());
  if (absl::Status s = db::ValidateRequestId(request->request_id(), "request_id"); !s.ok()) return Respond(s);
  absl::StatusOr<ev1::Scorecard> scorecard = store_->ScorecardOfCycle(name->first);
  if (!scorecard.ok()) return Respond(scorecard.status());
  absl::StatusOr<ScoreRow> row = RowFor(*scorecard, name->second, request->scores(), "scores");
  if (!row.ok()) return Respond(row.status());
  return Respond(store_->RecordScores(name->first, *row, ContextFor(*context, "RecordScores", *request)), response);
}

grpc::Status EvaluationServiceImpl::ImportScoresFrom(ServerContext* context,
                                                     server::MessageReader<ev1::ImportScoresRequest>* reader,
                                                     ev1::ImportScoresResponse* response) {
  return Respond(Import(*context, *reader), response);
}

absl::StatusOr<ev1::ImportScoresResponse> EvaluationServiceImpl::Import(
    ServerContext& context, server::MessageReader<ev1::ImportScoresRequest>& reader) {
  ev1::ImportScoresRequest message;
  if (!reader.Read(&message) || !message.has_header()) {
    if (!reader.status().ok()) return reader.status();
    return InvalidFieldError("header", "the first message of the stream must be the header");
  }
  const ev1::ImportScoresRequest::Header header = message.header();
  LADDER_RETURN_IF_ERROR(db::ValidateRequestId(header.request_id(), "header.request_id"));
  LADDER_ASSIGN_OR_RETURN(int64_t cycle_id, ParseName(header.cycle(), "cycles", "header.cycle"));
  LADDER_ASSIGN_OR_RETURN(ev1::Scorecard scorecard, store_->ScorecardOfCycle(cycle_id));
  LADDER_ASSIGN_OR_RETURN(EvaluationStore::Participants participants, store_->ParticipantsOf(cycle_id));

  const absl::Time start = absl::Now();
  ev1::ImportScoresResponse result;
  ScoreRows rows(static_cast<size_t>(scorecard.indicators_size()));
  std::vector<bool> seen(participants.ids.size());  // by the participant's index
  // A retried import must carry the same rows: the fingerprint covers all of them, fed to
  // the hash row by row.
  StableHasher fingerprint;
  fingerprint.Update(absl::StrCat(cycle_id));
  size_t received = 0;
  const auto reject = [&](const ev1::ImportScoresRequest::Row& row, const absl::Status& why) {
    result.set_rejected_count(result.rejected_count() + 1);
    if (result.rejected_rows_size() >= kMaxListedRejections) return;
    auto* rejected = result.add_rejected_rows();
    rejected->set_row_number(row.row_number());
    rejected->set_employee(row.employee());
    rejected->set_field(ViolatedField(why).value_or(""));
    rejected->set_reason(std::string(why.message()));
  };
  while (reader.Read(&message)) {
    if (message.has_header()) return InvalidFieldError("header", "must be sent once, first");
    for (const auto& row : message.rows().rows()) {
      ++received;
      absl::StatusOr<int64_t> employee_id = ParseName(row.employee(), "employees", "employee");
      if (!employee_id.ok()) {
        reject(row, employee_id.status());
        continue;
      }
      const int64_t participant = participants.IndexOf(*employee_id);
      if (participant < 0) {
        reject(row, InvalidFieldError("employee", absl::StrCat(row.employee(), " is not a participant of the cycle")));
        continue;
      }
      if (participants.flagged.contains(*employee_id)) {
        reject(row, InvalidFieldError("employee",
                                      absl::StrCat(row.employee(), " is flagged for re-check; resolve it first")));
        continue;
      }
      if (seen[participant]) {
        reject(row,
               InvalidFieldError("employee", absl::StrCat(row.employee(), " appears more than once in the import")));
        continue;
      }
      seen[participant] = true;
      absl::StatusOr<ScoreRow> scored = RowFor(scorecard, *employee_id, row.scores(), "scores");
      if (!scored.ok()) {
        reject(row, scored.status());
        continue;
      }
      fingerprint.Update(absl::StrCat(";", scored->employee_id, ":", EncodeScores(scored->tenths)));
      LADDER_RETURN_IF_ERROR(rows.Add(*scored));
    }
  }
  // A message the guard refused (invalid UTF-8, control characters) ends the stream early.
  if (!reader.status().ok()) return reader.status();
  if (context.IsCancelled()) return absl::CancelledError("the client cancelled the import");
  if (header.all_or_nothing() && result.rejected_count() > 0) {
    result.set_written_count(0);
    return result;
  }
  // The header carries the request id; the fingerprint must cover the rows as well.
  MutationContext mutation = ContextFor(context, "ImportScores", header);
  mutation.request.display_id = header.request_id();
  mutation.request.field = "header.request_id";
  mutation.request.fingerprint = fingerprint.Hex();
  const absl::Time read = absl::Now();
  LADDER_ASSIGN_OR_RETURN(int64_t written,
                          store_->WriteScores(cycle_id, rows, header.all_or_nothing() ? 0 : kImportBatchRows, mutation,
                                              [&] { return context.IsCancelled(); }));
  result.set_written_count(written);
  spdlog::info("event=import_done cycle={} rows={} rejected={} written={} read_ms={} write_ms={}", header.cycle(),
               received, result.rejected_count(), written, absl::ToInt64Milliseconds(read - start),
               absl::ToInt64Milliseconds(absl::Now() - read));
  return result;
}

grpc::Status EvaluationServiceImpl::GetEvaluation(ServerContext*, const ev1::GetEvaluationRequest* request,
                                                  ev1::Evaluation* response) {
  absl::StatusOr<std::pair<int64_t, int64_t>> name = ParseEvaluationName(request->name(), "name");
  if (!name.ok()) return Respond(name.status());
  return Respond(store_->GetEvaluation(name->first, name->second), response);
}

grpc::Status EvaluationServiceImpl::ListEvaluations(ServerContext*, const ev1::ListEvaluationsRequest* request,
                                                    ev1::ListEvaluationsResponse* response) {
  EvaluationQuery query;
  absl::StatusOr<int64_t> cycle = ParseName(request->parent(), "cycles", "parent");
  if (!cycle.ok()) return Respond(cycle.status());
  query.cycle_id = *cycle;
  if (!request->county().empty()) {
    absl::StatusOr<int64_t> county = ParseName(request->county(), "orgUnits", "county");
    if (!county.ok()) return Respond(county.status());
    query.county_id = *county;
  }
  if (!request->team().empty()) {
    absl::StatusOr<int64_t> team = ParseName(request->team(), "teams", "team");
    if (!team.ok()) return Respond(team.status());
    query.team_id = *team;
  }
  if (!common::v1::Level_IsValid(request->level())) {
    return Respond(InvalidFieldError("level", "has an unknown value"));
  }
  if (!ev1::Evaluation::State_IsValid(request->state())) {
    return Respond(InvalidFieldError("state", "has an unknown value"));
  }
  query.level = request->level();
  query.state = request->state();
  const std::string filter = absl::StrCat("evaluations|", query.cycle_id, "|", query.county_id, "|", query.level, "|",
                                          query.state, "|", query.team_id);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  query.page = *page;
  absl::StatusOr<Page<ev1::Evaluation>> result = store_->ListEvaluations(query);
  if (!result.ok()) return Respond(result.status());
  for (auto& item : result->items) *response->add_evaluations() = std::move(item);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::FlagForRecheck(ServerContext* context, const ev1::FlagForRecheckRequest* request,
                                                   ev1::Evaluation* response) {
  if (absl::Status s = ValidateFlagForRecheck(*request); !s.ok()) return Respond(s);
  const auto name = ParseEvaluationName(request->name(), "name").value();
  return Respond(store_->FlagForRecheck(name.first, name.second, request->reason(),
                                        ContextFor(*context, "FlagForRecheck", *request)),
                 response);
}

grpc::Status EvaluationServiceImpl::ResolveRecheck(ServerContext* context, const ev1::ResolveRecheckRequest* request,
                                                   ev1::Evaluation* response) {
  if (absl::Status s = ValidateResolveRecheck(*request); !s.ok()) return Respond(s);
  const auto name = ParseEvaluationName(request->name(), "name").value();
  std::optional<ScoreRow> corrected;
  if (request->corrected_scores_size() > 0) {
    absl::StatusOr<ev1::Scorecard> scorecard = store_->ScorecardOfCycle(name.first);
    if (!scorecard.ok()) return Respond(scorecard.status());
    absl::StatusOr<ScoreRow> row = RowFor(*scorecard, name.second, request->corrected_scores(), "corrected_scores");
    if (!row.ok()) return Respond(row.status());
    corrected = *std::move(row);
  }
  return Respond(store_->ResolveRecheck(name.first, name.second, corrected, request->resolution(),
                                        ContextFor(*context, "ResolveRecheck", *request)),
                 response);
}

grpc::Status EvaluationServiceImpl::ListRankings(ServerContext*, const ev1::ListRankingsRequest* request,
                                                 ev1::ListRankingsResponse* response) {
  absl::StatusOr<int64_t> cycle = ParseName(request->cycle(), "cycles", "cycle");
  if (!cycle.ok()) return Respond(cycle.status());
  absl::StatusOr<int64_t> county = ParseName(request->county(), "orgUnits", "county");
  if (!county.ok()) return Respond(county.status());
  if (request->level() == common::v1::LEVEL_UNSPECIFIED || !common::v1::Level_IsValid(request->level())) {
    return Respond(InvalidFieldError("level", "is required: rankings are per level"));
  }
  // The cycle must exist: an unknown cycle is NOT_FOUND, not an empty ranking. (Only that:
  // the cycle's own counts would cost a scan of all its participants on every page.)
  if (absl::Status found = store_->CheckCycleExists(*cycle); !found.ok()) return Respond(found);
  const std::string filter = absl::StrCat("rankings|", *cycle, "|", *county, "|", request->level());
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  absl::StatusOr<RankingPage> result = store_->ListRankings(*cycle, *county, request->level(), *page);
  if (!result.ok()) return Respond(result.status());
  if (result->ranked_count == 0 && request->page_token().empty()) {
    // Nobody ranked: say so when it is because the unit is no county (rankings compare
    // people within a county; a branch has none of its own).
    absl::StatusOr<personnel::v1::OrgUnit> unit = personnel_->GetOrgUnit(request->county());
    if (unit.ok() && unit->kind() != personnel::v1::OrgUnit::KIND_COUNTY) {
      return Respond(InvalidFieldError("county", absl::StrCat(request->county(),
                                                              " is not a county: rankings are per county and level; "
                                                              "rank each of the branch's counties")));
    }
  }
  for (auto& ranking : result->rankings) *response->add_rankings() = std::move(ranking);
  response->set_ranked_count(result->ranked_count);
  if (result->next_after_key.has_value()) {
    response->set_next_page_token(api::MakePageToken(*result->next_after_key, filter, result->next_carried));
  }
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::ListScoreHistory(ServerContext*, const ev1::ListScoreHistoryRequest* request,
                                                     ev1::ListScoreHistoryResponse* response) {
  absl::StatusOr<int64_t> employee = ParseName(request->employee(), "employees", "employee");
  if (!employee.ok()) return Respond(employee.status());
  const std::string filter = absl::StrCat("history|", *employee);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  absl::StatusOr<Page<ev1::ScoreHistoryEntry>> result = store_->ListScoreHistory(*employee, *page);
  if (!result.ok()) return Respond(result.status());
  for (auto& entry : result->items) *response->add_entries() = std::move(entry);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::BatchGetScoreHistories(ServerContext*,
                                                           const ev1::BatchGetScoreHistoriesRequest* request,
                                                           ev1::BatchGetScoreHistoriesResponse* response) {
  if (absl::Status s = ValidateBatchGetScoreHistories(*request); !s.ok()) return Respond(s);
  constexpr int kDefaultEntries = 100;
  absl::StatusOr<std::vector<ev1::ScoreHistory>> histories = store_->BatchScoreHistories(
      EmployeeIdsOf(*request), request->max_entries() == 0 ? kDefaultEntries : request->max_entries());
  if (!histories.ok()) return Respond(histories.status());
  for (auto& history : *histories) *response->add_histories() = std::move(history);
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::RecordTrialAssessment(ServerContext* context,
                                                          const ev1::RecordTrialAssessmentRequest* request,
                                                          ev1::TrialAssessment* response) {
  return Respond(RecordTrial(*context, *request), response);
}

absl::StatusOr<ev1::TrialAssessment> EvaluationServiceImpl::RecordTrial(
    ServerContext& context, const ev1::RecordTrialAssessmentRequest& request) {
  LADDER_RETURN_IF_ERROR(ValidateTrialAssessment(request, TodayInBranch()));
  const ev1::TrialAssessment& assessment = request.trial_assessment();
  absl::StatusOr<pv1::Employee> employee = personnel_->GetEmployee(assessment.employee());
  if (absl::IsNotFound(employee.status())) {
    return InvalidFieldError("trial_assessment.employee", absl::StrCat(assessment.employee(), " does not exist"));
  }
  if (!employee.ok()) return employee.status();
  if (employee->role() != pv1::ROLE_CUSTOMER_MANAGER || employee->status() != pv1::EMPLOYMENT_STATUS_ON_TRIAL) {
    return RuleViolationError("NOT_ON_TRIAL", employee->name(),
                              absl::StrCat(employee->name(), " is not a customer manager on trial"));
  }
  if (*ToCivilDay(assessment.assessed_on(), "") < *ToCivilDay(employee->hire_date(), "")) {
    return InvalidFieldError("trial_assessment.assessed_on", "is before the hire date");
  }
  return store_->CreateTrialAssessment(assessment, ContextFor(context, "RecordTrialAssessment", request));
}

grpc::Status EvaluationServiceImpl::GetTrialAssessment(ServerContext*, const ev1::GetTrialAssessmentRequest* request,
                                                       ev1::TrialAssessment* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "trialAssessments", "name");
  if (!id.ok()) return Respond(id.status());
  return Respond(store_->GetTrialAssessment(*id), response);
}

grpc::Status EvaluationServiceImpl::ListTrialAssessments(ServerContext*,
                                                         const ev1::ListTrialAssessmentsRequest* request,
                                                         ev1::ListTrialAssessmentsResponse* response) {
  int64_t employee_id = 0;
  if (!request->employee().empty()) {
    absl::StatusOr<int64_t> id = ParseName(request->employee(), "employees", "employee");
    if (!id.ok()) return Respond(id.status());
    employee_id = *id;
  }
  const std::string filter = absl::StrCat("trials|", employee_id);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  absl::StatusOr<Page<ev1::TrialAssessment>> result = store_->ListTrialAssessments(employee_id, *page);
  if (!result.ok()) return Respond(result.status());
  for (auto& item : result->items) *response->add_trial_assessments() = std::move(item);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::RecordCandidateAssessment(ServerContext* context,
                                                              const ev1::RecordCandidateAssessmentRequest* request,
                                                              ev1::CandidateAssessment* response) {
  return Respond(RecordCandidate(*context, *request), response);
}

absl::StatusOr<ev1::CandidateAssessment> EvaluationServiceImpl::RecordCandidate(
    ServerContext& context, const ev1::RecordCandidateAssessmentRequest& request) {
  LADDER_RETURN_IF_ERROR(ValidateCandidateAssessment(request, TodayInBranch()));
  ev1::CandidateAssessment assessment = request.candidate_assessment();
  absl::StatusOr<pv1::Employee> employee = personnel_->GetEmployee(assessment.employee());
  if (absl::IsNotFound(employee.status())) {
    return InvalidFieldError("candidate_assessment.employee", absl::StrCat(assessment.employee(), " does not exist"));
  }
  if (!employee.ok()) return employee.status();
  if (employee->role() != pv1::ROLE_CUSTOMER_MANAGER ||
      employee->entry_channel() != pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT ||
      employee->status() != pv1::EMPLOYMENT_STATUS_AWAITING_LEVEL) {
    return RuleViolationError("NOT_AWAITING_LEVEL", employee->name(),
                              absl::StrCat(employee->name(), " is not an external hire awaiting the initial level"));
  }
  const absl::CivilDay day = *ToCivilDay(assessment.assessed_on(), "");
  const policy::Policy* policy = policies_->InForceAt(day);
  if (policy == nullptr) {
    // Bad input, not a server state: the day is before the first policy took effect.
    return InvalidFieldError("candidate_assessment.assessed_on",
                             "is before the first policy version took effect; no weights apply");
  }
  // Exact arithmetic: tenths × whole percent = thousandths.
  const int64_t total_milli =
      int64_t{*ScoreToTenths(assessment.written_test_score(), "")} * policy->entry().written_test_weight_percent() +
      int64_t{*ScoreToTenths(assessment.interview_score(), "")} * policy->entry().interview_weight_percent();
  assessment.set_total(total_milli / 1000.0);
  assessment.set_passed(total_milli >= std::llround(policy->entry().candidate_pass_mark() * 1000));
  assessment.set_policy_version(policy->version());
  return store_->CreateCandidateAssessment(assessment, ContextFor(context, "RecordCandidateAssessment", request));
}

grpc::Status EvaluationServiceImpl::GetCandidateAssessment(ServerContext*,
                                                           const ev1::GetCandidateAssessmentRequest* request,
                                                           ev1::CandidateAssessment* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "candidateAssessments", "name");
  if (!id.ok()) return Respond(id.status());
  return Respond(store_->GetCandidateAssessment(*id), response);
}

grpc::Status EvaluationServiceImpl::ListCandidateAssessments(ServerContext*,
                                                             const ev1::ListCandidateAssessmentsRequest* request,
                                                             ev1::ListCandidateAssessmentsResponse* response) {
  int64_t employee_id = 0;
  if (!request->employee().empty()) {
    absl::StatusOr<int64_t> id = ParseName(request->employee(), "employees", "employee");
    if (!id.ok()) return Respond(id.status());
    employee_id = *id;
  }
  const std::string filter = absl::StrCat("candidates|", employee_id);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  absl::StatusOr<Page<ev1::CandidateAssessment>> result = store_->ListCandidateAssessments(employee_id, *page);
  if (!result.ok()) return Respond(result.status());
  for (auto& item : result->items) *response->add_candidate_assessments() = std::move(item);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

}  // namespace ladder::evaluation
