#pragma once

// The request checks of each service's fuzzer, and example requests for its seed corpus.

#include <string>
#include <vector>

#include "fuzz/request_checks.h"

namespace ladder::fuzz {

// A request in protobuf text format, for the check named `check`.
struct SeedExample {
  std::string check;
  std::string text;
};

std::vector<RequestCheck> PersonnelChecks();
std::vector<SeedExample> PersonnelSeeds();

std::vector<RequestCheck> EvaluationChecks();
std::vector<SeedExample> EvaluationSeeds();

std::vector<RequestCheck> CareerPathChecks();
std::vector<SeedExample> CareerPathSeeds();

}  // namespace ladder::fuzz
