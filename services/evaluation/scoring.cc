#include "services/evaluation/scoring.h"

#include <cmath>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/validation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

namespace ladder::evaluation {
namespace {

constexpr int kMaxIndicators = 20;

bool IsKey(const std::string& key) {
  if (key.empty() || key.size() > 32) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<int> ScoreToTenths(double score, absl::string_view field) {
  if (!std::isfinite(score) || score < 0 || score > 100) {
    return InvalidFieldError(field, absl::StrCat("must be between 0 and 100 (got ", score, ")"));
  }
  const double tenths = score * 10;
  const double rounded = std::round(tenths);
  if (std::fabs(tenths - rounded) > 1e-6) {
    return InvalidFieldError(field, absl::StrCat("may have at most one decimal place (got ", score, ")"));
  }
  return static_cast<int>(rounded);
}

double TenthsToScore(int tenths) { return tenths / 10.0; }

absl::Status ValidateIndicators(const Scorecard& scorecard, absl::string_view field) {
  const int count = scorecard.indicators_size();
  if (count == 0 || count > kMaxIndicators) {
    return InvalidFieldError(field, absl::StrCat("must have 1-", kMaxIndicators, " indicators"));
  }
  std::set<std::string> keys;
  int total = 0;
  for (int i = 0; i < count; ++i) {
    const auto& indicator = scorecard.indicators(i);
    const std::string at = absl::StrCat(field, "[", i, "]");
    if (!IsKey(indicator.key())) {
      return InvalidFieldError(at + ".key", "must be 1-32 characters of a-z, 0-9 and '_'");
    }
    if (!keys.insert(indicator.key()).second) {
      return InvalidFieldError(at + ".key", absl::StrCat("'", indicator.key(), "' appears twice"));
    }
    LADDER_RETURN_IF_ERROR(api::ValidateText(indicator.display_name(), at + ".display_name", 1, 100));
    if (indicator.weight_percent() < 1 || indicator.weight_percent() > 100) {
      return InvalidFieldError(at + ".weight_percent", "must be 1-100");
    }
    total += indicator.weight_percent();
  }
  if (total != 100) {
    return InvalidFieldError(absl::StrCat(field, "[].weight_percent"),
                             absl::StrCat("weights sum to ", total, ", must be 100"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int>> ScoresFor(const Scorecard& scorecard,
                                           const google::protobuf::RepeatedPtrField<Evaluation::Score>& scores,
                                           absl::string_view field) {
  std::vector<int> tenths(scorecard.indicators_size(), -1);
  for (int i = 0; i < scores.size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "]");
    int index = -1;
    for (int k = 0; k < scorecard.indicators_size(); ++k) {
      if (scorecard.indicators(k).key() == scores[i].indicator()) index = k;
    }
    if (index < 0) {
      const std::string unknown = api::QuotableText(scores[i].indicator());
      return InvalidFieldError(at + ".indicator", absl::StrCat("'", unknown, "' is not on the scorecard"));
    }
    if (tenths[index] >= 0) {
      return InvalidFieldError(at + ".indicator", absl::StrCat("'", scores[i].indicator(), "' is scored twice"));
    }
    LADDER_ASSIGN_OR_RETURN(tenths[index], ScoreToTenths(scores[i].score(), at + ".score"));
  }
  for (int k = 0; k < scorecard.indicators_size(); ++k) {
    if (tenths[k] < 0) {
      return InvalidFieldError(std::string(field),
                               absl::StrCat("indicator '", scorecard.indicators(k).key(), "' is missing"));
    }
  }
  return tenths;
}

int64_t CompositeMilli(const Scorecard& scorecard, const std::vector<int>& tenths) {
  int64_t total = 0;
  for (int k = 0; k < scorecard.indicators_size() && k < static_cast<int>(tenths.size()); ++k) {
    total += static_cast<int64_t>(scorecard.indicators(k).weight_percent()) * tenths[k];
  }
  return total;
}

std::string EncodeScores(absl::Span<const int> tenths) { return absl::StrJoin(tenths, ","); }

absl::StatusOr<std::vector<Evaluation::Score>> DecodeScores(const Scorecard& scorecard, absl::string_view encoded) {
  std::vector<Evaluation::Score> scores;
  if (encoded.empty()) return scores;
  std::vector<absl::string_view> parts = absl::StrSplit(encoded, ',');
  if (static_cast<int>(parts.size()) != scorecard.indicators_size()) {
    return absl::InternalError(absl::StrCat("stored scores '", encoded, "' do not fit the scorecard"));
  }
  for (size_t k = 0; k < parts.size(); ++k) {
    int tenths = 0;
    if (!absl::SimpleAtoi(parts[k], &tenths)) {
      return absl::InternalError(absl::StrCat("stored scores '", encoded, "' are unreadable"));
    }
    Evaluation::Score score;
    score.set_indicator(scorecard.indicators(k).key());
    score.set_score(TenthsToScore(tenths));
    scores.push_back(std::move(score));
  }
  return scores;
}

RankPosition PositionOf(int64_t higher, int64_t equal, int64_t count) {
  RankPosition position;
  position.rank = static_cast<int>(higher + 1);
  const int64_t lower = count - higher - equal;
  position.percentile = count == 0 ? 0 : 100.0 * static_cast<double>(lower) / count;
  return position;
}

int64_t RankingKey(int64_t composite_milli, int64_t employee_id) {
  return (kMaxCompositeMilli - composite_milli) * (int64_t{1} << 40) + employee_id;
}

int64_t CompositeOfRankingKey(int64_t key) { return kMaxCompositeMilli - (key >> 40); }

int64_t EmployeeOfRankingKey(int64_t key) { return key & ((int64_t{1} << 40) - 1); }

}  // namespace ladder::evaluation
