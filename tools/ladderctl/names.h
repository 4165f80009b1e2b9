#pragma once

// The words HR uses for the contracts' enums, both ways: what a table shows (初级, 客户经理…)
// and what a CSV cell or a flag may say (初级, junior, LEVEL_JUNIOR…). Machine formats
// (JSON, CSV output) use the enum names, which never change.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/type/date.pb.h"
#include "ladder/careerpath/v1/career_case.pb.h"
#include "ladder/careerpath/v1/eligibility.pb.h"
#include "ladder/common/v1/level.pb.h"
#include "ladder/evaluation/v1/cycle.pb.h"
#include "ladder/personnel/v1/employee.pb.h"
#include "ladder/personnel/v1/org_unit.pb.h"

namespace ladder::ladderctl {

using common::v1::Level;
using personnel::v1::EmploymentStatus;
using personnel::v1::EntryChannel;
using personnel::v1::Role;
using personnel::v1::SeparationReason;

// For people: "初级". For machines (`machine`): "LEVEL_JUNIOR".
std::string LevelText(Level level, bool machine = false);
std::string RoleText(Role role, bool machine = false);
std::string EntryChannelText(EntryChannel channel, bool machine = false);
std::string StatusText(EmploymentStatus status, bool machine = false);
std::string SeparationReasonText(SeparationReason reason, bool machine = false);
std::string CaseKindText(careerpath::v1::Case::Kind kind, bool machine = false);
std::string CaseStateText(careerpath::v1::Case::State state, bool machine = false);
std::string CycleStateText(evaluation::v1::Cycle::State state, bool machine = false);
std::string PeriodText(evaluation::v1::Cycle::Period period, bool machine = false);
std::string TargetText(careerpath::v1::Target target, bool machine = false);

// Each accepts the Chinese word, the enum name, or the enum name without its prefix in any
// case ("senior", "SENIOR", "LEVEL_SENIOR", "高级"). nullopt when it is none of them.
std::optional<Level> ParseLevel(absl::string_view text);
std::optional<Role> ParseRole(absl::string_view text);
std::optional<EntryChannel> ParseEntryChannel(absl::string_view text);
std::optional<EmploymentStatus> ParseStatus(absl::string_view text);
std::optional<SeparationReason> ParseSeparationReason(absl::string_view text);
std::optional<careerpath::v1::Case::Kind> ParseCaseKind(absl::string_view text);
std::optional<careerpath::v1::Case::State> ParseCaseState(absl::string_view text);
std::optional<evaluation::v1::Cycle::State> ParseCycleState(absl::string_view text);
std::optional<evaluation::v1::Cycle::Period> ParsePeriod(absl::string_view text);
std::optional<careerpath::v1::Target> ParseTarget(absl::string_view text);
std::optional<personnel::v1::OrgUnit::Kind> ParseOrgUnitKind(absl::string_view text);

// The accepted words of each, for messages: "初级/中级/高级 (or junior/intermediate/senior)".
std::string LevelChoices();
std::string RoleChoices();
std::string EntryChannelChoices();
std::string SeparationReasonChoices();

// "YYYY-MM-DD" (also "YYYY/MM/DD" and "YYYY/M/D", as spreadsheets write dates) into a real
// day; nullopt otherwise.
std::optional<google::type::Date> ParseDate(absl::string_view text);
std::string DateText(const google::type::Date& date);

}  // namespace ladder::ladderctl
