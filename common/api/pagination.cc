#include "common/api/pagination.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/util/stable_hash.h"

namespace ladder::api {
namespace {

constexpr absl::string_view kTokenVersion = "p1";
constexpr absl::string_view kCarryingTokenVersion = "p2";

absl::Status BadToken() {
  return InvalidFieldError("page_token",
                           "is not a token from the previous response of this same list call "
                           "(same filters); start again without a token");
}

}  // namespace

absl::StatusOr<int> ParsePageSize(int page_size) {
  if (page_size < 0) return InvalidFieldError("page_size", "must not be negative");
  if (page_size > kMaxPageSize) {
    return InvalidFieldError("page_size", absl::StrCat("must be at most ", kMaxPageSize));
  }
  return page_size == 0 ? kDefaultPageSize : page_size;
}

absl::StatusOr<PageRequest> ParsePageRequest(int page_size, absl::string_view page_token, absl::string_view query) {
  PageRequest request;
  absl::StatusOr<int> size = ParsePageSize(page_size);
  if (!size.ok()) return size.status();
  request.page_size = *size;
  if (page_token.empty()) return request;

  std::string decoded;
  if (!absl::WebSafeBase64Unescape(page_token, &decoded)) return BadToken();
  // "p1:<id>:<checksum of the query>", or with state carried from page to page
  // "p2:<id>:<checksum of the query and the state>:<state>", so that neither the filters nor
  // the carried state can be changed without the token being refused.
  std::vector<absl::string_view> parts = absl::StrSplit(decoded, ':');
  const bool carries = parts.size() == 4 && parts[0] == kCarryingTokenVersion;
  if (!(carries || (parts.size() == 3 && parts[0] == kTokenVersion)) ||
      !absl::SimpleAtoi(parts[1], &request.after_id) || request.after_id < 0) {
    return BadToken();
  }
  if (parts[2] != StableHashHex(carries ? absl::StrCat(query, "|", parts[3]) : std::string(query))) {
    return BadToken();
  }
  if (carries) {
    for (absl::string_view value : absl::StrSplit(parts[3], ',')) {
      int64_t number = 0;
      if (!absl::SimpleAtoi(value, &number) || number < 0) return BadToken();
      request.carried.push_back(number);
    }
  }
  return request;
}

std::string MakePageToken(int64_t last_id, absl::string_view query, const std::vector<int64_t>& carried) {
  if (carried.empty()) {
    return absl::WebSafeBase64Escape(absl::StrCat(kTokenVersion, ":", last_id, ":", StableHashHex(query)));
  }
  const std::string state = absl::StrJoin(carried, ",");
  return absl::WebSafeBase64Escape(absl::StrCat(kCarryingTokenVersion, ":", last_id, ":",
                                                StableHashHex(absl::StrCat(query, "|", state)), ":", state));
}

}  // namespace ladder::api
