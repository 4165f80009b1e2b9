// The access matrix of docs/security.md, call by call: every RPC of every service, as every
// role (in scope: county A, team A, employee A; out of scope: county B), as each service's
// certificate, and anonymously. "Allowed" means the call got past the access policy (it may
// still fail for its own reasons: the requests of mutating calls are built to fail harmlessly
// after authorization, e.g. a stale expected level); "refused" means PERMISSION_DENIED.

#include <set>

#include "gmock/gmock.h"
#include "tests/integration/security/security_test_base.h"

namespace ladder::testing {
namespace {

// Who may call: H HR_ADMIN, A AUDITOR, C COUNTY_HR, S SUPERVISOR, Q SERVICE_STAFF,
// E EMPLOYEE, P PAYROLL, O OPERATOR (in no row: it runs the servers and reads no business
// data), p/e/c the personnel/evaluation/careerpath service certificates.
struct MatrixRow {
  const char* method;
  const char* in_scope;      // request touching county A / team A / employee A
  const char* allowed_in;    // who gets past the policy with it
  const char* out_of_scope;  // the same call touching county B ("" = same request)
  const char* allowed_out;
};

constexpr char kPersonnel[] = "/ladder.personnel.v1.PersonnelService/";
constexpr char kEvaluation[] = "/ladder.evaluation.v1.EvaluationService/";
constexpr char kCareerPath[] = "/ladder.careerpath.v1.CareerPathService/";
constexpr char kOperations[] = "/google.longrunning.Operations/";

const MatrixRow kPersonnelRows[] = {
    {"CreateOrgUnit", R"(org_unit { kind: KIND_COUNTY parent: "{city}" })", "H", "", "H"},
    {"GetOrgUnit", R"(name: "{countyA}")", "HACSQEec", "", "HACSQEec"},
    {"ListOrgUnits", R"(parent: "{city}")", "HACSQEec", "", "HACSQEec"},
    {"CreateTeam", R"(team { county: "{countyA}" })", "HC", R"(team { county: "{countyB}" })", "H"},
    {"GetTeam", R"(name: "{teamA}")", "HACSQEec", "", "HACSQEec"},
    {"ListTeams", R"(county: "{countyA}")", "HACSQEec", "", "HACSQEec"},
    {"UpdateTeam", R"(team { name: "{teamA}" } update_mask { paths: "no_such_path" })", "HC",
     R"(team { name: "{teamB}" } update_mask { paths: "no_such_path" })", "H"},
    {"CreateEmployee", R"(employee { county: "{countyA}" team: "{teamA}" })", "HC",
     R"(employee { county: "{countyB}" team: "{teamB}" })", "H"},
    {"GetEmployee", R"(name: "{empA}")", "HACSQEec", R"(name: "{empB}")", "HAec"},
    {"BatchGetEmployees", R"(names: "{empA}")", "HACSQEec", R"(names: "{empA}" names: "{empB}")", "HAec"},
    // Supervisors and service staff are narrowed to their own team: with county B as filter
    // they get past the policy and see nobody (their team is not in county B).
    {"ListEmployees", R"(county: "{countyA}")", "HACSQec", R"(county: "{countyB}")", "HASQec"},
    {"UpdateEmployee", R"(employee { name: "{empA}" } update_mask { paths: "no_such_path" })", "HC",
     R"(employee { name: "{empB}" } update_mask { paths: "no_such_path" })", "H"},
    {"TransferEmployee", R"(name: "{empA}" county: "{countyA}")", "HC", R"(name: "{empA}" county: "{countyB}")", "H"},
    {"ChangeLevel", R"(name: "{empA}" expected_level: LEVEL_SENIOR level: LEVEL_INTERMEDIATE reason: "matrix")", "Hc",
     R"(name: "{empB}" expected_level: LEVEL_SENIOR level: LEVEL_INTERMEDIATE reason: "matrix")", "Hc"},
    {"ChangeRole", R"(name: "{empA}")", "Hc", R"(name: "{empB}")", "Hc"},
    {"EndEmployment", R"(name: "{empA}")", "Hc", R"(name: "{empB}")", "Hc"},
    {"ListLevelChanges", R"(parent: "{empA}")", "HACSEc", R"(parent: "{empB}")", "HAc"},
    {"GetCountyQuota", R"(name: "{countyA}/quota")", "HACSQEec", "", "HACSQEec"},
    {"ListCountyQuotas", R"(parent: "{city}")", "HACSQEec", "", "HACSQEec"},
    // The change feed: county HR see changes touching their counties; pay systems all of it.
    // The watch's cursor is malformed, so an allowed call ends at once (INVALID_ARGUMENT).
    {"ListChanges", R"(county: "{countyA}")", "HACP", R"(county: "{countyB}")", "HAP"},
    {"WatchChanges", R"(cursor: "bad" county: "{countyA}")", "HACP", R"(cursor: "bad" county: "{countyB}")", "HAP"},
    {"ListAuditEvents", "", "HA", "", "HA"},
    {"VerifyAuditTrail", "", "HA", "", "HA"},
};

// The reviews' operations, served by careerpath beside its own service.
const MatrixRow kOperationsRows[] = {
    {"GetOperation", R"(name: "{opA}")", "HAC", R"(name: "{opB}")", "HA"},
    {"ListOperations", "", "HA", "", "HA"},
    {"CancelOperation", R"(name: "{opA}")", "HC", R"(name: "{opB}")", "H"},
};

const MatrixRow kEvaluationRows[] = {
    {"CreateScorecard", "scorecard { }", "H", "", "H"},
    {"GetScorecard", R"(name: "{scorecard}")", "HACSQEc", "", "HACSQEc"},
    {"ListScorecards", "", "HACSQEc", "", "HACSQEc"},
    {"UpdateScorecard", R"(scorecard { name: "{scorecard}" } update_mask { paths: "no_such_path" })", "H", "", "H"},
    {"CreateCycle", R"(cycle { scope: "{countyA}" })", "HC", R"(cycle { scope: "{countyB}" })", "H"},
    {"GetCycle", R"(name: "{cycleA}")", "HACSQEc", "", "HACSQEc"},
    {"ListCycles", "", "HACSQEc", "", "HACSQEc"},
    // A cycle of its own: the first allowed caller starts its review, the others are told
    // it is already in review; then it is finalized the same way.
    {"StartReview", R"(name: "{cycleA2}")", "HC", R"(name: "{cycleB}" request_id: "x y")", "H"},
    {"FinalizeCycle", R"(name: "{cycleA2}")", "HC", R"(name: "{cycleB}" request_id: "x y")", "H"},
    {"RecordScores", R"(name: "{evalA}")", "HCS", R"(name: "{evalB}")", "H"},
    // Client streaming, sent here as one message: the header alone, so nothing is written.
    // Bulk imports are HR's; supervisors score one evaluation at a time.
    {"ImportScores", R"(header { cycle: "{cycleA}" })", "HC", R"(header { cycle: "{cycleB}" })", "H"},
    {"GetEvaluation", R"(name: "{evalA}")", "HACSQEc", R"(name: "{evalB}")", "HAc"},
    {"ListEvaluations", R"(parent: "{cycleA}")", "HACSQc", R"(parent: "{cycleB}" county: "{countyB}")", "HASQc"},
    {"FlagForRecheck", R"(name: "{evalA}")", "HCQ", R"(name: "{evalB}")", "H"},
    {"ResolveRecheck", R"(name: "{evalA}")", "HCQ", R"(name: "{evalB}")", "H"},
    {"ListRankings", R"(cycle: "{cycleA}" county: "{countyA}")", "HACc", R"(cycle: "{cycleB}" county: "{countyB}")",
     "HAc"},
    {"ListScoreHistory", R"(employee: "{empA}")", "HACSQEc", R"(employee: "{empB}")", "HAc"},
    {"BatchGetScoreHistories", R"(employees: "{empA}")", "HAc", R"(employees: "{empB}")", "HAc"},
    {"RecordTrialAssessment", R"(trial_assessment { employee: "{empA}" })", "HC",
     R"(trial_assessment { employee: "{empB}" })", "H"},
    // No such assessment: only unlimited readers learn that (NOT_FOUND); the rest are refused
    // exactly as for one that exists out of their scope.
    {"GetTrialAssessment", R"(name: "trialAssessments/999999")", "HAc", "", "HAc"},
    {"ListTrialAssessments", R"(employee: "{empA}")", "HACEc", R"(employee: "{empB}")", "HAc"},
    {"RecordCandidateAssessment", R"(candidate_assessment { employee: "{empA}" })", "HC",
     R"(candidate_assessment { employee: "{empB}" })", "H"},
    {"GetCandidateAssessment", R"(name: "candidateAssessments/999999")", "HAc", "", "HAc"},
    {"ListCandidateAssessments", R"(employee: "{empA}")", "HACEc", R"(employee: "{empB}")", "HAc"},
    {"ListChanges", R"(county: "{countyA}")", "HAC", R"(county: "{countyB}")", "HA"},
    {"WatchChanges", R"(cursor: "bad" county: "{countyA}")", "HAC", R"(cursor: "bad" county: "{countyB}")", "HA"},
    {"ListAuditEvents", "", "HA", "", "HA"},
    {"VerifyAuditTrail", "", "HA", "", "HA"},
};

const MatrixRow kCareerPathRows[] = {
    {"GetPolicy", "", "HACSQEpe", "", "HACSQEpe"},
    {"ListPolicyVersions", "", "HACSQEpe", "", "HACSQEpe"},
    {"CheckEligibility", R"(employee: "{empA}")", "HACSE", R"(employee: "{empB}")", "HA"},
    {"AssignInitialLevel", R"(employee: "{empA}")", "HC", R"(employee: "{empB}")", "H"},
    {"RunCycleReview", R"(cycle: "{cycleA2}")", "HC", R"(cycle: "{cycleB}")", "H"},
    {"ReviewCycle", R"(cycle: "{cycleA2}")", "HC", R"(cycle: "{cycleB}")", "H"},
    {"GetCase", R"(name: "{caseA}")", "HACE", R"(name: "{caseB}")", "HA"},
    // An employee is narrowed to their own cases: with county B they see none.
    {"ListCases", R"(county: "{countyA}")", "HACE", R"(county: "{countyB}")", "HAE"},
    {"ApproveCase", R"(name: "{caseA}" etag: "stale")", "HC", R"(name: "{caseB}" etag: "stale")", "H"},
    {"RejectCase", R"(name: "{caseA}")", "HC", R"(name: "{caseB}")", "H"},
    {"WithdrawCase", R"(name: "{caseA}")", "HC", R"(name: "{caseB}")", "H"},
    {"NominateCareerMove", R"(employee: "{empA}")", "HC", R"(employee: "{empB}")", "H"},
    {"GetDistributionReport", R"(org_unit: "{countyA}")", "HAC", R"(org_unit: "{countyB}")", "HA"},
    {"SimulateDistribution", R"(org_unit: "{countyA}")", "HAC", R"(org_unit: "{countyB}")", "HA"},
    {"ListChanges", R"(county: "{countyA}")", "HAC", R"(county: "{countyB}")", "HA"},
    {"WatchChanges", R"(cursor: "bad" county: "{countyA}")", "HAC", R"(cursor: "bad" county: "{countyB}")", "HA"},
    {"ListAuditEvents", "", "HA", "", "HA"},
    {"VerifyAuditTrail", "", "HA", "", "HA"},
};

char LetterOf(const Caller& caller) {
  static const std::map<std::string, char> kLetters = {{"HR_ADMIN", 'H'},
                                                       {"AUDITOR", 'A'},
                                                       {"COUNTY_HR", 'C'},
                                                       {"SUPERVISOR", 'S'},
                                                       {"SERVICE_STAFF", 'Q'},
                                                       {"EMPLOYEE", 'E'},
                                                       {"PAYROLL", 'P'},
                                                       {"OPERATOR", 'O'},
                                                       {"service:personnel", 'p'},
                                                       {"service:evaluation", 'e'},
                                                       {"service:careerpath", 'c'},
                                                       {"anonymous", '-'}};
  return kLetters.at(caller.label);
}

class AccessMatrixTest : public SecurityTestBase {
 protected:
  void Check(const std::string& address, const char* service, const MatrixRow* rows, size_t count,
             size_t expected_methods, const World& world) {
    // Every RPC of the service has a row: a new RPC without one fails here.
    const std::string service_name = std::string(service).substr(1, std::string(service).size() - 2);
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(descriptor, nullptr);
    std::set<std::string> covered;
    for (size_t i = 0; i < count; ++i) covered.insert(rows[i].method);
    for (int m = 0; m < descriptor->method_count(); ++m) {
      EXPECT_TRUE(covered.count(descriptor->method(m)->name()) == 1)
          << service_name << "." << descriptor->method(m)->name() << " has no row in the matrix";
    }
    EXPECT_EQ(static_cast<size_t>(descriptor->method_count()), expected_methods);

    for (size_t i = 0; i < count; ++i) {
      const MatrixRow& row = rows[i];
      const std::string method = absl::StrCat(service, row.method);
      for (bool in_scope : {true, false}) {
        const std::string request =
            Fill(in_scope || std::string(row.out_of_scope).empty() ? row.in_scope : row.out_of_scope, world);
        const std::string allowed = in_scope ? row.allowed_in : row.allowed_out;
        for (const Caller& caller : Callers(world)) {
          SCOPED_TRACE(absl::StrCat(method, " ", in_scope ? "in scope" : "out of scope", " as ", caller.label,
                                    " with {", request, "}"));
          const grpc::Status status = RawCall(address, method, request, caller);
          const char letter = LetterOf(caller);
          if (letter == '-') {
            EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
          } else if (allowed.find(letter) != std::string::npos) {
            EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
            EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
          } else {
            EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
          }
        }
      }
    }
  }
};

TEST_F(AccessMatrixTest, EveryRpcOfEveryServiceForEveryCaller) {
  const World world = BuildWorld();
  ASSERT_FALSE(HasFailure()) << "the branch for the matrix could not be built";
  Check(personnel_server_->address(), kPersonnel, kPersonnelRows, std::size(kPersonnelRows), 23, world);
  Check(evaluation_server_->address(), kEvaluation, kEvaluationRows, std::size(kEvaluationRows), 28, world);
  Check(careerpath_server_->address(), kCareerPath, kCareerPathRows, std::size(kCareerPathRows), 18, world);
  Check(careerpath_server_->address(), kOperations, kOperationsRows, std::size(kOperationsRows), 3, world);
}

// County HR of several counties see lists of one county at a time, and are told so.
TEST_F(AccessMatrixTest, CountyHrOfSeveralCountiesNameOneOfThem) {
  const World world = BuildWorld();
  ASSERT_FALSE(HasFailure());
  const Caller both = AsUser({"hr-of-two", "COUNTY_HR", {world.county_a, world.county_b}});
  const std::string list = "/ladder.personnel.v1.PersonnelService/ListEmployees";
  const grpc::Status unnamed = RawCall(personnel_server_->address(), list, "", both);
  EXPECT_EQ(unnamed.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(unnamed.error_message(), ::testing::HasSubstr("name one of them in `county`"));
  for (const std::string& county : {world.county_a, world.county_b}) {
    const grpc::Status named =
        RawCall(personnel_server_->address(), list, Fill("county: \"" + county + "\"", world), both);
    EXPECT_TRUE(named.ok()) << county << ": " << named.error_message();
  }
  // One county's HR sees theirs without naming it.
  const Caller one = AsUser({"hr-of-a", "COUNTY_HR", {world.county_a}});
  EXPECT_TRUE(RawCall(personnel_server_->address(), list, "", one).ok());
}

}  // namespace
}  // namespace ladder::testing
