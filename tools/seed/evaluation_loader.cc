#include "tools/seed/evaluation_loader.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/grpc_status.h"
#include "common/status/macros.h"
#include "common/util/stable_hash.h"

namespace ladder::seed {
namespace {

namespace ev1 = ::ladder::evaluation::v1;

constexpr char kScorecardName[] = "客户经理季度考核";

struct IndicatorPlan {
  const char* key;
  const char* display_name;
  int weight;
};
constexpr IndicatorPlan kIndicators[] = {
    {"business_results", "业务业绩", 40},
    {"customer_satisfaction", "客户满意度", 25},
    {"service_quality", "服务质量", 20},
    {"skills", "专业技能", 15},
};

absl::Status Failed(absl::string_view call, const grpc::Status& status) {
  absl::Status converted = FromGrpcStatus(status);
  return absl::Status(converted.code(),
                      absl::StrCat(call, " failed: ", status.error_code(), " ", status.error_message()));
}

}  // namespace

EvaluationLoader::EvaluationLoader(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline, uint64_t seed,
                                   std::string scope)
    : stub_(ev1::EvaluationService::NewStub(std::move(channel))),
      deadline_(deadline),
      seed_(seed),
      scope_(std::move(scope)) {}

std::unique_ptr<grpc::ClientContext> EvaluationLoader::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline_));
  context->AddMetadata("x-ladder-actor", "seed");
  return context;
}

std::string EvaluationLoader::RequestId(absl::string_view what) const { return absl::StrCat("seed", seed_, "-", what); }

absl::Status EvaluationLoader::Load() {
  LADDER_ASSIGN_OR_RETURN(std::string scorecard, EnsureScorecard());
  LADDER_ASSIGN_OR_RETURN(ev1::Cycle q2, EnsureCycle("2026q2", "2026年第二季度", 2, scorecard));
  LADDER_RETURN_IF_ERROR(ScorePending(q2, "2026q2", 100));
  LADDER_RETURN_IF_ERROR(Finalize(q2, "2026q2"));
  LADDER_ASSIGN_OR_RETURN(ev1::Cycle q3, EnsureCycle("2026q3", "2026年第三季度", 3, scorecard));
  LADDER_RETURN_IF_ERROR(ScorePending(q3, "2026q3", 100));
  LADDER_RETURN_IF_ERROR(Finalize(q3, "2026q3"));
  latest_finalized_cycle_ = q3.name();
  LADDER_ASSIGN_OR_RETURN(ev1::Cycle q4, EnsureCycle("2026q4", "2026年第四季度", 4, scorecard));
  return ScorePending(q4, "2026q4", 60);
}

