#include "common/api/pagination.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/util/stable_hash.h"

namespace ladder::api {
namespace {

constexpr absl::string_view kTokenVersion = "p1";

absl::Status BadToken() {
  return InvalidFieldError("page_token",
                           "is not a token from the previous response of this same list call "
                           "(same filters); start again without a token");
}

}  // namespace

absl::StatusOr<PageRequest> ParsePageRequest(int page_size, absl::string_view page_token,
                                             absl::string_view query) {
  PageRequest request;
  if (page_size < 0) return InvalidFieldError("page_size", "must not be negative");
  if (page_size > kMaxPageSize) {
    return InvalidFieldError("page_size", absl::StrCat("must be at most ", kMaxPageSize));
  }
  request.page_size = page_size == 0 ? kDefaultPageSize : page_size;
  if (page_token.empty()) return request;

  std::string decoded;
  if (!absl::WebSafeBase64Unescape(page_token, &decoded)) return BadToken();
  std::vector<absl::string_view> parts = absl::StrSplit(decoded, ':');
  if (parts.size() != 3 || parts[0] != kTokenVersion || parts[2] != StableHashHex(query) ||
      !absl::SimpleAtoi(parts[1], &request.after_id) || request.after_id < 0) {
    return BadToken();
  }
  return request;
}

std::string MakePageToken(int64_t last_id, absl::string_view query) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kTokenVersion, ":", last_id, ":", StableHashHex(query)));
}

}  // namespace ladder::api
