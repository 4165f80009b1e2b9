#include "fuzz/request_checks.h"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/api/validation.h"
#include "common/status/errors.h"
#include "fuzz/fuzz_input.h"

namespace ladder::fuzz {

void Fail(absl::string_view check, const google::protobuf::Message* request, absl::string_view what) {
  std::fprintf(stderr, "\n=== invariant broken in %.*s: %.*s\n", static_cast<int>(check.size()), check.data(),
               static_cast<int>(what.size()), what.data());
  if (request != nullptr) std::fprintf(stderr, "request:\n%s\n", request->DebugString().c_str());
  std::abort();
}

void Require(bool condition, absl::string_view check, absl::string_view what) {
  if (!condition) Fail(check, nullptr, what);
}

namespace {

void CheckError(const RequestCheck& check, const google::protobuf::Message& request, const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    Fail(check.name, &request, absl::StrCat("unexpected error ", status.ToString()));
  }
  // Clients branch on the field of a BadRequest detail (docs/api.md), and every client
  // parses the details as protobuf, which refuses invalid UTF-8 in a string: an error must
  // not echo raw input.
  const std::optional<std::string> field = ViolatedField(status);
  if (!field.has_value() || field->empty()) {
    Fail(check.name, &request, absl::StrCat("INVALID_ARGUMENT without a readable field: ", status.ToString()));
  }
  if (!api::ValidateText(status.message(), "message", 1, std::numeric_limits<size_t>::max()).ok()) {
    Fail(check.name, &request, absl::StrCat("error message is not clean text: ", absl::CHexEscape(status.message())));
  }
}

void CheckAccepted(const RequestCheck& check, const google::protobuf::Message& request) {
  for (const auto& [field, value] : check.checked_texts(request)) {
    const absl::Status text = api::ValidateText(value, field, 0, std::numeric_limits<size_t>::max());
    if (!text.ok()) Fail(check.name, &request, absl::StrCat("accepted, but ", text.message()));
  }
}

}  // namespace

void RunRequestChecks(const std::vector<RequestCheck>& checks, const uint8_t* data, size_t size) {
  if (size == 0 || checks.empty()) return;
  const RequestCheck& check = checks[data[0] % checks.size()];
  InputReader input(data + 1, size - 1);
  std::unique_ptr<google::protobuf::Message> request(check.prototype->New());
  FillMessage(input, *request);

  const absl::Status status = check.validate(*request);
  if (status.ok()) {
    CheckAccepted(check, *request);
  } else {
    CheckError(check, *request, status);
  }
  // Pure means repeatable: the same request gets the same answer.
  std::unique_ptr<google::protobuf::Message> copy(request->New());
  copy->CopyFrom(*request);
  const absl::Status again = check.validate(*copy);
  if (again.code() != status.code() || again.message() != status.message()) {
    Fail(check.name, request.get(), absl::StrCat("answers differ: ", status.ToString(), " then ", again.ToString()));
  }
}

std::string EncodeSeed(size_t index, const google::protobuf::Message& request) {
  InputWriter output;
  output.Byte(static_cast<uint8_t>(index));
  EncodeMessage(request, output);
  return output.bytes();
}

}  // namespace ladder::fuzz
