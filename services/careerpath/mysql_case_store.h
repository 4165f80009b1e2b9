#pragma once

#include "common/db/connection_pool.h"
#include "services/careerpath/careerpath_metrics.h"
#include "services/careerpath/case_store.h"

namespace ladder::careerpath {

// CaseStore on a MySQL-compatible database (schema: migrations/).
class MySqlCaseStore final : public CaseStore {
 public:
  explicit MySqlCaseStore(db::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<std::pair<cv1::Case, bool>> CreateCase(const NewCase& fresh, const MutationContext& context) override;
  absl::StatusOr<cv1::Case> GetCase(int64_t id) override;
  absl::StatusOr<int> PostGradeOf(int64_t id) override;
  absl::StatusOr<api::Page<cv1::Case>> ListCases(const CaseQuery& query) override;
  absl::StatusOr<std::vector<OpenCase>> OpenCasesOf(const std::vector<int64_t>& employee_ids) override;
  absl::StatusOr<std::vector<cv1::Case>> Waitlist(int64_t county_id) override;
  absl::StatusOr<cv1::Case> Transition(int64_t id,
                                       const std::function<absl::StatusOr<CaseTransition>(
                                           const cv1::Case& current, const std::vector<cv1::Case>& waitlist)>& decide,
                                       const MutationContext& context) override;
  absl::StatusOr<std::optional<cv1::Case>> RecordedResponse(const db::RequestKey& key) override;
  absl::StatusOr<std::optional<std::string>> RecordedBytes(const db::RequestKey& key) override;
  absl::StatusOr<std::string> RunClaimed(const db::RequestKey& key,
                                         const std::function<absl::StatusOr<std::string>()>& work) override;
  absl::Status Ping() override { return pool_->Ping(); }
  // Open cases per county and state (for the metrics).
  absl::StatusOr<std::vector<OpenCaseCount>> OpenCaseCounts();

 private:
  db::ConnectionPool* pool_;
};

}  // namespace ladder::careerpath
