#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/page.h"
#include "common/api/pagination.h"
#include "common/db/idempotency.h"
#include "common/db/mutation_context.h"
#include "ladder/careerpath/v1/career_case.pb.h"

namespace ladder::careerpath {

namespace cv1 = ::ladder::careerpath::v1;

using db::MutationContext;

struct CaseQuery {
  int64_t county_id = 0;
  int64_t cycle_id = 0;
  int64_t employee_id = 0;
  cv1::Case::Kind kind = cv1::Case::KIND_UNSPECIFIED;
  cv1::Case::State state = cv1::Case::STATE_UNSPECIFIED;
  // Newest first: a page holds cases with id below `page.after_id` (0: from the newest).
  // With state WAITING_FOR_SLOT and a county: the county's waitlist in line order, a page
  // holding the positions after `page.after_id`.
  api::PageRequest page;
};

// A new case. `review_key`, when set, makes creation idempotent per key.
struct NewCase {
  cv1::Case value;
  int post_grade = 0;
  std::string review_key;
};

// An open case (proposed, approved or waiting) as a review needs to know of it.
struct OpenCase {
  int64_t employee_id = 0;
  cv1::Case::Kind kind = cv1::Case::KIND_UNSPECIFIED;
  // 0 for a case not made by a review.
  int64_t cycle_id = 0;
};

// What a workflow step decides for a locked case: its new state and reason.
struct CaseTransition {
  cv1::Case::State state = cv1::Case::STATE_UNSPECIFIED;
  std::string reason;
  // Replaces the stored evidence when set.
  std::optional<cv1::Eligibility> evidence;
  bool decided = false;  // Records the actor and time as the decision.
  bool applied = false;  // Records the time of application.
};

class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // The case, and whether this call created it (false: the review key existed).
  virtual absl::StatusOr<std::pair<cv1::Case, bool>> CreateCase(const NewCase& fresh,
                                                                const MutationContext& context) = 0;
  virtual absl::StatusOr<cv1::Case> GetCase(int64_t id) = 0;
  virtual absl::StatusOr<int> PostGradeOf(int64_t id) = 0;
  virtual absl::StatusOr<api::Page<cv1::Case>> ListCases(const CaseQuery& query) = 0;
  // The open cases of any of `employee_ids`, in one read.
  virtual absl::StatusOr<std::vector<OpenCase>> OpenCasesOf(const std::vector<int64_t>& employee_ids) = 0;
  // The county's waiting cases, head of the line first.
  virtual absl::StatusOr<std::vector<cv1::Case>> Waitlist(int64_t county_id) = 0;
  // Locks the case (and its county's row, so waitlist decisions of a county are taken one
  // at a time), runs `decide` on it with the county's current waitlist, and writes the
  // transition it returns; an error from `decide` writes nothing. `decide` may return the
  // case unchanged by returning STATE_UNSPECIFIED. `decide` may run more than once (a
  // transaction retried after a deadlock), so what it does elsewhere must be idempotent.
  virtual absl::StatusOr<cv1::Case> Transition(
      int64_t id,
      const std::function<absl::StatusOr<CaseTransition>(const cv1::Case& current,
                                                         const std::vector<cv1::Case>& waitlist)>& decide,
      const MutationContext& context) = 0;
  // The response recorded for a request id, if the request was already carried out.
  virtual absl::StatusOr<std::optional<cv1::Case>> RecordedResponse(const db::RequestKey& key) = 0;
  // The same for a call whose response is no case: its serialized response, if recorded.
  virtual absl::StatusOr<std::optional<std::string>> RecordedBytes(const db::RequestKey& key) = 0;
  // Carries out `work` — calls to other services whose effects have request ids of their
  // own — under the claim of `key`'s request id, and returns the serialized response. The
  // claim is taken first and held until the response is recorded, so a concurrent duplicate
  // waits for it and then gets that response; a refusal from `work` releases the claim.
  virtual absl::StatusOr<std::string> RunClaimed(const db::RequestKey& key,
                                                 const std::function<absl::StatusOr<std::string>()>& work) = 0;
  virtual absl::Status Ping() = 0;
};

// RunClaimed for work that answers with a message `Response`: the answer of the first call
// with the id, whether that is this one or a concurrent or earlier duplicate.
template <typename Response>
absl::StatusOr<Response> RunClaimedAs(CaseStore& store, const db::RequestKey& key,
                                      const std::function<absl::StatusOr<Response>()>& work) {
  absl::StatusOr<std::string> first = store.RunClaimed(key, [&]() -> absl::StatusOr<std::string> {
    absl::StatusOr<Response> response = work();
    if (!response.ok()) return response.status();
    return response->SerializeAsString();
  });
  if (!first.ok()) return first.status();
  Response response;
  if (!response.ParseFromString(*first)) return absl::InternalError("a recorded response does not parse");
  return response;
}

}  // namespace ladder::careerpath
