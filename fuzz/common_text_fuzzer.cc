// Fuzzes the input checks every service builds on: text (common/api/validation.h),
// resource names (resource_name.h), page tokens (pagination.h) and dates (time/dates.h).
// Each is compared with what its contract says, through an independent reading of the
// input (a table-driven UTF-8 decoder, the canonical name of an id, a token made by
// MakePageToken). The first byte picks the function; fuzz_input.h reads the rest.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/api/validation.h"
#include "common/status/errors.h"
#include "common/time/dates.h"
#include "common/util/stable_hash.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/request_checks.h"

namespace ladder::fuzz {
namespace {

// The code points of `text`, or nullopt unless it is well-formed UTF-8 (RFC 3629, table 3-7
// of the Unicode standard: no overlong forms, no surrogates, nothing above U+10FFFF).
std::optional<std::vector<uint32_t>> DecodeUtf8(absl::string_view text) {
  std::vector<uint32_t> points;
  size_t i = 0;
  const auto at = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  while (i < text.size()) {
    const uint8_t lead = at(i);
    int extra = 0;
    uint8_t low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (lead <= 0x7F) {
      points.push_back(lead);
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return std::nullopt;
    }
    if (i + extra >= text.size()) return std::nullopt;  // truncated
    if (at(i + 1) < low || at(i + 1) > high) return std::nullopt;
    uint32_t point = lead & (0x7F >> (extra + 1));
    for (int k = 1; k <= extra; ++k) {
      if (k > 1 && (at(i + k) < 0x80 || at(i + k) > 0xBF)) return std::nullopt;
      point = (point << 6) | (at(i + k) & 0x3F);
    }
    points.push_back(point);
    i += extra + 1;
  }
  return points;
}

bool IsControl(uint32_t point) { return point < 0x20 || point == 0x7F || (point >= 0x80 && point < 0xA0); }

// An error of the input checks: INVALID_ARGUMENT naming `field`.
void RequireFieldError(const absl::Status& status, absl::string_view field, absl::string_view check) {
  Require(status.code() == absl::StatusCode::kInvalidArgument, check,
          absl::StrCat("unexpected error ", status.ToString()));
  Require(ViolatedField(status) == std::string(field), check,
          absl::StrCat("error does not name ", field, ": ", status.ToString()));
}

void CheckText(InputReader& input) {
  const std::string value = input.String();
  const size_t min_chars = static_cast<size_t>(input.Byte());
  const size_t max_chars = min_chars + static_cast<size_t>(input.Integer() & 0x3FF);
  const absl::Status status = api::ValidateText(value, "text", min_chars, max_chars);
  const auto points = DecodeUtf8(value);
  bool clean = points.has_value();
  if (clean) {
    for (uint32_t point : *points) clean = clean && !IsControl(point);
  }
  const bool expected = clean && points->size() >= min_chars && points->size() <= max_chars;
  Require(status.ok() == expected, "ValidateText",
          absl::StrCat(status.ok() ? "accepted" : "refused", " \"", absl::CHexEscape(value), "\" (", min_chars, "..",
                       max_chars, " chars)"));
  if (!status.ok()) RequireFieldError(status, "text", "ValidateText");
  // What an error message quotes of the input is clean text, and the text itself when it is.
  const std::string quoted = api::QuotableText(value);
  Require(
      api::ValidateText(quoted, "quoted", 0, std::numeric_limits<size_t>::max()).ok() && (!clean || quoted == value),
      "QuotableText", absl::StrCat("quoted \"", absl::CHexEscape(value), "\" as \"", absl::CHexEscape(quoted), "\""));
  const long length = api::Utf8Length(value);
  Require(length == (points.has_value() ? static_cast<long>(points->size()) : -1), "Utf8Length",
          absl::StrCat("wrong length ", length, " of \"", absl::CHexEscape(value), "\""));
}

void CheckRequestId(InputReader& input) {
  const std::string id = input.String();
  bool expected = id.size() <= 64;
  for (unsigned char c : id) expected = expected && c >= 0x21 && c <= 0x7E;
  const absl::Status status = api::ValidateRequestId(id, "request_id");
  Require(status.ok() == expected, "ValidateRequestId",
          absl::StrCat(status.ok() ? "accepted" : "refused", " \"", absl::CHexEscape(id), "\""));
  if (!status.ok()) RequireFieldError(status, "request_id", "ValidateRequestId");
}

constexpr const char* kCollections[] = {"employees", "orgUnits", "teams", "cases", "cycles", "scorecards"};
constexpr const char* kSuffixes[] = {"quota", "evaluations", ""};

// Ids of up to 18 digits are names; the database never gets near the 19-digit ones.
constexpr int64_t kMaxNameId = 999'999'999'999'999'999;

void CheckName(InputReader& input) {
  const std::string collection = kCollections[input.Byte() % std::size(kCollections)];
  const std::string name = input.String();
  const absl::StatusOr<int64_t> id = api::ParseName(name, collection, "name");
  if (id.ok()) {
    Require(*id > 0 && api::FormatName(collection, *id) == name && api::IdOf(name) == *id, "ParseName",
            absl::StrCat("accepted \"", absl::CHexEscape(name), "\" as id ", *id));
  } else {
    RequireFieldError(id.status(), "name", "ParseName");
  }
  // Every canonical name is accepted, with its id.
  const int64_t made = input.Integer();
  if (made > 0 && made <= kMaxNameId) {
    const absl::StatusOr<int64_t> back = api::ParseName(api::FormatName(collection, made), collection, "name");
    Require(back.ok() && *back == made, "ParseName", absl::StrCat("refused the name of id ", made));
  }
  // Suffixes are the callers' constants, not input.
  const std::string suffix = kSuffixes[input.Byte() % std::size(kSuffixes)];
  const absl::StatusOr<int64_t> nested = api::ParseNameWithSuffix(name, collection, suffix, "name");
  if (nested.ok()) {
    Require(*nested > 0 && absl::StrCat(api::FormatName(collection, *nested), "/", suffix) == name,
            "ParseNameWithSuffix", absl::StrCat("accepted \"", absl::CHexEscape(name), "\""));
  } else {
    RequireFieldError(nested.status(), "name", "ParseNameWithSuffix");
  }
}

void CheckPageToken(InputReader& input) {
  const int page_size = static_cast<int>(input.Integer());
  const std::string token = input.String();
  const std::string query = input.String();
  const absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(page_size, token, query);
  if (page.ok()) {
    Require(page->page_size >= 1 && page->page_size <= api::kMaxPageSize && page->after_id >= 0 &&
                (!token.empty() || page->after_id == 0),
            "ParsePageRequest", absl::StrCat("accepted size ", page_size, " token \"", absl::CHexEscape(token), "\""));
  } else {
    Require(page.status().code() == absl::StatusCode::kInvalidArgument, "ParsePageRequest", page.status().ToString());
    const auto field = ViolatedField(page.status());
    Require(field == "page_size" || field == "page_token", "ParsePageRequest", page.status().ToString());
  }
  // A token this list issued is taken back, with its position; another list's is refused.
  const int64_t last_id = input.Integer();
  const std::string other_query = input.String();
  if (last_id < 0 || page_size < 0 || page_size > api::kMaxPageSize) return;
  const std::string issued = api::MakePageToken(last_id, query);
  const auto again = api::ParsePageRequest(page_size, issued, query);
  Require(again.ok() && again->after_id == last_id, "MakePageToken",
          absl::StrCat("refused its own token for ", last_id));
  if (StableHash(other_query) != StableHash(query)) {
    Require(!api::ParsePageRequest(page_size, issued, other_query).ok(), "ParsePageRequest",
            "accepted a token of another list");
  }
}

void CheckDate(InputReader& input) {
  google::type::Date date;
  date.set_year(static_cast<int32_t>(input.Integer()));
  date.set_month(static_cast<int32_t>(input.Integer()));
  date.set_day(static_cast<int32_t>(input.Integer()));
  const absl::StatusOr<absl::CivilDay> day = ToCivilDay(date, "date");
  if (!day.ok()) return RequireFieldError(day.status(), "date", "ToCivilDay");
  const google::type::Date back = ToDate(*day);
  Require(back.year() == date.year() && back.month() == date.month() && back.day() == date.day() &&
              date.year() >= 1900 && date.year() <= 9999,
          "ToCivilDay", absl::StrCat("accepted ", date.ShortDebugString(), " as ", ToSqlDate(*day)));
}

void CheckOne(const uint8_t* data, size_t size) {
  if (size == 0) return;
  InputReader input(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      return CheckText(input);
    case 1:
      return CheckRequestId(input);
    case 2:
      return CheckName(input);
    case 3:
      return CheckPageToken(input);
    default:
      return CheckDate(input);
  }
}

}  // namespace
}  // namespace ladder::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ladder::fuzz::CheckOne(data, size);
  return 0;
}
