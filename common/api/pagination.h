#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ladder::api {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// Where a page starts. Lists are keyset-paginated on an increasing id, so a page is one
// indexed range scan however deep the caller pages, and rows added meanwhile are neither
// skipped nor repeated.
struct PageRequest {
  // Rows to return; one more is read to know whether another page follows.
  int page_size = kDefaultPageSize;
  // Return rows with id greater than this.
  int64_t after_id = 0;
  // What a list carries from one page to the next besides the key (a ranking: the position
  // and rank reached), as the previous page's MakePageToken was given it; empty on the first.
  std::vector<int64_t> carried;
};

// Validates page_size: 0 → the default, 1–1000 as given, anything else INVALID_ARGUMENT
// naming `page_size` (refused, not clamped: a caller reads a short page as the last).
absl::StatusOr<int> ParsePageSize(int page_size);

// Validates page_size (ParsePageSize) and decodes page_token. `query` identifies the
// list's filters: a token is refused if the filters changed since it was issued.
absl::StatusOr<PageRequest> ParsePageRequest(int page_size, absl::string_view page_token, absl::string_view query);

// The opaque token for the page that starts after `last_id`, carrying `carried` along.
std::string MakePageToken(int64_t last_id, absl::string_view query, const std::vector<int64_t>& carried = {});

}  // namespace ladder::api