absl::StatusOr<std::string> EvaluationLoader::EnsureScorecard() {
  ev1::ListScorecardsRequest list;
  list.set_page_size(1000);
  do {
    ev1::ListScorecardsResponse page;
    grpc::Status status = stub_->ListScorecards(Context().get(), list, &page);
    if (!status.ok()) return Failed("ListScorecards", status);
    for (const auto& scorecard : page.scorecards()) {
      if (scorecard.display_name() == kScorecardName) return scorecard.name();
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  ev1::CreateScorecardRequest create;
  create.set_request_id(RequestId("scorecard"));
  create.mutable_scorecard()->set_display_name(kScorecardName);
  for (const IndicatorPlan& plan : kIndicators) {
    auto* indicator = create.mutable_scorecard()->add_indicators();
    indicator->set_key(plan.key);
    indicator->set_display_name(plan.display_name);
    indicator->set_weight_percent(plan.weight);
  }
  ev1::Scorecard scorecard;
  grpc::Status status = stub_->CreateScorecard(Context().get(), create, &scorecard);
  if (!status.ok()) return Failed("CreateScorecard", status);
  return scorecard.name();
}

absl::StatusOr<ev1::Cycle> EvaluationLoader::EnsureCycle(const std::string& key, const std::string& display_name,
                                                         int quarter, const std::string& scorecard) {
  ev1::ListCyclesRequest list;
  list.set_scope(scope_);
  list.set_page_size(1000);
  do {
    ev1::ListCyclesResponse page;
    grpc::Status status = stub_->ListCycles(Context().get(), list, &page);
    if (!status.ok()) return Failed("ListCycles", status);
    for (const auto& cycle : page.cycles()) {
      if (cycle.display_name() == display_name) return cycle;
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  ev1::CreateCycleRequest create;
  create.set_request_id(RequestId(absl::StrCat("cycle-", key)));
  ev1::Cycle* cycle = create.mutable_cycle();
  cycle->set_display_name(display_name);
  cycle->set_period(ev1::Cycle::PERIOD_QUARTERLY);
  cycle->mutable_start_date()->set_year(2026);
  cycle->mutable_start_date()->set_month(3 * quarter - 2);
  cycle->mutable_start_date()->set_day(1);
  cycle->mutable_end_date()->set_year(2026);
  cycle->mutable_end_date()->set_month(3 * quarter);
  cycle->mutable_end_date()->set_day(quarter == 1 || quarter == 4 ? 31 : 30);
  cycle->set_scorecard(scorecard);
  cycle->set_scope(scope_);
  ev1::Cycle created;
  grpc::Status status = stub_->CreateCycle(Context().get(), create, &created);
  if (!status.ok()) return Failed("CreateCycle", status);
  ++stats_.cycles_created;
  return created;
}

absl::Status EvaluationLoader::ScorePending(const ev1::Cycle& cycle, const std::string& key, int share_percent) {
  if (cycle.state() == ev1::Cycle::STATE_FINALIZED) return absl::OkStatus();
  ev1::ListEvaluationsRequest list;
  list.set_parent(cycle.name());
  list.set_state(ev1::Evaluation::STATE_PENDING);
  list.set_page_size(1000);
  std::vector<ev1::Evaluation> pending;
  do {
    ev1::ListEvaluationsResponse page;
    grpc::Status status = stub_->ListEvaluations(Context().get(), list, &page);
    if (!status.ok()) return Failed("ListEvaluations", status);
    pending.insert(pending.end(), page.evaluations().begin(), page.evaluations().end());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());

  ev1::ImportScoresRequest::RowBatch batch;
  for (const ev1::Evaluation& evaluation : pending) {
    const uint64_t draw = StableHash(absl::StrCat(seed_, "/", key, "/", evaluation.employee()));
    if (static_cast<int>(draw % 100) >= share_percent) continue;
    // Each person has a steady standing (the same in every cycle) and a little noise per
    // cycle, so some qualify for promotion twice running, a few fall below 60 twice, and the
    // review has cases to show. Ranges in tenths of a point, by level.
    const auto [low, high] = evaluation.level() == common::v1::LEVEL_SENIOR         ? std::pair{800, 985}
                             : evaluation.level() == common::v1::LEVEL_INTERMEDIATE ? std::pair{560, 975}
                                                                                    : std::pair{520, 960};
    const int standing = low + static_cast<int>(StableHash(absl::StrCat(seed_, "/", evaluation.employee())) %
                                                static_cast<uint64_t>(high - low));
    auto* row = batch.add_rows();
    row->set_row_number(batch.rows_size());
    row->set_employee(evaluation.employee());
    for (const IndicatorPlan& plan : kIndicators) {
      const int noise = static_cast<int>(StableHash(absl::StrCat(draw, "/", plan.key)) % 41) - 20;
      const int tenths = std::clamp(standing + noise, 0, 1000);
      auto* score = row->add_scores();
      score->set_indicator(plan.key);
      score->set_score(tenths / 10.0);
    }
  }
  if (batch.rows_size() == 0) return absl::OkStatus();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  context.AddMetadata("x-ladder-actor", "seed");
  ev1::ImportScoresResponse response;
  auto writer = stub_->ImportScores(&context, &response);
  ev1::ImportScoresRequest header;
  header.mutable_header()->set_cycle(cycle.name());
  header.mutable_header()->set_request_id(RequestId(absl::StrCat("scores-", key)));
  ev1::ImportScoresRequest rows;
  *rows.mutable_rows() = batch;
  writer->Write(header);
  writer->Write(rows);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return Failed("ImportScores", status);
  if (response.rejected_rows_size() > 0) {
    return absl::InternalError(absl::StrCat("ImportScores rejected row ", response.rejected_rows(0).row_number(), ": ",
                                            response.rejected_rows(0).reason()));
  }
  stats_.scores_written += response.written_count();
  return absl::OkStatus();
}

absl::Status EvaluationLoader::Finalize(const ev1::Cycle& cycle, const std::string& key) {
  ev1::Cycle current = cycle;
  if (current.state() == ev1::Cycle::STATE_OPEN) {
    ev1::StartReviewRequest review;
    review.set_name(cycle.name());
    review.set_request_id(RequestId(absl::StrCat("review-", key)));
    grpc::Status status = stub_->StartReview(Context().get(), review, &current);
    if (!status.ok()) return Failed("StartReview", status);
  }
  if (current.state() == ev1::Cycle::STATE_IN_REVIEW) {
    ev1::FinalizeCycleRequest finalize;
    finalize.set_name(cycle.name());
    finalize.set_request_id(RequestId(absl::StrCat("finalize-", key)));
    grpc::Status status = stub_->FinalizeCycle(Context().get(), finalize, &current);
    if (!status.ok()) return Failed("FinalizeCycle", status);
    ++stats_.cycles_finalized;
  }
  return absl::OkStatus();
}

}  // namespace ladder::seed
