#include "common/server/json_log_format.h"

#include "common/server/logging.h"
#include "gtest/gtest.h"

namespace ladder::server {
namespace {

TEST(JsonLogFormatTest, AnAccessLogLineBecomesFields) {
  EXPECT_EQ(LogLineAsJson("2026-12-02T10:00:00.000000Z", "info", "personnel",
                          "event=rpc method=/ladder.personnel.v1.PersonnelService/GetEmployee code=5 ms=0.42 "
                          "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 peer=ipv4:127.0.0.1:1 "
                          "message=\"employees/9 does not exist\""),
            "{\"ts\":\"2026-12-02T10:00:00.000000Z\",\"level\":\"info\",\"service\":\"personnel\","
            "\"msg\":\"rpc\",\"method\":\"/ladder.personnel.v1.PersonnelService/GetEmployee\",\"code\":5,"
            "\"ms\":0.42,\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"peer\":\"ipv4:127.0.0.1:1\","
            "\"message\":\"employees/9 does not exist\"}");
}

TEST(JsonLogFormatTest, QuotedCallerTextCannotForgeFields) {
  // What LogQuoted made of a hostile message comes back as the same text, in one field.
  const std::string hostile = "x\" level=\"error\n\x01\\";
  const std::string line = LogLineAsJson("t", "info", "s", "event=e message=\"" + LogQuoted(hostile) + "\"");
  EXPECT_EQ(line,
            "{\"ts\":\"t\",\"level\":\"info\",\"service\":\"s\",\"msg\":\"e\","
            "\"message\":\"x\\\" level=\\\"error\\n\\u0001\\\\\"}");
}

TEST(JsonLogFormatTest, NumbersOnlyWhenJsonWouldReadThemAlike) {
  EXPECT_EQ(LogLineAsJson("t", "i", "s", "a=007 b=-3 c=1. d=12.5"),
            "{\"ts\":\"t\",\"level\":\"i\",\"service\":\"s\",\"a\":\"007\",\"b\":-3,\"c\":\"1.\",\"d\":12.5}");
}

TEST(JsonLogFormatTest, FreeTextAndFixedFieldsAreKept) {
  EXPECT_EQ(LogLineAsJson("t", "i", "s", "not pairs at all"),
            "{\"ts\":\"t\",\"level\":\"i\",\"service\":\"s\",\"msg\":\"not pairs at all\"}");
  EXPECT_EQ(LogLineAsJson("t", "i", "s", "level=error event=x"),
            "{\"ts\":\"t\",\"level\":\"i\",\"service\":\"s\",\"msg\":\"x\"}");
}

}  // namespace
}  // namespace ladder::server
