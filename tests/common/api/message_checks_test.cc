// The checks every request gets from the call guard before any handler: invalid UTF-8 and
// control characters named by field path, malformed bytes refused as such.

#include "common/api/message_checks.h"

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ladder/personnel/v1/personnel_service.pb.h"

namespace ladder::api {
namespace {

namespace pv1 = ::ladder::personnel::v1;
using ::testing::HasSubstr;

std::string Replace(const std::string& bytes, const std::string& marker, const std::string& with) {
  return absl::StrReplaceAll(bytes, {{marker, with}});
}

TEST(MessageChecksTest, ValidRequestsParse) {
  pv1::CreateEmployeeRequest request;
  request.mutable_employee()->set_display_name("王小明");
  request.mutable_employee()->set_county("orgUnits/2");
  pv1::CreateEmployeeRequest parsed;
  ASSERT_TRUE(ParseRequest(request.SerializeAsString(), parsed).ok());
  EXPECT_EQ(parsed.employee().display_name(), "王小明");
}

TEST(MessageChecksTest, InvalidUtf8IsNamedByItsPath) {
  pv1::CreateEmployeeRequest request;
  request.mutable_employee()->set_display_name("MARK");
  pv1::CreateEmployeeRequest parsed;
  for (const std::string& bad : {std::string("\xff\xff\xff\xff"), std::string("\xc0\xaf\x41\x41"),
                                 std::string("\xed\xa0\x80\x41"), std::string("\xf4\x90\x80\x80")}) {
    const absl::Status status = ParseRequest(Replace(request.SerializeAsString(), "MARK", bad), parsed);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("employee.display_name"));
    EXPECT_THAT(status.message(), HasSubstr("UTF-8"));
  }
  pv1::BatchGetEmployeesRequest batch;
  batch.add_names("employees/1");
  batch.add_names("employees/2");
  batch.add_names("MARK");
  pv1::BatchGetEmployeesRequest parsed_batch;
  const absl::Status status =
      ParseRequest(Replace(batch.SerializeAsString(), "MARK", "\xfe\xfe\xfe\xfe"), parsed_batch);
  EXPECT_THAT(status.message(), HasSubstr("names[2]"));
}

TEST(MessageChecksTest, ControlCharactersAreNamedByTheirPath) {
  pv1::UpdateEmployeeRequest request;
  request.mutable_employee()->set_name("employees/1");
  request.mutable_update_mask()->add_paths("display_name");
  request.mutable_update_mask()->add_paths("team\r");
  pv1::UpdateEmployeeRequest parsed;
  absl::Status status = ParseRequest(request.SerializeAsString(), parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("update_mask.paths[1]"));

  for (const std::string& text : {std::string("a\x01"), std::string("\x7f"), std::string("\xc2\x80"),
                                  std::string("\xc2\x9f"), std::string("x\0y", 3)}) {
    pv1::GetEmployeeRequest get;
    get.set_name(text);
    EXPECT_EQ(RefuseControlCharacters(get).code(), absl::StatusCode::kInvalidArgument);
  }
  pv1::GetEmployeeRequest fine;
  fine.set_name("employees/1 ¥ é 中 \xc2\xa0");  // U+00A0 is not a control character
  EXPECT_TRUE(RefuseControlCharacters(fine).ok());
}

TEST(MessageChecksTest, MalformedBytesAreInvalidArgumentNotACrash) {
  pv1::CreateEmployeeRequest parsed;
  for (const std::string& bytes : {std::string("\x0a\xff\xff\xff\xff\x0f", 6), std::string("\x0a\x05\x12\x10", 4),
                                   std::string("\xff", 1), std::string("\x0b", 1)}) {
    const absl::Status status = ParseRequest(bytes, parsed);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace ladder::api
