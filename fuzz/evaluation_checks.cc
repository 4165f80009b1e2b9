// The EvaluationService validators (services/evaluation/request_validation.h), the scoring
// checks of request scores (services/evaluation/scoring.h), and the text fields each checks.

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/api/field_mask.h"
#include "fuzz/service_checks.h"
#include "services/evaluation/request_validation.h"
#include "services/evaluation/scoring.h"

namespace ladder::fuzz {
namespace {

namespace ev1 = ::ladder::evaluation::v1;
using api::MaskIncludes;

// A fixed "today", so that a crash found on one day reproduces on any other.
constexpr absl::CivilDay kToday(2026, 6, 15);

void AddIndicators(const ev1::Scorecard& scorecard, TextFields& texts) {
  for (const auto& indicator : scorecard.indicators()) {
    texts.push_back({"scorecard.indicators[].key", indicator.key()});
    texts.push_back({"scorecard.indicators[].display_name", indicator.display_name()});
  }
}

// An accepted score is a finite 0–100.
void RequireScore(bool accepted, double score, absl::string_view check) {
  if (!accepted) return;
  Require(std::isfinite(score) && score >= 0 && score <= 100, check, "accepted a score outside 0-100");
}

// The scorecard RecordScores is checked against: valid, so every error is the scores'.
const ev1::Scorecard& TwoIndicatorScorecard() {
  static const ev1::Scorecard* scorecard = [] {
    auto* value = new ev1::Scorecard;
    auto* sales = value->add_indicators();
    sales->set_key("business_results");
    sales->set_display_name("业务业绩");
    sales->set_weight_percent(70);
    auto* service = value->add_indicators();
    service->set_key("service_quality");
    service->set_display_name("服务质量");
    service->set_weight_percent(30);
    return value;
  }();
  return *scorecard;
}

}  // namespace

std::vector<RequestCheck> EvaluationChecks() {
  std::vector<RequestCheck> checks;
  checks.push_back(MakeCheck<ev1::CreateScorecardRequest>(
      "CreateScorecard", evaluation::ValidateCreateScorecard, [](const ev1::CreateScorecardRequest& r) {
        TextFields texts = {{"request_id", r.request_id()}, {"scorecard.display_name", r.scorecard().display_name()}};
        AddIndicators(r.scorecard(), texts);
        return texts;
      }));
  checks.push_back(MakeCheck<ev1::UpdateScorecardRequest>(
      "UpdateScorecard", evaluation::ValidateUpdateScorecard, [](const ev1::UpdateScorecardRequest& r) {
        TextFields texts = {{"request_id", r.request_id()}, {"scorecard.name", r.scorecard().name()}};
        for (const std::string& path : r.update_mask().paths()) texts.push_back({"update_mask", path});
        if (MaskIncludes(r.update_mask(), "display_name")) {
          texts.push_back({"scorecard.display_name", r.scorecard().display_name()});
        }
        if (MaskIncludes(r.update_mask(), "indicators")) AddIndicators(r.scorecard(), texts);
        return texts;
      }));
  checks.push_back(MakeCheck<ev1::BatchGetScoreHistoriesRequest>(
      "BatchGetScoreHistories", evaluation::ValidateBatchGetScoreHistories,
      [](const ev1::BatchGetScoreHistoriesRequest& r) -> TextFields {
        TextFields texts;
        for (const std::string& employee : r.employees()) texts.push_back({"employees[]", employee});
        return texts;
      }));
  checks.push_back(MakeCheck<ev1::CreateCycleRequest>("CreateCycle", evaluation::ValidateCreateCycle,
                                                      [](const ev1::CreateCycleRequest& r) -> TextFields {
                                                        return {{"request_id", r.request_id()},
                                                                {"cycle.display_name", r.cycle().display_name()},
                                                                {"cycle.scorecard", r.cycle().scorecard()},
                                                                {"cycle.scope", r.cycle().scope()}};
                                                      }));
  checks.push_back(MakeCheck<ev1::FlagForRecheckRequest>(
      "FlagForRecheck", evaluation::ValidateFlagForRecheck, [](const ev1::FlagForRecheckRequest& r) -> TextFields {
        return {{"request_id", r.request_id()}, {"name", r.name()}, {"reason", r.reason()}};
      }));
  checks.push_back(MakeCheck<ev1::ResolveRecheckRequest>(
      "ResolveRecheck", evaluation::ValidateResolveRecheck, [](const ev1::ResolveRecheckRequest& r) -> TextFields {
        return {{"request_id", r.request_id()}, {"name", r.name()}, {"resolution", r.resolution()}};
      }));
  checks.push_back(MakeCheck<ev1::RecordTrialAssessmentRequest>(
      "RecordTrialAssessment",
      [](const ev1::RecordTrialAssessmentRequest& r) {
        absl::Status status = evaluation::ValidateTrialAssessment(r, kToday);
        RequireScore(status.ok(), r.trial_assessment().score(), "RecordTrialAssessment");
        return status;
      },
      [](const ev1::RecordTrialAssessmentRequest& r) -> TextFields {
        const auto& a = r.trial_assessment();
        return {{"request_id", r.request_id()},
                {"trial_assessment.employee", a.employee()},
                {"trial_assessment.assessor", a.assessor()},
                {"trial_assessment.note", a.note()}};
      }));
  checks.push_back(MakeCheck<ev1::RecordCandidateAssessmentRequest>(
      "RecordCandidateAssessment",
      [](const ev1::RecordCandidateAssessmentRequest& r) {
        absl::Status status = evaluation::ValidateCandidateAssessment(r, kToday);
        const auto& a = r.candidate_assessment();
        RequireScore(status.ok(), a.written_test_score(), "RecordCandidateAssessment");
        RequireScore(status.ok(), a.interview_score(), "RecordCandidateAssessment");
        return status;
      },
      [](const ev1::RecordCandidateAssessmentRequest& r) -> TextFields {
        const auto& a = r.candidate_assessment();
        return {{"request_id", r.request_id()},
                {"candidate_assessment.employee", a.employee()},
                {"candidate_assessment.assessor", a.assessor()},
                {"candidate_assessment.note", a.note()}};
      }));
  // An accepted evaluation name is exactly the one its two ids make.
  checks.push_back(MakeCheck<ev1::GetEvaluationRequest>(
      "ParseEvaluationName",
      [](const ev1::GetEvaluationRequest& r) {
        auto ids = evaluation::ParseEvaluationName(r.name(), "name");
        if (ids.ok()) {
          Require(ids->first > 0 && ids->second > 0 &&
                      r.name() == absl::StrCat("cycles/", ids->first, "/evaluations/", ids->second),
                  "ParseEvaluationName", "accepted a name that is not the canonical one of its ids");
        }
        return ids.status();
      },
      [](const ev1::GetEvaluationRequest& r) -> TextFields {
        return {{"name", r.name()}};
      }));
  // The scores of RecordScores against a valid scorecard: accepted ones are one 0–100 per
  // indicator, and their composite is 0–100.000.
  checks.push_back(MakeCheck<ev1::RecordScoresRequest>(
      "ScoresFor",
      [](const ev1::RecordScoresRequest& r) {
        const ev1::Scorecard& scorecard = TwoIndicatorScorecard();
        auto tenths = evaluation::ScoresFor(scorecard, r.scores(), "scores");
        if (tenths.ok()) {
          Require(static_cast<int>(tenths->size()) == scorecard.indicators_size(), "ScoresFor",
                  "accepted scores that do not cover every indicator once");
          for (int value : *tenths) Require(value >= 0 && value <= 1000, "ScoresFor", "score out of range");
          const int64_t composite = evaluation::CompositeMilli(scorecard, *tenths);
          Require(composite >= 0 && composite <= 100000, "ScoresFor", "composite out of range");
        }
        return tenths.status();
      },
      [](const ev1::RecordScoresRequest& r) {
        TextFields texts;
        for (const auto& score : r.scores()) texts.push_back({"scores[].indicator", score.indicator()});
        return texts;
      }));
  return checks;
}

std::vector<SeedExample> EvaluationSeeds() {
  return {
      {"CreateScorecard",
       R"pb(scorecard {
              display_name: "季度考核"
              indicators { key: "business_results" display_name: "业务业绩" weight_percent: 70 }
              indicators { key: "service_quality" display_name: "服务质量" weight_percent: 30 }
            }
            request_id: "r-1")pb"},
      {"UpdateScorecard", R"pb(scorecard { name: "scorecards/1" display_name: "年度考核" }
                               update_mask { paths: "display_name" })pb"},
      {"BatchGetScoreHistories", R"pb(employees: "employees/42" employees: "employees/43" max_entries: 8)pb"},
      {"CreateCycle", R"pb(cycle {
                             display_name: "2026 Q3"
                             period: PERIOD_QUARTERLY
                             start_date { year: 2026 month: 7 day: 1 }
                             end_date { year: 2026 month: 9 day: 30 }
                             scorecard: "scorecards/1"
                             scope: "orgUnits/1"
                           })pb"},
      {"FlagForRecheck", R"pb(name: "cycles/3/evaluations/42" reason: "分数有误")pb"},
      {"ResolveRecheck", R"pb(name: "cycles/3/evaluations/42" resolution: "已核实")pb"},
      {"RecordTrialAssessment", R"pb(trial_assessment {
                                       employee: "employees/42"
                                       outcome: OUTCOME_PASSED
                                       score: 82.5
                                       assessor: "王五"
                                       assessed_on { year: 2026 month: 5 day: 20 }
                                     })pb"},
      {"RecordCandidateAssessment", R"pb(candidate_assessment {
                                           employee: "employees/43"
                                           written_test_score: 75
                                           interview_score: 88.5
                                           assessor: "王五"
                                           assessed_on { year: 2026 month: 6 day: 1 }
                                         })pb"},
      {"ParseEvaluationName", R"pb(name: "cycles/3/evaluations/42")pb"},
      {"ScoresFor", R"pb(name: "cycles/3/evaluations/42"
                         scores { indicator: "business_results" score: 91.5 }
                         scores { indicator: "service_quality" score: 80 })pb"},
  };
}

}  // namespace ladder::fuzz
