#pragma once

// --log_format=json: every log line as one JSON object, for collectors that index fields
// (Loki, Elasticsearch, Cloud Logging). Lines are written once, in logfmt
// (`event=rpc method=… code=0 ms=1.20 trace_id=…`); this turns such a line into
//   {"ts":"…","level":"info","service":"personnel","msg":"rpc","method":"…","code":0,"ms":1.2,"trace_id":"…"}
// with `event` as "msg", numbers as JSON numbers and quoted values unescaped. Text that is
// not key=value pairs becomes "msg" whole.

#include <string>

#include "absl/strings/string_view.h"

namespace ladder::server {

std::string LogLineAsJson(absl::string_view ts, absl::string_view level, absl::string_view service,
                          absl::string_view logfmt);

// `text` as a JSON string literal, quotes included.
std::string JsonQuoted(absl::string_view text);

}  // namespace ladder::server
