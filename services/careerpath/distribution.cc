#include "services/careerpath/distribution.h"

#include <cstdlib>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace ladder::careerpath {
namespace {

using common::v1::Level;

cv1::DistributionReport::CountyDistribution Describe(const std::string& county, const std::string& display_name,
                                                     const policy::HeadCounts& counts, const policy::Policy& policy) {
  const policy::QuotaStanding standing = policy::ComputeStanding(policy, counts);
  cv1::DistributionReport::CountyDistribution row;
  row.set_county(county);
  row.set_display_name(display_name);
  row.set_levelled_customer_managers(standing.levelled);
  int distance = 0;
  for (const policy::LevelPolicy& level : policy.levels()) {
    auto* entry = row.add_levels();
    entry->set_level(level.level());
    const int head = standing.head_counts.at(level.level());
    const int suggested = standing.suggested.at(level.level());
    entry->set_head_count(head);
    entry->set_share_percent(standing.levelled == 0 ? 0.0 : 100.0 * head / standing.levelled);
    entry->set_suggested_share_percent(level.suggested_share_percent());
    entry->set_suggested_head_count(suggested);
    entry->set_deviation(head - suggested);
    distance += std::abs(head - suggested);
  }
  row.set_senior_cap(standing.senior_cap);
  row.set_free_senior_slots(standing.free_senior_slots);
  row.set_over_cap(standing.over_cap);
  // Each person who changes level fixes one surplus and one shortfall.
  row.set_distance_from_suggested(distance / 2);
  return row;
}

CountyCounts* Find(std::vector<CountyCounts>& counties, const std::string& county) {
  for (CountyCounts& entry : counties) {
    if (entry.county == county) return &entry;
  }
  return nullptr;
}

// Whether the policy moves a manager from `from` to `to` in one decision: up by one of its
// promotion rules, or down one level by demotion (POLICY §6).
bool PolicyMakesMove(const policy::Policy& policy, Level from, Level to) {
  if (to < from) return to == from - 1;
  for (const auto& rule : policy.promotions()) {
    if (rule.from_level() == from && rule.to_level() == to) return true;
  }
  return false;
}

int Total(const policy::HeadCounts& counts) {
  int total = 0;
  for (const auto& [level, count] : counts) total += count;
  return total;
}

}  // namespace

cv1::DistributionReport BuildReport(const std::string& org_unit, const std::vector<CountyCounts>& counties,
                                    const policy::Policy& policy) {
  cv1::DistributionReport report;
  report.set_org_unit(org_unit);
  report.set_policy_version(policy.version());
  cv1::DistributionReport::CountyDistribution total;
  total.set_county(org_unit);
  total.set_display_name("total");
  for (const policy::LevelPolicy& level : policy.levels()) {
    auto* entry = total.add_levels();
    entry->set_level(level.level());
    entry->set_suggested_share_percent(level.suggested_share_percent());
  }
  for (const CountyCounts& county : counties) {
    auto row = Describe(county.county, county.display_name, county.head_counts, policy);
    total.set_levelled_customer_managers(total.levelled_customer_managers() + row.levelled_customer_managers());
    for (int i = 0; i < row.levels_size(); ++i) {
      auto* sum = total.mutable_levels(i);
      sum->set_head_count(sum->head_count() + row.levels(i).head_count());
      sum->set_suggested_head_count(sum->suggested_head_count() + row.levels(i).suggested_head_count());
      sum->set_deviation(sum->head_count() - sum->suggested_head_count());
    }
    total.set_senior_cap(total.senior_cap() + row.senior_cap());
    total.set_free_senior_slots(total.free_senior_slots() + row.free_senior_slots());
    total.set_over_cap(total.over_cap() || row.over_cap());
    total.set_distance_from_suggested(total.distance_from_suggested() + row.distance_from_suggested());
    *report.add_counties() = std::move(row);
  }
  for (auto& level : *total.mutable_levels()) {
    level.set_share_percent(total.levelled_customer_managers() == 0
                                ? 0.0
                                : 100.0 * level.head_count() / total.levelled_customer_managers());
  }
  *report.mutable_total() = std::move(total);
  return report;
}

std::vector<cv1::RefusedMove> ApplyMoves(const std::vector<ResolvedMove>& moves, const policy::Policy& policy,
                                         std::vector<CountyCounts>& counties) {
  std::vector<cv1::RefusedMove> refused;
  const auto refuse = [&](const ResolvedMove& move, absl::string_view reason, std::string why) {
    cv1::RefusedMove entry;
    *entry.mutable_move() = move.move;
    entry.set_reason(std::string(reason));
    entry.set_explanation(std::move(why));
    refused.push_back(std::move(entry));
  };
  // Levels held in the simulation, by employee, as moves change them.
  std::map<std::string, std::pair<std::string, Level>> current;
  for (const ResolvedMove& resolved : moves) {
    const std::string& employee = resolved.move.employee();
    auto [it, fresh] = current.try_emplace(employee, resolved.county, resolved.level);
    auto& [county_name, level] = it->second;
    CountyCounts* county = county_name.empty() ? nullptr : Find(counties, county_name);
    if (county == nullptr || level == Level::LEVEL_UNSPECIFIED) {
      refuse(resolved, "NOT_A_LEVELLED_MANAGER", absl::StrCat(employee, " holds no level in a county of the report"));
      continue;
    }
    policy::HeadCounts& from = county->head_counts;
    switch (resolved.move.move_case()) {
      case cv1::ProposedMove::kToLevel: {
        const Level to = resolved.move.to_level();
        if (to == Level::LEVEL_UNSPECIFIED || to == level) {
          refuse(resolved, "NO_CHANGE", absl::StrCat("to_level must differ from ", common::v1::Level_Name(level)));
          continue;
        }
        if (!PolicyMakesMove(policy, level, to)) {
          refuse(resolved, "LEVEL_NOT_ADJACENT",
                 absl::StrCat(common::v1::Level_Name(level), " → ", common::v1::Level_Name(to),
                              " is no move the policy makes: one level up by promotion or one "
                              "level down by demotion"));
          continue;
        }
        policy::HeadCounts after = from;
        --after[level];
        ++after[to];
        absl::Status cap =
            policy::CheckCapAfterIncrease(policy, to, after[to], Total(after), county->county, county->display_name);
        if (!cap.ok()) {
          refuse(resolved, ErrorReason(cap).value_or("CAP_REACHED"), std::string(cap.message()));
          continue;
        }
        from = after;
        level = to;
        break;
      }
      case cv1::ProposedMove::kToCounty: {
        CountyCounts* to = Find(counties, resolved.move.to_county());
        if (to == nullptr || to == county) {
          refuse(resolved, "UNKNOWN_COUNTY",
                 absl::StrCat(resolved.move.to_county(), " is not another county of the report"));
          continue;
        }
        policy::HeadCounts arrived = to->head_counts;
        ++arrived[level];
        absl::Status cap =
            policy::CheckCapAfterIncrease(policy, level, arrived[level], Total(arrived), to->county, to->display_name);
        if (!cap.ok()) {
          refuse(resolved, ErrorReason(cap).value_or("CAP_REACHED"), std::string(cap.message()));
          continue;
        }
        --from[level];
        to->head_counts = arrived;
        county_name = to->county;
        break;
      }
      case cv1::ProposedMove::kExit:
        --from[level];
        level = Level::LEVEL_UNSPECIFIED;
        break;
      default:
        refuse(resolved, "NO_MOVE", "the move names no change");
        break;
    }
  }
  return refused;
}

}  // namespace ladder::careerpath
