#include "tools/seed/demo_branch.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <random>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/time/dates.h"

namespace ladder::seed {
namespace {

using ::ladder::personnel::v1::EntryChannel;

// std::mt19937_64's output is fixed by the C++ standard but the std distributions are not
// (libstdc++ and libc++ differ), so ranges are drawn here: a seed must give the same branch
// wherever the tool is built, or its request ids would stop matching what is stored.
class Rng final {
 public:
  // One stream per county, so a change in one county's plan leaves the others as they were.
  Rng(uint64_t seed, int stream) {
    std::seed_seq sequence{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                           static_cast<uint32_t>(stream)};
    engine_.seed(sequence);
  }

  // Uniform in [low, high].
  int Between(int low, int high) {
    if (high <= low) return low;
    const uint64_t span = static_cast<uint64_t>(high - low) + 1;
    // Dropping the lowest (2^64 mod span) outputs leaves a multiple of span: no modulo bias.
    const uint64_t skip = (std::numeric_limits<uint64_t>::max() % span + 1) % span;
    uint64_t draw = engine_();
    while (draw < skip) draw = engine_();
    return low + static_cast<int>(draw % span);
  }

  bool Percent(int chance) { return Between(0, 99) < chance; }

  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Between(0, static_cast<int>(N) - 1)];
  }

  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (int i = static_cast<int>(items.size()) - 1; i > 0; --i) {
      std::swap(items[i], items[Between(0, i)]);
    }
  }

 private:
  std::mt19937_64 engine_;
};

struct CountySpec {
  const char* display_name;
  const char* prefix;
};

constexpr CountySpec kCounties[] = {
    {"柯城区", "KC"}, {"衢江区", "QJ"}, {"龙游县", "LY"}, {"江山市", "JS"}, {"常山县", "CS"}, {"开化县", "KH"},
};

constexpr const char* kTeamNumerals[] = {"一", "二", "三", "四"};

// Common surnames, the ones frequent around Quzhou listed twice so they come up more.
constexpr const char* kSurnames[] = {
    "徐", "徐", "毛", "毛", "周", "周", "王", "王", "郑", "郑", "祝", "祝", "余", "余", "姜", "姜", "汪",
    "吴", "张", "李", "刘", "陈", "杨", "黄", "赵", "朱", "胡", "何", "林", "叶", "方", "程", "童", "傅",
    "柴", "邵", "占", "严", "鲁", "杜", "韩", "潘", "郭", "罗", "宋", "谢", "唐", "许", "曾", "袁", "蒋",
    "孙", "马", "沈", "范", "金", "蓝", "华", "戴", "应", "钱", "翁", "季", "饶", "龚", "詹",
};

constexpr const char* kGivenNameCharacters[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀", "霞", "平", "刚", "英", "华", "玲", "丹", "萍", "鹏", "辉", "建", "飞", "宇", "婷", "雪", "琳",
    "晨", "浩", "凯", "欣", "怡", "佳", "俊", "帆", "晓", "燕", "慧", "颖", "倩", "文", "斌", "亮", "红",
    "梅", "鑫", "晶", "露", "志", "国", "海", "春", "峰", "波", "云", "瑶", "璐", "嘉", "思", "雨", "梦",
    "泽", "航", "博", "睿", "诗", "悦", "晴", "越", "立", "新", "振", "永", "成", "家", "荣", "彬", "琪",
    "蕾", "菲", "青", "清", "正", "德", "卫", "兴", "炜", "晖", "毅", "婧", "琦",
};

// Hiring windows, in days before today.
constexpr int kYear = 365;
constexpr int kLongServingNewest = 150;
constexpr int kLongServingOldest = 6 * kYear - 1;
// The earliest a level can take effect: the trial (2 months − 1 day, at most 61 days) and
// up to 25 days for the assessment.
constexpr int kInitialLevelLatestAfterHire = 61 + 25;
// Hired at least this long ago, a manager can hold each level for a realistic time
// (a year as junior, two as intermediate) and still have every date in the past.
constexpr int kIntermediateEligible = kInitialLevelLatestAfterHire + kYear + 10;
constexpr int kSeniorEligible = kInitialLevelLatestAfterHire + 3 * kYear + 20;

struct Draft {
  PlannedEmployee employee;
  int hired_days_ago = 0;
  bool long_serving = false;
  int order = 0;  // Breaks ties in hiring order deterministically.
};

