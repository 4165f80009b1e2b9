// OrgUnit and Team calls against the real service and MariaDB.

#include <set>

#include "tests/services/personnel/personnel_test_base.h"

namespace ladder::testing {
namespace {

using Stub = pv1::PersonnelService::Stub;
using ::testing::SizeIs;

class OrgUnitTest : public PersonnelServiceTestBase {};

TEST_F(OrgUnitTest, CreatesCityBranchAndCounty) {
  pv1::OrgUnit city = CreateCityBranch();
  EXPECT_THAT(city.name(), ::testing::StartsWith("orgUnits/"));
  EXPECT_EQ(city.kind(), pv1::OrgUnit::KIND_CITY_BRANCH);
  EXPECT_TRUE(city.parent().empty());
  EXPECT_GT(city.create_time().seconds(), 0);

  pv1::OrgUnit county = CreateCounty(city.name());
  EXPECT_EQ(county.parent(), city.name());

  pv1::GetOrgUnitRequest get;
  get.set_name(county.name());
  pv1::OrgUnit read;
  ASSERT_THAT(Call(&Stub::GetOrgUnit, get, &read), IsOk());
  EXPECT_EQ(read.SerializeAsString(), county.SerializeAsString());
}

TEST_F(OrgUnitTest, ChineseNamesRoundTrip) {
  pv1::CreateOrgUnitRequest request;
  request.mutable_org_unit()->set_display_name(Unique("龙游县"));
  request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
  request.mutable_org_unit()->set_parent(CreateCityBranch().name());
  pv1::OrgUnit unit;
  ASSERT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), IsOk());
  EXPECT_EQ(unit.display_name(), request.org_unit().display_name());
}

TEST_F(OrgUnitTest, RefusesBadInputNamingTheField) {
  const std::string city = CreateCityBranch().name();
  pv1::OrgUnit unit;
  pv1::CreateOrgUnitRequest request;
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit"));

  auto valid = [&] {
    pv1::CreateOrgUnitRequest r;
    r.mutable_org_unit()->set_display_name(Unique("c"));
    r.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
    r.mutable_org_unit()->set_parent(city);
    return r;
  };
  request = valid();
  request.mutable_org_unit()->set_display_name("");
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.display_name"));
  request = valid();
  request.mutable_org_unit()->set_display_name(std::string(101, 'x'));
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.display_name"));
  request = valid();
  request.mutable_org_unit()->set_display_name("bad\nname");
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.display_name"));
  request = valid();
  request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_UNSPECIFIED);
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.kind"));
  request = valid();
  request.mutable_org_unit()->set_kind(static_cast<pv1::OrgUnit::Kind>(42));
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.kind"));
  request = valid();
  request.mutable_org_unit()->clear_parent();
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.parent"));
  request = valid();
  request.mutable_org_unit()->set_parent("orgUnits/999999");
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.parent"));
  request = valid();
  request.mutable_org_unit()->set_parent(CreateCounty(city).name());  // Not a city branch.
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.parent"));
  request = valid();
  request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("org_unit.parent"));
  request = valid();
  request.set_request_id(std::string(65, 'r'));
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &unit), RejectsField("request_id"));
}

TEST_F(OrgUnitTest, DuplicateNameAmongSiblingsIsAlreadyExists) {
  const std::string city = CreateCityBranch().name();
  pv1::CreateOrgUnitRequest request;
  request.mutable_org_unit()->set_display_name(Unique("dup"));
  request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
  request.mutable_org_unit()->set_parent(city);
  pv1::OrgUnit first, second;
  ASSERT_THAT(Call(&Stub::CreateOrgUnit, request, &first), IsOk());
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &second),
              FailsWith(grpc::StatusCode::ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS"));
  // The same name under another city branch is fine.
  request.mutable_org_unit()->set_parent(CreateCityBranch().name());
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &second), IsOk());
}

