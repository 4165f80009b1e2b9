#pragma once

// The decisions of a cycle review, a page of participants at a time: who is due to move up,
// down or out under the policy, as new cases. Reads personnel and evaluation in batches (a
// few calls per page, not a few per person) and writes nothing: the synchronous
// ReviewCycle and the long-running review (review_worker.h) commit the cases their own way.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/policy/policy_set.h"
#include "ladder/evaluation/v1/cycle.pb.h"
#include "ladder/evaluation/v1/evaluation.pb.h"
#include "services/careerpath/case_store.h"
#include "services/careerpath/upstream.h"

namespace ladder::careerpath {

// A county's quota and display name, as a review judges its people on them.
struct CountyFacts {
  pv1::CountyQuota quota;
  std::string display_name;
};

// What every page of one review is judged against.
struct ReviewScope {
  ev1::Cycle cycle;
  // The cycle's last day, "YYYY-MM-DD": later cycles are not looked at.
  std::string period_end;
  // The cycle's scope: a county's cycle opens cases only for people still in that county.
  pv1::OrgUnit unit;
  const policy::Policy* policy = nullptr;
  absl::CivilDay today;
  // The counties' quotas as the review's first page found them (read in one call for the
  // cycle's scope), and their names, each read once: a page holds people of many counties,
  // and reading them per page would cost two calls per county and page. A quota moved by an
  // approval since shows only in a case's evidence; approving re-checks it.
  std::map<std::string, CountyFacts> counties;
  bool counties_read = false;
};

// The cases a page calls for, and how many of its participants were judged.
struct ReviewDecisions {
  std::vector<NewCase> cases;
  int reviewed = 0;
};

class CycleReviewer {
 public:
  // None is owned.
  CycleReviewer(CaseStore* store, PersonnelGateway* personnel, EvaluationGateway* evaluation)
      : store_(store), personnel_(personnel), evaluation_(evaluation) {}

  // The scope of a review of `cycle` under `policy`: INVALID_ARGUMENT (field "cycle") if the
  // cycle does not exist, FAILED_PRECONDITION (CYCLE_NOT_FINALIZED) until it is finalised.
  absl::StatusOr<ReviewScope> ScopeOf(const std::string& cycle, const policy::Policy& policy, absl::CivilDay today);

  // The cases `page` (evaluations of the scope's cycle) calls for. A participant who left
  // the post, or the cycle's county, since is not judged; a move already open from another
  // cycle's review (or a nomination) is not proposed again.
  // Reads the scope's county quotas on the first page; counties not met before are added.
  absl::StatusOr<ReviewDecisions> Decide(ReviewScope& scope, const std::vector<ev1::Evaluation>& page);

 private:
  CaseStore* store_;
  PersonnelGateway* personnel_;
  EvaluationGateway* evaluation_;

  // The facts of `county`, from the scope's or read now and kept there.
  absl::StatusOr<const CountyFacts*> FactsOf(ReviewScope& scope, const std::string& county);
};

}  // namespace ladder::careerpath
