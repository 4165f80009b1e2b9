// Fuzzes what the call guard does with the bytes of every request before any handler sees
// them (common/api/message_checks.h): raw wire bytes, of any request type of the three
// services, either parse into a request that holds only valid UTF-8 without control
// characters, or are refused with INVALID_ARGUMENT — never a crash, a hang or another code.
// The first byte picks the request type; the rest is the wire input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common/api/message_checks.h"
#include "common/api/validation.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "ladder/careerpath/v1/careerpath_service.pb.h"
#include "ladder/evaluation/v1/evaluation_service.pb.h"
#include "ladder/personnel/v1/personnel_service.pb.h"

namespace ladder::fuzz {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Every request type of every method of the three services.
const std::vector<const Descriptor*>& RequestTypes() {
  static const auto* const types = [] {
    auto* found = new std::vector<const Descriptor*>();
    // The services live in the message files' descriptors; a message of each file makes sure
    // the file is registered with the pool.
    for (const google::protobuf::FileDescriptor* file : {personnel::v1::GetEmployeeRequest::descriptor()->file(),
                                                         evaluation::v1::GetCycleRequest::descriptor()->file(),
                                                         careerpath::v1::GetCaseRequest::descriptor()->file()}) {
      for (int s = 0; s < file->service_count(); ++s) {
        const google::protobuf::ServiceDescriptor* service = file->service(s);
        for (int i = 0; i < service->method_count(); ++i) found->push_back(service->method(i)->input_type());
      }
    }
    if (found->empty()) std::abort();
    return found;
  }();
  return *types;
}

[[noreturn]] void Violated(const char* what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

// Every string at any depth is valid UTF-8 (what protobuf's parser promises for proto3).
void CheckStrings(const Message& message) {
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const int count = field->is_repeated() ? message.GetReflection()->FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      if (field->type() == FieldDescriptor::TYPE_STRING) {
        const std::string value = field->is_repeated() ? message.GetReflection()->GetRepeatedString(message, field, i)
                                                       : message.GetReflection()->GetString(message, field);
        if (api::Utf8Length(value) < 0) Violated("an accepted request holds invalid UTF-8");
      } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
        CheckStrings(field->is_repeated() ? message.GetReflection()->GetRepeatedMessage(message, field, i)
                                          : message.GetReflection()->GetMessage(message, field));
      }
    }
  }
}

}  // namespace
}  // namespace ladder::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ladder::fuzz;  // NOLINT(build/namespaces): the entry point is global
  if (size == 0) return 0;
  const auto& types = RequestTypes();
  const google::protobuf::Descriptor* type = types[data[0] % types.size()];
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  std::unique_ptr<google::protobuf::Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  const absl::Status status = ladder::api::ParseRequest(bytes, *request);
  if (!status.ok()) {
    if (status.code() != absl::StatusCode::kInvalidArgument) Violated("a refusal other than INVALID_ARGUMENT");
    if (status.message().empty()) Violated("a refusal without a message");
    return 0;
  }
  CheckStrings(*request);
  if (!ladder::api::RefuseControlCharacters(*request).ok()) Violated("accepted, then found a control character");
  // What was accepted, written again, is accepted again and reads the same.
  const std::string again = request->SerializeAsString();
  std::unique_ptr<google::protobuf::Message> reread(request->New());
  if (!ladder::api::ParseRequest(again, *reread).ok()) Violated("a re-serialized request is refused");
  if (reread->SerializeAsString() != again) Violated("a re-serialized request reads differently");
  return 0;
}
