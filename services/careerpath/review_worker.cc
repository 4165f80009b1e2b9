#include "services/careerpath/review_worker.h"

#include <unistd.h>

#include <random>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"
#include "common/time/dates.h"
#include "services/careerpath/review_operation.h"
#include "spdlog/spdlog.h"

namespace ladder::careerpath {
namespace {

// Errors that pass: the review keeps its place and the batch is tried again later.
bool Transient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

// A batch that fails for passing reasons this many times in a row is given up to be taken
// again later (by any replica), after the idle poll.
constexpr int kAttemptsPerBatch = 5;

}  // namespace

ReviewWorker::ReviewWorker(ReviewStore* reviews, CycleReviewer* reviewer, EvaluationGateway* evaluation,
                           const policy::PolicySet* policies, ReviewWorkerOptions options)
    : reviews_(reviews),
      reviewer_(reviewer),
      evaluation_(evaluation),
      policies_(policies),
      options_(std::move(options)) {}

ReviewWorker::~ReviewWorker() { Stop(); }

std::string ReviewWorker::UniqueOwnerName() {
  char host[64] = {0};
  gethostname(host, sizeof(host) - 1);
  std::random_device random;
  return absl::StrFormat("%s/%d/%08x", host, getpid(), random());
}

void ReviewWorker::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ReviewWorker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ReviewWorker::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

bool ReviewWorker::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

bool ReviewWorker::Pause(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(this, &ReviewWorker::Interrupted), timeout);
  woken_ = false;
  return !stopping_;
}

void ReviewWorker::Loop() {
  while (!Stopping()) {
    absl::StatusOr<std::optional<Review>> leased = reviews_->LeaseReview(options_.owner, options_.lease);
    if (!leased.ok()) {
      spdlog::warn("event=review_lease_failed error=\"{}\"", leased.status().ToString());
    } else if (leased->has_value()) {
      Run(**leased);
      continue;  // There may be more.
    }
    if (!Pause(options_.idle_poll)) break;
  }
}

void ReviewWorker::Run(const Review& review) {
  const std::string operation = OperationName(review.id);
  const std::string cycle = api::FormatName("cycles", review.cycle_id);
  spdlog::info("event=review_taken operation={} cycle={} processed={} participants={}", operation, cycle,
               review.progress.processed, review.participant_count);
  auto fail = [&](const absl::Status& error) {
    spdlog::warn("event=review_failed operation={} cycle={} error=\"{}\"", operation, cycle, error.ToString());
    if (absl::Status failed = reviews_->FailReview(review.id, options_.owner, error); !failed.ok()) {
      spdlog::warn("event=review_fail_not_recorded operation={} error=\"{}\"", operation, failed.ToString());
    }
  };
  auto give_up = [&](const absl::Status& why) {
    spdlog::warn("event=review_released operation={} cycle={} reason=\"{}\"", operation, cycle, why.ToString());
    if (absl::Status released = reviews_->ReleaseReview(review.id, options_.owner); !released.ok()) {
      spdlog::warn("event=review_release_failed operation={} error=\"{}\"", operation, released.ToString());
    }
  };

  const absl::CivilDay today = TodayInBranch();
  const policy::Policy* policy = policies_->InForceAt(today);
  if (policy == nullptr) return fail(absl::FailedPreconditionError("no policy version is in force today"));
  absl::StatusOr<ReviewScope> scope = reviewer_->ScopeOf(cycle, *policy, today);
  if (!scope.ok()) return Transient(scope.status()) ? give_up(scope.status()) : fail(scope.status());

  std::string token = review.resume_token;
  int attempts = 0;
  while (true) {
    if (Stopping()) return give_up(absl::CancelledError("this replica is stopping"));
    const absl::Time started = absl::Now();
    absl::StatusOr<Review> committed = [&]() -> absl::StatusOr<Review> {
      absl::StatusOr<ev1::ListEvaluationsResponse> page =
          evaluation_->ListEvaluationsPage(cycle, token, options_.batch_size);
      if (!page.ok()) return page.status();
      const std::vector<ev1::Evaluation> participants(page->evaluations().begin(), page->evaluations().end());
      absl::StatusOr<ReviewDecisions> decisions = reviewer_->Decide(*scope, participants);
      if (!decisions.ok()) return decisions.status();
      ReviewBatch batch;
      batch.cases = std::move(decisions->cases);
      batch.processed = static_cast<int>(participants.size());
      batch.reviewed = decisions->reviewed;
      batch.next_token = page->next_page_token();
      return reviews_->CommitBatch(review.id, options_.owner, options_.lease, batch);
    }();
    if (!committed.ok()) {
      if (ErrorReason(committed.status()) == "REVIEW_LEASE_LOST") {
        spdlog::warn("event=review_lost operation={} cycle={}", operation, cycle);
        return;
      }
      if (!Transient(committed.status())) return fail(committed.status());
      if (++attempts >= kAttemptsPerBatch) return give_up(committed.status());
      if (!Pause(absl::Milliseconds(200) * (1 << attempts))) {
        return give_up(absl::CancelledError("this replica is stopping"));
      }
      continue;
    }
    attempts = 0;
    spdlog::debug("event=review_batch operation={} processed={}/{} created={} batch_ms={}", operation,
                  committed->progress.processed, committed->participant_count, committed->progress.created,
                  absl::ToInt64Milliseconds(absl::Now() - started));
    if (committed->done()) {
      spdlog::info("event=review_done operation={} cycle={} state={} processed={} reviewed={} created={} existing={}",
                   operation, cycle, static_cast<int>(committed->state), committed->progress.processed,
                   committed->progress.reviewed, committed->progress.created, committed->progress.existing);
      return;
    }
    token = committed->resume_token;
  }
}

}  // namespace ladder::careerpath
