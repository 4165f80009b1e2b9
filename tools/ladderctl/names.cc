#include "tools/ladderctl/names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"

namespace ladder::ladderctl {
namespace {

namespace cv1 = ::ladder::careerpath::v1;
namespace ev1 = ::ladder::evaluation::v1;
namespace pv1 = ::ladder::personnel::v1;

template <typename Enum>
struct Word {
  Enum value;
  const char* chinese;
  const char* name;   // the enum name
  const char* alias;  // another accepted word, or ""
};

template <typename Enum, size_t N>
std::string Text(const Word<Enum> (&words)[N], Enum value, bool machine) {
  for (const Word<Enum>& word : words) {
    if (word.value == value) return machine ? word.name : word.chinese;
  }
  return machine ? "UNSPECIFIED" : "-";
}

// "LEVEL_SENIOR" matches "senior", "Senior", "level_senior", "高级".
template <typename Enum, size_t N>
std::optional<Enum> Parse(const Word<Enum> (&words)[N], absl::string_view prefix, absl::string_view text) {
  const std::string wanted = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (wanted.empty()) return std::nullopt;
  std::string replaced = wanted;
  for (char& c : replaced) {
    if (c == '-' || c == ' ') c = '_';
  }
  for (const Word<Enum>& word : words) {
    absl::string_view name = word.name;
    absl::string_view bare = name;
    absl::ConsumePrefix(&bare, prefix);
    if (wanted == word.chinese || replaced == name || replaced == bare ||
        (word.alias[0] != '\0' && (wanted == word.alias || replaced == absl::AsciiStrToUpper(word.alias)))) {
      return word.value;
    }
  }
  return std::nullopt;
}

constexpr Word<Level> kLevels[] = {
    {Level::LEVEL_JUNIOR, "初级", "LEVEL_JUNIOR", ""},
    {Level::LEVEL_INTERMEDIATE, "中级", "LEVEL_INTERMEDIATE", ""},
    {Level::LEVEL_SENIOR, "高级", "LEVEL_SENIOR", ""},
};
constexpr Word<Role> kRoles[] = {
    {Role::ROLE_CUSTOMER_MANAGER, "客户经理", "ROLE_CUSTOMER_MANAGER", ""},
    {Role::ROLE_CUSTOMER_SERVICE_STAFF, "客户服务员", "ROLE_CUSTOMER_SERVICE_STAFF", ""},
    {Role::ROLE_GROUP_DATA_SUPERVISOR, "集团数据督导", "ROLE_GROUP_DATA_SUPERVISOR", ""},
    {Role::ROLE_BRANCH_CHIEF, "分局长", "ROLE_BRANCH_CHIEF", ""},
    {Role::ROLE_OTHER, "其他", "ROLE_OTHER", "其他岗位"},
};
constexpr Word<EntryChannel> kChannels[] = {
    {EntryChannel::ENTRY_CHANNEL_INTERNAL_RECRUITMENT, "内部招聘", "ENTRY_CHANNEL_INTERNAL_RECRUITMENT", "internal"},
    {EntryChannel::ENTRY_CHANNEL_TRANSFER, "转岗", "ENTRY_CHANNEL_TRANSFER", ""},
    {EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT, "外部招聘", "ENTRY_CHANNEL_EXTERNAL_RECRUITMENT", "external"},
};
constexpr Word<EmploymentStatus> kStatuses[] = {
    {EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL, "试岗期", "EMPLOYMENT_STATUS_ON_TRIAL", "试岗"},
    {EmploymentStatus::EMPLOYMENT_STATUS_AWAITING_LEVEL, "待定级", "EMPLOYMENT_STATUS_AWAITING_LEVEL", ""},
    {EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE, "在岗", "EMPLOYMENT_STATUS_ACTIVE", ""},
    {EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED, "离职", "EMPLOYMENT_STATUS_SEPARATED", ""},
};
constexpr Word<SeparationReason> kSeparations[] = {
    {SeparationReason::SEPARATION_REASON_ELIMINATED, "淘汰", "SEPARATION_REASON_ELIMINATED", ""},
    {SeparationReason::SEPARATION_REASON_TRIAL_FAILED, "试岗不合格", "SEPARATION_REASON_TRIAL_FAILED", ""},
    {SeparationReason::SEPARATION_REASON_RESIGNED, "辞职", "SEPARATION_REASON_RESIGNED", ""},
    {SeparationReason::SEPARATION_REASON_RETIRED, "退休", "SEPARATION_REASON_RETIRED", ""},
    {SeparationReason::SEPARATION_REASON_DISMISSED, "辞退", "SEPARATION_REASON_DISMISSED", ""},
    {SeparationReason::SEPARATION_REASON_OTHER, "其他", "SEPARATION_REASON_OTHER", ""},
};
constexpr Word<cv1::Case::Kind> kCaseKinds[] = {
    {cv1::Case::KIND_PROMOTION, "晋升", "KIND_PROMOTION", ""},
    {cv1::Case::KIND_DEMOTION, "降级", "KIND_DEMOTION", ""},
    {cv1::Case::KIND_ELIMINATION, "淘汰", "KIND_ELIMINATION", ""},
    {cv1::Case::KIND_CAREER_MOVE, "职业发展", "KIND_CAREER_MOVE", ""},
};
constexpr Word<cv1::Case::State> kCaseStates[] = {
    {cv1::Case::STATE_PROPOSED, "待审批", "STATE_PROPOSED", ""},
    {cv1::Case::STATE_APPROVED, "已批准", "STATE_APPROVED", ""},
    {cv1::Case::STATE_WAITING_FOR_SLOT, "等待名额", "STATE_WAITING_FOR_SLOT", "waiting"},
    {cv1::Case::STATE_APPLIED, "已执行", "STATE_APPLIED", ""},
    {cv1::Case::STATE_REJECTED, "已驳回", "STATE_REJECTED", ""},
    {cv1::Case::STATE_WITHDRAWN, "已撤回", "STATE_WITHDRAWN", ""},
};
constexpr Word<ev1::Cycle::State> kCycleStates[] = {
    {ev1::Cycle::STATE_OPEN, "评分中", "STATE_OPEN", ""},
    {ev1::Cycle::STATE_IN_REVIEW, "复核中", "STATE_IN_REVIEW", "review"},
    {ev1::Cycle::STATE_FINALIZED, "已定稿", "STATE_FINALIZED", "finalised"},
};
constexpr Word<ev1::Cycle::Period> kPeriods[] = {
    {ev1::Cycle::PERIOD_MONTHLY, "月度", "PERIOD_MONTHLY", "month"},
    {ev1::Cycle::PERIOD_QUARTERLY, "季度", "PERIOD_QUARTERLY", "quarter"},
    {ev1::Cycle::PERIOD_ANNUAL, "年度", "PERIOD_ANNUAL", "year"},
};
constexpr Word<cv1::Target> kTargets[] = {
    {cv1::TARGET_PROMOTION, "晋升", "TARGET_PROMOTION", ""},
    {cv1::TARGET_DEMOTION, "降级", "TARGET_DEMOTION", ""},
    {cv1::TARGET_ELIMINATION, "淘汰", "TARGET_ELIMINATION", ""},
    {cv1::TARGET_CAREER_MOVE, "职业发展", "TARGET_CAREER_MOVE", ""},
};
constexpr Word<pv1::OrgUnit::Kind> kOrgUnitKinds[] = {
    {pv1::OrgUnit::KIND_CITY_BRANCH, "市分公司", "KIND_CITY_BRANCH", "分公司"},
    {pv1::OrgUnit::KIND_COUNTY, "区县", "KIND_COUNTY", "县区"},
};

template <typename Enum, size_t N>
std::string Choices(const Word<Enum> (&words)[N], absl::string_view prefix) {
  std::string chinese, english;
  for (const Word<Enum>& word : words) {
    absl::string_view bare = word.name;
    absl::ConsumePrefix(&bare, prefix);
    if (!chinese.empty()) {
      chinese += "/";
      english += "/";
    }
    chinese += word.chinese;
    english += absl::AsciiStrToLower(bare);
  }
  return chinese + " (or " + english + ")";
}

}  // namespace

std::string LevelText(Level v, bool m) { return Text(kLevels, v, m); }
std::string RoleText(Role v, bool m) { return Text(kRoles, v, m); }
std::string EntryChannelText(EntryChannel v, bool m) { return Text(kChannels, v, m); }
std::string StatusText(EmploymentStatus v, bool m) { return Text(kStatuses, v, m); }
std::string SeparationReasonText(SeparationReason v, bool m) { return Text(kSeparations, v, m); }
std::string CaseKindText(cv1::Case::Kind v, bool m) { return Text(kCaseKinds, v, m); }
std::string CaseStateText(cv1::Case::State v, bool m) { return Text(kCaseStates, v, m); }
std::string CycleStateText(ev1::Cycle::State v, bool m) { return Text(kCycleStates, v, m); }
std::string PeriodText(ev1::Cycle::Period v, bool m) { return Text(kPeriods, v, m); }
std::string TargetText(cv1::Target v, bool m) { return Text(kTargets, v, m); }

std::optional<Level> ParseLevel(absl::string_view t) { return Parse(kLevels, "LEVEL_", t); }
std::optional<Role> ParseRole(absl::string_view t) { return Parse(kRoles, "ROLE_", t); }
std::optional<EntryChannel> ParseEntryChannel(absl::string_view t) { return Parse(kChannels, "ENTRY_CHANNEL_", t); }
std::optional<EmploymentStatus> ParseStatus(absl::string_view t) { return Parse(kStatuses, "EMPLOYMENT_STATUS_", t); }
std::optional<SeparationReason> ParseSeparationReason(absl::string_view t) {
  return Parse(kSeparations, "SEPARATION_REASON_", t);
}
std::optional<cv1::Case::Kind> ParseCaseKind(absl::string_view t) { return Parse(kCaseKinds, "KIND_", t); }
std::optional<cv1::Case::State> ParseCaseState(absl::string_view t) { return Parse(kCaseStates, "STATE_", t); }
std::optional<ev1::Cycle::State> ParseCycleState(absl::string_view t) { return Parse(kCycleStates, "STATE_", t); }
std::optional<ev1::Cycle::Period> ParsePeriod(absl::string_view t) { return Parse(kPeriods, "PERIOD_", t); }
std::optional<cv1::Target> ParseTarget(absl::string_view t) { return Parse(kTargets, "TARGET_", t); }
std::optional<pv1::OrgUnit::Kind> ParseOrgUnitKind(absl::string_view t) { return Parse(kOrgUnitKinds, "KIND_", t); }

std::string LevelChoices() { return Choices(kLevels, "LEVEL_"); }
std::string RoleChoices() { return Choices(kRoles, "ROLE_"); }
std::string EntryChannelChoices() { return Choices(kChannels, "ENTRY_CHANNEL_"); }
std::string SeparationReasonChoices() { return Choices(kSeparations, "SEPARATION_REASON_"); }

std::optional<google::type::Date> ParseDate(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  const char separator = text.find('/') != absl::string_view::npos ? '/' : '-';
  const std::vector<absl::string_view> parts = absl::StrSplit(text, separator);
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].empty() || parts[1].size() > 2 || parts[2].empty() ||
      parts[2].size() > 2) {
    return std::nullopt;
  }
  if (separator == '-' && (parts[1].size() != 2 || parts[2].size() != 2)) return std::nullopt;
  int year = 0, month = 0, day = 0;
  for (absl::string_view part : parts) {
    for (char c : part) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
  }
  if (!absl::SimpleAtoi(parts[0], &year) || !absl::SimpleAtoi(parts[1], &month) || !absl::SimpleAtoi(parts[2], &day)) {
    return std::nullopt;
  }
  const absl::CivilDay civil(year, month, day);
  if (civil.year() != year || civil.month() != month || civil.day() != day || year < 1900) {
    return std::nullopt;  // 2026-02-30 normalises to March: not a real day.
  }
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

std::string DateText(const google::type::Date& date) {
  if (date.year() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

}  // namespace ladder::ladderctl
