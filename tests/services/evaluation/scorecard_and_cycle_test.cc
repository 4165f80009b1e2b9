// Scorecards and cycles: creation, reads, the cycle's state machine, the participants'
// snapshot from personnel, and personnel being unreachable.

#include <set>

#include "tests/services/evaluation/evaluation_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;

// ---------------------------------------------------------------- scorecards

class ScorecardTest : public EvaluationServiceTestBase {};

TEST_F(ScorecardTest, CreateGetAndList) {
  ev1::CreateScorecardRequest request;
  *request.mutable_scorecard() = StandardScorecard();
  request.mutable_scorecard()->set_name("scorecards/999");  // Output only: ignored.
  request.mutable_scorecard()->set_in_use(true);
  ev1::Scorecard created;
  ASSERT_THAT(Call(&EvalStub::CreateScorecard, request, &created), IsOk());
  EXPECT_NE(created.name(), "scorecards/999");
  EXPECT_FALSE(created.in_use());
  EXPECT_TRUE(created.has_create_time());
  EXPECT_EQ(created.display_name(), request.scorecard().display_name());
  ASSERT_EQ(created.indicators_size(), 3);
  EXPECT_EQ(created.indicators(0).key(), "business_results");
  EXPECT_EQ(created.indicators(0).weight_percent(), 40);
  EXPECT_EQ(created.indicators(2).key(), "service_quality");

  ev1::GetScorecardRequest get;
  get.set_name(created.name());
  ev1::Scorecard got;
  ASSERT_THAT(Call(&EvalStub::GetScorecard, get, &got), IsOk());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  for (int i = 0; i < 4; ++i) CreateScorecard();
  ev1::ListScorecardsRequest list;
  list.set_page_size(2);
  std::vector<std::string> names;
  do {
    ev1::ListScorecardsResponse page;
    ASSERT_THAT(Call(&EvalStub::ListScorecards, list, &page), IsOk());
    EXPECT_LE(page.scorecards_size(), 2);
    for (const auto& scorecard : page.scorecards()) {
      names.push_back(scorecard.name());
      EXPECT_EQ(scorecard.indicators_size(), 3);
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_GE(names.size(), 5u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_NE(std::find(names.begin(), names.end(), created.name()), names.end());
}

TEST_F(ScorecardTest, RefusesBadScorecards) {
  ev1::CreateScorecardRequest request;
  *request.mutable_scorecard() = StandardScorecard();
  request.mutable_scorecard()->mutable_indicators(0)->set_weight_percent(50);  // Sums to 110.
  ev1::Scorecard created;
  EXPECT_THAT(Call(&EvalStub::CreateScorecard, request, &created),
              RejectsField("scorecard.indicators[].weight_percent"));
  EXPECT_THAT(Call(&EvalStub::CreateScorecard, request, &created),
              FailsWith(StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"));

  *request.mutable_scorecard() = StandardScorecard();
  request.mutable_scorecard()->mutable_indicators(2)->set_key("business_results");
  EXPECT_THAT(Call(&EvalStub::CreateScorecard, request, &created), RejectsField("scorecard.indicators[2].key"));
  request.clear_scorecard();
  EXPECT_THAT(Call(&EvalStub::CreateScorecard, request, &created), RejectsField("scorecard"));

  ev1::GetScorecardRequest get;
  get.set_name("scorecards/987654");
  EXPECT_THAT(Call(&EvalStub::GetScorecard, get, &created), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  get.set_name("cycles/1");
  EXPECT_THAT(Call(&EvalStub::GetScorecard, get, &created), RejectsField("name"));
  ev1::ListScorecardsRequest list;
  list.set_page_token("garbage");
  ev1::ListScorecardsResponse page;
  EXPECT_THAT(Call(&EvalStub::ListScorecards, list, &page), RejectsField("page_token"));
  list.set_page_token("");
  list.set_page_size(1001);
  EXPECT_THAT(Call(&EvalStub::ListScorecards, list, &page), RejectsField("page_size"));
}

TEST_F(ScorecardTest, CreateIsIdempotentByRequestId) {
  ev1::CreateScorecardRequest request;
  *request.mutable_scorecard() = StandardScorecard();
  request.set_request_id(Unique("create-scorecard-"));
  ev1::Scorecard first, second;
  ASSERT_THAT(Call(&EvalStub::CreateScorecard, request, &first), IsOk());
  ASSERT_THAT(Call(&EvalStub::CreateScorecard, request, &second), IsOk());
  EXPECT_EQ(first.name(), second.name());
  request.mutable_scorecard()->set_display_name("another");
  EXPECT_THAT(Call(&EvalStub::CreateScorecard, request, &second),
              FailsWith(StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

TEST_F(ScorecardTest, UpdatesUntilACycleUsesIt) {
  const ev1::Scorecard scorecard = CreateScorecard();
  ev1::UpdateScorecardRequest update;
  update.mutable_scorecard()->set_name(scorecard.name());
  update.mutable_scorecard()->set_display_name("改名后");
  update.mutable_update_mask()->add_paths("display_name");
  ev1::Scorecard updated;
  ASSERT_THAT(Call(&EvalStub::UpdateScorecard, update, &updated), IsOk());
  EXPECT_EQ(updated.display_name(), "改名后");
  EXPECT_EQ(updated.indicators_size(), 3);  // Not in the mask: kept.

  update.clear_update_mask();
  update.mutable_update_mask()->add_paths("indicators");
  auto* only = update.mutable_scorecard()->add_indicators();
  only->set_key("overall");
  only->set_display_name("综合");
  only->set_weight_percent(90);
  EXPECT_THAT(Call(&EvalStub::UpdateScorecard, update, &updated),
              RejectsField("scorecard.indicators[].weight_percent"));
  only->set_weight_percent(100);
  ASSERT_THAT(Call(&EvalStub::UpdateScorecard, update, &updated), IsOk());
  ASSERT_EQ(updated.indicators_size(), 1);
  EXPECT_EQ(updated.indicators(0).key(), "overall");

  update.mutable_scorecard()->set_name("scorecards/987654");
  EXPECT_THAT(Call(&EvalStub::UpdateScorecard, update, &updated),
              FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));

  // Once a cycle uses it, it is frozen.
  const std::string county = CreateCounty();
  CreateStaff(county, 1, 0, 0);
  CreateCycle(county, scorecard.name());
  ev1::GetScorecardRequest get;
  get.set_name(scorecard.name());
  ev1::Scorecard frozen;
  ASSERT_THAT(Call(&EvalStub::GetScorecard, get, &frozen), IsOk());
  EXPECT_TRUE(frozen.in_use());
  update.mutable_scorecard()->set_name(scorecard.name());
  update.clear_update_mask();
  update.mutable_update_mask()->add_paths("display_name");
  EXPECT_THAT(Call(&EvalStub::UpdateScorecard, update, &updated),
              FailsWith(StatusCode::FAILED_PRECONDITION, "SCORECARD_IN_USE"));
  ev1::Scorecard after;
  ASSERT_THAT(Call(&EvalStub::GetScorecard, get, &after), IsOk());
  EXPECT_EQ(after.SerializeAsString(), frozen.SerializeAsString());
}

// ---------------------------------------------------------------- cycles

class CycleTest : public EvaluationServiceTestBase {};

TEST_F(CycleTest, RecordsTheLevelledManagersInScopeWithCountyTeamAndLevel) {
  const std::string county = CreateCounty();
  const std::string team = CreateTeam(county);
  const pv1::Employee in_team = CreateManagerAt(county, kJunior, team);
  const Staff staff = CreateStaff(county, 3, 1, 1);
  // Not participants: on trial, awaiting a level, another role, separated.
  CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
  CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);
  CreateEmployee(county, pv1::ROLE_CUSTOMER_SERVICE_STAFF, pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);
  const pv1::Employee leaver = CreateManagerAt(county, kJunior);
  pv1::EndEmploymentRequest end;
  end.set_name(leaver.name());
  end.set_reason(pv1::SEPARATION_REASON_RESIGNED);
  pv1::Employee ended;
  ASSERT_THAT(CallPeople(&PeopleStub::EndEmployment, end, &ended), IsOk());

  const ev1::Scorecard scorecard = CreateScorecard();
  ev1::CreateCycleRequest request = CycleRequest(scorecard.name(), county);
  ev1::Cycle cycle;
  ASSERT_THAT(Call(&EvalStub::CreateCycle, request, &cycle), IsOk());
  EXPECT_EQ(cycle.state(), ev1::Cycle::STATE_OPEN);
  EXPECT_EQ(cycle.participant_count(), 6);
  EXPECT_EQ(cycle.scored_count(), 0);
  EXPECT_EQ(cycle.open_flag_count(), 0);
  EXPECT_EQ(cycle.scope(), county);
  EXPECT_EQ(cycle.scorecard(), scorecard.name());
  EXPECT_EQ(cycle.display_name(), request.cycle().display_name());
  EXPECT_EQ(cycle.period(), ev1::Cycle::PERIOD_QUARTERLY);
  EXPECT_EQ(cycle.start_date().month(), 4);
  EXPECT_EQ(cycle.end_date().day(), 30);
  EXPECT_TRUE(cycle.has_create_time());
  EXPECT_FALSE(cycle.has_finalize_time());

  ev1::ListEvaluationsRequest list;
  list.set_parent(cycle.name());
  const std::vector<ev1::Evaluation> evaluations = ListAllEvaluations(list);
  ASSERT_EQ(evaluations.size(), 6u);
  std::map<std::string, ev1::Evaluation> by_employee;
  for (const auto& evaluation : evaluations) {
    EXPECT_EQ(evaluation.state(), ev1::Evaluation::STATE_PENDING);
    EXPECT_EQ(evaluation.county(), county);
    EXPECT_EQ(evaluation.scores_size(), 0);
    EXPECT_FALSE(evaluation.has_composite());
    EXPECT_EQ(evaluation.name(), EvaluationName(cycle.name(), evaluation.employee()));
    by_employee[evaluation.employee()] = evaluation;
  }
  ASSERT_TRUE(by_employee.count(in_team.name()));
  EXPECT_EQ(by_employee[in_team.name()].team(), team);
  EXPECT_EQ(by_employee[in_team.name()].level(), kJunior);
  EXPECT_EQ(by_employee[staff.intermediates[0].name()].level(), kIntermediate);
  EXPECT_EQ(by_employee[staff.intermediates[0].name()].team(), "");
  EXPECT_EQ(by_employee[staff.seniors[0].name()].level(), kSenior);
  EXPECT_FALSE(by_employee.count(leaver.name()));

  // The scorecard is now in use.
  ev1::GetScorecardRequest get;
  get.set_name(scorecard.name());
  ev1::Scorecard used;
  ASSERT_THAT(Call(&EvalStub::GetScorecard, get, &used), IsOk());
  EXPECT_TRUE(used.in_use());
  EXPECT_EQ(GetCycle(cycle.name()).SerializeAsString(), cycle.SerializeAsString());
}

TEST_F(CycleTest, ACityBranchScopeTakesEveryCounty) {
  const pv1::OrgUnit city = CreateCityBranch();
  const std::string a = CreateCounty(city.name());
  const std::string b = CreateCounty(city.name());
  CreateStaff(a, 2, 0, 0);
  CreateStaff(b, 3, 0, 0);
  CreateStaff(CreateCounty(), 2, 0, 0);  // Another city: not in scope.
  const ev1::Cycle cycle = CreateCycle(city.name());
  EXPECT_EQ(cycle.participant_count(), 5);
  ev1::ListEvaluationsRequest list;
  list.set_parent(cycle.name());
  list.set_county(b);
  EXPECT_EQ(ListAllEvaluations(list).size(), 3u);
  list.set_county(a);
  EXPECT_EQ(ListAllEvaluations(list).size(), 2u);
}

TEST_F(CycleTest, RefusesBadCycles) {
  const std::string county = CreateCounty();
  const std::string scorecard = CreateScorecard().name();
  ev1::Cycle cycle;
  ev1::CreateCycleRequest request = CycleRequest("scorecards/987654", county);
  EXPECT_THAT(Call(&EvalStub::CreateCycle, request, &cycle), RejectsField("cycle.scorecard"));
  request = CycleRequest(scorecard, "orgUnits/987654");
  EXPECT_THAT(Call(&EvalStub::CreateCycle, request, &cycle), RejectsField("cycle.scope"));
  request = CycleRequest(scorecard, county, MakeDate(2026, 6, 30), MakeDate(2026, 4, 1));
  EXPECT_THAT(Call(&EvalStub::CreateCycle, request, &cycle), RejectsField("cycle.end_date"));
  request = CycleRequest(scorecard, county);
  request.mutable_cycle()->set_period(ev1::Cycle::PERIOD_UNSPECIFIED);
  EXPECT_THAT(Call(&EvalStub::CreateCycle, request, &cycle), RejectsField("cycle.period"));
  // None of these wrote a cycle or used the scorecard.
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM cycles WHERE scope_id = " + IdOf(county)), 0);
  ev1::GetScorecardRequest get;
  get.set_name(scorecard);
  ev1::Scorecard unused;
  ASSERT_THAT(Call(&EvalStub::GetScorecard, get, &unused), IsOk());
  EXPECT_FALSE(unused.in_use());

  ev1::GetCycleRequest missing;
  missing.set_name("cycles/987654");
  EXPECT_THAT(Call(&EvalStub::GetCycle, missing, &cycle), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  missing.set_name("cycles/abc");
  EXPECT_THAT(Call(&EvalStub::GetCycle, missing, &cycle), RejectsField("name"));
}

TEST_F(CycleTest, CreateIsIdempotentByRequestId) {
  const std::string county = CreateCounty();
  CreateStaff(county, 2, 0, 0);
  ev1::CreateCycleRequest request = CycleRequest(CreateScorecard().name(), county);
  request.set_request_id(Unique("create-cycle-"));
  ev1::Cycle first, second;
  ASSERT_THAT(Call(&EvalStub::CreateCycle, request, &first), IsOk());
  ASSERT_THAT(Call(&EvalStub::CreateCycle, request, &second), IsOk());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM cycles WHERE scope_id = " + IdOf(county)), 1);
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM evaluations WHERE cycle_id = " + IdOf(first.name())),
            2);
  request.mutable_cycle()->set_display_name("other");
  EXPECT_THAT(Call(&EvalStub::CreateCycle, request, &second),
              FailsWith(StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

TEST_F(CycleTest, MovesOpenToReviewToFinalOnly) {
  const std::string county = CreateCounty();
  CreateStaff(county, 2, 0, 0);
  const ev1::Cycle cycle = CreateCycle(county);
  ev1::Cycle result;
  EXPECT_THAT(Finalize(cycle.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "WRONG_CYCLE_STATE"));
  ASSERT_THAT(StartReview(cycle.name(), &result), IsOk());
  EXPECT_EQ(result.state(), ev1::Cycle::STATE_IN_REVIEW);
  EXPECT_FALSE(result.has_finalize_time());
  EXPECT_THAT(StartReview(cycle.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "WRONG_CYCLE_STATE"));

  const std::string request_id = Unique("finalize-");
  ev1::Cycle final_cycle;
  ASSERT_THAT(Finalize(cycle.name(), &final_cycle, request_id), IsOk());
  EXPECT_EQ(final_cycle.state(), ev1::Cycle::STATE_FINALIZED);
  EXPECT_TRUE(final_cycle.has_finalize_time());
  // A retry of the same request returns the first answer; a new request is refused.
  ASSERT_THAT(Finalize(cycle.name(), &result, request_id), IsOk());
  EXPECT_EQ(result.SerializeAsString(), final_cycle.SerializeAsString());
  EXPECT_THAT(Finalize(cycle.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "WRONG_CYCLE_STATE"));
  EXPECT_THAT(StartReview(cycle.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "WRONG_CYCLE_STATE"));
  EXPECT_EQ(GetCycle(cycle.name()).finalize_time().SerializeAsString(),
            final_cycle.finalize_time().SerializeAsString());

  EXPECT_THAT(StartReview("cycles/987654", &result), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  EXPECT_THAT(Finalize("cycles/987654", &result), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  EXPECT_THAT(Finalize("orgUnits/1", &result), RejectsField("name"));
  EXPECT_THAT(StartReview(cycle.name(), &result, "bad id"), RejectsField("request_id"));
}

TEST_F(CycleTest, ListFiltersByScopeAndStateAndPages) {
  const std::string county = CreateCounty();
  const std::string other = CreateCounty();
  CreateStaff(county, 1, 0, 0);
  std::vector<std::string> cycles;
  for (int i = 0; i < 5; ++i) cycles.push_back(CreateCycle(county).name());
  CreateCycle(other);
  ASSERT_THAT(StartReview(cycles[1]), IsOk());
  ASSERT_THAT(StartReview(cycles[3]), IsOk());

  ev1::ListCyclesRequest list;
  list.set_scope(county);
  list.set_page_size(2);
  std::vector<std::string> seen;
  int pages = 0;
  do {
    ev1::ListCyclesResponse page;
    ASSERT_THAT(Call(&EvalStub::ListCycles, list, &page), IsOk());
    for (const auto& cycle : page.cycles()) seen.push_back(cycle.name());
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty());
  EXPECT_EQ(seen, cycles);
  EXPECT_EQ(pages, 3);

  list.set_state(ev1::Cycle::STATE_IN_REVIEW);
  list.set_page_size(10);
  ev1::ListCyclesResponse in_review;
  ASSERT_THAT(Call(&EvalStub::ListCycles, list, &in_review), IsOk());
  ASSERT_EQ(in_review.cycles_size(), 2);
  EXPECT_EQ(in_review.cycles(0).name(), cycles[1]);
  EXPECT_EQ(in_review.cycles(1).name(), cycles[3]);

  // A token is bound to its filters.
  list.set_page_size(1);
  list.set_state(ev1::Cycle::STATE_OPEN);
  ev1::ListCyclesResponse first;
  ASSERT_THAT(Call(&EvalStub::ListCycles, list, &first), IsOk());
  ASSERT_FALSE(first.next_page_token().empty());
  list.set_page_token(first.next_page_token());
  list.set_state(ev1::Cycle::STATE_IN_REVIEW);
  ev1::ListCyclesResponse refused;
  EXPECT_THAT(Call(&EvalStub::ListCycles, list, &refused), RejectsField("page_token"));
  list.set_page_token("");
  list.set_scope("teams/1");
  EXPECT_THAT(Call(&EvalStub::ListCycles, list, &refused), RejectsField("scope"));
}

// Participants are what personnel said when the cycle was created: later moves and
// promotions change neither the evaluation nor the ranking it falls in.
TEST_F(CycleTest, ParticipantsAreASnapshot) {
  const pv1::OrgUnit city = CreateCityBranch();
  const std::string from = CreateCounty(city.name());
  const std::string to = CreateCounty(city.name());
  const Staff staff = CreateStaff(from, 4, 1, 0);
  CreateStaff(to, 5, 0, 0);
  const ev1::Cycle cycle = CreateCycle(from);
  const pv1::Employee mover = staff.juniors[0];
  const pv1::Employee promoted = staff.juniors[1];

  ASSERT_THAT(Transfer(mover, to), IsOk());
  pv1::Employee after;
  ASSERT_THAT(ChangeLevel(promoted, kJunior, kIntermediate, &after), IsOk());
  const pv1::Employee newcomer = CreateManagerAt(from, kJunior);

  const ev1::Evaluation moved = GetEvaluation(EvaluationName(cycle.name(), mover.name()));
  EXPECT_EQ(moved.county(), from);
  EXPECT_EQ(moved.level(), kJunior);
  EXPECT_EQ(GetEvaluation(EvaluationName(cycle.name(), promoted.name())).level(), kJunior);
  EXPECT_EQ(GetCycle(cycle.name()).participant_count(), 5);

  // Scores land on the snapshot, and the ranking of the old county and level includes them.
  ASSERT_THAT(Record(moved.name(), Standard(90, 90, 90)), IsOk());
  ASSERT_THAT(Record(EvaluationName(cycle.name(), promoted.name()), Standard(80, 80, 80)), IsOk());
  ev1::ListRankingsRequest rankings;
  rankings.set_cycle(cycle.name());
  rankings.set_county(from);
  rankings.set_level(kJunior);
  ev1::ListRankingsResponse ranked;
  ASSERT_THAT(Call(&EvalStub::ListRankings, rankings, &ranked), IsOk());
  ASSERT_EQ(ranked.rankings_size(), 2);
  EXPECT_EQ(ranked.rankings(0).employee(), mover.name());
  EXPECT_EQ(ranked.rankings(1).employee(), promoted.name());
  rankings.set_county(to);
  ASSERT_THAT(Call(&EvalStub::ListRankings, rankings, &ranked), IsOk());
  EXPECT_EQ(ranked.rankings_size(), 0);

  // Someone who arrived later is not a participant.
  ev1::GetEvaluationRequest get;
  get.set_name(EvaluationName(cycle.name(), newcomer.name()));
  ev1::Evaluation missing;
  EXPECT_THAT(Call(&EvalStub::GetEvaluation, get, &missing), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  EXPECT_THAT(Record(get.name(), Standard(80, 80, 80)), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
}

// ---------------------------------------------------------------- personnel unreachable

class PersonnelDownTest : public EvaluationServiceTestBase {};

TEST_F(PersonnelDownTest, CallsThatNeedPersonnelFailUnavailableAndWriteNothing) {
  const std::string county = CreateCounty();
  const Staff staff = CreateStaff(county, 2, 0, 0);
  const pv1::Employee trial =
      CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
  const pv1::Employee candidate = CreateEmployee(county);
  const ev1::Cycle before = CreateCycle(county);
  const std::string scorecard = CreateScorecard().name();
  ASSERT_THAT(Record(EvaluationName(before.name(), staff.juniors[0].name()), Standard(80, 80, 80)), IsOk());
  const int64_t cycles_before = *evaluation_database_->QueryInt("SELECT COUNT(*) FROM cycles");
  const int64_t evaluations_before = *evaluation_database_->QueryInt("SELECT COUNT(*) FROM evaluations");

  StopPersonnel();

  ev1::Cycle cycle;
  ev1::CreateCycleRequest request = CycleRequest(scorecard, county);
  request.set_request_id(Unique("down-"));
  EXPECT_THAT(Call(&EvalStub::CreateCycle, request, &cycle),
              FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM cycles"), cycles_before);
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM evaluations"), evaluations_before);
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM request_log WHERE request_id = '" +
                                            request.request_id() + "'"),
            0);
  ev1::GetScorecardRequest get;
  get.set_name(scorecard);
  ev1::Scorecard unused;
  ASSERT_THAT(Call(&EvalStub::GetScorecard, get, &unused), IsOk());
  EXPECT_FALSE(unused.in_use());

  ev1::RecordTrialAssessmentRequest trial_request;
  trial_request.mutable_trial_assessment()->set_employee(trial.name());
  trial_request.mutable_trial_assessment()->set_outcome(ev1::TrialAssessment::OUTCOME_PASSED);
  trial_request.mutable_trial_assessment()->set_score(80);
  trial_request.mutable_trial_assessment()->set_assessor("主任");
  *trial_request.mutable_trial_assessment()->mutable_assessed_on() = MakeDate(2026, 6, 1);
  ev1::TrialAssessment trial_result;
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment, trial_request, &trial_result),
              FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  ev1::RecordCandidateAssessmentRequest candidate_request;
  candidate_request.mutable_candidate_assessment()->set_employee(candidate.name());
  candidate_request.mutable_candidate_assessment()->set_written_test_score(70);
  candidate_request.mutable_candidate_assessment()->set_interview_score(70);
  candidate_request.mutable_candidate_assessment()->set_assessor("人力资源部");
  *candidate_request.mutable_candidate_assessment()->mutable_assessed_on() = MakeDate(2026, 6, 1);
  ev1::CandidateAssessment candidate_result;
  EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment, candidate_request, &candidate_result),
              FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM trial_assessments"), 0);
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM candidate_assessments"), 0);

  // What needs only evaluation's own data keeps being served.
  EXPECT_THAT(Record(EvaluationName(before.name(), staff.juniors[1].name()), Standard(70, 70, 70)), IsOk());
  ev1::ListRankingsRequest rankings;
  rankings.set_cycle(before.name());
  rankings.set_county(county);
  rankings.set_level(kJunior);
  ev1::ListRankingsResponse ranked;
  ASSERT_THAT(Call(&EvalStub::ListRankings, rankings, &ranked), IsOk());
  EXPECT_EQ(ranked.ranked_count(), 2);
  ASSERT_THAT(StartReview(before.name()), IsOk());
  ASSERT_THAT(Finalize(before.name()), IsOk());
}

}  // namespace
}  // namespace ladder::testing
