#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ladder::api {

// Checks human text: valid UTF-8, no control characters, and min_chars..max_chars
// characters (code points, so a Chinese name counts its characters, not its bytes).
// Errors are INVALID_ARGUMENT naming `field`.
absl::Status ValidateText(absl::string_view value, absl::string_view field, size_t min_chars, size_t max_chars);

// `value` as an error message may quote it: unchanged when it is clean text, else C-escaped.
// Messages travel in protobuf strings (the BadRequest detail), which a client refuses to
// parse unless they are valid UTF-8, and a control character has no place in a log line.
std::string QuotableText(absl::string_view value);

// Checks a request id (AIP-155): empty, or at most 64 printable ASCII characters without
// spaces. Errors are INVALID_ARGUMENT naming `field`.
absl::Status ValidateRequestId(absl::string_view request_id, absl::string_view field);

// Number of code points, or -1 if `value` is not valid UTF-8.
long Utf8Length(absl::string_view value);

}  // namespace ladder::api
