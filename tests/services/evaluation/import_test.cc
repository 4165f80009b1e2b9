// ImportScores: a streamed import of 10,000 rows with bad ones in both modes, retries by
// request id, and imports cut off halfway.

#include <map>
#include <mutex>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "tests/services/evaluation/evaluation_test_base.h"
#include "tests/support/test_credentials.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;
using Scores3 = google::protobuf::RepeatedPtrField<ev1::Evaluation::Score>;

constexpr int kCounties = 8;
constexpr int kPerCounty = 1250;  // 10,000 participants in all.
constexpr int kRows = kCounties * kPerCounty;

// What a row of the big import is meant to do.
enum class Fault { kNone, kScore101, kMissingIndicator, kNotParticipant, kDuplicate, kUnknownIndicator };

Fault FaultOf(int i) {
  switch (i % 1000) {
    case 7:
      return Fault::kScore101;
    case 13:
      return Fault::kMissingIndicator;
    case 21:
      return Fault::kNotParticipant;
    case 42:
      return Fault::kDuplicate;
    case 99:
      return Fault::kUnknownIndicator;
    default:
      return Fault::kNone;
  }
}

// Distinct, valid scores for participant i.
std::vector<int> TenthsOf(int i, int salt = 0) {
  return {(i * 7 + salt) % 1001, (i * 13 + 500 + salt) % 1001, (i * 3 + 250 + salt) % 1001};
}

Scores3 ScoresOf(const std::vector<int>& tenths) {
  return Standard(tenths[0] / 10.0, tenths[1] / 10.0, tenths[2] / 10.0);
}

int64_t CompositeMilliOf(const std::vector<int>& tenths) { return 40 * tenths[0] + 30 * tenths[1] + 30 * tenths[2]; }

class ImportTest : public EvaluationServiceTestBase {
 protected:
  // 10,000 junior managers in kCounties counties of one city branch, made once per suite
  // through the personnel API, several counties at a time.
  struct Population {
    std::string city;
    std::vector<std::string> employees;  // Sorted by id.
    std::string outsider;                // A levelled manager outside the city.
  };
  const Population& Big() {
    static Population* population = [this] {
      auto* made = new Population;
      made->city = CreateCityBranch().name();
      std::vector<std::string> counties;
      for (int c = 0; c < kCounties; ++c) counties.push_back(CreateCounty(made->city));
      absl::Mutex mu;
      std::vector<std::thread> threads;
      std::atomic<int> failures{0};
      for (int c = 0; c < kCounties; ++c) {
        threads.emplace_back([&, c] {
          auto stub = personnel_server_->NewStub();
          for (int i = 0; i < kPerCounty; ++i) {
            pv1::CreateEmployeeRequest create;
            pv1::Employee* employee = create.mutable_employee();
            employee->set_employee_number(absl::StrCat("BIG-", c, "-", i));
            employee->set_display_name("批量员工");
            employee->set_county(counties[c]);
            employee->set_role(pv1::ROLE_CUSTOMER_MANAGER);
            employee->set_entry_channel(pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);
            *employee->mutable_hire_date() = MakeDate(2020, 3, 1);
            pv1::Employee created;
            auto context = CallContext();
            if (!stub->CreateEmployee(context.get(), create, &created).ok()) {
              ++failures;
              continue;
            }
            pv1::ChangeLevelRequest level;
            level.set_name(created.name());
            level.set_level(kJunior);
            level.set_reason("initial");
            pv1::Employee levelled;
            auto level_context = CallContext();
            if (!stub->ChangeLevel(level_context.get(), level, &levelled).ok()) {
              ++failures;
              continue;
            }
            absl::MutexLock lock(&mu);
            made->employees.push_back(created.name());
          }
        });
      }
      for (auto& thread : threads) thread.join();
      EXPECT_EQ(failures.load(), 0);
      std::sort(made->employees.begin(), made->employees.end(),
                [](const auto& a, const auto& b) { return std::stoll(IdOf(a)) < std::stoll(IdOf(b)); });
      made->outsider = CreateManagerAt(CreateCounty(), kJunior).name();
      return made;
    }();
    return *population;
  }

