#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "common/api/pagination.h"

namespace ladder::api {

// One page of a list read by a store: the items and, if more follow, the key to continue
// after (see pagination.h).
template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<int64_t> next_after_id;
};

// Stores read page_size + 1 rows to learn whether another page follows; this keeps
// page_size of them and sets the continuation key from the last one kept.
template <typename T>
Page<T> TrimPage(std::vector<T> items, int page_size, absl::FunctionRef<int64_t(const T&)> key_of) {
  Page<T> page;
  if (static_cast<int>(items.size()) > page_size) {
    items.resize(page_size);
    page.next_after_id = key_of(items.back());
  }
  page.items = std::move(items);
  return page;
}

// The next_page_token of a list response: empty on the last page.
template <typename T>
std::string NextPageToken(const Page<T>& page, absl::string_view query) {
  return page.next_after_id.has_value() ? MakePageToken(*page.next_after_id, query) : "";
}

}  // namespace ladder::api
