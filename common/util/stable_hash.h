#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ladder {

// FNV-1a's construction, 64 bits: the same value on every build and platform, unlike
// std::hash, so it may be stored (migration checksums, request fingerprints, page tokens).
// Its starting value is 1469598103934665603, not FNV's published offset basis
// 14695981039346656037 (a digit short): values already stored depend on it, so it stays.
uint64_t StableHash(absl::string_view data);

// StableHash as 16 lowercase hex digits.
std::string StableHashHex(absl::string_view data);

// StableHash of a text fed in pieces: the same value as StableHash of the pieces joined,
// without holding them (the fingerprint of an import of a million rows).
class StableHasher {
 public:
  void Update(absl::string_view data);
  uint64_t value() const { return hash_; }
  std::string Hex() const;

 private:
  uint64_t hash_ = 1469598103934665603ULL;  // see StableHash
};

}  // namespace ladder
