#include "common/server/logging.h"

#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace ladder::server {

void InitLogging(absl::string_view service, absl::string_view level) {
  auto logger = std::make_shared<spdlog::logger>(
      std::string(service), std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l service=%n %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

std::string LogQuoted(absl::string_view text) {
  std::string quoted;
  quoted.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\n': quoted += "\\n"; break;
      case '\r': quoted += "\\r"; break;
      case '\t': quoted += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          quoted += absl::StrFormat("\\x%02x", static_cast<unsigned char>(c));
        } else {
          quoted += c;
        }
    }
  }
  return quoted;
}

}  // namespace ladder::server
