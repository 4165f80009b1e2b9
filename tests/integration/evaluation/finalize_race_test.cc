// FinalizeCycle racing score writes (POLICY §5: a finalised cycle is immutable). Writer
// threads record scores one by one and import them in batches while another thread
// finalises the cycle. Afterwards: every write that succeeded committed before the
// cycle's finalize_time, every write begun after FinalizeCycle returned was refused with
// CYCLE_FINALIZED, and the stored evaluations are exactly the successful writes. A second
// race raises quality-inspection flags while imports run.

#include <atomic>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "tests/services/evaluation/evaluation_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;

constexpr int kParticipants = 120;
constexpr int kWriters = 8;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// One write attempt by a writer thread.
struct Attempt {
  absl::Time begin;
  absl::Time end;
  grpc::Status status;
  // Employee index → tenths written (one entry for RecordScores, several for an import).
  std::map<int, std::vector<int>> values;
  // RecordScores only: the evaluation as returned.
  std::optional<ev1::Evaluation> returned;
};

std::vector<int> TenthsFor(int writer, int round, int employee) {
  return {(writer * 131 + round * 17 + employee) % 1001, (round * 29 + employee * 3) % 1001,
          (writer + round + employee * 7) % 1001};
}

class FinalizeRaceTest : public EvaluationServiceTestBase {};

