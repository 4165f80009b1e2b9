#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

namespace ladder {

// FNV-1a, 64 bits: the same value on every build and platform, unlike std::hash, so it
// may be stored (migration checksums, request fingerprints, page tokens).
uint64_t StableHash(absl::string_view data);

// StableHash as 16 lowercase hex digits.
std::string StableHashHex(absl::string_view data);

}  // namespace ladder
