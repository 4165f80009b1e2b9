#include "services/careerpath/review_operation.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/status/grpc_status.h"
#include "common/time/dates.h"
#include "google/rpc/status.pb.h"
#include "services/careerpath/careerpath_service.h"

namespace ladder::careerpath {

std::string OperationName(int64_t review_id) { return api::FormatName("operations", review_id); }

absl::StatusOr<int64_t> ParseOperationName(absl::string_view name, absl::string_view field) {
  return api::ParseName(name, "operations", field);
}

cv1::RunCycleReviewMetadata MetadataOf(const Review& review) {
  cv1::RunCycleReviewMetadata metadata;
  metadata.set_cycle(api::FormatName("cycles", review.cycle_id));
  metadata.set_participant_count(review.participant_count);
  metadata.set_processed_count(review.progress.processed);
  metadata.set_reviewed_count(review.progress.reviewed);
  metadata.set_created_case_count(review.progress.created);
  metadata.set_existing_case_count(review.progress.existing);
  metadata.set_requested_by(review.requested_by);
  *metadata.mutable_create_time() = ToProtoTimestamp(review.create_time);
  *metadata.mutable_update_time() = ToProtoTimestamp(review.update_time);
  if (review.end_time.has_value()) *metadata.mutable_end_time() = ToProtoTimestamp(*review.end_time);
  metadata.set_cancel_requested(review.cancel_requested);
  return metadata;
}

google::longrunning::Operation OperationOf(const Review& review) {
  google::longrunning::Operation operation;
  operation.set_name(OperationName(review.id));
  operation.mutable_metadata()->PackFrom(MetadataOf(review));
  operation.set_done(review.done());
  switch (review.state) {
    case ReviewState::kRunning:
      break;
    case ReviewState::kSucceeded: {
      cv1::RunCycleReviewResponse response;
      response.set_created_case_count(review.progress.created);
      response.set_existing_case_count(review.progress.existing);
      response.set_reviewed_count(review.progress.reviewed);
      operation.mutable_response()->PackFrom(response);
      break;
    }
    case ReviewState::kFailed:
    case ReviewState::kCancelled: {
      // The error as a call would have carried it: the same code, message and details.
      const grpc::Status status = ToGrpcStatus(review.error, kErrorDomain);
      google::rpc::Status* error = operation.mutable_error();
      if (!error->ParseFromString(status.error_details())) {
        error->set_code(status.error_code());
        error->set_message(status.error_message());
      }
      break;
    }
  }
  return operation;
}

}  // namespace ladder::careerpath
