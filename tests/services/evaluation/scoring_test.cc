#include "services/evaluation/scoring.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace ladder::evaluation {
namespace {

// Expects INVALID_ARGUMENT naming `field`.
#define EXPECT_INVALID_FIELD(expr, field)                                       \
  do {                                                                          \
    const absl::Status status_ = (expr);                                        \
    EXPECT_EQ(status_.code(), absl::StatusCode::kInvalidArgument) << status_;   \
    EXPECT_EQ(::ladder::ViolatedField(status_), std::string(field)) << status_; \
  } while (false)

Scorecard MakeScorecard(const std::vector<std::pair<std::string, int>>& indicators) {
  Scorecard scorecard;
  scorecard.set_display_name("2026 客户经理考核");
  for (const auto& [key, weight] : indicators) {
    auto* indicator = scorecard.add_indicators();
    indicator->set_key(key);
    indicator->set_display_name(key + " 指标");
    indicator->set_weight_percent(weight);
  }
  return scorecard;
}

// The usual three-indicator scorecard: 40 / 30 / 30.
Scorecard Standard() {
  return MakeScorecard({{"business_results", 40}, {"satisfaction", 30}, {"service_quality", 30}});
}

google::protobuf::RepeatedPtrField<Evaluation::Score> Scores(
    const std::vector<std::pair<std::string, double>>& scores) {
  google::protobuf::RepeatedPtrField<Evaluation::Score> out;
  for (const auto& [indicator, score] : scores) {
    auto* entry = out.Add();
    entry->set_indicator(indicator);
    entry->set_score(score);
  }
  return out;
}

// ---------------------------------------------------------------- ScoreToTenths

TEST(ScoreToTenthsTest, AcceptsZeroToHundredWithOneDecimal) {
  EXPECT_EQ(*ScoreToTenths(0, "s"), 0);
  EXPECT_EQ(*ScoreToTenths(100, "s"), 1000);
  EXPECT_EQ(*ScoreToTenths(87.5, "s"), 875);
  EXPECT_EQ(*ScoreToTenths(0.1, "s"), 1);
  EXPECT_EQ(*ScoreToTenths(99.9, "s"), 999);
  // Values whose binary form is not exact still read as the decimal the caller meant.
  EXPECT_EQ(*ScoreToTenths(80.3, "s"), 803);
  EXPECT_EQ(*ScoreToTenths(0.7, "s"), 7);
  EXPECT_EQ(*ScoreToTenths(-0.0, "s"), 0);
}

TEST(ScoreToTenthsTest, EveryTenthRoundTrips) {
  for (int tenths = 0; tenths <= 1000; ++tenths) {
    const double score = TenthsToScore(tenths);
    absl::StatusOr<int> back = ScoreToTenths(score, "s");
    ASSERT_TRUE(back.ok()) << score << ": " << back.status();
    EXPECT_EQ(*back, tenths);
  }
}

TEST(ScoreToTenthsTest, RefusesMoreDecimalsAndOutOfRange) {
  EXPECT_INVALID_FIELD(ScoreToTenths(87.55, "scores[0].score").status(), "scores[0].score");
  EXPECT_INVALID_FIELD(ScoreToTenths(0.05, "s").status(), "s");
  EXPECT_INVALID_FIELD(ScoreToTenths(-0.1, "s").status(), "s");
  EXPECT_INVALID_FIELD(ScoreToTenths(100.1, "s").status(), "s");
  EXPECT_INVALID_FIELD(ScoreToTenths(101, "s").status(), "s");
  EXPECT_INVALID_FIELD(ScoreToTenths(-1, "s").status(), "s");
  EXPECT_INVALID_FIELD(ScoreToTenths(std::numeric_limits<double>::quiet_NaN(), "s").status(), "s");
  EXPECT_INVALID_FIELD(ScoreToTenths(std::numeric_limits<double>::infinity(), "s").status(), "s");
  EXPECT_INVALID_FIELD(ScoreToTenths(-std::numeric_limits<double>::infinity(), "s").status(), "s");
  EXPECT_INVALID_FIELD(ScoreToTenths(1e300, "s").status(), "s");
}

// ---------------------------------------------------------------- ValidateIndicators

TEST(ValidateIndicatorsTest, AcceptsWeightsSummingToHundred) {
  EXPECT_TRUE(ValidateIndicators(Standard(), "scorecard.indicators").ok());
  EXPECT_TRUE(ValidateIndicators(MakeScorecard({{"all", 100}}), "i").ok());
  std::vector<std::pair<std::string, int>> twenty;
  for (int i = 0; i < 20; ++i) twenty.emplace_back("k" + std::to_string(i), 5);
  EXPECT_TRUE(ValidateIndicators(MakeScorecard(twenty), "i").ok());
  EXPECT_TRUE(ValidateIndicators(MakeScorecard({{std::string(32, 'a'), 50}, {"a_1", 50}}), "i").ok());
}

TEST(ValidateIndicatorsTest, RefusesBadSums) {
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"a", 40}, {"b", 30}, {"c", 20}}), "scorecard.indicators"),
                       "scorecard.indicators[].weight_percent");
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"a", 60}, {"b", 50}}), "i"), "i[].weight_percent");
}

