#pragma once

#include "absl/strings/string_view.h"
#include "google/protobuf/field_mask.pb.h"

namespace ladder::api {

// Whether an Update call writes `path`: an empty mask means every writable field (AIP-134).
inline bool MaskIncludes(const google::protobuf::FieldMask& mask, absl::string_view path) {
  if (mask.paths_size() == 0) return true;
  for (const std::string& entry : mask.paths()) {
    if (entry == path) return true;
  }
  return false;
}

// Whether `path` was named explicitly.
inline bool MaskNames(const google::protobuf::FieldMask& mask, absl::string_view path) {
  for (const std::string& entry : mask.paths()) {
    if (entry == path) return true;
  }
  return false;
}

}  // namespace ladder::api
