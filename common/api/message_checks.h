#pragma once

// Checks every request gets before any handler sees it, whatever its type: the strings in it
// are valid UTF-8 and hold no control characters. Errors are INVALID_ARGUMENT naming the
// field by its path ("employee.display_name", "scores[2].indicator").

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace ladder::api {

// Parses `bytes` into `message`. Unlike protobuf's own refusal of invalid UTF-8 (a bare
// parse failure), says which field held it; other malformed input is refused as such.
absl::Status ParseRequest(absl::string_view bytes, google::protobuf::Message& message);

// The first string field of `message`, at any depth, holding a control character
// (U+0000–U+001F, U+007F–U+009F).
absl::Status RefuseControlCharacters(const google::protobuf::Message& message);

// For serialized `bytes` of `type`: INVALID_ARGUMENT naming the first string field that is
// not valid UTF-8; OK when there is none (even if `bytes` is otherwise malformed).
absl::Status FindInvalidUtf8(const google::protobuf::Descriptor& type, absl::string_view bytes);

}  // namespace ladder::api