TEST(ValidateIndicatorsTest, RefusesBadCountsKeysNamesAndWeights) {
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({}), "i"), "i");
  std::vector<std::pair<std::string, int>> many;
  for (int i = 0; i < 21; ++i) many.emplace_back("k" + std::to_string(i), i == 0 ? 0 : 5);
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard(many), "i"), "i");

  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"", 100}}), "i"), "i[0].key");
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"a", 50}, {"Upper", 50}}), "i"), "i[1].key");
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"a-b", 100}}), "i"), "i[0].key");
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{std::string(33, 'a'), 100}}), "i"), "i[0].key");
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"a", 50}, {"a", 50}}), "i"), "i[1].key");

  Scorecard unnamed = MakeScorecard({{"a", 100}});
  unnamed.mutable_indicators(0)->set_display_name("");
  EXPECT_INVALID_FIELD(ValidateIndicators(unnamed, "i"), "i[0].display_name");
  unnamed.mutable_indicators(0)->set_display_name(std::string(101, 'x'));
  EXPECT_INVALID_FIELD(ValidateIndicators(unnamed, "i"), "i[0].display_name");

  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"a", 0}, {"b", 100}}), "i"), "i[0].weight_percent");
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"a", 101}}), "i"), "i[0].weight_percent");
  EXPECT_INVALID_FIELD(ValidateIndicators(MakeScorecard({{"a", -10}, {"b", 110}}), "i"), "i[0].weight_percent");
}

// ---------------------------------------------------------------- ScoresFor

TEST(ScoresForTest, OrdersScoresAsTheScorecard) {
  absl::StatusOr<std::vector<int>> tenths = ScoresFor(
      Standard(), Scores({{"service_quality", 70.5}, {"business_results", 90.5}, {"satisfaction", 80}}), "scores");
  ASSERT_TRUE(tenths.ok()) << tenths.status();
  EXPECT_EQ(*tenths, (std::vector<int>{905, 800, 705}));
}

TEST(ScoresForTest, RefusesMissingUnknownDuplicateAndBadScores) {
  EXPECT_INVALID_FIELD(
      ScoresFor(Standard(), Scores({{"business_results", 90}, {"satisfaction", 80}}), "scores").status(), "scores");
  EXPECT_INVALID_FIELD(ScoresFor(Standard(), Scores({}), "scores").status(), "scores");
  EXPECT_INVALID_FIELD(
      ScoresFor(Standard(),
                Scores({{"business_results", 90}, {"satisfaction", 80}, {"service_quality", 70}, {"attendance", 60}}),
                "scores")
          .status(),
      "scores[3].indicator");
  EXPECT_INVALID_FIELD(
      ScoresFor(
          Standard(),
          Scores({{"business_results", 90}, {"business_results", 80}, {"satisfaction", 80}, {"service_quality", 70}}),
          "scores")
          .status(),
      "scores[1].indicator");
  EXPECT_INVALID_FIELD(
      ScoresFor(Standard(), Scores({{"business_results", 90}, {"satisfaction", 101}, {"service_quality", 70}}),
                "scores")
          .status(),
      "scores[1].score");
  EXPECT_INVALID_FIELD(
      ScoresFor(Standard(), Scores({{"business_results", 90}, {"satisfaction", 80}, {"service_quality", 70.25}}),
                "corrected_scores")
          .status(),
      "corrected_scores[2].score");
}

// ---------------------------------------------------------------- CompositeMilli

TEST(CompositeMilliTest, IsTheExactWeightedSum) {
  // 0.4 × 90.5 + 0.3 × 80 + 0.3 × 70.5 = 81.35, exactly.
  EXPECT_EQ(CompositeMilli(Standard(), {905, 800, 705}), 81350);
  EXPECT_EQ(CompositeMilli(Standard(), {1000, 1000, 1000}), 100000);
  EXPECT_EQ(CompositeMilli(Standard(), {0, 0, 0}), 0);
  EXPECT_EQ(CompositeMilli(MakeScorecard({{"a", 100}}), {875}), 87500);
  // 1/3-like weights: 33 × 99.9 + 33 × 0.1 + 34 × 50.0 = 50.0.
  EXPECT_EQ(CompositeMilli(MakeScorecard({{"a", 33}, {"b", 33}, {"c", 34}}), {999, 1, 500}), 50000);
  // The smallest steps stay distinct: one tenth on a 1 % indicator is 0.001.
  Scorecard skewed = MakeScorecard({{"a", 99}, {"b", 1}});
  EXPECT_EQ(CompositeMilli(skewed, {800, 801}) - CompositeMilli(skewed, {800, 800}), 1);
}