TEST_F(OrgUnitTest, RetryWithSameRequestIdHasOneEffect) {
  pv1::CreateOrgUnitRequest request;
  request.mutable_org_unit()->set_display_name(Unique("idem"));
  request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
  request.set_request_id(Unique("req-"));
  pv1::OrgUnit first, replay;
  ASSERT_THAT(Call(&Stub::CreateOrgUnit, request, &first), IsOk());
  ASSERT_THAT(Call(&Stub::CreateOrgUnit, request, &replay), IsOk());
  EXPECT_EQ(replay.SerializeAsString(), first.SerializeAsString());
  auto count = database_->QueryInt("SELECT COUNT(*) FROM org_units WHERE display_name = '" +
                                   request.org_unit().display_name() + "'");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 1);

  // The same id for a different request is refused, and nothing is written.
  request.mutable_org_unit()->set_display_name(Unique("other"));
  pv1::OrgUnit refused;
  EXPECT_THAT(Call(&Stub::CreateOrgUnit, request, &refused),
              FailsWith(grpc::StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
  count = database_->QueryInt("SELECT COUNT(*) FROM org_units WHERE display_name = '" +
                              request.org_unit().display_name() + "'");
  EXPECT_EQ(*count, 0);
}

TEST_F(OrgUnitTest, GetRefusesMalformedAndUnknownNames) {
  pv1::GetOrgUnitRequest request;
  pv1::OrgUnit unit;
  for (const char* bad : {"", "orgUnits/", "orgUnits/abc", "teams/1", "orgUnits/1/x"}) {
    request.set_name(bad);
    EXPECT_THAT(Call(&Stub::GetOrgUnit, request, &unit), RejectsField("name")) << bad;
  }
  request.set_name("orgUnits/987654321");
  EXPECT_THAT(Call(&Stub::GetOrgUnit, request, &unit), FailsWith(grpc::StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
}

TEST_F(OrgUnitTest, ListPagesToTheEndWithFilters) {
  const std::string city = CreateCityBranch().name();
  std::set<std::string> created;
  for (int i = 0; i < 7; ++i) created.insert(CreateCounty(city).name());
  CreateCounty();  // Another city's county, filtered out.

  pv1::ListOrgUnitsRequest request;
  request.set_parent(city);
  request.set_kind(pv1::OrgUnit::KIND_COUNTY);
  request.set_page_size(3);
  std::set<std::string> seen;
  int pages = 0;
  do {
    pv1::ListOrgUnitsResponse response;
    ASSERT_THAT(Call(&Stub::ListOrgUnits, request, &response), IsOk());
    EXPECT_LE(response.org_units_size(), 3);
    for (const auto& unit : response.org_units()) {
      EXPECT_EQ(unit.parent(), city);
      EXPECT_TRUE(seen.insert(unit.name()).second) << "repeated " << unit.name();
    }
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(seen, created);
  EXPECT_EQ(pages, 3);
}

TEST_F(OrgUnitTest, ListRefusesBadPagingInput) {
  pv1::ListOrgUnitsRequest request;
  pv1::ListOrgUnitsResponse response;
  request.set_page_size(-1);
  EXPECT_THAT(Call(&Stub::ListOrgUnits, request, &response), RejectsField("page_size"));
  request.set_page_size(1001);
  EXPECT_THAT(Call(&Stub::ListOrgUnits, request, &response), RejectsField("page_size"));
  request.set_page_size(1);
  request.set_page_token("not-a-token");
  EXPECT_THAT(Call(&Stub::ListOrgUnits, request, &response), RejectsField("page_token"));

  // A token is bound to the filters it was issued for.
  CreateCityBranch();
  CreateCityBranch();
  request.clear_page_token();
  ASSERT_THAT(Call(&Stub::ListOrgUnits, request, &response), IsOk());
  ASSERT_FALSE(response.next_page_token().empty());
  request.set_page_token(response.next_page_token());
  request.set_kind(pv1::OrgUnit::KIND_COUNTY);
  EXPECT_THAT(Call(&Stub::ListOrgUnits, request, &response), RejectsField("page_token"));
}

class TeamTest : public PersonnelServiceTestBase {};

TEST_F(TeamTest, CreateGetListAndUpdateWithMask) {
  const std::string county = CreateCounty().name();
  pv1::CreateTeamRequest create;
  create.mutable_team()->set_display_name(Unique("一组"));
  create.mutable_team()->set_county(county);
  pv1::Team team;
  ASSERT_THAT(Call(&Stub::CreateTeam, create, &team), IsOk());
  EXPECT_EQ(team.county(), county);
  EXPECT_TRUE(team.supervisor().empty());

  pv1::GetTeamRequest get;
  get.set_name(team.name());
  pv1::Team read;
  ASSERT_THAT(Call(&Stub::GetTeam, get, &read), IsOk());
  EXPECT_EQ(read.display_name(), create.team().display_name());

  // Only the supervisor is in the mask: the display name sent is ignored.
  pv1::Employee supervisor = CreateEmployee(county, pv1::ROLE_GROUP_DATA_SUPERVISOR);
  pv1::UpdateTeamRequest update;
  update.mutable_team()->set_name(team.name());
  update.mutable_team()->set_supervisor(supervisor.name());
  update.mutable_team()->set_display_name("ignored");
  update.mutable_update_mask()->add_paths("supervisor");
  pv1::Team updated;
  ASSERT_THAT(Call(&Stub::UpdateTeam, update, &updated), IsOk());
  EXPECT_EQ(updated.supervisor(), supervisor.name());
  EXPECT_EQ(updated.display_name(), create.team().display_name());

  pv1::ListTeamsRequest list;
  list.set_county(county);
  pv1::ListTeamsResponse listed;
  ASSERT_THAT(Call(&Stub::ListTeams, list, &listed), IsOk());
  ASSERT_THAT(listed.teams(), SizeIs(1));
  EXPECT_EQ(listed.teams(0).supervisor(), supervisor.name());
}

TEST_F(TeamTest, RefusesWrongSupervisorsCountiesAndPaths) {
  const std::string county = CreateCounty().name();
  pv1::CreateTeamRequest create;
  create.mutable_team()->set_display_name(Unique("t"));
  create.mutable_team()->set_county(county);
  pv1::Team team;
  ASSERT_THAT(Call(&Stub::CreateTeam, create, &team), IsOk());
  EXPECT_THAT(Call(&Stub::CreateTeam, create, &team),
              FailsWith(grpc::StatusCode::ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS"));

  pv1::CreateTeamRequest bad = create;
  bad.mutable_team()->set_display_name(Unique("t"));
  bad.mutable_team()->set_county(CreateCityBranch().name());
  EXPECT_THAT(Call(&Stub::CreateTeam, bad, &team), RejectsField("team.county"));

  bad = create;
  bad.mutable_team()->set_display_name(Unique("t"));
  bad.mutable_team()->set_supervisor(CreateEmployee(county).name());  // A customer manager.
  EXPECT_THAT(Call(&Stub::CreateTeam, bad, &team), RejectsField("team.supervisor"));

  bad.mutable_team()->set_supervisor(CreateEmployee(CreateCounty().name(), pv1::ROLE_GROUP_DATA_SUPERVISOR).name());
  EXPECT_THAT(Call(&Stub::CreateTeam, bad, &team), RejectsField("team.supervisor"));

  pv1::UpdateTeamRequest update;
  update.mutable_team()->set_name(team.name());
  update.mutable_update_mask()->add_paths("county");
  EXPECT_THAT(Call(&Stub::UpdateTeam, update, &team), RejectsField("update_mask"));
  update.mutable_team()->set_name("teams/999999");
  update.clear_update_mask();
  update.mutable_team()->set_display_name("x");
  EXPECT_THAT(Call(&Stub::UpdateTeam, update, &team), FailsWith(grpc::StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
}

}  // namespace
}  // namespace ladder::testing