std::string PersonName(Rng& rng, std::set<std::string>& used) {
  std::string name;
  // A county rarely has two people of the same name; try a few draws before allowing it.
  for (int attempt = 0; attempt < 8; ++attempt) {
    name = rng.Pick(kSurnames);
    name += rng.Pick(kGivenNameCharacters);
    if (rng.Percent(75)) name += rng.Pick(kGivenNameCharacters);
    if (used.insert(name).second) break;
  }
  return name;
}

EntryChannel LongServingChannel(Rng& rng) {
  const int draw = rng.Between(0, 99);
  if (draw < 45) return EntryChannel::ENTRY_CHANNEL_INTERNAL_RECRUITMENT;
  if (draw < 65) return EntryChannel::ENTRY_CHANNEL_TRANSFER;
  return EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT;
}

// A day in [earliest, latest], spread over at most `spread` days after `earliest`.
absl::CivilDay DayBetween(Rng& rng, absl::CivilDay earliest, absl::CivilDay latest, int spread) {
  const int room = static_cast<int>(std::max<absl::civil_diff_t>(0, latest - earliest));
  return earliest + rng.Between(0, std::min(room, spread));
}

// Fills in the level steps of a long-serving customer manager whose target level is set.
void PlanLevelDates(Rng& rng, absl::CivilDay today, PlannedEmployee& manager, bool senior_candidate) {
  if (manager.entry_channel == EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT) {
    // Written test and interview, then the level: no trial.
    manager.junior_on = manager.hire_date + rng.Between(20, 50);
  } else {
    const absl::CivilDay trial_ends = AddMonths(manager.hire_date, 2) - 1;
    manager.junior_on = trial_ends + rng.Between(1, 25);
  }
  absl::CivilDay last = manager.junior_on;
  if (manager.target_level >= Level::LEVEL_INTERMEDIATE) {
    // Leave room for what follows: two years as intermediate before a senior promotion,
    // a month before a resignation.
    const int reserve = senior_candidate ? 2 * kYear + 5 : manager.resigns ? 31 : 1;
    manager.intermediate_on = DayBetween(rng, manager.junior_on + kYear, today - reserve, 900);
    last = manager.intermediate_on;
  }
  if (senior_candidate) {
    manager.senior_on = DayBetween(rng, manager.intermediate_on + 2 * kYear, today, 600);
  }
  if (manager.resigns) manager.resigns_on = DayBetween(rng, last + 30, today, 700);
}

