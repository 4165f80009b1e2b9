// Scores, quality inspection, evaluation lists, rankings and score history, against the
// real service and MariaDB.

#include <map>
#include <set>

#include "tests/services/evaluation/evaluation_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;

class ScoresTest : public EvaluationServiceTestBase {
 protected:
  // A county of `n` juniors and an OPEN cycle over it.
  struct Setup {
    std::string county;
    Staff staff;
    ev1::Cycle cycle;
    std::string Evaluation(int i) const { return EvaluationName(cycle.name(), staff.juniors[i].name()); }
  };
  Setup MakeSetup(int n) {
    Setup setup;
    setup.county = CreateCounty();
    setup.staff = CreateStaff(setup.county, n, 0, 0);
    setup.cycle = CreateCycle(setup.county);
    return setup;
  }

  grpc::Status Flag(const std::string& evaluation, ev1::Evaluation* result = nullptr,
                    const std::string& reason = "录音抽检发现问题") {
    ev1::FlagForRecheckRequest request;
    request.set_name(evaluation);
    request.set_reason(reason);
    ev1::Evaluation ignored;
    auto context = CallContext(absl::Seconds(30), "inspector");
    return stub_->FlagForRecheck(context.get(), request, result != nullptr ? result : &ignored);
  }

  grpc::Status Resolve(const std::string& evaluation,
                       const google::protobuf::RepeatedPtrField<ev1::Evaluation::Score>& corrected,
                       ev1::Evaluation* result = nullptr) {
    ev1::ResolveRecheckRequest request;
    request.set_name(evaluation);
    *request.mutable_corrected_scores() = corrected;
    request.set_resolution("已复核");
    ev1::Evaluation ignored;
    auto context = CallContext(absl::Seconds(30), "scorer");
    return stub_->ResolveRecheck(context.get(), request, result != nullptr ? result : &ignored);
  }
};

TEST_F(ScoresTest, RecordsScoresAndTheExactComposite) {
  const Setup setup = MakeSetup(2);
  const ev1::Evaluation pending = GetEvaluation(setup.Evaluation(0));
  ev1::Evaluation scored;
  // Any order of the indicators; stored in the scorecard's order.
  ASSERT_THAT(Record(setup.Evaluation(0),
                     Scores({{"service_quality", 70.5}, {"business_results", 90.5}, {"satisfaction", 80}}), &scored),
              IsOk());
  EXPECT_EQ(scored.state(), ev1::Evaluation::STATE_SCORED);
  ASSERT_TRUE(scored.has_composite());
  EXPECT_DOUBLE_EQ(scored.composite(), 81.35);
  ASSERT_EQ(scored.scores_size(), 3);
  EXPECT_EQ(scored.scores(0).indicator(), "business_results");
  EXPECT_EQ(scored.scores(0).score(), 90.5);
  EXPECT_EQ(scored.scores(2).score(), 70.5);
  EXPECT_EQ(scored.scorer(), "user:test");
  EXPECT_NE(scored.etag(), pending.etag());
  EXPECT_EQ(scored.county(), setup.county);
  EXPECT_EQ(scored.level(), kJunior);
  EXPECT_EQ(GetEvaluation(setup.Evaluation(0)).SerializeAsString(), scored.SerializeAsString());

  // Writing again replaces the scores; the cycle counts the scored.
  ev1::Evaluation again;
  ASSERT_THAT(Record(setup.Evaluation(0), Standard(100, 100, 100), &again), IsOk());
  EXPECT_DOUBLE_EQ(again.composite(), 100.0);
  EXPECT_NE(again.etag(), scored.etag());
  EXPECT_EQ(GetCycle(setup.cycle.name()).scored_count(), 1);
  ASSERT_THAT(Record(setup.Evaluation(1), Standard(0, 0, 0), &again), IsOk());
  EXPECT_TRUE(again.has_composite());
  EXPECT_DOUBLE_EQ(again.composite(), 0.0);
  EXPECT_EQ(GetCycle(setup.cycle.name()).scored_count(), 2);
}

