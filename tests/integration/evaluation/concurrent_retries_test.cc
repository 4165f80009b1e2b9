// A client that retries while its first call still runs: sixteen calls with one request id
// and one body at the same moment have one effect, and every caller is told the first
// call's result (docs/api.md, "Idempotent retries") — for the mutating RPCs of evaluation,
// through a cycle's whole life.

#include <string>
#include <thread>
#include <vector>

#include "tests/services/evaluation/evaluation_test_base.h"
#include "tests/support/concurrent_duplicates.h"

namespace ladder::testing {
namespace {

constexpr int kCallers = 16;

class EvaluationConcurrentRetriesTest : public EvaluationServiceTestBase {
 protected:
  // Sends `request` from kCallers threads at once; every call must get the first's answer.
  template <typename Request, typename Response>
  Response SendTogether(grpc::Status (EvalStub::*method)(grpc::ClientContext*, const Request&, Response*),
                        const Request& request) {
    return ::ladder::testing::SendTogether<EvalStub>(
        kCallers, [this] { return evaluation_server_->NewStub(); }, method, request);
  }

  int64_t Count(const std::string& sql) { return evaluation_database_->QueryInt(sql).value_or(-1); }
};

TEST_F(EvaluationConcurrentRetriesTest, ACycleFromScorecardToFinalWithEveryCallSentSixteenTimes) {
  const std::string county = CreateCounty();
  const Staff staff = CreateStaff(county, 2, 0, 0);

  ev1::CreateScorecardRequest scorecard_request;
  *scorecard_request.mutable_scorecard() = StandardScorecard();
  scorecard_request.set_request_id(Unique("scorecard-"));
  const ev1::Scorecard scorecard = SendTogether(&EvalStub::CreateScorecard, scorecard_request);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM scorecards WHERE display_name = '" +
                  scorecard_request.scorecard().display_name() + "'"),
            1);

  ev1::UpdateScorecardRequest rename;
  rename.mutable_scorecard()->set_name(scorecard.name());
  rename.mutable_scorecard()->set_display_name(Unique("客户经理考核表（修订）-"));
  rename.mutable_update_mask()->add_paths("display_name");
  rename.set_request_id(Unique("rename-"));
  EXPECT_EQ(SendTogether(&EvalStub::UpdateScorecard, rename).display_name(), rename.scorecard().display_name());

  ev1::CreateCycleRequest cycle_request = CycleRequest(scorecard.name(), county);
  cycle_request.set_request_id(Unique("cycle-"));
  const ev1::Cycle cycle = SendTogether(&EvalStub::CreateCycle, cycle_request);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cycles WHERE display_name = '" + cycle_request.cycle().display_name() + "'"),
            1);

  ev1::StartReviewRequest start;
  start.set_name(cycle.name());
  start.set_request_id(Unique("start-"));
  SendTogether(&EvalStub::StartReview, start);

  const std::string first = EvaluationName(cycle.name(), staff.juniors[0].name());
  const std::string second = EvaluationName(cycle.name(), staff.juniors[1].name());
  // An import sent sixteen times at once with one request id: one write, one answer.
  ev1::ImportScoresRequest::Header header;
  header.set_cycle(cycle.name());
  header.set_request_id(Unique("import-"));
  std::vector<ev1::ImportScoresRequest::Row> rows = {Row(1, staff.juniors[0].name(), Standard(50, 50, 50)),
                                                     Row(2, staff.juniors[1].name(), Standard(52, 52, 52))};
  std::vector<grpc::Status> imported(kCallers);
  std::vector<ev1::ImportScoresResponse> answers(kCallers);
  std::vector<std::thread> importers;
  for (int i = 0; i < kCallers; ++i) {
    importers.emplace_back([&, i] { imported[i] = Import(header, rows, &answers[i]); });
  }
  for (std::thread& importer : importers) importer.join();
  for (int i = 0; i < kCallers; ++i) {
    EXPECT_THAT(imported[i], IsOk()) << "importer " << i;
    EXPECT_EQ(answers[i].SerializeAsString(), answers[0].SerializeAsString()) << "importer " << i;
  }
  EXPECT_EQ(answers[0].written_count(), 2);
  for (const std::string& evaluation : {first, second}) {
    ev1::RecordScoresRequest record;
    record.set_name(evaluation);
    *record.mutable_scores() = Standard(55, 60, 65);
    record.set_request_id(Unique("record-"));
    SendTogether(&EvalStub::RecordScores, record);
  }

  ev1::FlagForRecheckRequest flag;
  flag.set_name(first);
  flag.set_reason("抽检");
  flag.set_request_id(Unique("flag-"));
  const ev1::Evaluation flagged = SendTogether(&EvalStub::FlagForRecheck, flag);
  EXPECT_EQ(flagged.state(), ev1::Evaluation::STATE_RECHECK_REQUESTED);

  ev1::ResolveRecheckRequest resolve;
  resolve.set_name(first);
  *resolve.mutable_corrected_scores() = Standard(70, 60, 65);
  resolve.set_resolution("复核后更正");
  resolve.set_request_id(Unique("resolve-"));
  SendTogether(&EvalStub::ResolveRecheck, resolve);
  EXPECT_DOUBLE_EQ(GetEvaluation(first).composite(), 65.5);

  ev1::FinalizeCycleRequest finalize;
  finalize.set_name(cycle.name());
  finalize.set_request_id(Unique("finalize-"));
  const ev1::Cycle final_cycle = SendTogether(&EvalStub::FinalizeCycle, finalize);
  EXPECT_EQ(final_cycle.state(), ev1::Cycle::STATE_FINALIZED);
}

TEST_F(EvaluationConcurrentRetriesTest, TrialAndCandidateAssessments) {
  const std::string county = CreateCounty();
  const pv1::Employee trainee =
      CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
  const pv1::Employee hire =
      CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);

  ev1::RecordTrialAssessmentRequest trial;
  trial.mutable_trial_assessment()->set_employee(trainee.name());
  trial.mutable_trial_assessment()->set_outcome(ev1::TrialAssessment::OUTCOME_PASSED);
  trial.mutable_trial_assessment()->set_score(82.5);
  trial.mutable_trial_assessment()->set_assessor("营业部张主任");
  *trial.mutable_trial_assessment()->mutable_assessed_on() = MakeDate(2026, 5, 20);
  trial.set_request_id(Unique("trial-"));
  SendTogether(&EvalStub::RecordTrialAssessment, trial);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM trial_assessments WHERE employee_id = " + IdOf(trainee.name())), 1);

  ev1::RecordCandidateAssessmentRequest candidate;
  candidate.mutable_candidate_assessment()->set_employee(hire.name());
  candidate.mutable_candidate_assessment()->set_written_test_score(80);
  candidate.mutable_candidate_assessment()->set_interview_score(75);
  candidate.mutable_candidate_assessment()->set_assessor("人力资源部");
  *candidate.mutable_candidate_assessment()->mutable_assessed_on() = MakeDate(2026, 5, 20);
  candidate.set_request_id(Unique("candidate-"));
  SendTogether(&EvalStub::RecordCandidateAssessment, candidate);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM candidate_assessments WHERE employee_id = " + IdOf(hire.name())), 1);
}

}  // namespace
}  // namespace ladder::testing