PlannedCounty PlanCounty(const CountySpec& spec, int free_senior_slots, uint64_t seed, int stream,
                         absl::CivilDay today) {
  Rng rng(seed, stream);
  std::set<std::string> names;
  std::vector<Draft> drafts;
  const auto add = [&](Role role, int team, int hired_days_ago) -> PlannedEmployee& {
    Draft& draft = drafts.emplace_back();
    draft.order = static_cast<int>(drafts.size());
    draft.hired_days_ago = hired_days_ago;
    draft.employee.display_name = PersonName(rng, names);
    draft.employee.role = role;
    draft.employee.team = team;
    draft.employee.hire_date = today - hired_days_ago;
    return draft.employee;
  };

  PlannedCounty county;
  county.display_name = spec.display_name;
  county.prefix = spec.prefix;
  county.free_senior_slots = free_senior_slots;
  const int team_count = rng.Between(2, 4);
  for (int team = 0; team < team_count; ++team) {
    county.teams.push_back(PlannedTeam{absl::StrCat(spec.display_name, kTeamNumerals[team], "组"), 0, {}});
    add(Role::ROLE_GROUP_DATA_SUPERVISOR, team, rng.Between(6 * kYear, 15 * kYear)).post_grade = 9;
    const int staff = rng.Between(1, 2);
    for (int i = 0; i < staff; ++i) {
      add(Role::ROLE_CUSTOMER_SERVICE_STAFF, team, rng.Between(2 * kYear, 12 * kYear));
    }
  }
  const int long_serving = rng.Between(40, 52);
  for (int i = 0; i < long_serving; ++i) {
    PlannedEmployee& manager = add(Role::ROLE_CUSTOMER_MANAGER, rng.Between(0, team_count - 1),
                                   rng.Between(kLongServingNewest, kLongServingOldest));
    manager.entry_channel = LongServingChannel(rng);
    drafts.back().long_serving = true;
  }
  // Recent internal hires still in their two-month trial.
  for (int i = rng.Between(2, 3); i > 0; --i) {
    add(Role::ROLE_CUSTOMER_MANAGER, rng.Between(0, team_count - 1), rng.Between(3, 55)).entry_channel =
        EntryChannel::ENTRY_CHANNEL_INTERNAL_RECRUITMENT;
  }
  // Recent external hires waiting for their initial level.
  for (int i = rng.Between(1, 3); i > 0; --i) {
    add(Role::ROLE_CUSTOMER_MANAGER, rng.Between(0, team_count - 1), rng.Between(5, 75)).entry_channel =
        EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT;
  }

  // Employee numbers follow the hiring order, as an HR system hands them out.
  std::stable_sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
    return a.hired_days_ago != b.hired_days_ago ? a.hired_days_ago > b.hired_days_ago : a.order < b.order;
  });
  std::vector<int> managers;
  for (size_t i = 0; i < drafts.size(); ++i) {
    PlannedEmployee& employee = drafts[i].employee;
    employee.employee_number = absl::StrFormat("%s%04d", spec.prefix, i + 1);
    const int index = static_cast<int>(i);
    if (employee.role == Role::ROLE_GROUP_DATA_SUPERVISOR) {
      county.teams[employee.team].supervisor = index;
    } else if (employee.role == Role::ROLE_CUSTOMER_SERVICE_STAFF) {
      county.teams[employee.team].staff.push_back(index);
    } else if (drafts[i].long_serving) {
      managers.push_back(index);
    }
  }

  // One or two long-serving managers resign after holding a level, so history exists.
  rng.Shuffle(managers);
  const int leavers = rng.Between(1, 2);
  for (int i = 0; i < leavers; ++i) {
    Draft& draft = drafts[managers[i]];
    draft.employee.resigns = true;
    draft.employee.target_level = draft.hired_days_ago >= kIntermediateEligible + 31 && rng.Percent(50)
                                      ? Level::LEVEL_INTERMEDIATE
                                      : Level::LEVEL_JUNIOR;
  }
  // Of those who stay (N), about 65% reach intermediate or above and the rest are juniors;
  // the seniors come out of the intermediates as the county's cap allows, for a mix near
  // 35/48/17.
  const std::vector<int> staying(managers.begin() + leavers, managers.end());
  const int n = static_cast<int>(staying.size());
  int upper = (n * 65 + 50) / 100;
  for (int index : staying) {
    if (static_cast<int>(county.senior_candidates.size()) >= n / 5 + 2) break;
    if (drafts[index].hired_days_ago >= kSeniorEligible) {
      county.senior_candidates.push_back(index);
      --upper;
    }
  }
  for (int index : staying) {
    Draft& draft = drafts[index];
    const bool candidate = std::find(county.senior_candidates.begin(), county.senior_candidates.end(), index) !=
                           county.senior_candidates.end();
    if (candidate) {
      draft.employee.target_level = Level::LEVEL_INTERMEDIATE;
    } else if (upper > 0 && draft.hired_days_ago >= kIntermediateEligible) {
      draft.employee.target_level = Level::LEVEL_INTERMEDIATE;
      --upper;
    } else {
      draft.employee.target_level = Level::LEVEL_JUNIOR;
    }
  }
  for (int index : managers) {
    const bool candidate = std::find(county.senior_candidates.begin(), county.senior_candidates.end(), index) !=
                           county.senior_candidates.end();
    PlanLevelDates(rng, today, drafts[index].employee, candidate);
  }
  for (Draft& draft : drafts) county.employees.push_back(std::move(draft.employee));
  return county;
}

}  // namespace

PlannedBranch PlanDemoBranch(uint64_t seed, absl::CivilDay today) {
  PlannedBranch branch;
  branch.display_name = "衢州分公司";
  // Two counties filled to their senior cap, the others with one or two slots left free.
  std::vector<int> free_slots = {0, 0, 1, 1, 1, 2};
  Rng rng(seed, 0);
  rng.Shuffle(free_slots);
  int stream = 1;
  for (const CountySpec& spec : kCounties) {
    branch.counties.push_back(PlanCounty(spec, free_slots[stream - 1], seed, stream, today));
    ++stream;
  }
  return branch;
}

}  // namespace ladder::seed