  // The 10,000 rows: row numbers start at 2 (line 1 of the sheet is its header).
  std::vector<ev1::ImportScoresRequest::Row> BigRows(const Population& people) {
    std::vector<ev1::ImportScoresRequest::Row> rows;
    for (int i = 0; i < kRows; ++i) {
      const int64_t number = i + 2;
      Scores3 scores = ScoresOf(TenthsOf(i));
      switch (FaultOf(i)) {
        case Fault::kNone:
          rows.push_back(Row(number, people.employees[i], scores));
          break;
        case Fault::kScore101:
          scores[1].set_score(101);
          rows.push_back(Row(number, people.employees[i], scores));
          break;
        case Fault::kMissingIndicator:
          scores.RemoveLast();
          rows.push_back(Row(number, people.employees[i], scores));
          break;
        case Fault::kNotParticipant:
          rows.push_back(Row(number, people.outsider, scores));
          break;
        case Fault::kDuplicate:
          rows.push_back(Row(number, people.employees[i - 1], scores));
          break;
        case Fault::kUnknownIndicator:
          scores[0].set_indicator("attendance");
          rows.push_back(Row(number, people.employees[i], scores));
          break;
      }
    }
    return rows;
  }

  static std::string ExpectedField(Fault fault) {
    switch (fault) {
      case Fault::kScore101:
        return "scores[1].score";
      case Fault::kMissingIndicator:
        return "scores";
      case Fault::kNotParticipant:
        return "employee";
      case Fault::kDuplicate:
        return "employee";
      case Fault::kUnknownIndicator:
        return "scores[0].indicator";
      case Fault::kNone:
        break;
    }
    return "";
  }

  void ExpectRejections(const ev1::ImportScoresResponse& response, const Population& people) {
    std::map<int64_t, ev1::ImportScoresResponse::RejectedRow> by_row;
    for (const auto& rejected : response.rejected_rows()) by_row[rejected.row_number()] = rejected;
    EXPECT_EQ(by_row.size(), static_cast<size_t>(response.rejected_rows_size()));
    EXPECT_EQ(response.rejected_count(), response.rejected_rows_size()) << "all of them listed";
    int bad = 0;
    for (int i = 0; i < kRows; ++i) {
      const Fault fault = FaultOf(i);
      if (fault == Fault::kNone) continue;
      ++bad;
      auto it = by_row.find(i + 2);
      if (it == by_row.end()) {
        ADD_FAILURE() << "row " << i + 2 << " was not rejected";
        continue;
      }
      EXPECT_EQ(it->second.field(), ExpectedField(fault)) << "row " << i + 2;
      EXPECT_FALSE(it->second.reason().empty()) << "row " << i + 2;
      EXPECT_EQ(it->second.employee(), fault == Fault::kNotParticipant ? people.outsider
                                       : fault == Fault::kDuplicate    ? people.employees[i - 1]
                                                                       : people.employees[i])
          << "row " << i + 2;
    }
    EXPECT_EQ(response.rejected_rows_size(), bad);
  }

  // Every evaluation of the cycle, by employee.
  std::map<std::string, ev1::Evaluation> Evaluations(const std::string& cycle) {
    ev1::ListEvaluationsRequest request;
    request.set_parent(cycle);
    request.set_page_size(1000);
    std::map<std::string, ev1::Evaluation> by_employee;
    for (auto& evaluation : ListAllEvaluations(request)) {
      by_employee[evaluation.employee()] = std::move(evaluation);
    }
    return by_employee;
  }

  // Checks that the stored evaluations hold exactly the good rows of the big import (or,
  // with `none`, that nothing was written).
  void ExpectStoredBigImport(const std::string& cycle, const Population& people, bool none) {
    const std::map<std::string, ev1::Evaluation> stored = Evaluations(cycle);
    ASSERT_EQ(stored.size(), static_cast<size_t>(kRows));
    int scored = 0;
    for (int i = 0; i < kRows; ++i) {
      const ev1::Evaluation& evaluation = stored.at(people.employees[i]);
      // A participant is scored by their own row when it was good; the duplicate row
      // (i % 1000 == 42) names the previous participant, whose own row already counted.
      const bool written = !none && FaultOf(i) == Fault::kNone;
      if (!written) {
        EXPECT_EQ(evaluation.state(), ev1::Evaluation::STATE_PENDING) << evaluation.name();
        EXPECT_EQ(evaluation.etag(), "1") << evaluation.name();
        continue;
      }
      ++scored;
      const std::vector<int> tenths = TenthsOf(i);
      ASSERT_EQ(evaluation.scores_size(), 3) << evaluation.name();
      EXPECT_EQ(evaluation.state(), ev1::Evaluation::STATE_SCORED);
      for (int k = 0; k < 3; ++k) EXPECT_EQ(evaluation.scores(k).score(), tenths[k] / 10.0);
      EXPECT_DOUBLE_EQ(evaluation.composite(), CompositeMilliOf(tenths) / 1000.0);
      // Written exactly once.
      EXPECT_EQ(evaluation.etag(), "2") << evaluation.name();
    }
    EXPECT_EQ(GetCycle(cycle).scored_count(), scored);
  }
};

