#pragma once

// A CaseStore that hands every call to another one: a test overrides the calls it wants to
// steer (to force an interleaving of concurrent calls) and leaves the rest to the real store.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/careerpath/case_store.h"

namespace ladder::testing {

class ForwardingCaseStore : public careerpath::CaseStore {
 public:
  explicit ForwardingCaseStore(careerpath::CaseStore* real) : real_(real) {}

  absl::StatusOr<std::pair<careerpath::v1::Case, bool>> CreateCase(
      const careerpath::NewCase& fresh, const careerpath::MutationContext& context) override {
    return real_->CreateCase(fresh, context);
  }
  absl::StatusOr<careerpath::v1::Case> GetCase(int64_t id) override { return real_->GetCase(id); }
  absl::StatusOr<int> PostGradeOf(int64_t id) override { return real_->PostGradeOf(id); }
  absl::StatusOr<api::Page<careerpath::v1::Case>> ListCases(const careerpath::CaseQuery& query) override {
    return real_->ListCases(query);
  }
  absl::StatusOr<std::vector<careerpath::OpenCase>> OpenCasesOf(const std::vector<int64_t>& employee_ids) override {
    return real_->OpenCasesOf(employee_ids);
  }
  absl::StatusOr<std::vector<careerpath::v1::Case>> Waitlist(int64_t county_id) override {
    return real_->Waitlist(county_id);
  }
  absl::StatusOr<careerpath::v1::Case> Transition(
      int64_t id,
      const std::function<absl::StatusOr<careerpath::CaseTransition>(const careerpath::v1::Case&,
                                                                     const std::vector<careerpath::v1::Case>&)>& decide,
      const careerpath::MutationContext& context) override {
    return real_->Transition(id, decide, context);
  }
  absl::StatusOr<std::optional<careerpath::v1::Case>> RecordedResponse(const db::RequestKey& key) override {
    return real_->RecordedResponse(key);
  }
  absl::StatusOr<std::optional<std::string>> RecordedBytes(const db::RequestKey& key) override {
    return real_->RecordedBytes(key);
  }
  absl::StatusOr<std::string> RunClaimed(const db::RequestKey& key,
                                         const std::function<absl::StatusOr<std::string>()>& work) override {
    return real_->RunClaimed(key, work);
  }
  absl::Status Ping() override { return real_->Ping(); }

 private:
  careerpath::CaseStore* real_;
};

}  // namespace ladder::testing
