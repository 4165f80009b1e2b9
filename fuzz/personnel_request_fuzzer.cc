// Fuzzes the PersonnelService request validators: see request_checks.h for what must hold and
// fuzz_input.h for how the input becomes a request.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz/service_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* const checks = new std::vector<ladder::fuzz::RequestCheck>(ladder::fuzz::PersonnelChecks());
  ladder::fuzz::RunRequestChecks(*checks, data, size);
  return 0;
}
