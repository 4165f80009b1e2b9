#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "common/policy/policy_set.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "services/careerpath/case_store.h"
#include "services/careerpath/cycle_review.h"
#include "services/careerpath/eligibility_rules.h"
#include "services/careerpath/review_store.h"
#include "services/careerpath/upstream.h"

namespace ladder::careerpath {

inline constexpr char kErrorDomain[] = "careerpath.ladder";

// The gRPC adapter and workflow of CareerPathService: gathers facts from personnel and
// evaluation, judges them with the pure rules, keeps cases in the store and applies
// approved ones through personnel. No SQL here.
class CareerPathServiceImpl final : public cv1::CareerPathService::Service {
 public:
  // None is owned; all must outlive the service. `review_started` is called after
  // RunCycleReview started a review (to wake the review worker).
  CareerPathServiceImpl(CaseStore* store, ReviewStore* reviews, PersonnelGateway* personnel,
                        EvaluationGateway* evaluation, const policy::PolicySet* policies,
                        std::function<void()> review_started = {})
      : store_(store),
        reviews_(reviews),
        personnel_(personnel),
        evaluation_(evaluation),
        policies_(policies),
        review_started_(std::move(review_started)),
        reviewer_(store, personnel, evaluation) {}

  // ReviewCycle's bound: its one reply holds every case it makes.
  static constexpr int kMaxParticipantsInOneCall = 5000;
  // Participants read, judged and committed together by a review.
  static constexpr int kReviewPageSize = 500;

  grpc::Status GetPolicy(grpc::ServerContext* context, const cv1::GetPolicyRequest* request,
                         common::v1::Policy* response) override;
  grpc::Status ListPolicyVersions(grpc::ServerContext* context, const cv1::ListPolicyVersionsRequest* request,
                                  cv1::ListPolicyVersionsResponse* response) override;
  grpc::Status CheckEligibility(grpc::ServerContext* context, const cv1::CheckEligibilityRequest* request,
                                cv1::Eligibility* response) override;
  grpc::Status AssignInitialLevel(grpc::ServerContext* context, const cv1::AssignInitialLevelRequest* request,
                                  cv1::AssignInitialLevelResponse* response) override;
  grpc::Status RunCycleReview(grpc::ServerContext* context, const cv1::RunCycleReviewRequest* request,
                              google::longrunning::Operation* response) override;
  grpc::Status ReviewCycle(grpc::ServerContext* context, const cv1::ReviewCycleRequest* request,
                           cv1::ReviewCycleResponse* response) override;
  grpc::Status GetCase(grpc::ServerContext* context, const cv1::GetCaseRequest* request, cv1::Case* response) override;
  grpc::Status ListCases(grpc::ServerContext* context, const cv1::ListCasesRequest* request,
                         cv1::ListCasesResponse* response) override;
  grpc::Status ApproveCase(grpc::ServerContext* context, const cv1::ApproveCaseRequest* request,
                           cv1::Case* response) override;
  grpc::Status RejectCase(grpc::ServerContext* context, const cv1::RejectCaseRequest* request,
                          cv1::Case* response) override;
  grpc::Status WithdrawCase(grpc::ServerContext* context, const cv1::WithdrawCaseRequest* request,
                            cv1::Case* response) override;
  grpc::Status NominateCareerMove(grpc::ServerContext* context, const cv1::NominateCareerMoveRequest* request,
                                  cv1::Case* response) override;
  grpc::Status GetDistributionReport(grpc::ServerContext* context, const cv1::GetDistributionReportRequest* request,
                                     cv1::DistributionReport* response) override;
  grpc::Status SimulateDistribution(grpc::ServerContext* context, const cv1::SimulateDistributionRequest* request,
                                    cv1::SimulateDistributionResponse* response) override;

 private:
  absl::StatusOr<const policy::Policy*> PolicyToday() const;
  // The facts about one employee now; `as_of_period_end`, when set, drops later cycles.
  absl::StatusOr<Facts> GatherFacts(const personnel::v1::Employee& employee, const std::string& as_of_period_end);
  absl::StatusOr<cv1::Eligibility> Judge(const std::string& employee, cv1::Target target,
                                         common::v1::CareerMoveTarget move);
  // The same for an employee already read.
  absl::StatusOr<cv1::Eligibility> JudgeEmployee(const personnel::v1::Employee& employee, cv1::Target target,
                                                 common::v1::CareerMoveTarget move);
  // Whether an elimination for a failed trial still holds: on trial, the latest trial
  // assessment failed.
  absl::StatusOr<cv1::Eligibility> JudgeTrial(const personnel::v1::Employee& employee, const policy::Policy& policy);
  absl::StatusOr<cv1::AssignInitialLevelResponse> AssignInitial(grpc::ServerContext& context,
                                                                const cv1::AssignInitialLevelRequest& request);
  absl::StatusOr<cv1::AssignInitialLevelResponse> AssignInitialOnce(const cv1::AssignInitialLevelRequest& request,
                                                                    const MutationContext& mutation);
  absl::StatusOr<google::longrunning::Operation> StartReview(grpc::ServerContext& context,
                                                             const cv1::RunCycleReviewRequest& request);
  absl::StatusOr<google::longrunning::Operation> StartReviewOnce(grpc::ServerContext& context,
                                                                 const cv1::RunCycleReviewRequest& request);
  absl::StatusOr<cv1::ReviewCycleResponse> Review(grpc::ServerContext& context, const cv1::ReviewCycleRequest& request);
  absl::StatusOr<cv1::ReviewCycleResponse> ReviewOnce(grpc::ServerContext& context,
                                                      const cv1::ReviewCycleRequest& request);
  absl::StatusOr<cv1::Case> Approve(grpc::ServerContext& context, const cv1::ApproveCaseRequest& request);
  absl::StatusOr<cv1::Case> ApproveOnce(const cv1::ApproveCaseRequest& request, const MutationContext& mutation);
  // Applies a case through personnel; the case name makes the request id. `post_grade` is
  // the new post's grade, for a career move.
  absl::Status ApplyInPersonnel(const cv1::Case& value, int post_grade);
  absl::StatusOr<cv1::Case> Close(grpc::ServerContext& context, absl::string_view method,
                                  const google::protobuf::Message& request, const std::string& name,
                                  const std::string& reason, cv1::Case::State state);
  absl::StatusOr<cv1::Case> Nominate(grpc::ServerContext& context, const cv1::NominateCareerMoveRequest& request);
  absl::StatusOr<cv1::Case> NominateOnce(const cv1::NominateCareerMoveRequest& request,
                                         const MutationContext& mutation);
  absl::StatusOr<cv1::DistributionReport> Report(const std::string& org_unit,
                                                 const google::protobuf::RepeatedPtrField<cv1::ProposedMove>* moves,
                                                 std::vector<cv1::RefusedMove>* refused);

  CaseStore* store_;
  ReviewStore* reviews_;
  PersonnelGateway* personnel_;
  EvaluationGateway* evaluation_;
  const policy::PolicySet* policies_;
  std::function<void()> review_started_;
  CycleReviewer reviewer_;
};

}  // namespace ladder::careerpath
