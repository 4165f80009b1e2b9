// Writes the seed corpus of the fuzzers (fuzz/corpus/<target>/) from the example requests
// of fuzz/*_checks.cc, in the input format of fuzz_input.h. Run it after changing an
// example, the format or a request message:
//
//   build-fuzz/fuzz/ladder_fuzz_seeds fuzz/corpus

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "fuzz/service_checks.h"
#include "google/protobuf/text_format.h"

namespace ladder::fuzz {
namespace {

bool WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

bool WriteServiceSeeds(const std::filesystem::path& dir, const std::vector<RequestCheck>& checks,
                       const std::vector<SeedExample>& seeds) {
  std::filesystem::create_directories(dir);
  for (const SeedExample& seed : seeds) {
    size_t index = 0;
    while (index < checks.size() && checks[index].name != seed.check) ++index;
    if (index == checks.size()) {
      std::fprintf(stderr, "no check named %s\n", seed.check.c_str());
      return false;
    }
    std::unique_ptr<google::protobuf::Message> request(checks[index].prototype->New());
    if (!google::protobuf::TextFormat::ParseFromString(seed.text, request.get())) {
      std::fprintf(stderr, "example of %s does not parse\n", seed.check.c_str());
      return false;
    }
    if (!WriteFile(dir / seed.check, EncodeSeed(index, *request))) return false;
  }
  return true;
}

// common_text_fuzzer: a selector byte (see its CheckOne), then the values it reads.
bool WriteCommonSeeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto seed = [&](const char* name, uint8_t selector, const std::function<void(InputWriter&)>& values) {
    InputWriter output;
    output.Byte(selector);
    values(output);
    return WriteFile(dir / name, output.bytes());
  };
  return seed("text", 0,
              [](InputWriter& out) {
                out.String("衢州分公司 柯城区");
                out.Byte(1);
                out.Integer(100);
              }) &&
         seed("request_id", 1, [](InputWriter& out) { out.String("3f2b9c1e-0d4a-4c55-9a6e-1b7f0e2d9c11"); }) &&
         seed("name", 2,
              [](InputWriter& out) {
                out.Byte(1);  // orgUnits
                out.String("orgUnits/12/quota");
                out.Integer(12);
                out.Byte(0);  // the suffix "quota"
              }) &&
         seed("page_token", 3,
              [](InputWriter& out) {
                out.Integer(50);
                out.String("cDE6NTo0ZWZmMGEwNzU0ZjRlMzk5");  // MakePageToken(5, "policies")
                out.String("policies");
                out.Integer(5);
                out.String("cases|0|0|0|0|0");
              }) &&
         seed("date", 4, [](InputWriter& out) {
           out.Integer(2024);
           out.Integer(2);
           out.Integer(29);
         });
}

}  // namespace
}  // namespace ladder::fuzz

int main(int argc, char** argv) {
  using ladder::fuzz::WriteServiceSeeds;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root = argv[1];
  const bool ok = WriteServiceSeeds(root / "personnel_request_fuzzer", ladder::fuzz::PersonnelChecks(),
                                    ladder::fuzz::PersonnelSeeds()) &&
                  WriteServiceSeeds(root / "evaluation_request_fuzzer", ladder::fuzz::EvaluationChecks(),
                                    ladder::fuzz::EvaluationSeeds()) &&
                  WriteServiceSeeds(root / "careerpath_request_fuzzer", ladder::fuzz::CareerPathChecks(),
                                    ladder::fuzz::CareerPathSeeds()) &&
                  ladder::fuzz::WriteCommonSeeds(root / "common_text_fuzzer");
  return ok ? 0 : 1;
}
