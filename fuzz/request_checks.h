#pragma once

// What every request validator must do, whatever the request: return OK or
// INVALID_ARGUMENT naming a field (none documents another code: the broken rules, the
// FAILED_PRECONDITIONs, need the database), the same answer twice, and accept a request
// only if every string field it checked as text, name or request id holds valid UTF-8
// without control characters. Crashes, sanitizer reports and hangs are libFuzzer's to catch.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace ladder::fuzz {

// (field path, value) of the string fields a validator checked.
using TextFields = std::vector<std::pair<std::string, std::string>>;

struct RequestCheck {
  // The method, or the function when one request type has several checks.
  std::string name;
  const google::protobuf::Message* prototype;
  std::function<absl::Status(const google::protobuf::Message&)> validate;
  // The string fields an accepted request must hold clean text in.
  std::function<TextFields(const google::protobuf::Message&)> checked_texts;
};

template <typename Request>
RequestCheck MakeCheck(std::string name, std::function<absl::Status(const Request&)> validate,
                       std::function<TextFields(const Request&)> checked_texts) {
  RequestCheck check;
  check.name = std::move(name);
  check.prototype = &Request::default_instance();
  // The fuzz harness built the message from `prototype`, so the cast holds.
  check.validate = [validate](const google::protobuf::Message& request) {
    return validate(static_cast<const Request&>(request));
  };
  check.checked_texts = [checked_texts](const google::protobuf::Message& request) {
    return checked_texts(static_cast<const Request&>(request));
  };
  return check;
}

// Reports a broken invariant and aborts, which libFuzzer records as a crash with its input.
[[noreturn]] void Fail(absl::string_view check, const google::protobuf::Message* request, absl::string_view what);

// Fails unless `condition` holds; for invariants of one validator, written in its check.
void Require(bool condition, absl::string_view check, absl::string_view what);

// The check the first byte picks, run on the request the rest of the input describes.
void RunRequestChecks(const std::vector<RequestCheck>& checks, const uint8_t* data, size_t size);

// The input that makes RunRequestChecks run checks[index] on `request`: for seeds.
std::string EncodeSeed(size_t index, const google::protobuf::Message& request);

}  // namespace ladder::fuzz
