#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/api/validation.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::api {
namespace {

// Expects INVALID_ARGUMENT whose BadRequest names `field`.
void ExpectInvalidField(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(ViolatedField(status), field) << status;
}

std::string Repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

// ---------------------------------------------------------------- resource names

TEST(ResourceNameTest, ParsesAWellFormedName) {
  absl::StatusOr<int64_t> id = ParseName("employees/42", "employees", "name");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, 42);
  EXPECT_EQ(*ParseName("employees/1", "employees", "name"), 1);
}

TEST(ResourceNameTest, FormatAndParseRoundTrip) {
  for (int64_t id : {int64_t{1}, int64_t{9}, int64_t{10}, int64_t{123456789}, int64_t{999999999999999999}}) {
    const std::string name = FormatName("orgUnits", id);
    EXPECT_EQ(name, absl::StrCat("orgUnits/", id));
    absl::StatusOr<int64_t> parsed = ParseName(name, "orgUnits", "county");
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status();
    EXPECT_EQ(*parsed, id);
  }
}

TEST(ResourceNameTest, RefusesMalformedNamesNamingTheField) {
  for (const char* bad :
       {"", "employees/", "employees/0", "employees/007", "employees/-1", "employees/+1", "employees/42/x",
        "employees/42/", "employees/4 2", "employees//42", "employees42", "teams/42", "Employees/42", "employeesX/42",
        "/employees/42", "employees/0x2A", "employees/4.2"}) {
    SCOPED_TRACE(bad);
    ExpectInvalidField(ParseName(bad, "employees", "employee.team").status(), "employee.team");
  }
}

TEST(ResourceNameTest, RefusesOverlongIds) {
  // 18 digits fit an int64 comfortably; 19 digits (even INT64_MAX) and more are refused.
  EXPECT_EQ(*ParseName("employees/123456789012345678", "employees", "name"), int64_t{123456789012345678});
  for (const char* bad :
       {"employees/1234567890123456789", "employees/9223372036854775807", "employees/99999999999999999999999"}) {
    SCOPED_TRACE(bad);
    ExpectInvalidField(ParseName(bad, "employees", "names[3]").status(), "names[3]");
  }
}

TEST(ResourceNameTest, ParsesANameWithASuffix) {
  absl::StatusOr<int64_t> id = ParseNameWithSuffix("orgUnits/3/quota", "orgUnits", "quota", "name");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, 3);
}

TEST(ResourceNameTest, RefusesNamesWithAWrongSuffix) {
  for (const char* bad : {"", "orgUnits/3", "orgUnits/3/", "orgUnits/3/quotas", "orgUnits/3quota", "orgUnits/0/quota",
                          "orgUnits//quota", "teams/3/quota", "orgUnits/3/x/quota"}) {
    SCOPED_TRACE(bad);
    ExpectInvalidField(ParseNameWithSuffix(bad, "orgUnits", "quota", "name").status(), "name");
  }
}

// ---------------------------------------------------------------- pagination

constexpr char kQuery[] = "county=orgUnits/3;role=1";

TEST(PaginationTest, PageSizeDefaultsAndLimits) {
  absl::StatusOr<PageRequest> zero = ParsePageRequest(0, "", kQuery);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->page_size, 100);
  EXPECT_EQ(zero->after_id, 0);
  EXPECT_EQ(ParsePageRequest(1, "", kQuery)->page_size, 1);
  EXPECT_EQ(ParsePageRequest(1000, "", kQuery)->page_size, 1000);
  ExpectInvalidField(ParsePageRequest(-1, "", kQuery).status(), "page_size");
  ExpectInvalidField(ParsePageRequest(1001, "", kQuery).status(), "page_size");
}

TEST(PaginationTest, ATokenRoundTripsToItsAfterId) {
  for (int64_t last_id : {int64_t{0}, int64_t{1}, int64_t{42}, int64_t{9007199254740993}}) {
    const std::string token = MakePageToken(last_id, kQuery);
    EXPECT_FALSE(token.empty());
    EXPECT_EQ(token.find(std::to_string(last_id) + ":"), std::string::npos) << "the token should be opaque: " << token;
    absl::StatusOr<PageRequest> request = ParsePageRequest(25, token, kQuery);
    ASSERT_TRUE(request.ok()) << request.status();
    EXPECT_EQ(request->after_id, last_id);
    EXPECT_EQ(request->page_size, 25);
  }
}