TEST_F(FinalizeRaceTest, NoWriteLandsAfterTheCycleIsFinal) {
  const std::string county = CreateCounty();
  const Staff staff = CreateStaff(county, kParticipants, 0, 0);
  const ev1::Cycle cycle = CreateCycle(county);
  ASSERT_EQ(cycle.participant_count(), kParticipants);
  // Some scores before the race, so the review has something to look at.
  for (int i = 0; i < kParticipants; i += 10) {
    ASSERT_THAT(Record(EvaluationName(cycle.name(), staff.juniors[i].name()), Standard(60, 60, 60)), IsOk());
  }
  ASSERT_THAT(StartReview(cycle.name()), IsOk());

  std::vector<std::vector<Attempt>> attempts(kWriters);
  std::atomic<int> ok_writes{0};
  absl::Notification finalized;
  std::atomic<bool> stop{false};
  absl::Time finalize_called = absl::InfiniteFuture();
  absl::Time finalize_returned = absl::InfiniteFuture();
  ev1::Cycle final_cycle;
  grpc::Status finalize_status;

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto stub = evaluation_server_->NewStub();
      std::vector<int> mine;
      for (int i = w; i < kParticipants; i += kWriters) mine.push_back(i);
      // Keep writing until the cycle is final, then a few more to see them refused.
      int after_final = 0;
      for (int round = 0; after_final < 5 && !stop.load(); ++round) {
        Attempt attempt;
        if (round % 4 == 3) {
          // An import of every participant this writer owns: one transaction.
          std::vector<ev1::ImportScoresRequest::Row> rows;
          for (int i : mine) {
            const std::vector<int> tenths = TenthsFor(w, round, i);
            attempt.values[i] = tenths;
            rows.push_back(
                Row(i, staff.juniors[i].name(), Standard(tenths[0] / 10.0, tenths[1] / 10.0, tenths[2] / 10.0)));
          }
          auto context = CallContext();
          ev1::ImportScoresResponse response;
          attempt.begin = absl::Now();
          auto writer = stub->ImportScores(context.get(), &response);
          ev1::ImportScoresRequest header;
          *header.mutable_header() = Header(cycle.name(), round % 8 == 7, absl::StrCat("race-", w, "-", round));
          writer->Write(header);
          ev1::ImportScoresRequest chunk;
          for (auto& row : rows) *chunk.mutable_rows()->add_rows() = std::move(row);
          writer->Write(chunk);
          writer->WritesDone();
          attempt.status = writer->Finish();
          attempt.end = absl::Now();
          if (attempt.status.ok() && response.written_count() != static_cast<int64_t>(mine.size())) {
            ADD_FAILURE() << "import wrote " << response.written_count() << " of " << mine.size();
          }
        } else {
          const int i = mine[round % mine.size()];
          const std::vector<int> tenths = TenthsFor(w, round, i);
          attempt.values[i] = tenths;
          ev1::RecordScoresRequest request;
          request.set_name(EvaluationName(cycle.name(), staff.juniors[i].name()));
          *request.mutable_scores() = Standard(tenths[0] / 10.0, tenths[1] / 10.0, tenths[2] / 10.0);
          if (round % 3 == 0) request.set_request_id(absl::StrCat("race-", w, "-", round));
          auto context = CallContext();
          ev1::Evaluation evaluation;
          attempt.begin = absl::Now();
          attempt.status = stub->RecordScores(context.get(), request, &evaluation);
          attempt.end = absl::Now();
          if (attempt.status.ok()) attempt.returned = evaluation;
        }
        if (attempt.status.ok()) ++ok_writes;
        if (finalized.HasBeenNotified() && attempt.begin > finalize_returned) ++after_final;
        attempts[w].push_back(std::move(attempt));
      }
    });
  }

  // Let the writers get going, then finalise in the middle of their writes.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (ok_writes.load() < 200 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(2));
  {
    auto stub = evaluation_server_->NewStub();
    ev1::FinalizeCycleRequest request;
    request.set_name(cycle.name());
    request.set_request_id("race-finalize");
    auto context = CallContext();
    finalize_called = absl::Now();
    finalize_status = stub->FinalizeCycle(context.get(), request, &final_cycle);
    finalize_returned = absl::Now();
    finalized.Notify();
    if (!finalize_status.ok()) stop = true;
  }
  for (auto& thread : writers) thread.join();
  ASSERT_THAT(finalize_status, IsOk());
  ASSERT_EQ(final_cycle.state(), ev1::Cycle::STATE_FINALIZED);
  const absl::Time finalize_time = FromProto(final_cycle.finalize_time());

  // What the successful writes say must be stored: per employee, the last successful
  // write of its (only) writer, and how many writes touched it.
  std::map<int, std::vector<int>> expected;
  std::map<int, int> writes;
  for (int i = 0; i < kParticipants; i += 10) {
    expected[i] = {600, 600, 600};
    writes[i] = 1;
  }
  int refused = 0, succeeded = 0, imports = 0, overlapping = 0;
  for (int w = 0; w < kWriters; ++w) {
    bool seen_refusal = false;
    for (const Attempt& attempt : attempts[w]) {
      if (attempt.status.ok()) {
        ++succeeded;
        if (!attempt.returned.has_value()) ++imports;
        if (attempt.end > finalize_called) ++overlapping;
        EXPECT_FALSE(seen_refusal) << "writer " << w << ": a write succeeded after one was refused";
        EXPECT_LT(attempt.begin, finalize_returned) << "writer " << w << " wrote after the cycle was final";
        for (const auto& [i, tenths] : attempt.values) {
          expected[i] = tenths;
          ++writes[i];
        }
        if (attempt.returned.has_value()) {
          EXPECT_LE(FromProto(attempt.returned->update_time()), finalize_time) << attempt.returned->name();
        }
        continue;
      }
      seen_refusal = true;
      ++refused;
      EXPECT_THAT(attempt.status, FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_FINALIZED")) << "writer " << w;
      EXPECT_GT(attempt.end, finalize_time - absl::Seconds(1));
    }
  }
  // How close the race was: successful writes still in flight when FinalizeCycle was called.
  RecordProperty("succeeded", succeeded);
  RecordProperty("refused", refused);
  RecordProperty("overlapping", overlapping);
  std::printf("writes: %d succeeded (%d imports, %d in flight at FinalizeCycle), %d refused\n", succeeded, imports,
              overlapping, refused);
  EXPECT_GE(refused, kWriters * 5);
  EXPECT_GT(succeeded, 200);
  EXPECT_GT(imports, 0);

  // The stored evaluations: exactly the successful writes, none after finalize_time.
  ev1::ListEvaluationsRequest list;
  list.set_parent(cycle.name());
  list.set_page_size(50);
  const std::vector<ev1::Evaluation> stored = ListAllEvaluations(list);
  ASSERT_EQ(stored.size(), static_cast<size_t>(kParticipants));
  std::map<std::string, int> index_of;
  for (int i = 0; i < kParticipants; ++i) index_of[staff.juniors[i].name()] = i;
  int scored = 0;
  for (const ev1::Evaluation& evaluation : stored) {
    const int i = index_of.at(evaluation.employee());
    EXPECT_LE(FromProto(evaluation.update_time()), finalize_time) << evaluation.name();
    auto it = expected.find(i);
    if (it == expected.end()) {
      EXPECT_EQ(evaluation.state(), ev1::Evaluation::STATE_PENDING) << evaluation.name();
      EXPECT_EQ(evaluation.etag(), "1");
      continue;
    }
    ++scored;
    ASSERT_EQ(evaluation.scores_size(), 3) << evaluation.name();
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(evaluation.scores(k).score(), it->second[k] / 10.0) << evaluation.name();
    }
    EXPECT_DOUBLE_EQ(evaluation.composite(), (40 * it->second[0] + 30 * it->second[1] + 30 * it->second[2]) / 1000.0);
    // One version per successful write: nothing was written twice or lost.
    EXPECT_EQ(evaluation.etag(), absl::StrCat(1 + writes[i])) << evaluation.name();
  }
  const ev1::Cycle after = GetCycle(cycle.name());
  EXPECT_EQ(after.state(), ev1::Cycle::STATE_FINALIZED);
  EXPECT_EQ(after.scored_count(), scored);
  EXPECT_EQ(after.finalize_time().SerializeAsString(), final_cycle.finalize_time().SerializeAsString());
  EXPECT_EQ(*evaluation_database_->QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM evaluations WHERE cycle_id = ", IdOf(cycle.name()),
                " AND update_time > (SELECT finalize_time FROM cycles WHERE id = ", IdOf(cycle.name()), ")")),
            0);
}

