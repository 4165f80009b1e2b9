#include "common/util/stable_hash.h"

#include "absl/strings/str_cat.h"

namespace ladder {

void StableHasher::Update(absl::string_view data) {
  for (unsigned char c : data) {
    hash_ ^= c;
    hash_ *= 1099511628211ULL;  // FNV's 64-bit prime
  }
}

std::string StableHasher::Hex() const { return absl::StrCat(absl::Hex(hash_, absl::kZeroPad16)); }

uint64_t StableHash(absl::string_view data) {
  StableHasher hasher;
  hasher.Update(data);
  return hasher.value();
}

std::string StableHashHex(absl::string_view data) {
  StableHasher hasher;
  hasher.Update(data);
  return hasher.Hex();
}

}  // namespace ladder
