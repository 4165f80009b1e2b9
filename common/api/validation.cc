#include "common/api/validation.h"

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace ladder::api {
namespace {

// Decodes one code point at `i`, advancing it; -1 on a malformed or overlong sequence.
long DecodeOne(absl::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return s[i++];
  int extra = 0;
  long code = 0;
  long min = 0;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1, code = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, code = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, code = lead & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (i + extra >= s.size()) return -1;
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return -1;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return -1;
  i += extra + 1;
  return code;
}

}  // namespace

std::string QuotableText(absl::string_view value) {
  if (ValidateText(value, "", 0, std::numeric_limits<size_t>::max()).ok()) return std::string(value);
  return absl::CHexEscape(value);
}

absl::Status ValidateRequestId(absl::string_view request_id, absl::string_view field) {
  if (request_id.size() > 64) {
    return InvalidFieldError(field, "must be at most 64 characters; a UUID is a good choice");
  }
  for (unsigned char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidFieldError(field, "must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

long Utf8Length(absl::string_view value) {
  long count = 0;
  for (size_t i = 0; i < value.size();) {
    if (DecodeOne(value, i) < 0) return -1;
    ++count;
  }
  return count;
}

absl::Status ValidateText(absl::string_view value, absl::string_view field, size_t min_chars, size_t max_chars) {
  size_t count = 0;
  for (size_t i = 0; i < value.size();) {
    long code = DecodeOne(value, i);
    if (code < 0) return InvalidFieldError(field, "is not valid UTF-8");
    if (code < 0x20 || code == 0x7F || (code >= 0x80 && code < 0xA0)) {
      return InvalidFieldError(field, "must not contain control characters");
    }
    ++count;
  }
  if (count < min_chars) {
    return InvalidFieldError(field, min_chars == 1 ? std::string("is required")
                                                   : absl::StrCat("must have at least ", min_chars, " characters"));
  }
  if (count > max_chars) {
    return InvalidFieldError(field, absl::StrCat("must have at most ", max_chars, " characters (has ", count, ")"));
  }
  return absl::OkStatus();
}

}  // namespace ladder::api
