#pragma once

// A review as clients see it: a google.longrunning.Operation named "operations/{id}", with
// RunCycleReviewMetadata as its progress and RunCycleReviewResponse (or an error) once done.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/longrunning/operations.pb.h"
#include "ladder/careerpath/v1/careerpath_service.pb.h"
#include "services/careerpath/review_store.h"

namespace ladder::careerpath {

std::string OperationName(int64_t review_id);
// INVALID_ARGUMENT naming `field` unless `name` is "operations/{positive id}".
absl::StatusOr<int64_t> ParseOperationName(absl::string_view name, absl::string_view field);

cv1::RunCycleReviewMetadata MetadataOf(const Review& review);
google::longrunning::Operation OperationOf(const Review& review);

}  // namespace ladder::careerpath