TEST_F(ImportTest, TenThousandRowsKeepTheGoodOnesAndReportTheBad) {
  const Population& people = Big();
  ASSERT_EQ(people.employees.size(), static_cast<size_t>(kRows));
  const ev1::Cycle cycle = CreateCycle(people.city);
  ASSERT_EQ(cycle.participant_count(), kRows);

  const std::vector<ev1::ImportScoresRequest::Row> rows = BigRows(people);
  const std::string request_id = Unique("import-keep-");
  ev1::ImportScoresResponse response;
  ASSERT_THAT(Import(Header(cycle.name(), false, request_id), rows, &response), IsOk());
  EXPECT_EQ(response.written_count(), kRows - 50);
  ExpectRejections(response, people);
  ExpectStoredBigImport(cycle.name(), people, false);

  // The same import again, as a client whose answer was lost would send it: the same
  // answer, and not one row written twice.
  ev1::ImportScoresResponse retried;
  ASSERT_THAT(Import(Header(cycle.name(), false, request_id), rows, &retried, 1000), IsOk());
  EXPECT_EQ(retried.written_count(), response.written_count());
  EXPECT_EQ(retried.rejected_rows_size(), response.rejected_rows_size());
  ExpectStoredBigImport(cycle.name(), people, false);

  // The same id with other rows is another request.
  std::vector<ev1::ImportScoresRequest::Row> changed = rows;
  changed[0].mutable_scores(0)->set_score(1);
  ev1::ImportScoresResponse refused;
  EXPECT_THAT(Import(Header(cycle.name(), false, request_id), changed, &refused),
              FailsWith(StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
  ExpectStoredBigImport(cycle.name(), people, false);
}

TEST_F(ImportTest, TenThousandRowsAllOrNothing) {
  const Population& people = Big();
  const ev1::Cycle cycle = CreateCycle(people.city);
  std::vector<ev1::ImportScoresRequest::Row> rows = BigRows(people);
  ev1::ImportScoresResponse response;
  ASSERT_THAT(Import(Header(cycle.name(), true, Unique("import-all-")), rows, &response), IsOk());
  EXPECT_EQ(response.written_count(), 0);
  ExpectRejections(response, people);
  ExpectStoredBigImport(cycle.name(), people, true);

  // Without the bad rows, all of it in one go.
  std::vector<ev1::ImportScoresRequest::Row> good;
  for (int i = 0; i < kRows; ++i) {
    if (FaultOf(i) == Fault::kNone) good.push_back(rows[i]);
  }
  const std::string request_id = Unique("import-all-good-");
  ASSERT_THAT(Import(Header(cycle.name(), true, request_id), good, &response, 1000), IsOk());
  EXPECT_EQ(response.written_count(), kRows - 50);
  EXPECT_EQ(response.rejected_rows_size(), 0);
  ExpectStoredBigImport(cycle.name(), people, false);
  ASSERT_THAT(Import(Header(cycle.name(), true, request_id), good, &response, 1000), IsOk());
  EXPECT_EQ(response.written_count(), kRows - 50);
  ExpectStoredBigImport(cycle.name(), people, false);
}

// An import is not limited in rows: the server holds only the good ones (one per
// participant at most), counts every bad one and lists the first 10,000, so that a
// whole branch's sheet goes in one stream and the answer stays small.
TEST_F(ImportTest, AnImportOfAnySizeIsTakenAndItsBadRowsCounted) {
  const Population& people = Big();
  const ev1::Cycle cycle = CreateCycle(people.city);
  std::vector<ev1::ImportScoresRequest::Row> rows = BigRows(people);
  // Then 200,000 rows naming nobody of the cycle: more than an import used to take.
  constexpr int kStrangers = 200000;
  constexpr int64_t kFirstStrangerRow = 100000;
  for (int i = 0; i < kStrangers; ++i) {
    rows.push_back(Row(kFirstStrangerRow + i, absl::StrCat("employees/", 900000000 + i), ScoresOf(TenthsOf(i))));
  }
  ev1::ImportScoresResponse response;
  ASSERT_THAT(Import(Header(cycle.name(), false, Unique("import-huge-")), rows, &response, 2000), IsOk());
  EXPECT_EQ(response.written_count(), kRows - 50);
  EXPECT_EQ(response.rejected_count(), 50 + kStrangers);
  ASSERT_EQ(response.rejected_rows_size(), 10000);
  // The first bad rows in the order they came: the sheet's 50, then strangers.
  EXPECT_EQ(response.rejected_rows(0).row_number(), 7 + 2);
  EXPECT_EQ(response.rejected_rows(50).row_number(), kFirstStrangerRow);
  EXPECT_EQ(response.rejected_rows(9999).row_number(), kFirstStrangerRow + 10000 - 50 - 1);
  EXPECT_EQ(response.rejected_rows(9999).field(), "employee");
  ExpectStoredBigImport(cycle.name(), people, false);
}

// A stream cut off halfway by the client writes nothing; the retry with the same request
// id then does the whole job once.
TEST_F(ImportTest, AnImportCutOffWhileStreamingWritesNothingAndItsRetryFinishes) {
  const Population& people = Big();
  for (bool all_or_nothing : {false, true}) {
    SCOPED_TRACE(all_or_nothing ? "all or nothing" : "keep good rows");
    const ev1::Cycle cycle = CreateCycle(people.city);
    const std::vector<ev1::ImportScoresRequest::Row> rows = BigRows(people);
    const std::string request_id = Unique("import-cut-");
    {
      auto context = CallContext(absl::Seconds(60));
      ev1::ImportScoresResponse response;
      auto writer = stub_->ImportScores(context.get(), &response);
      ev1::ImportScoresRequest header;
      *header.mutable_header() = Header(cycle.name(), all_or_nothing, request_id);
      ASSERT_TRUE(writer->Write(header));
      for (int begin = 0; begin < kRows / 2; begin += 500) {
        ev1::ImportScoresRequest chunk;
        for (int i = begin; i < begin + 500; ++i) *chunk.mutable_rows()->add_rows() = rows[i];
        ASSERT_TRUE(writer->Write(chunk));
      }
      context->TryCancel();
      EXPECT_THAT(writer->Finish(), FailsWith(StatusCode::CANCELLED, ""));
    }
    // Give the server time to act on the cancellation, then look: nothing was written.
    absl::SleepFor(absl::Milliseconds(500));
    ExpectStoredBigImport(cycle.name(), people, true);
    EXPECT_EQ(
        *evaluation_database_->QueryInt("SELECT COUNT(*) FROM request_log WHERE request_id LIKE '" + request_id + "%'"),
        0);

    std::vector<ev1::ImportScoresRequest::Row> to_send = rows;
    if (all_or_nothing) {
      to_send.clear();
      for (int i = 0; i < kRows; ++i) {
        if (FaultOf(i) == Fault::kNone) to_send.push_back(rows[i]);
      }
    }
    ev1::ImportScoresResponse response;
    ASSERT_THAT(Import(Header(cycle.name(), all_or_nothing, request_id), to_send, &response), IsOk());
    EXPECT_EQ(response.written_count(), kRows - 50);
    ExpectStoredBigImport(cycle.name(), people, false);
  }
}

// A client that gives up while the server writes (its deadline passes) leaves whole rows
// behind, never half of one; the retry with the same id finishes without writing twice.
TEST_F(ImportTest, AnImportCutOffWhileWritingIsFinishedByItsRetry) {
  const Population& people = Big();
  const ev1::Cycle cycle = CreateCycle(people.city);
  const std::vector<ev1::ImportScoresRequest::Row> rows = BigRows(people);
  const std::string request_id = Unique("import-late-");
  {
    // Stream everything, then stop waiting for the answer almost at once.
    auto context = std::make_unique<grpc::ClientContext>();
    Authorize(*context, TestIdentity{});
    ev1::ImportScoresResponse response;
    auto writer = stub_->ImportScores(context.get(), &response);
    ev1::ImportScoresRequest header;
    *header.mutable_header() = Header(cycle.name(), false, request_id);
    ASSERT_TRUE(writer->Write(header));
    for (int begin = 0; begin < kRows; begin += 1000) {
      ev1::ImportScoresRequest chunk;
      for (int i = begin; i < begin + 1000; ++i) *chunk.mutable_rows()->add_rows() = rows[i];
      ASSERT_TRUE(writer->Write(chunk));
    }
    writer->WritesDone();
    absl::SleepFor(absl::Milliseconds(150));
    context->TryCancel();
    // OK if the server was quicker; CANCELLED otherwise.
    const grpc::Status first = writer->Finish();
    EXPECT_TRUE(first.ok() || first.error_code() == StatusCode::CANCELLED) << first.error_message();
  }
  // Whatever committed is whole: every evaluation is pending or holds its full row.
  {
    const std::map<std::string, ev1::Evaluation> stored = Evaluations(cycle.name());
    for (int i = 0; i < kRows; ++i) {
      const ev1::Evaluation& evaluation = stored.at(people.employees[i]);
      if (evaluation.state() == ev1::Evaluation::STATE_PENDING) continue;
      ASSERT_EQ(FaultOf(i), Fault::kNone) << evaluation.name();
      ASSERT_EQ(evaluation.scores_size(), 3);
      EXPECT_DOUBLE_EQ(evaluation.composite(), CompositeMilliOf(TenthsOf(i)) / 1000.0);
    }
  }
  ev1::ImportScoresResponse response;
  ASSERT_THAT(Import(Header(cycle.name(), false, request_id), rows, &response), IsOk());
  EXPECT_EQ(response.written_count(), kRows - 50);
  ExpectStoredBigImport(cycle.name(), people, false);
}

// ---------------------------------------------------------------- small imports

TEST_F(ImportTest, SmallImportRulesAndBadStreams) {
  const std::string county = CreateCounty();
  const Staff staff = CreateStaff(county, 4, 0, 0);
  const ev1::Cycle cycle = CreateCycle(county);
  ev1::ImportScoresResponse response;

  // A stream must start with its header, once.
  {
    auto context = CallContext();
    auto writer = stub_->ImportScores(context.get(), &response);
    ev1::ImportScoresRequest rows;
    *rows.mutable_rows()->add_rows() = Row(1, staff.juniors[0].name(), Standard(1, 1, 1));
    writer->Write(rows);
    writer->WritesDone();
    EXPECT_THAT(writer->Finish(), RejectsField("header"));
  }
  {
    auto context = CallContext();
    auto writer = stub_->ImportScores(context.get(), &response);
    writer->WritesDone();
    EXPECT_THAT(writer->Finish(), RejectsField("header"));
  }
  {
    auto context = CallContext();
    auto writer = stub_->ImportScores(context.get(), &response);
    ev1::ImportScoresRequest header;
    *header.mutable_header() = Header(cycle.name(), false);
    writer->Write(header);
    writer->Write(header);
    writer->WritesDone();
    EXPECT_THAT(writer->Finish(), RejectsField("header"));
  }
  EXPECT_THAT(Import(Header("orgUnits/1", false), {}, &response), RejectsField("header.cycle"));
  EXPECT_THAT(Import(Header(cycle.name(), false, "bad id"), {}, &response), RejectsField("header.request_id"));
  EXPECT_THAT(Import(Header("cycles/987654", false), {}, &response),
              FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));

  // An empty import is fine and writes nothing.
  ASSERT_THAT(Import(Header(cycle.name(), false), {}, &response), IsOk());
  EXPECT_EQ(response.written_count(), 0);

  // A participant flagged for re-check is not overwritten by an import; a malformed
  // employee name is reported like any bad row.
  ASSERT_THAT(Record(EvaluationName(cycle.name(), staff.juniors[0].name()), Standard(50, 50, 50)), IsOk());
  ev1::FlagForRecheckRequest flag;
  flag.set_name(EvaluationName(cycle.name(), staff.juniors[0].name()));
  flag.set_reason("抽检");
  ev1::Evaluation flagged;
  ASSERT_THAT(Call(&EvalStub::FlagForRecheck, flag, &flagged), IsOk());
  ASSERT_THAT(Import(Header(cycle.name(), false),
                     {Row(10, staff.juniors[0].name(), Standard(90, 90, 90)), Row(11, "people/3", Standard(90, 90, 90)),
                      Row(12, staff.juniors[1].name(), Standard(90, 90, 90.5))},
                     &response),
              IsOk());
  EXPECT_EQ(response.written_count(), 1);
  ASSERT_EQ(response.rejected_rows_size(), 2);
  EXPECT_EQ(response.rejected_rows(0).row_number(), 10);
  EXPECT_EQ(response.rejected_rows(0).field(), "employee");
  EXPECT_EQ(response.rejected_rows(1).row_number(), 11);
  EXPECT_EQ(response.rejected_rows(1).field(), "employee");
  const ev1::Evaluation still = GetEvaluation(flag.name());
  EXPECT_EQ(still.state(), ev1::Evaluation::STATE_RECHECK_REQUESTED);
  EXPECT_DOUBLE_EQ(still.composite(), 50);
  const ev1::Evaluation imported = GetEvaluation(EvaluationName(cycle.name(), staff.juniors[1].name()));
  EXPECT_DOUBLE_EQ(imported.composite(), 90.15);
  EXPECT_EQ(imported.scorer(), "user:test");

  // A flag raised while an import streams is not overwritten by it either: the import
  // checked its participants when its header arrived, but the flag wins.
  {
    const std::string target = EvaluationName(cycle.name(), staff.juniors[3].name());
    ASSERT_THAT(Record(target, Standard(40, 40, 40)), IsOk());
    auto context = CallContext();
    ev1::ImportScoresResponse late;
    auto writer = stub_->ImportScores(context.get(), &late);
    ev1::ImportScoresRequest header;
    *header.mutable_header() = Header(cycle.name(), true);
    ASSERT_TRUE(writer->Write(header));
    ev1::ImportScoresRequest rows;
    *rows.mutable_rows()->add_rows() = Row(1, staff.juniors[3].name(), Standard(99, 99, 99));
    ASSERT_TRUE(writer->Write(rows));
    absl::SleepFor(absl::Milliseconds(300));  // The server has read the header by now.
    ev1::FlagForRecheckRequest raise;
    raise.set_name(target);
    raise.set_reason("导入期间抽检");
    ev1::Evaluation raised;
    ASSERT_THAT(Call(&EvalStub::FlagForRecheck, raise, &raised), IsOk());
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    if (status.ok()) {
      // Only if the server was slow to read the header: then the row was checked against
      // the flag and rejected like any other.
      EXPECT_EQ(late.written_count(), 0);
      ASSERT_EQ(late.rejected_rows_size(), 1);
      EXPECT_EQ(late.rejected_rows(0).field(), "employee");
    } else {
      EXPECT_THAT(status, FailsWith(StatusCode::FAILED_PRECONDITION, "RECHECK_OPEN"));
    }
    const ev1::Evaluation kept = GetEvaluation(target);
    EXPECT_EQ(kept.state(), ev1::Evaluation::STATE_RECHECK_REQUESTED);
    EXPECT_DOUBLE_EQ(kept.composite(), 40);
    EXPECT_EQ(kept.etag(), raised.etag());
    EXPECT_EQ(GetCycle(cycle.name()).open_flag_count(), 2);
  }

  // Request ids take up to 64 characters, imports included.
  const std::string long_id(64, 'q');
  ASSERT_THAT(
      Import(Header(cycle.name(), false, long_id), {Row(1, staff.juniors[2].name(), Standard(70, 70, 70))}, &response),
      IsOk());
  EXPECT_EQ(response.written_count(), 1);
  ASSERT_THAT(
      Import(Header(cycle.name(), false, long_id), {Row(1, staff.juniors[2].name(), Standard(70, 70, 70))}, &response),
      IsOk());
  EXPECT_EQ(response.written_count(), 1);
  EXPECT_EQ(GetEvaluation(EvaluationName(cycle.name(), staff.juniors[2].name())).etag(), "2");
}

}  // namespace
}  // namespace ladder::testing
