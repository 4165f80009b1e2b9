#include "common/util/stable_hash.h"

#include "absl/strings/str_cat.h"

namespace ladder {

uint64_t StableHash(absl::string_view data) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string StableHashHex(absl::string_view data) {
  return absl::StrCat(absl::Hex(StableHash(data), absl::kZeroPad16));
}

}  // namespace ladder
