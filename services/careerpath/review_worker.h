#pragma once

// Works through the reviews started by RunCycleReview, in the background of every careerpath
// replica: takes a review no replica holds (a lease on its record), then reads, judges and
// commits it a batch of participants at a time, extending the lease with each batch. A
// replica that stops gives its review up; one that dies leaves a lease that runs out, and
// another replica (or this one, restarted) takes the review over from its last batch.

#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/policy/policy_set.h"
#include "services/careerpath/cycle_review.h"
#include "services/careerpath/review_store.h"
#include "services/careerpath/upstream.h"

namespace ladder::careerpath {

struct ReviewWorkerOptions {
  // Participants read, judged and committed together.
  int batch_size = 500;
  // How long a review stays with this replica after its last batch; longer than any batch.
  absl::Duration lease = absl::Seconds(30);
  // How often an idle worker looks for reviews that another replica gave up or left.
  absl::Duration idle_poll = absl::Seconds(5);
  // This worker's name in the leases; unique per process.
  std::string owner;
};

class ReviewWorker {
 public:
  // None is owned; all must outlive the worker.
  ReviewWorker(ReviewStore* reviews, CycleReviewer* reviewer, EvaluationGateway* evaluation,
               const policy::PolicySet* policies, ReviewWorkerOptions options);
  ~ReviewWorker();
  ReviewWorker(const ReviewWorker&) = delete;
  ReviewWorker& operator=(const ReviewWorker&) = delete;

  void Start();
  // Stops after the batch in hand and gives its review up for another replica.
  void Stop();
  // A review was started here: look for it now rather than at the next poll.
  void Wake();

  // A name for `owner`: host and process, and a random part so that a restarted process
  // never takes its predecessor's leases for its own.
  static std::string UniqueOwnerName();

 private:
  void Loop();
  // Runs `review` until it is done, this worker stops, or the review is lost to another.
  void Run(const Review& review);
  bool Stopping();
  // Waits up to `timeout`, or until Wake or Stop; false once stopping.
  bool Pause(absl::Duration timeout);
  bool Interrupted() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || woken_; }

  ReviewStore* reviews_;
  CycleReviewer* reviewer_;
  EvaluationGateway* evaluation_;
  const policy::PolicySet* policies_;
  const ReviewWorkerOptions options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ladder::careerpath