// Quality-inspection flags racing imports: a flag, once raised, stays with the scores it
// was raised on until it is answered; no import running at the same time overwrites it.
TEST_F(FinalizeRaceTest, ImportsNeverOverwriteAFlagRaisedMeanwhile) {
  constexpr int kPeople = 60;
  constexpr int kImporters = 4;
  const std::string county = CreateCounty();
  const Staff staff = CreateStaff(county, kPeople, 0, 0);
  const ev1::Cycle cycle = CreateCycle(county);
  for (int i = 0; i < kPeople; ++i) {
    ASSERT_THAT(Record(EvaluationName(cycle.name(), staff.juniors[i].name()), Standard(50, 50, 50)), IsOk());
  }

  std::atomic<bool> done{false};
  std::atomic<int> imported{0}, refused_by_flag{0};
  absl::Mutex mu;
  std::vector<std::string> unexpected;
  std::vector<std::thread> importers;
  for (int w = 0; w < kImporters; ++w) {
    importers.emplace_back([&, w] {
      auto stub = evaluation_server_->NewStub();
      for (int round = 0; !done.load(); ++round) {
        auto context = CallContext();
        ev1::ImportScoresResponse response;
        auto writer = stub->ImportScores(context.get(), &response);
        ev1::ImportScoresRequest header;
        *header.mutable_header() = Header(cycle.name(), round % 2 == 0);
        writer->Write(header);
        ev1::ImportScoresRequest chunk;
        for (int i = w; i < kPeople; i += kImporters) {
          const double score = (round % 500) / 10.0 + 40;
          *chunk.mutable_rows()->add_rows() = Row(i, staff.juniors[i].name(), Standard(score, score, score));
        }
        writer->Write(chunk);
        writer->WritesDone();
        const grpc::Status status = writer->Finish();
        if (status.ok()) {
          ++imported;
          continue;
        }
        const ErrorView view = ViewOf(status);
        if (view.code == StatusCode::FAILED_PRECONDITION && view.reason == "RECHECK_OPEN") {
          ++refused_by_flag;
          continue;
        }
        absl::MutexLock lock(&mu);
        unexpected.push_back(absl::StrCat(view.code, " ", view.reason, ": ", view.message));
      }
    });
  }

  // Flag everyone, one after another, while the imports run.
  std::map<std::string, ev1::Evaluation> raised;
  auto stub = evaluation_server_->NewStub();
  for (int i = 0; i < kPeople; ++i) {
    absl::SleepFor(absl::Milliseconds(3));
    ev1::FlagForRecheckRequest request;
    request.set_name(EvaluationName(cycle.name(), staff.juniors[i].name()));
    request.set_reason("抽检");
    ev1::Evaluation evaluation;
    auto context = CallContext();
    ASSERT_THAT(stub->FlagForRecheck(context.get(), request, &evaluation), IsOk());
    raised[evaluation.name()] = evaluation;
  }
  done = true;
  for (auto& thread : importers) thread.join();
  EXPECT_TRUE(unexpected.empty()) << absl::StrJoin(unexpected, "\n");
  EXPECT_GT(imported.load(), 0);
  std::printf("imports: %d written, %d refused by a flag raised meanwhile\n", imported.load(), refused_by_flag.load());

  for (const auto& [name, flagged] : raised) {
    const ev1::Evaluation now = GetEvaluation(name);
    EXPECT_EQ(now.state(), ev1::Evaluation::STATE_RECHECK_REQUESTED) << name;
    EXPECT_EQ(now.etag(), flagged.etag()) << name;
    EXPECT_DOUBLE_EQ(now.composite(), flagged.composite()) << name;
  }
  EXPECT_EQ(GetCycle(cycle.name()).open_flag_count(), kPeople);
}

}  // namespace
}  // namespace ladder::testing
