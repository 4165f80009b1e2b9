#include "common/api/message_checks.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/validation.h"
#include "common/status/errors.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace ladder::api {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::internal::WireFormatLite;

// Deep enough for every request of the suite; deeper input is refused rather than recursed.
constexpr int kMaxDepth = 32;

std::string Path(const std::string& prefix, const FieldDescriptor& field, int index) {
  std::string path = prefix.empty() ? field.name() : absl::StrCat(prefix, ".", field.name());
  if (field.is_repeated()) absl::StrAppend(&path, "[", index, "]");
  return path;
}

bool HasControlCharacter(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return true;
    // U+0080–U+009F are encoded as C2 80 – C2 9F.
    if (c == 0xc2 && i + 1 < text.size()) {
      const unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return true;
    }
  }
  return false;
}

absl::Status FindUtf8In(const Descriptor& type, absl::string_view bytes, const std::string& prefix, int depth) {
  if (depth > kMaxDepth) return InvalidFieldError(prefix, "is nested too deeply");
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                                               static_cast<int>(bytes.size()));
  std::map<int, int> seen;  // occurrences per field number, for the index of repeated fields
  for (uint32_t tag = input.ReadTag(); tag != 0; tag = input.ReadTag()) {
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    const FieldDescriptor* field = type.FindFieldByNumber(number);
    const bool delimited = WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if (field == nullptr || !delimited ||
        (field->type() != FieldDescriptor::TYPE_STRING && field->type() != FieldDescriptor::TYPE_MESSAGE)) {
      if (!WireFormatLite::SkipField(&input, tag)) return absl::OkStatus();
      continue;
    }
    uint32_t length = 0;
    std::string value;
    if (!input.ReadVarint32(&length) || !input.ReadString(&value, static_cast<int>(length))) {
      return absl::OkStatus();
    }
    const std::string path = Path(prefix, *field, seen[number]++);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (Utf8Length(value) < 0) return InvalidFieldError(path, "is not valid UTF-8");
    } else if (absl::Status nested = FindUtf8In(*field->message_type(), value, path, depth + 1); !nested.ok()) {
      return nested;
    }
  }
  return absl::OkStatus();
}

absl::Status FindControlIn(const Message& message, const std::string& prefix, int depth) {
  if (depth > kMaxDepth) return InvalidFieldError(prefix, "is nested too deeply");
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      const int count = field->is_repeated() ? reflection.FieldSize(message, field) : 1;
      for (int i = 0; i < count; ++i) {
        const std::string value = field->is_repeated() ? reflection.GetRepeatedString(message, field, i)
                                                       : reflection.GetString(message, field);
        if (HasControlCharacter(value)) {
          return InvalidFieldError(Path(prefix, *field, i), "holds a control character");
        }
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      const int count = field->is_repeated() ? reflection.FieldSize(message, field) : 1;
      for (int i = 0; i < count; ++i) {
        const Message& nested = field->is_repeated() ? reflection.GetRepeatedMessage(message, field, i)
                                                     : reflection.GetMessage(message, field);
        if (absl::Status s = FindControlIn(nested, Path(prefix, *field, i), depth + 1); !s.ok()) return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FindInvalidUtf8(const Descriptor& type, absl::string_view bytes) { return FindUtf8In(type, bytes, "", 0); }

absl::Status ParseRequest(absl::string_view bytes, Message& message) {
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    if (absl::Status utf8 = FindInvalidUtf8(*message.GetDescriptor(), bytes); !utf8.ok()) return utf8;
    return ErrorWithReason(absl::StatusCode::kInvalidArgument, reason::kMalformedRequest,
                           absl::StrCat("the request is not a valid ", message.GetDescriptor()->full_name()));
  }
  return RefuseControlCharacters(message);
}

absl::Status RefuseControlCharacters(const Message& message) { return FindControlIn(message, "", 0); }

}  // namespace ladder::api
