#include "common/server/json_log_format.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace ladder::server {
namespace {

// A logfmt value as written by LogQuoted (logging.h): \" \\ \n \r \t \xHH.
std::string Unquoted(absl::string_view quoted) {
  std::string text;
  for (size_t i = 0; i < quoted.size(); ++i) {
    const char c = quoted[i];
    if (c != '\\' || i + 1 == quoted.size()) {
      text += c;
      continue;
    }
    const char next = quoted[++i];
    int hex = 0;
    switch (next) {
      case 'n':
        text += '\n';
        break;
      case 'r':
        text += '\r';
        break;
      case 't':
        text += '\t';
        break;
      case 'x':
        if (i + 2 < quoted.size() && absl::SimpleHexAtoi(quoted.substr(i + 1, 2), &hex)) {
          text += static_cast<char>(hex);
          i += 2;
        } else {
          text += "\\x";
        }
        break;
      default:
        text += next;
    }
  }
  return text;
}

// Splits `key=value key="quoted value"` into pairs; nullopt if the text is not that.
std::optional<std::vector<std::pair<std::string, std::string>>> Pairs(absl::string_view line) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    const size_t equals = line.find('=', i);
    if (equals == absl::string_view::npos || equals == i) return std::nullopt;
    const absl::string_view key = line.substr(i, equals - i);
    for (const char c : key) {
      if (!absl::ascii_isalnum(c) && c != '_' && c != '.') return std::nullopt;
    }
    i = equals + 1;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      size_t end = i + 1;
      while (end < line.size() && line[end] != '"') end += line[end] == '\\' ? 2 : 1;
      if (end >= line.size()) return std::nullopt;
      value = Unquoted(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      const size_t end = std::min(line.find(' ', i), line.size());
      value = std::string(line.substr(i, end - i));
      i = end;
    }
    pairs.emplace_back(std::string(key), std::move(value));
  }
  return pairs;
}

// A JSON number as written: -?digits(.digits)?, no leading zero before more digits.
bool IsPlainNumber(absl::string_view text) {
  absl::ConsumePrefix(&text, "-");
  if (text.empty() || !absl::ascii_isdigit(text[0])) return false;
  if (text[0] == '0' && text.size() > 1 && text[1] != '.') return false;
  bool dot = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '.' && !dot && i + 1 < text.size()) {
      dot = true;
    } else if (!absl::ascii_isdigit(text[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string JsonQuoted(absl::string_view text) {
  std::string json = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        json += "\\\"";
        break;
      case '\\':
        json += "\\\\";
        break;
      case '\n':
        json += "\\n";
        break;
      case '\r':
        json += "\\r";
        break;
      case '\t':
        json += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          json += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          json += c;
        }
    }
  }
  json += '"';
  return json;
}

std::string LogLineAsJson(absl::string_view ts, absl::string_view level, absl::string_view service,
                          absl::string_view logfmt) {
  std::string json =
      absl::StrCat("{\"ts\":", JsonQuoted(ts), ",\"level\":", JsonQuoted(level), ",\"service\":", JsonQuoted(service));
  std::optional<std::vector<std::pair<std::string, std::string>>> pairs = Pairs(logfmt);
  if (!pairs.has_value()) {
    absl::StrAppend(&json, ",\"msg\":", JsonQuoted(logfmt), "}");
    return json;
  }
  for (const auto& [key, value] : *pairs) {
    // The fixed fields cannot be overwritten by a pair of the same name.
    if (key == "ts" || key == "level" || key == "service") continue;
    absl::StrAppend(&json, ",", JsonQuoted(key == "event" ? "msg" : key), ":",
                    IsPlainNumber(value) ? value : JsonQuoted(value));
  }
  json += '}';
  return json;
}

}  // namespace ladder::server
