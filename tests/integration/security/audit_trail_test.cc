// The audit trail: every change and every refusal is recorded with who, in what role, on
// what, and the resource before and after; the chain of hashes catches an edited, deleted
// or truncated trail.

#include "gmock/gmock.h"
#include "tests/integration/security/security_test_base.h"

namespace ladder::testing {
namespace {

using ::testing::HasSubstr;

class AuditTrailTest : public SecurityTestBase {
 protected:
  std::vector<common::v1::AuditEvent> AllEvents(const std::string& actor = "") {
    std::vector<common::v1::AuditEvent> events;
    pv1::ListAuditEventsRequest request;
    request.set_page_size(3);
    request.set_actor(actor);
    do {
      pv1::ListAuditEventsResponse page;
      EXPECT_THAT(CallPeople(&PeopleStub::ListAuditEvents, request, &page), IsOk());
      if (page.audit_events().empty()) break;
      events.insert(events.end(), page.audit_events().begin(), page.audit_events().end());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return events;
  }

  common::v1::AuditTrailVerification Verify() {
    pv1::VerifyAuditTrailResponse response;
    EXPECT_THAT(CallPeople(&PeopleStub::VerifyAuditTrail, pv1::VerifyAuditTrailRequest(), &response), IsOk());
    return response.verification();
  }
};

TEST_F(AuditTrailTest, ChangesAndRefusalsAreRecordedWithBeforeAndAfter) {
  const World world = BuildWorld();
  ASSERT_FALSE(HasFailure());

  // A refusal: county HR of county A renaming a team of county B.
  const Caller county_hr = AsUser({"hr-of-a", "COUNTY_HR", {world.county_a}});
  const grpc::Status refused =
      RawCall(personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/UpdateTeam",
              Fill(R"(team { name: "{teamB}" display_name: "renamed" } update_mask { paths: "display_name" })", world),
              county_hr);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // A change with a before: a level correction by an HR admin.
  pv1::Employee changed;
  ASSERT_THAT(ChangeLevelOn(world.employee_a.name(), kSenior, kIntermediate, TodayInBranch(), &changed), IsOk());

  const std::vector<common::v1::AuditEvent> events = AllEvents();
  ASSERT_FALSE(events.empty());
  // Newest first, one id apart, each chained to the next older one.
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i].previous_hash(), events[i + 1].hash());
  }
  const common::v1::AuditEvent& correction = events.front();
  EXPECT_EQ(correction.method(), "/ladder.personnel.v1.PersonnelService/ChangeLevel");
  EXPECT_EQ(correction.actor(), "user:test");  // CallPeople calls as an HR admin named test
  EXPECT_EQ(correction.role(), "HR_ADMIN");
  EXPECT_EQ(correction.resource(), world.employee_a.name());
  EXPECT_EQ(correction.outcome(), "OK");
  EXPECT_THAT(correction.before_json(), HasSubstr("LEVEL_SENIOR"));
  EXPECT_THAT(correction.after_json(), HasSubstr("LEVEL_INTERMEDIATE"));

