#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/api/page.h"
#include "common/api/pagination.h"
#include "common/db/idempotency.h"
#include "common/db/mutation_context.h"
#include "ladder/evaluation/v1/assessment.pb.h"
#include "ladder/evaluation/v1/cycle.pb.h"
#include "ladder/evaluation/v1/evaluation.pb.h"
#include "ladder/evaluation/v1/scorecard.pb.h"
#include "services/evaluation/personnel_directory.h"
#include "services/evaluation/score_rows.h"

namespace ladder::evaluation {

namespace ev1 = ::ladder::evaluation::v1;

using api::Page;

using db::MutationContext;

struct ScorecardPatch {
  std::optional<std::string> display_name;
  std::optional<google::protobuf::RepeatedPtrField<ev1::Scorecard::Indicator>> indicators;
};

struct CycleQuery {
  int64_t scope_id = 0;  // 0: any.
  ev1::Cycle::State state = ev1::Cycle::STATE_UNSPECIFIED;
  api::PageRequest page;
};

struct EvaluationQuery {
  int64_t cycle_id = 0;
  int64_t county_id = 0;  // 0: any.
  int64_t team_id = 0;    // 0: any.
  common::v1::Level level = common::v1::LEVEL_UNSPECIFIED;
  ev1::Evaluation::State state = ev1::Evaluation::STATE_UNSPECIFIED;
  api::PageRequest page;
};

struct RankingPage {
  std::vector<ev1::Ranking> rankings;
  int32_t ranked_count = 0;
  std::optional<int64_t> next_after_key;
  // What the next page needs to know of this one (its token carries it).
  std::vector<int64_t> next_carried;
};

// The evaluation system of record. Writes to a cycle's evaluations take a shared lock on
// the cycle row and state changes of the cycle an exclusive one, so no score lands after
// the cycle is final and no cycle is finalised around a write in flight. FlagForRecheck
// takes the exclusive lock too, so an import never overwrites a flag raised while it ran.
class EvaluationStore {
 public:
  virtual ~EvaluationStore() = default;

  virtual absl::StatusOr<ev1::Scorecard> CreateScorecard(const ev1::Scorecard& scorecard,
                                                         const MutationContext& context) = 0;
  virtual absl::StatusOr<ev1::Scorecard> GetScorecard(int64_t id) = 0;
  virtual absl::StatusOr<Page<ev1::Scorecard>> ListScorecards(const api::PageRequest& page) = 0;
  virtual absl::StatusOr<ev1::Scorecard> UpdateScorecard(int64_t id, const ScorecardPatch& patch,
                                                         const MutationContext& context) = 0;

  // Creates the cycle OPEN with one PENDING evaluation per participant, and marks the
  // scorecard in use, in one transaction.
  virtual absl::StatusOr<ev1::Cycle> CreateCycle(const ev1::Cycle& cycle,
                                                 const std::vector<ParticipantRecord>& participants,
                                                 const MutationContext& context) = 0;
  virtual absl::StatusOr<ev1::Cycle> GetCycle(int64_t id) = 0;
  // The scorecard a cycle scores on.
  virtual absl::StatusOr<ev1::Scorecard> ScorecardOfCycle(int64_t cycle_id) = 0;
  virtual absl::StatusOr<Page<ev1::Cycle>> ListCycles(const CycleQuery& query) = 0;
  // Moves the cycle from `from` to `to`; FAILED_PRECONDITION if it is in another state, or
  // (to FINALIZED) while a flag is open.
  virtual absl::StatusOr<ev1::Cycle> ChangeCycleState(int64_t id, ev1::Cycle::State from, ev1::Cycle::State to,
                                                      const MutationContext& context) = 0;

  virtual absl::StatusOr<ev1::Evaluation> RecordScores(int64_t cycle_id, const ScoreRow& row,
                                                       const MutationContext& context) = 0;
  // The employee ids taking part in a cycle, with those whose evaluation is flagged. The
  // ids are a sorted array (8 bytes each, where a hash set takes 16 to 32): a cycle of a
  // whole branch has a million.
  struct Participants {
    std::vector<int64_t> ids;  // ascending
    absl::flat_hash_set<int64_t> flagged;