TEST(PaginationTest, ATokenOfAnotherQueryIsRefused) {
  const std::string token = MakePageToken(42, kQuery);
  ExpectInvalidField(ParsePageRequest(10, token, "county=orgUnits/4;role=1").status(), "page_token");
  ExpectInvalidField(ParsePageRequest(10, token, "").status(), "page_token");
}

TEST(PaginationTest, AGarbageTokenIsRefused) {
  for (const char* bad : {"garbage", "!!!", "p1:42:0000000000000000", "cDE6NDI", "=="}) {
    SCOPED_TRACE(bad);
    ExpectInvalidField(ParsePageRequest(10, bad, kQuery).status(), "page_token");
  }
}

TEST(PaginationTest, ATamperedTokenIsRefused) {
  const std::string token = MakePageToken(42, kQuery);
  std::string decoded;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &decoded));
  std::vector<std::string> parts = absl::StrSplit(decoded, ':');
  ASSERT_EQ(parts.size(), 3u) << decoded;

  // Another checksum.
  std::string other_hash = parts[2];
  other_hash[0] = other_hash[0] == '0' ? '1' : '0';
  ExpectInvalidField(
      ParsePageRequest(10, absl::WebSafeBase64Escape(absl::StrCat(parts[0], ":", parts[1], ":", other_hash)), kQuery)
          .status(),
      "page_token");
  // Another token version.
  ExpectInvalidField(
      ParsePageRequest(10, absl::WebSafeBase64Escape(absl::StrCat("p2:", parts[1], ":", parts[2])), kQuery).status(),
      "page_token");
  // A negative or non-numeric position.
  for (const char* id : {"-5", "x", "", "4 2"}) {
    ExpectInvalidField(
        ParsePageRequest(10, absl::WebSafeBase64Escape(absl::StrCat(parts[0], ":", id, ":", parts[2])), kQuery)
            .status(),
        "page_token");
  }
  // An extra field.
  ExpectInvalidField(ParsePageRequest(10, absl::WebSafeBase64Escape(absl::StrCat(decoded, ":1")), kQuery).status(),
                     "page_token");

  // A token carrying state from page to page gives it back; changed, it is refused.
  const std::string carrying = MakePageToken(42, kQuery, {7, 3, 0, 12});
  absl::StatusOr<PageRequest> carried = ParsePageRequest(10, carrying, kQuery);
  ASSERT_TRUE(carried.ok()) << carried.status();
  EXPECT_EQ(carried->after_id, 42);
  EXPECT_EQ(carried->carried, (std::vector<int64_t>{7, 3, 0, 12}));
  std::string carrying_decoded;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(carrying, &carrying_decoded));
  std::string changed_state = carrying_decoded;
  changed_state[changed_state.size() - 1] = '3';
  ExpectInvalidField(ParsePageRequest(10, absl::WebSafeBase64Escape(changed_state), kQuery).status(), "page_token");
  ExpectInvalidField(ParsePageRequest(10, carrying, "another query").status(), "page_token");

  // Any one character of the encoded checksum changed. The token is "p1:42:" (6 bytes) and a
  // 16-digit checksum (bytes 6..21); base64 character k carries bits 6k..6k+5, so
  // characters 8..28 carry only checksum bits.
  ASSERT_EQ(decoded.size(), 22u);
  for (size_t k = 8; k <= 28; ++k) {
    std::string tampered = token;
    tampered[k] = tampered[k] == 'A' ? 'B' : 'A';
    SCOPED_TRACE(tampered);
    ExpectInvalidField(ParsePageRequest(10, tampered, kQuery).status(), "page_token");
  }
}

// ---------------------------------------------------------------- text validation

TEST(ValidationTest, AcceptsOrdinaryText) {
  EXPECT_TRUE(ValidateText("张三", "employee.display_name", 1, 100).ok());
  EXPECT_TRUE(ValidateText("Zhang San", "employee.display_name", 1, 100).ok());
  EXPECT_TRUE(ValidateText("😀", "f", 1, 1).ok());  // One code point, four bytes.
  EXPECT_TRUE(ValidateText("", "decision", 0, 200).ok());
}

