#pragma once

#include <cstddef>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace ladder::api {

// Checks human text: valid UTF-8, no control characters, and min_chars..max_chars
// characters (code points, so a Chinese name counts its characters, not its bytes).
// Errors are INVALID_ARGUMENT naming `field`.
absl::Status ValidateText(absl::string_view value, absl::string_view field, size_t min_chars,
                          size_t max_chars);

// Number of code points, or -1 if `value` is not valid UTF-8.
long Utf8Length(absl::string_view value);

}  // namespace ladder::api
