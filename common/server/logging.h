#pragma once

#include "absl/strings/string_view.h"

namespace ladder::server {

// Sets up the suite's one logger (spdlog) for a service: one line per event on stderr,
// in logfmt (`ts=… level=… service=… event=… key=value`), UTC timestamps, so log
// collectors parse it without configuration. Personal data (names) is never logged;
// resource names are.
void InitLogging(absl::string_view service, absl::string_view level);

}  // namespace ladder::server