TEST(ValidationTest, CountsCharactersNotBytes) {
  const std::string hundred = Repeat("张", 100);
  ASSERT_EQ(hundred.size(), 300u);
  EXPECT_TRUE(ValidateText(hundred, "employee.display_name", 1, 100).ok());
  const absl::Status status = ValidateText(hundred + "张", "employee.display_name", 1, 100);
  ExpectInvalidField(status, "employee.display_name");
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("101"));
  // Mixed widths: 1 + 2 + 3 + 4 bytes, four characters.
  EXPECT_TRUE(ValidateText("aé张😀", "f", 4, 4).ok());
  ExpectInvalidField(ValidateText("aé张😀", "f", 1, 3), "f");
  ExpectInvalidField(ValidateText("aé张😀", "f", 5, 10), "f");
}

TEST(ValidationTest, RefusesInvalidUtf8) {
  for (const std::string& bad : {std::string("\xff"), std::string("ab\xff"),
                                 std::string("\xe5\xbc"),  // 张 cut short.
                                 std::string("\xe5\xbc"
                                             "a"),                 // Bad continuation.
                                 std::string("\x80"),              // Lone continuation.
                                 std::string("\xC0\xAF"),          // Overlong '/'.
                                 std::string("\xE0\x80\xAF"),      // Overlong '/', 3 bytes.
                                 std::string("\xED\xA0\x80"),      // UTF-16 surrogate D800.
                                 std::string("\xED\xBF\xBF"),      // Surrogate DFFF.
                                 std::string("\xF4\x90\x80\x80"),  // Beyond U+10FFFF.
                                 std::string("\xF8\x88\x80\x80\x80")}) {
    SCOPED_TRACE(absl::CHexEscape(bad));
    ExpectInvalidField(ValidateText(bad, "employee.display_name", 0, 100), "employee.display_name");
    EXPECT_EQ(Utf8Length(bad), -1);
  }
}

TEST(ValidationTest, RefusesControlCharacters) {
  for (const std::string& bad : {std::string("a\nb"), std::string("a\tb"), std::string("a\rb"),
                                 std::string("a\x7f"
                                             "b"),
                                 std::string("a\xC2\x85"
                                             "b"),
                                 std::string("a\xC2\x9F"
                                             "b"),
                                 std::string("a\0b", 3)}) {
    SCOPED_TRACE(absl::CHexEscape(bad));
    ExpectInvalidField(ValidateText(bad, "reason", 1, 100), "reason");
  }
  // U+00A0, just past the C1 controls, is not a control character.
  EXPECT_TRUE(ValidateText("a\xC2\xA0"
                           "b",
                           "reason", 1, 100)
                  .ok());
}

TEST(ValidationTest, EmptyIsRefusedWhenRequired) {
  ExpectInvalidField(ValidateText("", "employee.display_name", 1, 100), "employee.display_name");
  ExpectInvalidField(ValidateText("ab", "f", 3, 100), "f");
}

TEST(ValidationTest, SqlLookingTextIsJustText) {
  EXPECT_TRUE(ValidateText("Robert'); DROP TABLE employees;--", "reason", 1, 500).ok());
  EXPECT_TRUE(ValidateText("' OR '1'='1", "reason", 1, 500).ok());
}

TEST(ValidationTest, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0);
  EXPECT_EQ(Utf8Length("abc"), 3);
  EXPECT_EQ(Utf8Length("张三"), 2);
  EXPECT_EQ(Utf8Length("aé张😀"), 4);
}

TEST(ValidationTest, QuotableTextKeepsCleanTextAndEscapesTheRest) {
  EXPECT_EQ(QuotableText("display_name"), "display_name");
  EXPECT_EQ(QuotableText("业务业绩"), "业务业绩");
  EXPECT_EQ(QuotableText("a\nb"), "a\\nb");
  EXPECT_EQ(QuotableText("a\xFF-"), "a\\xff-");
  EXPECT_TRUE(ValidateText(QuotableText("\xE4\xB8"), "f", 0, 100).ok());
}

TEST(ValidationTest, RequestIdIsShortPrintableAscii) {
  EXPECT_TRUE(ValidateRequestId("", "request_id").ok());
  EXPECT_TRUE(ValidateRequestId("3f2b9c1e-0d4a-4c55-9a6e-1b7f0e2d9c11", "request_id").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(64, 'a'), "request_id").ok());
  ExpectInvalidField(ValidateRequestId(std::string(65, 'a'), "request_id"), "request_id");
  ExpectInvalidField(ValidateRequestId("a b", "header.request_id"), "header.request_id");
  ExpectInvalidField(ValidateRequestId("张", "request_id"), "request_id");
}

}  // namespace
}  // namespace ladder::api
