#pragma once

// google.longrunning.Operations for the reviews this service runs (RunCycleReview): their
// state and progress, the list of them, and cancelling one. No SQL here.

#include "google/longrunning/operations.grpc.pb.h"
#include "services/careerpath/review_store.h"

namespace ladder::careerpath {

class ReviewOperationsService final : public google::longrunning::Operations::Service {
 public:
  // Not owned; must outlive the service.
  explicit ReviewOperationsService(ReviewStore* reviews) : reviews_(reviews) {}

  grpc::Status GetOperation(grpc::ServerContext* context, const google::longrunning::GetOperationRequest* request,
                            google::longrunning::Operation* response) override;
  grpc::Status ListOperations(grpc::ServerContext* context, const google::longrunning::ListOperationsRequest* request,
                              google::longrunning::ListOperationsResponse* response) override;
  // Stops the review before its next batch: the cases of committed batches stay (each is
  // a proposal HR may still reject or withdraw), and the operation ends CANCELLED.
  grpc::Status CancelOperation(grpc::ServerContext* context, const google::longrunning::CancelOperationRequest* request,
                               google::protobuf::Empty* response) override;

 private:
  ReviewStore* reviews_;
};

}  // namespace ladder::careerpath
