#include "tools/ladderctl/request_ids.h"

#include "absl/strings/str_cat.h"
#include "common/util/stable_hash.h"

namespace ladder::ladderctl {

std::string RequestId(absl::string_view kind, absl::string_view key, absl::string_view content) {
  bool plain = key.size() <= 32;
  for (char c : key) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                    c == '_' || c == '/' || c == '.';
    plain = plain && ok;
  }
  const std::string shown = plain ? std::string(key) : StableHashHex(key).substr(0, 12);
  std::string id = absl::StrCat("lc-", kind, "-", shown, "-",
                                StableHashHex(absl::StrCat(kind, "\x1f", key, "\x1f", content)).substr(0, 12));
  if (id.size() > 64) id = absl::StrCat("lc-", StableHashHex(id));
  return id;
}

}  // namespace ladder::ladderctl