TEST_F(ScoresTest, RefusesBadScoresAndWritesNothing) {
  const Setup setup = MakeSetup(1);
  ASSERT_THAT(Record(setup.Evaluation(0), Standard(80, 80, 80)), IsOk());
  const ev1::Evaluation before = GetEvaluation(setup.Evaluation(0));

  EXPECT_THAT(Record(setup.Evaluation(0), Standard(80, 101, 80)), RejectsField("scores[1].score"));
  EXPECT_THAT(Record(setup.Evaluation(0), Standard(80, 80, -0.1)), RejectsField("scores[2].score"));
  EXPECT_THAT(Record(setup.Evaluation(0), Standard(87.55, 80, 80)), RejectsField("scores[0].score"));
  EXPECT_THAT(
      Record(setup.Evaluation(0),
             Scores({{"business_results", 80}, {"satisfaction", 80}, {"service_quality", 80}, {"attendance", 80}})),
      RejectsField("scores[3].indicator"));
  EXPECT_THAT(Record(setup.Evaluation(0), Scores({{"business_results", 80}, {"satisfaction", 80}})),
              RejectsField("scores"));
  EXPECT_THAT(
      Record(setup.Evaluation(0),
             Scores({{"business_results", 80}, {"satisfaction", 80}, {"satisfaction", 80}, {"service_quality", 80}})),
      RejectsField("scores[2].indicator"));
  EXPECT_THAT(Record(setup.Evaluation(0), Scores({})), RejectsField("scores"));
  EXPECT_THAT(Record("cycles/1/evaluation/2", Standard(80, 80, 80)), RejectsField("name"));
  EXPECT_THAT(Record(setup.Evaluation(0), Standard(80, 80, 80), nullptr, std::string(65, 'x')),
              RejectsField("request_id"));
  EXPECT_EQ(GetEvaluation(setup.Evaluation(0)).SerializeAsString(), before.SerializeAsString());

  // Not a participant, or no such cycle.
  const pv1::Employee outsider = CreateManagerAt(CreateCounty(), kJunior);
  EXPECT_THAT(Record(EvaluationName(setup.cycle.name(), outsider.name()), Standard(80, 80, 80)),
              FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  EXPECT_THAT(Record(EvaluationName("cycles/987654", outsider.name()), Standard(80, 80, 80)),
              FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  EXPECT_EQ(
      *evaluation_database_->QueryInt("SELECT COUNT(*) FROM evaluations WHERE employee_id = " + IdOf(outsider.name())),
      0);
}

TEST_F(ScoresTest, ScoresChangeInReviewButNeverOnceFinal) {
  const Setup setup = MakeSetup(2);
  ASSERT_THAT(Record(setup.Evaluation(0), Standard(80, 80, 80)), IsOk());
  ASSERT_THAT(StartReview(setup.cycle.name()), IsOk());
  ev1::Evaluation corrected;
  ASSERT_THAT(Record(setup.Evaluation(0), Standard(85, 80, 80), &corrected), IsOk());
  EXPECT_DOUBLE_EQ(corrected.composite(), 82.0);
  ev1::Cycle final_cycle;
  ASSERT_THAT(Finalize(setup.cycle.name(), &final_cycle), IsOk());

  const ev1::Evaluation before = GetEvaluation(setup.Evaluation(0));
  EXPECT_THAT(Record(setup.Evaluation(0), Standard(90, 90, 90)),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_FINALIZED"));
  EXPECT_THAT(Record(setup.Evaluation(1), Standard(90, 90, 90)),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_FINALIZED"));
  EXPECT_THAT(Flag(setup.Evaluation(0)), FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_FINALIZED"));
  EXPECT_THAT(Resolve(setup.Evaluation(0), {}), FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_FINALIZED"));
  ev1::ImportScoresResponse imported;
  EXPECT_THAT(Import(Header(setup.cycle.name(), false), {Row(1, setup.staff.juniors[1].name(), Standard(90, 90, 90))},
                     &imported),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_FINALIZED"));
  EXPECT_EQ(GetEvaluation(setup.Evaluation(0)).SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(GetEvaluation(setup.Evaluation(1)).state(), ev1::Evaluation::STATE_PENDING);
  EXPECT_EQ(GetCycle(setup.cycle.name()).SerializeAsString(), final_cycle.SerializeAsString());
}

TEST_F(ScoresTest, RecordIsIdempotentByRequestId) {
  const Setup setup = MakeSetup(1);
  const std::string request_id = Unique("record-");
  ev1::Evaluation first, second;
  ASSERT_THAT(Record(setup.Evaluation(0), Standard(80, 80, 80), &first, request_id), IsOk());
  ASSERT_THAT(Record(setup.Evaluation(0), Standard(80, 80, 80), &second, request_id), IsOk());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(GetEvaluation(setup.Evaluation(0)).etag(), first.etag());
  EXPECT_THAT(Record(setup.Evaluation(0), Standard(90, 80, 80), &second, request_id),
              FailsWith(StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

// ---------------------------------------------------------------- quality inspection

TEST_F(ScoresTest, RecheckFlagsBlockFinalisingUntilResolved) {
  const Setup setup = MakeSetup(3);
  EXPECT_THAT(Flag(setup.Evaluation(0)), FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_SCORED"));
  ASSERT_THAT(Record(setup.Evaluation(0), Standard(80, 80, 80)), IsOk());
  ASSERT_THAT(Record(setup.Evaluation(1), Standard(70, 70, 70)), IsOk());

  ev1::Evaluation flagged;
  ASSERT_THAT(Flag(setup.Evaluation(0), &flagged, "服务用语不规范"), IsOk());
  EXPECT_EQ(flagged.state(), ev1::Evaluation::STATE_RECHECK_REQUESTED);
  EXPECT_EQ(flagged.recheck().reason(), "服务用语不规范");
  EXPECT_EQ(flagged.recheck().flagged_by(), "user:inspector");
  EXPECT_TRUE(flagged.recheck().has_flag_time());
  EXPECT_FALSE(flagged.recheck().has_resolve_time());
  EXPECT_DOUBLE_EQ(flagged.composite(), 80.0);  // The scores stay until resolved.
  EXPECT_EQ(GetCycle(setup.cycle.name()).open_flag_count(), 1);

  EXPECT_THAT(Flag(setup.Evaluation(0)), FailsWith(StatusCode::FAILED_PRECONDITION, "RECHECK_OPEN"));
  EXPECT_THAT(Record(setup.Evaluation(0), Standard(90, 90, 90)),
              FailsWith(StatusCode::FAILED_PRECONDITION, "RECHECK_OPEN"));
  EXPECT_THAT(Resolve(setup.Evaluation(1), {}), FailsWith(StatusCode::FAILED_PRECONDITION, "NO_OPEN_RECHECK"));
  ev1::ResolveRecheckRequest no_resolution;
  no_resolution.set_name(setup.Evaluation(0));
  ev1::Evaluation ignored;
  EXPECT_THAT(Call(&EvalStub::ResolveRecheck, no_resolution, &ignored), RejectsField("resolution"));
  ev1::FlagForRecheckRequest no_reason;
  no_reason.set_name(setup.Evaluation(1));
  EXPECT_THAT(Call(&EvalStub::FlagForRecheck, no_reason, &ignored), RejectsField("reason"));

  ASSERT_THAT(StartReview(setup.cycle.name()), IsOk());
  // Still flaggable in review.
  ASSERT_THAT(Flag(setup.Evaluation(1)), IsOk());
  ev1::Cycle cycle;
  EXPECT_THAT(Finalize(setup.cycle.name(), &cycle), FailsWith(StatusCode::FAILED_PRECONDITION, "OPEN_RECHECK_FLAGS"));
  EXPECT_EQ(GetCycle(setup.cycle.name()).state(), ev1::Cycle::STATE_IN_REVIEW);
  EXPECT_FALSE(GetCycle(setup.cycle.name()).has_finalize_time());
  EXPECT_EQ(GetCycle(setup.cycle.name()).open_flag_count(), 2);

  // Confirmed as they are.
  ev1::Evaluation confirmed;
  ASSERT_THAT(Resolve(setup.Evaluation(0), {}, &confirmed), IsOk());
  EXPECT_EQ(confirmed.state(), ev1::Evaluation::STATE_SCORED);
  EXPECT_DOUBLE_EQ(confirmed.composite(), 80.0);
  EXPECT_EQ(confirmed.recheck().resolved_by(), "user:scorer");
  EXPECT_EQ(confirmed.recheck().resolution(), "已复核");
  EXPECT_TRUE(confirmed.recheck().has_resolve_time());
  EXPECT_EQ(confirmed.recheck().reason(), "服务用语不规范");
  EXPECT_EQ(confirmed.scorer(), "user:test");
  EXPECT_THAT(Finalize(setup.cycle.name(), &cycle), FailsWith(StatusCode::FAILED_PRECONDITION, "OPEN_RECHECK_FLAGS"));

  // Corrected: bad corrections are refused and change nothing.
  EXPECT_THAT(Resolve(setup.Evaluation(1), Standard(101, 70, 70)), RejectsField("corrected_scores[0].score"));
  EXPECT_THAT(Resolve(setup.Evaluation(1), Scores({{"business_results", 60}})), RejectsField("corrected_scores"));
  EXPECT_EQ(GetEvaluation(setup.Evaluation(1)).state(), ev1::Evaluation::STATE_RECHECK_REQUESTED);
  ev1::Evaluation corrected;
  ASSERT_THAT(Resolve(setup.Evaluation(1), Standard(60, 60, 60.5), &corrected), IsOk());
  EXPECT_EQ(corrected.state(), ev1::Evaluation::STATE_SCORED);
  EXPECT_DOUBLE_EQ(corrected.composite(), 60.15);
  EXPECT_EQ(corrected.scorer(), "user:scorer");
  EXPECT_EQ(GetCycle(setup.cycle.name()).open_flag_count(), 0);

  // A flag can be raised again and answered again before the end.
  ASSERT_THAT(Flag(setup.Evaluation(1)), IsOk());
  ev1::Evaluation reflagged = GetEvaluation(setup.Evaluation(1));
  EXPECT_FALSE(reflagged.recheck().has_resolve_time());
  EXPECT_EQ(reflagged.recheck().resolution(), "");
  ASSERT_THAT(Resolve(setup.Evaluation(1), {}), IsOk());

  ASSERT_THAT(Finalize(setup.cycle.name(), &cycle), IsOk());
  EXPECT_EQ(cycle.state(), ev1::Cycle::STATE_FINALIZED);
  EXPECT_EQ(cycle.scored_count(), 2);

  // The change feed has the correction (not the confirmations) and the finalisation, in order.
  std::vector<ev1::Change> ours;
  ev1::ListChangesRequest feed_request;
  feed_request.set_page_size(1000);
  ev1::ListChangesResponse feed;
  do {
    ASSERT_THAT(Call(&EvalStub::ListChanges, feed_request, &feed), IsOk());
    for (const ev1::Change& change : feed.changes()) {
      if (change.cycle() == setup.cycle.name()) ours.push_back(change);
    }
    feed_request.set_cursor(feed.next_cursor());
  } while (feed.changes_size() == 1000);
  ASSERT_EQ(ours.size(), 2u);
  EXPECT_EQ(ours[0].kind(), ev1::Change::KIND_SCORES_CORRECTED);
  EXPECT_EQ(ours[0].evaluation_after().name(), setup.Evaluation(1));
  EXPECT_DOUBLE_EQ(ours[0].evaluation_after().composite(), 60.15);
  EXPECT_EQ(ours[0].actor(), "user:scorer");
  EXPECT_EQ(ours[1].kind(), ev1::Change::KIND_CYCLE_FINALIZED);
  EXPECT_EQ(ours[1].cycle_after().state(), ev1::Cycle::STATE_FINALIZED);
  EXPECT_EQ(ours[1].county(), cycle.scope());
}

// ---------------------------------------------------------------- lists and rankings

TEST_F(ScoresTest, ListEvaluationsPagesToTheEndAndFilters) {
  const pv1::OrgUnit city = CreateCityBranch();
  const std::string a = CreateCounty(city.name());
  const std::string b = CreateCounty(city.name());
  const Staff staff_a = CreateStaff(a, 5, 2, 1);  // N = 8, cap 1.
  const Staff staff_b = CreateStaff(b, 3, 0, 0);
  const ev1::Cycle cycle = CreateCycle(city.name());
  ASSERT_EQ(cycle.participant_count(), 11);
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(Record(EvaluationName(cycle.name(), staff_a.juniors[i].name()), Standard(80, 80, 80)), IsOk());
  }

  for (int page_size : {1, 3, 4, 11, 1000}) {
    ev1::ListEvaluationsRequest request;
    request.set_parent(cycle.name());
    request.set_page_size(page_size);
    int pages = 0;
    const std::vector<ev1::Evaluation> all = ListAllEvaluations(request, &pages);
    ASSERT_EQ(all.size(), 11u) << "page size " << page_size;
    EXPECT_EQ(pages, (11 + page_size - 1) / page_size) << "page size " << page_size;
    std::set<std::string> names;
    for (const auto& evaluation : all) names.insert(evaluation.name());
    EXPECT_EQ(names.size(), 11u);
    for (size_t i = 1; i < all.size(); ++i) {
      EXPECT_LT(std::stoll(IdOf(all[i - 1].employee())), std::stoll(IdOf(all[i].employee())));
    }
  }

  ev1::ListEvaluationsRequest request;
  request.set_parent(cycle.name());
  request.set_page_size(2);
  request.set_county(a);
  EXPECT_EQ(ListAllEvaluations(request).size(), 8u);
  request.set_level(kIntermediate);
  EXPECT_EQ(ListAllEvaluations(request).size(), 2u);
  request.set_level(Level::LEVEL_UNSPECIFIED);
  request.set_state(ev1::Evaluation::STATE_SCORED);
  EXPECT_EQ(ListAllEvaluations(request).size(), 3u);
  request.set_state(ev1::Evaluation::STATE_PENDING);
  EXPECT_EQ(ListAllEvaluations(request).size(), 5u);
  request.set_county(b);
  EXPECT_EQ(ListAllEvaluations(request).size(), 3u);

  // Bad requests.
  ev1::ListEvaluationsResponse response;
  request.set_parent("cycles/987654");
  EXPECT_THAT(Call(&EvalStub::ListEvaluations, request, &response),
              FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  request.set_parent("scorecards/1");
  EXPECT_THAT(Call(&EvalStub::ListEvaluations, request, &response), RejectsField("parent"));
  request.set_parent(cycle.name());
  request.set_level(static_cast<Level>(42));
  EXPECT_THAT(Call(&EvalStub::ListEvaluations, request, &response), RejectsField("level"));
  request.set_level(Level::LEVEL_UNSPECIFIED);
  request.set_state(ev1::Evaluation::STATE_UNSPECIFIED);
  request.set_county("");
  request.set_page_size(2);
  ASSERT_THAT(Call(&EvalStub::ListEvaluations, request, &response), IsOk());
  request.set_page_token(response.next_page_token());
  request.set_county(a);  // Another filter: the token is refused.
  EXPECT_THAT(Call(&EvalStub::ListEvaluations, request, &response), RejectsField("page_token"));
}

class RankingTest : public ScoresTest {
 protected:
  std::vector<ev1::Ranking> AllRankings(const std::string& cycle, const std::string& county, Level level, int page_size,
                                        int* ranked_count = nullptr) {
    ev1::ListRankingsRequest request;
    request.set_cycle(cycle);
    request.set_county(county);
    request.set_level(level);
    request.set_page_size(page_size);
    std::vector<ev1::Ranking> all;
    do {
      ev1::ListRankingsResponse page;
      const grpc::Status status = Call(&EvalStub::ListRankings, request, &page);
      EXPECT_THAT(status, IsOk());
      if (!status.ok()) break;
      EXPECT_LE(page.rankings_size(), page_size);
      if (ranked_count != nullptr) *ranked_count = page.ranked_count();
      all.insert(all.end(), page.rankings().begin(), page.rankings().end());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return all;
  }
};

TEST_F(RankingTest, RanksWithTiesAndPercentilesAcrossPages) {
  const std::string county = CreateCounty();
  const Staff staff = CreateStaff(county, 8, 2, 0);
  const ev1::Cycle cycle = CreateCycle(county);
  // Juniors' composites: 95, 90, 90, 90, 85, 85, 70, and one unscored.
  const std::vector<double> composites = {95, 90, 90, 90, 85, 85, 70};
  for (size_t i = 0; i < composites.size(); ++i) {
    const double c = composites[i];
    ASSERT_THAT(Record(EvaluationName(cycle.name(), staff.juniors[i].name()), Standard(c, c, c)), IsOk());
  }
  // Intermediates rank on their own.
  ASSERT_THAT(Record(EvaluationName(cycle.name(), staff.intermediates[0].name()), Standard(99, 99, 99)), IsOk());

  const std::vector<int> expected_rank = {1, 2, 2, 2, 5, 5, 7};
  const std::vector<double> expected_percentile = {600.0 / 7, 300.0 / 7, 300.0 / 7, 300.0 / 7, 100.0 / 7, 100.0 / 7, 0};
  for (int page_size : {1, 2, 3, 100}) {
    int ranked_count = -1;
    const std::vector<ev1::Ranking> rankings = AllRankings(cycle.name(), county, kJunior, page_size, &ranked_count);
    SCOPED_TRACE(page_size);
    EXPECT_EQ(ranked_count, 7);
    ASSERT_EQ(rankings.size(), 7u);
    for (size_t i = 0; i < rankings.size(); ++i) {
      EXPECT_EQ(rankings[i].rank(), expected_rank[i]) << i;
      EXPECT_DOUBLE_EQ(rankings[i].composite(), composites[i]) << i;
      EXPECT_NEAR(rankings[i].percentile(), expected_percentile[i], 1e-9) << i;
      EXPECT_EQ(rankings[i].evaluation(), EvaluationName(cycle.name(), rankings[i].employee()));
    }
    // Ties are ordered by employee, the same on every page size.
    EXPECT_LT(std::stoll(IdOf(rankings[1].employee())), std::stoll(IdOf(rankings[2].employee())));
    EXPECT_LT(std::stoll(IdOf(rankings[2].employee())), std::stoll(IdOf(rankings[3].employee())));
  }

  int intermediates = -1;
  const std::vector<ev1::Ranking> top = AllRankings(cycle.name(), county, kIntermediate, 10, &intermediates);
  EXPECT_EQ(intermediates, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].rank(), 1);
  EXPECT_DOUBLE_EQ(top[0].percentile(), 0.0);

  int seniors = -1;
  EXPECT_TRUE(AllRankings(cycle.name(), county, kSenior, 10, &seniors).empty());
  EXPECT_EQ(seniors, 0);
}

TEST_F(RankingTest, RefusesBadRequests) {
  const std::string county = CreateCounty();
  CreateStaff(county, 1, 0, 0);
  const ev1::Cycle cycle = CreateCycle(county);
  ev1::ListRankingsRequest request;
  request.set_cycle(cycle.name());
  request.set_county(county);
  ev1::ListRankingsResponse response;
  EXPECT_THAT(Call(&EvalStub::ListRankings, request, &response), RejectsField("level"));
  request.set_level(kJunior);
  request.set_county("");
  EXPECT_THAT(Call(&EvalStub::ListRankings, request, &response), RejectsField("county"));
  request.set_county(county);
  request.set_cycle("cycles/987654");
  EXPECT_THAT(Call(&EvalStub::ListRankings, request, &response),
              FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  request.set_cycle(cycle.name());
  request.set_page_token("not-a-token");
  EXPECT_THAT(Call(&EvalStub::ListRankings, request, &response), RejectsField("page_token"));
  // A city branch is no county: refused, not an empty ranking.
  request.set_page_token("");
  request.set_county(CreateCityBranch().name());
  EXPECT_THAT(Call(&EvalStub::ListRankings, request, &response), RejectsField("county"));
}

// ---------------------------------------------------------------- score history

TEST_F(RankingTest, HistoryListsFinalisedCompositesNewestFirst) {
  const pv1::OrgUnit city = CreateCityBranch();
  const std::string county = CreateCounty(city.name());
  const std::string elsewhere = CreateCounty(city.name());
  const Staff staff = CreateStaff(county, 5, 0, 0);
  CreateStaff(elsewhere, 5, 0, 0);
  const pv1::Employee person = staff.juniors[0];

  // Created out of period order: Q2, Q1, then (after a move and a promotion) Q3, and Q4
  // left open.
  const ev1::Cycle q2 = CreateCycle(county, "", MakeDate(2026, 4, 1), MakeDate(2026, 6, 30));
  const ev1::Cycle q1 = CreateCycle(county, "", MakeDate(2026, 1, 1), MakeDate(2026, 3, 31));
  ASSERT_THAT(Transfer(person, elsewhere), IsOk());
  pv1::Employee moved;
  pv1::GetEmployeeRequest get;
  get.set_name(person.name());
  ASSERT_THAT(CallPeople(&PeopleStub::GetEmployee, get, &moved), IsOk());
  ASSERT_THAT(ChangeLevel(moved, kJunior, kIntermediate, &moved), IsOk());
  const ev1::Cycle q3 = CreateCycle(city.name(), "", MakeDate(2026, 7, 1), MakeDate(2026, 9, 30));
  const ev1::Cycle q4 = CreateCycle(city.name(), "", MakeDate(2026, 10, 1), MakeDate(2026, 12, 31));
  const ev1::Cycle unscored = CreateCycle(county, "", MakeDate(2025, 10, 1), MakeDate(2025, 12, 31));

  const std::vector<std::pair<ev1::Cycle, double>> scored = {{q2, 82}, {q1, 75.5}, {q3, 91}, {q4, 60}};
  for (const auto& [cycle, c] : scored) {
    ASSERT_THAT(Record(EvaluationName(cycle.name(), person.name()), Standard(c, c, c)), IsOk());
  }
  for (const ev1::Cycle& cycle : {q1, q2, q3, unscored}) {
    ASSERT_THAT(StartReview(cycle.name()), IsOk());
    ASSERT_THAT(Finalize(cycle.name()), IsOk());
  }

  ev1::ListScoreHistoryRequest request;
  request.set_employee(person.name());
  request.set_page_size(2);
  std::vector<ev1::ScoreHistoryEntry> entries;
  do {
    ev1::ListScoreHistoryResponse page;
    ASSERT_THAT(Call(&EvalStub::ListScoreHistory, request, &page), IsOk());
    entries.insert(entries.end(), page.entries().begin(), page.entries().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].cycle(), q3.name());
  EXPECT_EQ(entries[0].period_end(), "2026-09-30");
  EXPECT_DOUBLE_EQ(entries[0].composite(), 91);
  EXPECT_EQ(entries[0].county(), elsewhere);
  EXPECT_EQ(entries[0].level(), kIntermediate);
  EXPECT_EQ(entries[0].cycle_display_name(), q3.display_name());
  EXPECT_EQ(entries[1].cycle(), q2.name());
  EXPECT_EQ(entries[1].period_end(), "2026-06-30");
  EXPECT_EQ(entries[1].county(), county);
  EXPECT_EQ(entries[1].level(), kJunior);
  EXPECT_EQ(entries[2].cycle(), q1.name());
  EXPECT_DOUBLE_EQ(entries[2].composite(), 75.5);

  ev1::ListScoreHistoryResponse none;
  request.set_employee(staff.juniors[1].name());
  request.set_page_token("");
  ASSERT_THAT(Call(&EvalStub::ListScoreHistory, request, &none), IsOk());
  EXPECT_EQ(none.entries_size(), 0);
  EXPECT_TRUE(none.next_page_token().empty());
  request.set_employee("cycles/1");
  EXPECT_THAT(Call(&EvalStub::ListScoreHistory, request, &none), RejectsField("employee"));

  // The same histories for many people in one call, in the request's order, at most
  // max_entries each.
  ev1::BatchGetScoreHistoriesRequest batch;
  batch.add_employees(staff.juniors[1].name());
  batch.add_employees(person.name());
  ev1::BatchGetScoreHistoriesResponse histories;
  ASSERT_THAT(Call(&EvalStub::BatchGetScoreHistories, batch, &histories), IsOk());
  ASSERT_EQ(histories.histories_size(), 2);
  EXPECT_EQ(histories.histories(0).employee(), staff.juniors[1].name());
  EXPECT_EQ(histories.histories(0).entries_size(), 0);
  EXPECT_EQ(histories.histories(1).employee(), person.name());
  ASSERT_EQ(histories.histories(1).entries_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(histories.histories(1).entries(i).DebugString(), entries[i].DebugString()) << i;
  }
  batch.set_max_entries(1);
  ASSERT_THAT(Call(&EvalStub::BatchGetScoreHistories, batch, &histories), IsOk());
  ASSERT_EQ(histories.histories(1).entries_size(), 1);
  EXPECT_EQ(histories.histories(1).entries(0).cycle(), q3.name());

  // Refusals name the field.
  batch.set_max_entries(101);
  EXPECT_THAT(Call(&EvalStub::BatchGetScoreHistories, batch, &histories), RejectsField("max_entries"));
  batch.set_max_entries(0);
  batch.add_employees(person.name());
  EXPECT_THAT(Call(&EvalStub::BatchGetScoreHistories, batch, &histories), RejectsField("employees[2]"));
  batch.set_employees(2, "cycles/1");
  EXPECT_THAT(Call(&EvalStub::BatchGetScoreHistories, batch, &histories), RejectsField("employees[2]"));
  batch.clear_employees();
  EXPECT_THAT(Call(&EvalStub::BatchGetScoreHistories, batch, &histories), RejectsField("employees"));
  for (int i = 0; i < 1001; ++i) batch.add_employees(absl::StrCat("employees/", i + 1));
  EXPECT_THAT(Call(&EvalStub::BatchGetScoreHistories, batch, &histories), RejectsField("employees"));
}

}  // namespace
}  // namespace ladder::testing