    // The position of `employee_id` in `ids`, or -1 if it takes no part.
    int64_t IndexOf(int64_t employee_id) const {
      const auto at = std::lower_bound(ids.begin(), ids.end(), employee_id);
      return at != ids.end() && *at == employee_id ? at - ids.begin() : -1;
    }
  };
  virtual absl::StatusOr<Participants> ParticipantsOf(int64_t cycle_id) = 0;
  // Writes rows in transactions of up to `batch_size` rows (all in one when batch_size is
  // 0). Each batch records `request` suffixed by its index, so a retried import skips the
  // batches that committed. Returns the number of rows written. Stops between batches when
  // `cancelled` says so; an error after some batches committed carries their row count in
  // its ErrorInfo metadata "written_rows".
  virtual absl::StatusOr<int64_t> WriteScores(int64_t cycle_id, const ScoreRows& rows, size_t batch_size,
                                              const MutationContext& context,
                                              const std::function<bool()>& cancelled) = 0;
  virtual absl::StatusOr<ev1::Evaluation> GetEvaluation(int64_t cycle_id, int64_t employee_id) = 0;
  virtual absl::StatusOr<Page<ev1::Evaluation>> ListEvaluations(const EvaluationQuery& query) = 0;
  virtual absl::StatusOr<ev1::Evaluation> FlagForRecheck(int64_t cycle_id, int64_t employee_id,
                                                         const std::string& reason, const MutationContext& context) = 0;
  // `corrected`, when set, replaces the scores.
  virtual absl::StatusOr<ev1::Evaluation> ResolveRecheck(int64_t cycle_id, int64_t employee_id,
                                                         const std::optional<ScoreRow>& corrected,
                                                         const std::string& resolution,
                                                         const MutationContext& context) = 0;

  // A page of the county's ranking at `level`: one range scan of the ranking index from
  // the page's key, whatever its depth; `page.carried` is the previous page's next_carried.
  // NOT_FOUND unless the cycle exists; reads nothing else.
  virtual absl::Status CheckCycleExists(int64_t id) = 0;
  virtual absl::StatusOr<RankingPage> ListRankings(int64_t cycle_id, int64_t county_id, common::v1::Level level,
                                                   const api::PageRequest& page) = 0;
  // Finalised composites of an employee, newest period first; `page.after_id` is an offset.
  virtual absl::StatusOr<Page<ev1::ScoreHistoryEntry>> ListScoreHistory(int64_t employee_id,
                                                                        const api::PageRequest& page) = 0;
  // The same for many employees in one query: at most `max_entries` each, newest first, in
  // the order of `employee_ids`.
  virtual absl::StatusOr<std::vector<ev1::ScoreHistory>> BatchScoreHistories(const std::vector<int64_t>& employee_ids,
                                                                             int max_entries) = 0;

  virtual absl::StatusOr<ev1::TrialAssessment> CreateTrialAssessment(const ev1::TrialAssessment& assessment,
                                                                     const MutationContext& context) = 0;
  virtual absl::StatusOr<ev1::TrialAssessment> GetTrialAssessment(int64_t id) = 0;
  virtual absl::StatusOr<Page<ev1::TrialAssessment>> ListTrialAssessments(int64_t employee_id,
                                                                          const api::PageRequest& page) = 0;
  virtual absl::StatusOr<ev1::CandidateAssessment> CreateCandidateAssessment(const ev1::CandidateAssessment& assessment,
                                                                             const MutationContext& context) = 0;
  virtual absl::StatusOr<ev1::CandidateAssessment> GetCandidateAssessment(int64_t id) = 0;
  virtual absl::StatusOr<Page<ev1::CandidateAssessment>> ListCandidateAssessments(int64_t employee_id,
                                                                                  const api::PageRequest& page) = 0;

  virtual absl::Status Ping() = 0;
};

}  // namespace ladder::evaluation
