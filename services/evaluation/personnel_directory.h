#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "ladder/common/v1/level.pb.h"
#include "ladder/personnel/v1/employee.pb.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"

namespace ladder::evaluation {

// A participant as the personnel service knows them when a cycle is created.
struct ParticipantRecord {
  int64_t employee_id = 0;
  int64_t county_id = 0;
  int64_t team_id = 0;
  common::v1::Level level = common::v1::LEVEL_UNSPECIFIED;
};

// What evaluation reads from the personnel service, through its contract only.
class PersonnelDirectory {
 public:
  virtual ~PersonnelDirectory() = default;

  // The levelled customer managers in post of `scope` ("orgUnits/{id}": a county, or a city
  // branch meaning all its counties). INVALID_ARGUMENT naming `field` if the scope does
  // not exist; UNAVAILABLE if personnel cannot be reached.
  virtual absl::StatusOr<std::vector<ParticipantRecord>> ListParticipants(const std::string& scope,
                                                                          absl::string_view field) = 0;

  // One employee; NOT_FOUND passes through.
  virtual absl::StatusOr<personnel::v1::Employee> GetEmployee(const std::string& name) = 0;

  // One org unit ("orgUnits/{id}"); NOT_FOUND passes through.
  virtual absl::StatusOr<personnel::v1::OrgUnit> GetOrgUnit(const std::string& name) = 0;
};

// The directory over a gRPC channel to the personnel service. Reads page through Lists in
// pages of 1,000, each call with `deadline`.
std::unique_ptr<PersonnelDirectory> MakeGrpcPersonnelDirectory(std::shared_ptr<grpc::Channel> channel,
                                                               absl::Duration deadline = absl::Seconds(10));

}  // namespace ladder::evaluation
