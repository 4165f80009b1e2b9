#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace ladder::server {

// Sets up the suite's one logger (spdlog) for a service: one line per event on stderr,
// in logfmt (`ts=… level=… service=… event=… key=value`), UTC timestamps, so log
// collectors parse it without configuration. Personal data (names) is never logged;
// resource names are. `format` "json" writes each line as a JSON object instead
// (json_log_format.h); anything else is logfmt.
void InitLogging(absl::string_view service, absl::string_view level, absl::string_view format = "logfmt");

// `text` for a quoted logfmt value: backslashes, quotes and control characters escaped, so
// text from a caller (a token's subject, an error message quoting input) cannot end the
// value and forge fields of its own. Other UTF-8 stays readable.
std::string LogQuoted(absl::string_view text);

}  // namespace ladder::server
