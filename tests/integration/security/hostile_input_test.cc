// Hostile input: strings that are not UTF-8 or hold control characters are refused naming the
// field (before any handler runs), SQL-injection payloads are stored and returned verbatim,
// and message and page sizes are bounded.

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "tests/integration/security/security_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;
using ::testing::HasSubstr;

constexpr char kCreateOrgUnit[] = "/ladder.personnel.v1.PersonnelService/CreateOrgUnit";

class HostileInputTest : public SecurityTestBase {
 protected:
  // A serialized request with `marker` replaced, byte for byte, by `bytes` (same length).
  static std::string WithBytes(const google::protobuf::Message& request, const std::string& marker,
                               const std::string& bytes) {
    return absl::StrReplaceAll(request.SerializeAsString(), {{marker, bytes}});
  }

  const Caller admin_ = AsUser({"hr-admin", "HR_ADMIN"});
};

TEST_F(HostileInputTest, InvalidUtf8IsInvalidArgumentNamingTheField) {
  pv1::CreateOrgUnitRequest create;
  create.mutable_org_unit()->set_display_name("MARK");
  create.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
  grpc::Status status =
      RawBytesCall(personnel_server_->address(), kCreateOrgUnit, WithBytes(create, "MARK", "\xff\xfe\xc3\x28"), admin_);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("org_unit.display_name"));

  pv1::BatchGetEmployeesRequest batch;
  batch.add_names("employees/1");
  batch.add_names("MARK");
  status = RawBytesCall(personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/BatchGetEmployees",
                        WithBytes(batch, "MARK", "\xed\xa0\x80\x41"), admin_);  // a UTF-16 surrogate
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("names[1]"));

  // Streams too: every message of an import is checked as it arrives.
  ev1::ImportScoresRequest header;
  header.mutable_header()->set_cycle("MARK");
  status = RawBytesCall(evaluation_server_->address(), "/ladder.evaluation.v1.EvaluationService/ImportScores",
                        WithBytes(header, "MARK", "\x80\x80\x80\x80"), admin_);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("header.cycle"));

  // Bytes that are no message at all are refused as such, not as an internal error.
  status = RawBytesCall(personnel_server_->address(), kCreateOrgUnit, "\x0a\xff\xff\xff\xff\x0f", admin_);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
}

TEST_F(HostileInputTest, ControlCharactersAreRefusedInEveryStringField) {
  for (const std::string& text : {std::string("tab\there"), std::string("nul\0in", 6), std::string("bell\a"),
                                  std::string("next line \xc2\x85"), std::string("delete\x7f")}) {
    SCOPED_TRACE(google::protobuf::CEscape(text));
    pv1::CreateOrgUnitRequest create;
    create.mutable_org_unit()->set_display_name(text);
    create.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
    const grpc::Status status =
        RawBytesCall(personnel_server_->address(), kCreateOrgUnit, create.SerializeAsString(), admin_);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("org_unit.display_name"));
  }
  // Also where no handler would look: a field the service ignores.
  pv1::GetOrgUnitRequest get;
  get.set_name("orgUnits/1\n");
  const grpc::Status status =
      RawBytesCall(personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/GetOrgUnit",
                   get.SerializeAsString(), admin_);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(HostileInputTest, SqlInjectionPayloadsAreStoredVerbatimAndHarmlessly) {
  const std::string city = CreateCityBranch().name();
  const std::vector<std::string> payloads = {
      "Robert'); DROP TABLE employees;--",
      "' OR '1'='1",
      "\" OR \"\"=\"",
      "x'; UPDATE audit_events SET actor='nobody'; --",
      "back\\slash \\' quote",
      "%_ wildcards %",
      "1; SELECT SLEEP(5)",
      "县' UNION SELECT * FROM request_log --",
  };
  for (const std::string& payload : payloads) {
    SCOPED_TRACE(payload);
    pv1::CreateOrgUnitRequest create;
    create.mutable_org_unit()->set_display_name(payload);
    create.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
    create.mutable_org_unit()->set_parent(city);
    pv1::OrgUnit created;
    ASSERT_THAT(CallPeople(&PeopleStub::CreateOrgUnit, create, &created), IsOk());
    EXPECT_EQ(created.display_name(), payload);
    pv1::GetOrgUnitRequest get;
    get.set_name(created.name());
    pv1::OrgUnit read;
    ASSERT_THAT(CallPeople(&PeopleStub::GetOrgUnit, get, &read), IsOk());
    EXPECT_EQ(read.display_name(), payload);
  }
  // Everything still stands: the people, the audit trail and its chain.
  EXPECT_GT(personnel_database_->QueryInt("SELECT COUNT(*) FROM org_units").value_or(-1), 0);
  EXPECT_TRUE(personnel_database_->QueryInt("SELECT COUNT(*) FROM employees").ok());
  pv1::VerifyAuditTrailResponse verified;
  ASSERT_THAT(CallPeople(&PeopleStub::VerifyAuditTrail, pv1::VerifyAuditTrailRequest(), &verified), IsOk());
  EXPECT_TRUE(verified.verification().intact()) << verified.verification().problem();
}

TEST_F(HostileInputTest, MessageAndPageSizesAreBounded) {
  pv1::CreateOrgUnitRequest huge;
  huge.mutable_org_unit()->set_display_name(std::string(5 << 20, 'a'));
  huge.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
  grpc::Status status = RawBytesCall(personnel_server_->address(), kCreateOrgUnit, huge.SerializeAsString(), admin_);
  EXPECT_EQ(status.error_code(), StatusCode::RESOURCE_EXHAUSTED) << status.error_message();

  status = RawCall(personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/ListOrgUnits",
                   "page_size: 1001", admin_);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
  status = RawCall(personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/ListAuditEvents",
                   "page_size: 100000", admin_);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
}

}  // namespace
}  // namespace ladder::testing
