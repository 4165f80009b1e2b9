#include "common/api/resource_name.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"

namespace ladder::api {
namespace {

absl::Status Malformed(absl::string_view field, absl::string_view expected) {
  return InvalidFieldError(field, absl::StrCat("must be a resource name like '", expected, "'"));
}

bool ParseId(absl::string_view text, int64_t* id) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, id) && *id > 0;
}

}  // namespace

int64_t IdOf(absl::string_view name) {
  int64_t id = 0;
  const size_t slash = name.rfind('/');
  return slash != absl::string_view::npos && absl::SimpleAtoi(name.substr(slash + 1), &id) ? id : 0;
}

std::string FormatName(absl::string_view collection, int64_t id) { return absl::StrCat(collection, "/", id); }

absl::StatusOr<int64_t> ParseName(absl::string_view name, absl::string_view collection, absl::string_view field) {
  const std::string expected = absl::StrCat(collection, "/123");
  if (name.empty()) return InvalidFieldError(field, absl::StrCat("is required, e.g. '", expected, "'"));
  absl::string_view rest = name;
  int64_t id = 0;
  if (!absl::ConsumePrefix(&rest, collection) || !absl::ConsumePrefix(&rest, "/") || !ParseId(rest, &id)) {
    return Malformed(field, expected);
  }
  return id;
}

absl::StatusOr<int64_t> ParseNameWithSuffix(absl::string_view name, absl::string_view collection,
                                            absl::string_view suffix, absl::string_view field) {
  const std::string expected = absl::StrCat(collection, "/123/", suffix);
  if (name.empty()) return InvalidFieldError(field, absl::StrCat("is required, e.g. '", expected, "'"));
  absl::string_view rest = name;
  if (!absl::ConsumeSuffix(&rest, suffix) || !absl::ConsumeSuffix(&rest, "/")) {
    return Malformed(field, expected);
  }
  int64_t id = 0;
  if (!absl::ConsumePrefix(&rest, collection) || !absl::ConsumePrefix(&rest, "/") || !ParseId(rest, &id)) {
    return Malformed(field, expected);
  }
  return id;
}

}  // namespace ladder::api