  const std::vector<common::v1::AuditEvent> refusals = AllEvents("user:hr-of-a");
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].method(), "/ladder.personnel.v1.PersonnelService/UpdateTeam");
  EXPECT_EQ(refusals[0].role(), "COUNTY_HR");
  EXPECT_EQ(refusals[0].outcome(), "PERMISSION_DENIED");
  EXPECT_EQ(refusals[0].resource(), world.team_b);  // named inside `team`: team.name

  // The employees were created and levelled in the set-up: every one of those is there too.
  int creations = 0;
  for (const auto& event : events) {
    if (event.method() == "/ladder.personnel.v1.PersonnelService/CreateEmployee") ++creations;
  }
  EXPECT_EQ(creations, 10);

  // Careerpath's certificate is the actor of what it asks personnel to do; its own trail
  // holds the people's decisions (the nominations of the set-up).
  cv1::ListAuditEventsResponse career;
  ASSERT_THAT(CallCareer(&CareerStub::ListAuditEvents, cv1::ListAuditEventsRequest(), &career), IsOk());
  ASSERT_GE(career.audit_events_size(), 2);
  EXPECT_EQ(career.audit_events(0).method(), "/ladder.careerpath.v1.CareerPathService/NominateCareerMove");
  EXPECT_EQ(career.audit_events(0).resource(), world.case_b);

  // An approval: careerpath applies it in personnel with its certificate, for the HR officer.
  // (Employee B's case: employee A is no longer a senior after the correction above.)
  cv1::GetCaseRequest get;
  get.set_name(world.case_b);
  cv1::Case proposed;
  ASSERT_THAT(CallCareer(&CareerStub::GetCase, get, &proposed), IsOk());
  cv1::ApproveCaseRequest approve;
  approve.set_name(world.case_b);
  approve.set_etag(proposed.etag());
  cv1::Case approved;
  ASSERT_THAT(CallCareer(&CareerStub::ApproveCase, approve, &approved, "hr-li"), IsOk());
  const std::vector<common::v1::AuditEvent> applied = AllEvents("service:careerpath");
  ASSERT_FALSE(applied.empty());
  EXPECT_EQ(applied.front().role(), "SERVICE");
  EXPECT_EQ(applied.front().on_behalf_of(), "user:hr-li");
  EXPECT_EQ(applied.front().resource(), world.employee_b.name());
  EXPECT_TRUE(Verify().intact()) << "the chain covers the new field";

  // One trace: careerpath's record of the approval and personnel's record of applying it
  // carry the trace id the approval call started (the caller sent none).
  cv1::ListAuditEventsResponse after_approval;
  ASSERT_THAT(CallCareer(&CareerStub::ListAuditEvents, cv1::ListAuditEventsRequest(), &after_approval), IsOk());
  std::string approval_trace;
  for (const common::v1::AuditEvent& event : after_approval.audit_events()) {
    if (event.method() == "/ladder.careerpath.v1.CareerPathService/ApproveCase") {
      approval_trace = event.trace_id();  // newest first: this approval's
      break;
    }
  }
  EXPECT_THAT(approval_trace, ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(applied.front().trace_id(), approval_trace);
  // A refusal records the trace of the refused call too.
  EXPECT_THAT(refusals[0].trace_id(), ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_NE(refusals[0].trace_id(), approval_trace);
}

TEST_F(AuditTrailTest, VerifyFindsEditedDeletedAndTruncatedEvents) {
  CreateCounty();
  CreateCounty();
  common::v1::AuditTrailVerification verification = Verify();
  ASSERT_TRUE(verification.intact()) << verification.problem();
  const int64_t count = verification.events_checked();
  ASSERT_GE(count, 4);
  const std::string middle = absl::StrCat(count / 2);
  const std::string last = absl::StrCat(count);

  // Edited: someone changes who did it.
  ASSERT_TRUE(personnel_database_->Execute("CREATE TABLE saved AS SELECT * FROM audit_events").ok());
  ASSERT_TRUE(personnel_database_->Execute("UPDATE audit_events SET actor = 'user:nobody' WHERE id = " + middle).ok());
  verification = Verify();
  EXPECT_FALSE(verification.intact());
  EXPECT_EQ(verification.first_broken_event(), "auditEvents/" + middle);
  EXPECT_THAT(verification.problem(), HasSubstr("edited"));
  ASSERT_TRUE(
      personnel_database_->Execute("UPDATE audit_events a JOIN saved s ON a.id = s.id SET a.actor = s.actor").ok());
  ASSERT_TRUE(Verify().intact());

  // Deleted from the middle.
  ASSERT_TRUE(personnel_database_->Execute("DELETE FROM audit_events WHERE id = " + middle).ok());
  verification = Verify();
  EXPECT_FALSE(verification.intact());
  EXPECT_EQ(verification.first_broken_event(), "auditEvents/" + middle);
  EXPECT_THAT(verification.problem(), HasSubstr("missing"));
  ASSERT_TRUE(personnel_database_->Execute("INSERT INTO audit_events SELECT * FROM saved WHERE id = " + middle).ok());
  ASSERT_TRUE(Verify().intact());

  // Truncated: the newest event removed (the head still counts it).
  ASSERT_TRUE(personnel_database_->Execute("DELETE FROM audit_events WHERE id = " + last).ok());
  verification = Verify();
  EXPECT_FALSE(verification.intact());
  EXPECT_EQ(verification.first_broken_event(), "auditEvents/" + last);

  ASSERT_TRUE(personnel_database_->Execute("INSERT INTO audit_events SELECT * FROM saved WHERE id = " + last).ok());

  // The head moved back one event, as if the newest had never been written.
  verification = Verify();
  ASSERT_TRUE(verification.intact());
  EXPECT_EQ(verification.last_event(), "auditEvents/" + last);
  EXPECT_EQ(verification.last_hash().size(), 64u);
  const std::string before_last = absl::StrCat(count - 1);
  ASSERT_TRUE(personnel_database_
                  ->Execute("UPDATE audit_chain_head SET last_id = " + before_last +
                            ", last_hash = (SELECT hash FROM saved WHERE id = " + before_last + ") WHERE id = 1")
                  .ok());
  verification = Verify();
  EXPECT_FALSE(verification.intact());
  EXPECT_THAT(verification.problem(), HasSubstr("head was moved back"));
  ASSERT_TRUE(personnel_database_
                  ->Execute("UPDATE audit_chain_head SET last_id = " + last +
                            ", last_hash = (SELECT hash FROM saved WHERE id = " + last + ") WHERE id = 1")
                  .ok());
  ASSERT_TRUE(Verify().intact());

  // Forged: an event's hash replaced.
  ASSERT_TRUE(personnel_database_->Execute("UPDATE audit_events SET hash = REPEAT('a', 64) WHERE id = " + middle).ok());
  EXPECT_FALSE(Verify().intact());
  ASSERT_TRUE(personnel_database_->Execute("DROP TABLE saved").ok());
}

// The audit RPCs refuse bad input naming the field, on every service.
TEST_F(AuditTrailTest, ListAuditEventsRefusesBadInputNamingTheField) {
  const Caller auditor = AsUser({"auditor", "AUDITOR"});
  const std::vector<std::pair<std::string, std::string>> addresses = {
      {personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/ListAuditEvents"},
      {evaluation_server_->address(), "/ladder.evaluation.v1.EvaluationService/ListAuditEvents"},
      {careerpath_server_->address(), "/ladder.careerpath.v1.CareerPathService/ListAuditEvents"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"page_size: -1", "page_size"},
      {"page_size: 1001", "page_size"},
      {R"(page_token: "not-a-token")", "page_token"},
      {"actor: \"" + std::string(161, 'a') + "\"", "actor"},
  };
  for (const auto& [address, method] : addresses) {
    for (const auto& [text, field] : cases) {
      SCOPED_TRACE(method + " " + text.substr(0, 40));
      const grpc::Status status = RawCall(address, method, text, auditor);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
      EXPECT_THAT(status.error_message(), HasSubstr(field));
    }
    const grpc::Status listed = RawCall(address, method, "page_size: 1", auditor);
    EXPECT_TRUE(listed.ok()) << listed.error_message();
    // VerifyAuditTrail takes no input.
    const std::string verify = method.substr(0, method.rfind('/')) + "/VerifyAuditTrail";
    EXPECT_TRUE(RawCall(address, verify, "", auditor).ok());
  }
}

}  // namespace
}  // namespace ladder::testing
