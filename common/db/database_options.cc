#include "common/db/database_options.h"

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"

namespace ladder::db {
namespace {

absl::StatusOr<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    // Exactly two hex digits: SimpleHexAtoi alone would also take a sign or a blank.
    int value = 0;
    if (i + 2 >= text.size() || !absl::ascii_isxdigit(text[i + 1]) || !absl::ascii_isxdigit(text[i + 2]) ||
        !absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) {
      return absl::InvalidArgumentError("database URL: bad percent-encoding");
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

absl::Status BadUrl(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("database URL: ", why, " (expected mysql://user:password@host:port/database?socket=/path)"));
}

}  // namespace

absl::StatusOr<DatabaseOptions> ParseDatabaseUrl(absl::string_view url) {
  DatabaseOptions options;
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "mysql://")) return BadUrl("must start with mysql://");

  absl::string_view query;
  if (size_t q = rest.find('?'); q != absl::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) return BadUrl("the database name is missing");
  options.database = std::string(rest.substr(slash + 1));
  if (options.database.empty()) return BadUrl("the database name is missing");
  absl::string_view authority = rest.substr(0, slash);

  if (size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    absl::string_view credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    absl::string_view user = credentials;
    absl::string_view password;
    if (size_t colon = credentials.find(':'); colon != absl::string_view::npos) {
      user = credentials.substr(0, colon);
      password = credentials.substr(colon + 1);
    }
    auto decoded_user = PercentDecode(user);
    auto decoded_password = PercentDecode(password);
    if (!decoded_user.ok() || !decoded_password.ok()) return BadUrl("bad percent-encoding");
    options.user = *decoded_user;
    options.password = *decoded_password;
  }
  if (size_t colon = authority.rfind(':'); colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &options.port) || options.port <= 0 || options.port > 65535) {
      return BadUrl("the port must be 1-65535");
    }
    authority = authority.substr(0, colon);
  }
  if (!authority.empty()) options.host = std::string(authority);

  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::vector<absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    absl::string_view key = kv[0];
    absl::string_view value = kv.size() > 1 ? kv[1] : "";
    int number = 0;
    if (key == "socket") {
      auto decoded = PercentDecode(value);
      if (!decoded.ok()) return BadUrl("bad percent-encoding in socket");
      options.socket = *decoded;
    } else if (key == "pool_size" && absl::SimpleAtoi(value, &number) && number > 0) {
      options.pool_size = number;
    } else if (key == "connect_timeout_s" && absl::SimpleAtoi(value, &number) && number > 0) {
      options.connect_timeout = absl::Seconds(number);
    } else if (key == "io_timeout_s" && absl::SimpleAtoi(value, &number) && number > 0) {
      options.io_timeout = absl::Seconds(number);
    } else if (key == "acquire_timeout_ms" && absl::SimpleAtoi(value, &number) && number > 0) {
      options.acquire_timeout = absl::Milliseconds(number);
    } else if (key == "statement_timeout_ms" && absl::SimpleAtoi(value, &number) && number > 0) {
      options.statement_timeout = absl::Milliseconds(number);
    } else if (key == "lock_wait_timeout_s" && absl::SimpleAtoi(value, &number) && number > 0) {
      options.lock_wait_timeout = absl::Seconds(number);
    } else {
      return BadUrl(absl::StrCat("unknown or invalid option '", pair, "'"));
    }
  }
  return options;
}

std::string RedactedUrl(const DatabaseOptions& options) {
  std::string url = absl::StrCat("mysql://", options.user, options.password.empty() ? "" : ":***", "@", options.host,
                                 ":", options.port, "/", options.database);
  if (!options.socket.empty()) absl::StrAppend(&url, "?socket=", options.socket);
  return url;
}

}  // namespace ladder::db
