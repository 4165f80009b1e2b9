#pragma once

#include "common/policy/policy_set.h"
#include "common/server/guarded_service.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "services/evaluation/evaluation_store.h"
#include "services/evaluation/personnel_directory.h"

namespace ladder::evaluation {

inline constexpr char kErrorDomain[] = "evaluation.ladder";

// The gRPC adapter of EvaluationService: validation, scoring arithmetic and calls to the
// store and the personnel directory; statuses are mapped once at the edge. No SQL here.
class EvaluationServiceImpl final : public ev1::EvaluationService::Service {
 public:
  // None is owned; all must outlive the service.
  EvaluationServiceImpl(EvaluationStore* store, PersonnelDirectory* personnel, const policy::PolicySet* policies)
      : store_(store), personnel_(personnel), policies_(policies) {}

  grpc::Status CreateScorecard(grpc::ServerContext* context, const ev1::CreateScorecardRequest* request,
                               ev1::Scorecard* response) override;
  grpc::Status GetScorecard(grpc::ServerContext* context, const ev1::GetScorecardRequest* request,
                            ev1::Scorecard* response) override;
  grpc::Status ListScorecards(grpc::ServerContext* context, const ev1::ListScorecardsRequest* request,
                              ev1::ListScorecardsResponse* response) override;
  grpc::Status UpdateScorecard(grpc::ServerContext* context, const ev1::UpdateScorecardRequest* request,
                               ev1::Scorecard* response) override;

  grpc::Status CreateCycle(grpc::ServerContext* context, const ev1::CreateCycleRequest* request,
                           ev1::Cycle* response) override;
  grpc::Status GetCycle(grpc::ServerContext* context, const ev1::GetCycleRequest* request,
                        ev1::Cycle* response) override;
  grpc::Status ListCycles(grpc::ServerContext* context, const ev1::ListCyclesRequest* request,
                          ev1::ListCyclesResponse* response) override;
  grpc::Status StartReview(grpc::ServerContext* context, const ev1::StartReviewRequest* request,
                           ev1::Cycle* response) override;
  grpc::Status FinalizeCycle(grpc::ServerContext* context, const ev1::FinalizeCycleRequest* request,
                             ev1::Cycle* response) override;

  grpc::Status RecordScores(grpc::ServerContext* context, const ev1::RecordScoresRequest* request,
                            ev1::Evaluation* response) override;
  // ImportScores, reading from the call guard, which parses and checks each message.
  grpc::Status ImportScoresFrom(grpc::ServerContext* context, server::MessageReader<ev1::ImportScoresRequest>* reader,
                                ev1::ImportScoresResponse* response);
  grpc::Status GetEvaluation(grpc::ServerContext* context, const ev1::GetEvaluationRequest* request,
                             ev1::Evaluation* response) override;
  grpc::Status ListEvaluations(grpc::ServerContext* context, const ev1::ListEvaluationsRequest* request,
                               ev1::ListEvaluationsResponse* response) override;
  grpc::Status FlagForRecheck(grpc::ServerContext* context, const ev1::FlagForRecheckRequest* request,
                              ev1::Evaluation* response) override;
  grpc::Status ResolveRecheck(grpc::ServerContext* context, const ev1::ResolveRecheckRequest* request,
                              ev1::Evaluation* response) override;

  grpc::Status ListRankings(grpc::ServerContext* context, const ev1::ListRankingsRequest* request,
                            ev1::ListRankingsResponse* response) override;
  grpc::Status ListScoreHistory(grpc::ServerContext* context, const ev1::ListScoreHistoryRequest* request,
                                ev1::ListScoreHistoryResponse* response) override;
  grpc::Status BatchGetScoreHistories(grpc::ServerContext* context, const ev1::BatchGetScoreHistoriesRequest* request,
                                      ev1::BatchGetScoreHistoriesResponse* response) override;

  grpc::Status RecordTrialAssessment(grpc::ServerContext* context, const ev1::RecordTrialAssessmentRequest* request,
                                     ev1::TrialAssessment* response) override;
  grpc::Status GetTrialAssessment(grpc::ServerContext* context, const ev1::GetTrialAssessmentRequest* request,
                                  ev1::TrialAssessment* response) override;
  grpc::Status ListTrialAssessments(grpc::ServerContext* context, const ev1::ListTrialAssessmentsRequest* request,
                                    ev1::ListTrialAssessmentsResponse* response) override;
  grpc::Status RecordCandidateAssessment(grpc::ServerContext* context,
                                         const ev1::RecordCandidateAssessmentRequest* request,
                                         ev1::CandidateAssessment* response) override;
  grpc::Status GetCandidateAssessment(grpc::ServerContext* context, const ev1::GetCandidateAssessmentRequest* request,
                                      ev1::CandidateAssessment* response) override;
  grpc::Status ListCandidateAssessments(grpc::ServerContext* context,
                                        const ev1::ListCandidateAssessmentsRequest* request,
                                        ev1::ListCandidateAssessmentsResponse* response) override;

 private:
  absl::StatusOr<ev1::ImportScoresResponse> Import(grpc::ServerContext& context,
                                                   server::MessageReader<ev1::ImportScoresRequest>& reader);
  absl::StatusOr<ev1::TrialAssessment> RecordTrial(grpc::ServerContext& context,
                                                   const ev1::RecordTrialAssessmentRequest& request);
  absl::StatusOr<ev1::CandidateAssessment> RecordCandidate(grpc::ServerContext& context,
                                                           const ev1::RecordCandidateAssessmentRequest& request);

  EvaluationStore* store_;
  PersonnelDirectory* personnel_;
  const policy::PolicySet* policies_;
};

}  // namespace ladder::evaluation
