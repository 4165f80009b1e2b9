#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ladder::api {

// "employees/42" from ("employees", 42).
std::string FormatName(absl::string_view collection, int64_t id);

// The trailing id of a resource name the service itself wrote ("employees/42" → 42), or 0
// for an empty or unreadable one. For trusted names only: use ParseName for input.
int64_t IdOf(absl::string_view name);

// The id of a resource name of the form "{collection}/{positive integer}". A missing or
// malformed name is INVALID_ARGUMENT naming `field`.
absl::StatusOr<int64_t> ParseName(absl::string_view name, absl::string_view collection, absl::string_view field);

// Like ParseName, for a name with a suffix: "orgUnits/3/quota" with suffix "quota".
absl::StatusOr<int64_t> ParseNameWithSuffix(absl::string_view name, absl::string_view collection,
                                            absl::string_view suffix, absl::string_view field);

}  // namespace ladder::api
