#pragma once

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/db/connection_pool.h"
#include "services/evaluation/evaluation_metrics.h"
#include "services/evaluation/evaluation_store.h"

namespace ladder::evaluation {

// EvaluationStore on a MySQL-compatible database (schema: migrations/).
class MySqlEvaluationStore final : public EvaluationStore {
 public:
  explicit MySqlEvaluationStore(db::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<ev1::Scorecard> CreateScorecard(const ev1::Scorecard& scorecard,
                                                 const MutationContext& context) override;
  absl::StatusOr<ev1::Scorecard> GetScorecard(int64_t id) override;
  absl::StatusOr<Page<ev1::Scorecard>> ListScorecards(const api::PageRequest& page) override;
  absl::StatusOr<ev1::Scorecard> UpdateScorecard(int64_t id, const ScorecardPatch& patch,
                                                 const MutationContext& context) override;

  absl::StatusOr<ev1::Cycle> CreateCycle(const ev1::Cycle& cycle, const std::vector<ParticipantRecord>& participants,
                                         const MutationContext& context) override;
  absl::StatusOr<ev1::Cycle> GetCycle(int64_t id) override;
  absl::StatusOr<ev1::Scorecard> ScorecardOfCycle(int64_t cycle_id) override;
  absl::StatusOr<Page<ev1::Cycle>> ListCycles(const CycleQuery& query) override;
  absl::StatusOr<ev1::Cycle> ChangeCycleState(int64_t id, ev1::Cycle::State from, ev1::Cycle::State to,
                                              const MutationContext& context) override;

  absl::StatusOr<ev1::Evaluation> RecordScores(int64_t cycle_id, const ScoreRow& row,
                                               const MutationContext& context) override;
  absl::StatusOr<Participants> ParticipantsOf(int64_t cycle_id) override;
  absl::StatusOr<int64_t> WriteScores(int64_t cycle_id, const ScoreRows& rows, size_t batch_size,
                                      const MutationContext& context, const std::function<bool()>& cancelled) override;
  absl::StatusOr<ev1::Evaluation> GetEvaluation(int64_t cycle_id, int64_t employee_id) override;
  absl::StatusOr<Page<ev1::Evaluation>> ListEvaluations(const EvaluationQuery& query) override;
  absl::StatusOr<ev1::Evaluation> FlagForRecheck(int64_t cycle_id, int64_t employee_id, const std::string& reason,
                                                 const MutationContext& context) override;
  absl::StatusOr<ev1::Evaluation> ResolveRecheck(int64_t cycle_id, int64_t employee_id,
                                                 const std::optional<ScoreRow>& corrected,
                                                 const std::string& resolution,
                                                 const MutationContext& context) override;

  absl::StatusOr<RankingPage> ListRankings(int64_t cycle_id, int64_t county_id, common::v1::Level level,
                                           const api::PageRequest& page) override;
  absl::Status CheckCycleExists(int64_t id) override;
  absl::StatusOr<std::vector<ev1::ScoreHistory>> BatchScoreHistories(const std::vector<int64_t>& employee_ids,
                                                                     int max_entries) override;
  absl::StatusOr<Page<ev1::ScoreHistoryEntry>> ListScoreHistory(int64_t employee_id,
                                                                const api::PageRequest& page) override;

  absl::StatusOr<ev1::TrialAssessment> CreateTrialAssessment(const ev1::TrialAssessment& assessment,
                                                             const MutationContext& context) override;
  absl::StatusOr<ev1::TrialAssessment> GetTrialAssessment(int64_t id) override;
  absl::StatusOr<Page<ev1::TrialAssessment>> ListTrialAssessments(int64_t employee_id,
                                                                  const api::PageRequest& page) override;
  absl::StatusOr<ev1::CandidateAssessment> CreateCandidateAssessment(const ev1::CandidateAssessment& assessment,
                                                                     const MutationContext& context) override;
  absl::StatusOr<ev1::CandidateAssessment> GetCandidateAssessment(int64_t id) override;
  absl::StatusOr<Page<ev1::CandidateAssessment>> ListCandidateAssessments(int64_t employee_id,
                                                                          const api::PageRequest& page) override;

  absl::Status Ping() override { return pool_->Ping(); }

  // What the domain gauges show (evaluation_metrics.h).
  absl::StatusOr<CycleCounts> CountCycles();

 private:
  // Scorecards in use never change, so a cycle's scorecard is read once.
  absl::StatusOr<ev1::Scorecard> CachedScorecardOfCycle(db::Connection& connection, int64_t cycle_id);

  db::ConnectionPool* pool_;
  absl::Mutex mu_;
  absl::flat_hash_map<int64_t, ev1::Scorecard> scorecard_by_cycle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ladder::evaluation
