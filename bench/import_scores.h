#pragma once

// The two sides of the ImportScores measurement, shared by import_scores_bench and
// ladder_bench: the import through the evaluation service (one client stream, validation,
// batched transactions) and the same rows upserted straight into its database, batched the
// same way, through the same Connector/C++ pool code.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"

namespace ladder::bench {

// The scorecard both sides score against: four indicators weighted 40/25/20/15.
inline constexpr const char* kIndicators[] = {"results", "satisfaction", "quality", "skills"};
inline constexpr int kWeights[] = {40, 25, 20, 15};

// The request that creates that scorecard.
evaluation::v1::CreateScorecardRequest ScorecardRequest(const std::string& display_name);

// Imports one score row for each employee first_employee … first_employee + rows − 1 into
// `cycle` through the service; `run` varies the scores (and the request id) between runs.
// The stub's channel carries the caller's token (CallerCredentials, security.h).
// Returns the seconds the stream took, or the error.
absl::StatusOr<double> ImportThroughService(evaluation::v1::EvaluationService::Stub& stub, const std::string& cycle,
                                            int64_t first_employee, int rows, int run);

// The same rows upserted straight into the evaluations table. `rows` must be a multiple
// of kRawRowsPerStatement.
inline constexpr int kRawRowsPerStatement = 250;
absl::StatusOr<double> InsertRaw(db::ConnectionPool& pool, int64_t cycle_id, int64_t first_employee, int rows, int run);

// Puts the cycle's evaluations back to unscored (untimed), so that each side of the
// measurement does the same work: a first scoring, whose rows grow, not a rewrite in place.
absl::Status ResetScores(db::ConnectionPool& pool, int64_t cycle_id);

}  // namespace ladder::bench