TEST(CompositeMilliTest, IsAlwaysWithinZeroToHundred) {
  std::vector<std::pair<std::string, int>> twenty;
  for (int i = 0; i < 20; ++i) twenty.emplace_back("k" + std::to_string(i), 5);
  const Scorecard scorecard = MakeScorecard(twenty);
  EXPECT_EQ(CompositeMilli(scorecard, std::vector<int>(20, 1000)), 100000);
  EXPECT_EQ(CompositeMilli(scorecard, std::vector<int>(20, 1)), 100);
}

// ---------------------------------------------------------------- Encode / Decode

TEST(EncodeScoresTest, RoundTripsThroughTheStoredForm) {
  EXPECT_EQ(EncodeScores({905, 800, 705}), "905,800,705");
  absl::StatusOr<std::vector<Evaluation::Score>> scores = DecodeScores(Standard(), "905,800,705");
  ASSERT_TRUE(scores.ok()) << scores.status();
  ASSERT_EQ(scores->size(), 3u);
  EXPECT_EQ((*scores)[0].indicator(), "business_results");
  EXPECT_EQ((*scores)[0].score(), 90.5);
  EXPECT_EQ((*scores)[1].indicator(), "satisfaction");
  EXPECT_EQ((*scores)[1].score(), 80.0);
  EXPECT_EQ((*scores)[2].indicator(), "service_quality");
  EXPECT_EQ((*scores)[2].score(), 70.5);
  // Decoded scores are exactly the doubles a client would have sent.
  EXPECT_EQ(*ScoreToTenths((*scores)[0].score(), "s"), 905);
}

TEST(EncodeScoresTest, EmptyMeansNotScoredAndGarbageIsInternal) {
  absl::StatusOr<std::vector<Evaluation::Score>> none = DecodeScores(Standard(), "");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(DecodeScores(Standard(), "905,800").status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(DecodeScores(Standard(), "905,x,705").status().code(), absl::StatusCode::kInternal);
}

// ---------------------------------------------------------------- PositionOf / RankingKey

// Ranks of composites (descending input), computed with PositionOf as the store does.
std::vector<RankPosition> Rank(const std::vector<int64_t>& composites) {
  std::vector<RankPosition> positions;
  const int64_t count = static_cast<int64_t>(composites.size());
  for (int64_t composite : composites) {
    const int64_t higher =
        std::count_if(composites.begin(), composites.end(), [&](int64_t c) { return c > composite; });
    const int64_t equal = std::count(composites.begin(), composites.end(), composite);
    positions.push_back(PositionOf(higher, equal, count));
  }
  return positions;
}

TEST(PositionOfTest, TiesShareARankAndTheNextRankSkips) {
  const std::vector<RankPosition> positions = Rank({95000, 90000, 90000, 85000});
  EXPECT_EQ(positions[0].rank, 1);
  EXPECT_EQ(positions[1].rank, 2);
  EXPECT_EQ(positions[2].rank, 2);
  EXPECT_EQ(positions[3].rank, 4);
  // Share strictly lower: 3/4, 1/4, 1/4, 0.
  EXPECT_DOUBLE_EQ(positions[0].percentile, 75.0);
  EXPECT_DOUBLE_EQ(positions[1].percentile, 25.0);
  EXPECT_DOUBLE_EQ(positions[2].percentile, 25.0);
  EXPECT_DOUBLE_EQ(positions[3].percentile, 0.0);
}

TEST(PositionOfTest, EdgeCases) {
  RankPosition alone = PositionOf(0, 1, 1);
  EXPECT_EQ(alone.rank, 1);
  EXPECT_DOUBLE_EQ(alone.percentile, 0.0);
  // Everyone tied: all first, nobody strictly lower.
  for (const RankPosition& p : Rank({70000, 70000, 70000})) {
    EXPECT_EQ(p.rank, 1);
    EXPECT_DOUBLE_EQ(p.percentile, 0.0);
  }
  const std::vector<RankPosition> thirds = Rank({90000, 80000, 70000});
  EXPECT_NEAR(thirds[0].percentile, 200.0 / 3, 1e-9);
  EXPECT_NEAR(thirds[1].percentile, 100.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(thirds[2].percentile, 0.0);
  EXPECT_DOUBLE_EQ(PositionOf(0, 0, 0).percentile, 0.0);
}

TEST(RankingKeyTest, IncreasesAlongTheRankingOrder) {
  // Ranking order: composite descending, then employee id ascending.
  std::vector<std::pair<int64_t, int64_t>> order = {{100000, 1},
                                                    {100000, 2},
                                                    {100000, 1'000'000'000},
                                                    {99999, 1},
                                                    {81350, 7},
                                                    {81350, 8},
                                                    {50000, 3},
                                                    {1, 999'999'999'999},
                                                    {0, 1},
                                                    {0, 2},
                                                    {0, (int64_t{1} << 40) - 1}};
  for (size_t i = 1; i < order.size(); ++i) {
    EXPECT_LT(RankingKey(order[i - 1].first, order[i - 1].second), RankingKey(order[i].first, order[i].second))
        << "at " << i;
  }
  // Page tokens carry the key: it must never be negative.
  EXPECT_GE(RankingKey(100000, 1), 0);
}

}  // namespace
}  // namespace ladder::evaluation
