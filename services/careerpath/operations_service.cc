#include "services/careerpath/operations_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/page.h"
#include "common/api/pagination.h"
#include "common/server/rpc_support.h"
#include "common/status/errors.h"
#include "services/careerpath/careerpath_service.h"
#include "services/careerpath/review_operation.h"

namespace ladder::careerpath {
namespace {

namespace lro = ::google::longrunning;

template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response) {
  return server::Respond(std::move(result), response, kErrorDomain);
}

grpc::Status Respond(const absl::Status& status) { return server::Respond(status, kErrorDomain); }

constexpr char kCollection[] = "operations";

}  // namespace

grpc::Status ReviewOperationsService::GetOperation(grpc::ServerContext*, const lro::GetOperationRequest* request,
                                                   lro::Operation* response) {
  absl::StatusOr<int64_t> id = ParseOperationName(request->name(), "name");
  if (!id.ok()) return Respond(id.status());
  absl::StatusOr<Review> review = reviews_->GetReview(*id);
  if (!review.ok()) return Respond(review.status());
  *response = OperationOf(*review);
  return grpc::Status::OK;
}

grpc::Status ReviewOperationsService::ListOperations(grpc::ServerContext*, const lro::ListOperationsRequest* request,
                                                     lro::ListOperationsResponse* response) {
  if (!request->name().empty() && request->name() != kCollection) {
    return Respond(InvalidFieldError("name", "must be \"operations\" or empty"));
  }
  if (!request->filter().empty()) return Respond(InvalidFieldError("filter", "is not supported; leave it empty"));
  absl::StatusOr<api::PageRequest> page =
      api::ParsePageRequest(request->page_size(), request->page_token(), kCollection);
  if (!page.ok()) return Respond(page.status());
  absl::StatusOr<api::Page<Review>> reviews = reviews_->ListReviews(*page);
  if (!reviews.ok()) return Respond(reviews.status());
  for (const Review& review : reviews->items) *response->add_operations() = OperationOf(review);
  response->set_next_page_token(api::NextPageToken(*reviews, kCollection));
  return grpc::Status::OK;
}

grpc::Status ReviewOperationsService::CancelOperation(grpc::ServerContext* context,
                                                      const lro::CancelOperationRequest* request,
                                                      google::protobuf::Empty*) {
  absl::StatusOr<int64_t> id = ParseOperationName(request->name(), "name");
  if (!id.ok()) return Respond(id.status());
  const db::MutationContext mutation =
      server::MutationFor(*context, "/google.longrunning.Operations/CancelOperation", *request);
  return Respond(reviews_->RequestCancel(*id, mutation).status());
}

}  // namespace ladder::careerpath
