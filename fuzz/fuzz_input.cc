#include "fuzz/fuzz_input.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "google/protobuf/descriptor.h"

namespace ladder::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Requests nest a few levels (request → employee → hire date); deeper is never read.
constexpr int kMaxDepth = 4;
// Enough for the largest limit checked (1000 moves, 1000 names) to be crossed.
constexpr size_t kMaxElements = 2100;

constexpr uint8_t kInt16 = 0xFD;
constexpr uint8_t kInt32 = 0xFE;
constexpr uint8_t kInt64 = 0xFF;
constexpr uint8_t kTenths = 0xFD;
constexpr uint8_t kRawDouble = 0xFF;
constexpr uint8_t kLongString = 0xF0;
constexpr size_t kMaxStringLength = 0xFFF;
constexpr uint8_t kLongCount = 0xF8;

bool InRealOneof(const FieldDescriptor* field) { return field->real_containing_oneof() != nullptr; }

// Proto3 enums take any value; a proto2 enum only its declared ones.
int EnumValue(const FieldDescriptor* field, int64_t raw) {
  if (field->file()->syntax() == FileDescriptor::SYNTAX_PROTO3) return static_cast<int>(raw);
  const auto* type = field->enum_type();
  const uint64_t index = static_cast<uint64_t>(raw) % static_cast<uint64_t>(type->value_count());
  return type->value(static_cast<int>(index))->number();
}

class Filler {
 public:
  explicit Filler(InputReader& input) : input_(input) {}

  void Fill(Message& message, int depth) {
    const auto* descriptor = message.GetDescriptor();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth >= kMaxDepth) continue;
      if (field->is_repeated()) {
        const size_t count = std::min(input_.Count(), elements_left_);
        elements_left_ -= count;
        for (size_t k = 0; k < count; ++k) Add(message, field, depth);
      } else {
        Set(message, field, depth);
      }
    }
  }

 private:
  void Set(Message& message, const FieldDescriptor* field, int depth) {
    const Reflection* reflection = message.GetReflection();
    // A default value is not set in a oneof: it would replace the member set before it.
    const bool skip_default = InRealOneof(field);
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (input_.Byte() & 1) Fill(*reflection->MutableMessage(&message, field), depth + 1);
        break;
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string value = input_.String();
        if (skip_default && value.empty()) break;
        reflection->SetString(&message, field, std::move(value));
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        const bool value = input_.Byte() & 1;
        if (skip_default && !value) break;
        reflection->SetBool(&message, field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        const double value = input_.Double();
        if (skip_default && value == 0) break;
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          reflection->SetDouble(&message, field, value);
        } else {
          reflection->SetFloat(&message, field, static_cast<float>(value));
        }
        break;
      }
      default: {
        const int64_t value = input_.Integer();
        if (skip_default && value == 0) break;
        SetInteger(message, field, value);
      }
    }
  }

  void SetInteger(Message& message, const FieldDescriptor* field, int64_t value) {
    const Reflection* reflection = message.GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return reflection->SetInt32(&message, field, static_cast<int32_t>(value));
      case FieldDescriptor::CPPTYPE_INT64:
        return reflection->SetInt64(&message, field, value);
      case FieldDescriptor::CPPTYPE_UINT32:
        return reflection->SetUInt32(&message, field, static_cast<uint32_t>(value));
      case FieldDescriptor::CPPTYPE_UINT64:
        return reflection->SetUInt64(&message, field, static_cast<uint64_t>(value));
      case FieldDescriptor::CPPTYPE_ENUM:
        return reflection->SetEnumValue(&message, field, EnumValue(field, value));
      default:
        return;
    }
  }

  void Add(Message& message, const FieldDescriptor* field, int depth) {
    const Reflection* reflection = message.GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Fill(*reflection->AddMessage(&message, field), depth + 1);
      case FieldDescriptor::CPPTYPE_STRING:
        return reflection->AddString(&message, field, input_.String());
      case FieldDescriptor::CPPTYPE_BOOL:
        return reflection->AddBool(&message, field, input_.Byte() & 1);
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return reflection->AddDouble(&message, field, input_.Double());
      case FieldDescriptor::CPPTYPE_FLOAT:
        return reflection->AddFloat(&message, field, static_cast<float>(input_.Double()));
      case FieldDescriptor::CPPTYPE_INT32:
        return reflection->AddInt32(&message, field, static_cast<int32_t>(input_.Integer()));
      case FieldDescriptor::CPPTYPE_INT64:
        return reflection->AddInt64(&message, field, input_.Integer());
      case FieldDescriptor::CPPTYPE_UINT32:
        return reflection->AddUInt32(&message, field, static_cast<uint32_t>(input_.Integer()));
      case FieldDescriptor::CPPTYPE_UINT64:
        return reflection->AddUInt64(&message, field, static_cast<uint64_t>(input_.Integer()));
      case FieldDescriptor::CPPTYPE_ENUM:
        return reflection->AddEnumValue(&message, field, EnumValue(field, input_.Integer()));
    }
  }

  InputReader& input_;
  size_t elements_left_ = kMaxElements;
};

class Encoder {
 public:
  explicit Encoder(InputWriter& output) : output_(output) {}

  void Encode(const Message& message, int depth) {
    const auto* descriptor = message.GetDescriptor();
    const Reflection* reflection = message.GetReflection();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth >= kMaxDepth) continue;
      if (field->is_repeated()) {
        const int count = reflection->FieldSize(message, field);
        output_.Count(static_cast<size_t>(count));
        for (int k = 0; k < count; ++k) Element(message, field, k, depth);
      } else {
        Element(message, field, -1, depth);
      }
    }
  }

 private:
  // The element at `index` of a repeated field, or the value of a singular one (-1).
  void Element(const Message& message, const FieldDescriptor* field, int index, int depth) {
    const Reflection* r = message.GetReflection();
    const bool repeated = index >= 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (repeated) return Encode(r->GetRepeatedMessage(message, field, index), depth + 1);
        output_.Byte(r->HasField(message, field) ? 1 : 0);
        if (r->HasField(message, field)) Encode(r->GetMessage(message, field), depth + 1);
        return;
      case FieldDescriptor::CPPTYPE_STRING:
        return output_.String(repeated ? r->GetRepeatedString(message, field, index) : r->GetString(message, field));
      case FieldDescriptor::CPPTYPE_BOOL:
        return output_.Byte(repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field));
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return output_.Double(repeated ? r->GetRepeatedDouble(message, field, index) : r->GetDouble(message, field));
      case FieldDescriptor::CPPTYPE_FLOAT:
        return output_.Double(repeated ? r->GetRepeatedFloat(message, field, index) : r->GetFloat(message, field));
      case FieldDescriptor::CPPTYPE_INT32:
        return output_.Integer(repeated ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field));
      case FieldDescriptor::CPPTYPE_INT64:
        return output_.Integer(repeated ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field));
      case FieldDescriptor::CPPTYPE_UINT32:
        return output_.Integer(repeated ? r->GetRepeatedUInt32(message, field, index) : r->GetUInt32(message, field));
      case FieldDescriptor::CPPTYPE_UINT64:
        return output_.Integer(static_cast<int64_t>(repeated ? r->GetRepeatedUInt64(message, field, index)
                                                             : r->GetUInt64(message, field)));
      case FieldDescriptor::CPPTYPE_ENUM:
        return output_.Integer(repeated ? r->GetRepeatedEnumValue(message, field, index)
                                        : r->GetEnumValue(message, field));
    }
  }

  InputWriter& output_;
};

}  // namespace

uint8_t InputReader::Byte() { return position_ < size_ ? data_[position_++] : 0; }

uint64_t InputReader::LittleEndian(int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= uint64_t{Byte()} << (8 * i);
  return value;
}

int64_t InputReader::Integer() {
  const uint8_t lead = Byte();
  switch (lead) {
    case kInt16:
      return static_cast<int16_t>(LittleEndian(2));
    case kInt32:
      return static_cast<int32_t>(LittleEndian(4));
    case kInt64:
      return static_cast<int64_t>(LittleEndian(8));
    default:
      return int64_t{lead} - 16;
  }
}

double InputReader::Double() {
  const uint8_t lead = Byte();
  if (lead < kTenths) return lead / 2.0;
  if (lead == kTenths) return static_cast<int16_t>(LittleEndian(2)) / 10.0;
  const uint64_t bits = LittleEndian(8);
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::string InputReader::String() {
  const uint8_t lead = Byte();
  size_t length = lead;
  if (lead >= kLongString) length = (size_t{lead & 0x0Fu} << 8) | Byte();
  length = std::min(length, size_ - position_);
  std::string value(reinterpret_cast<const char*>(data_ + position_), length);
  position_ += length;
  return value;
}

size_t InputReader::Count() {
  const uint8_t lead = Byte();
  if (lead < kLongCount) return lead & 7u;
  return static_cast<size_t>(LittleEndian(2));
}

void InputWriter::LittleEndian(uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) Byte(static_cast<uint8_t>(value >> (8 * i)));
}

void InputWriter::Integer(int64_t value) {
  if (value >= -16 && value < kInt16 - 16) return Byte(static_cast<uint8_t>(value + 16));
  if (value >= std::numeric_limits<int16_t>::min() && value <= std::numeric_limits<int16_t>::max()) {
    Byte(kInt16);
    return LittleEndian(static_cast<uint64_t>(value), 2);
  }
  if (value >= std::numeric_limits<int32_t>::min() && value <= std::numeric_limits<int32_t>::max()) {
    Byte(kInt32);
    return LittleEndian(static_cast<uint64_t>(value), 4);
  }
  Byte(kInt64);
  LittleEndian(static_cast<uint64_t>(value), 8);
}

void InputWriter::Double(double value) {
  const double halves = value * 2;
  if (halves >= 0 && halves < kTenths && halves == std::floor(halves)) {
    return Byte(static_cast<uint8_t>(halves));
  }
  const double tenths = std::round(value * 10);
  if (std::abs(tenths) <= std::numeric_limits<int16_t>::max() && tenths / 10.0 == value) {
    Byte(kTenths);
    return LittleEndian(static_cast<uint64_t>(static_cast<int64_t>(tenths)), 2);
  }
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  Byte(kRawDouble);
  LittleEndian(bits, 8);
}

void InputWriter::String(absl::string_view value) {
  value = value.substr(0, kMaxStringLength);
  if (value.size() < kLongString) {
    Byte(static_cast<uint8_t>(value.size()));
  } else {
    Byte(static_cast<uint8_t>(kLongString | (value.size() >> 8)));
    Byte(static_cast<uint8_t>(value.size() & 0xFF));
  }
  bytes_.append(value.data(), value.size());
}

void InputWriter::Count(size_t value) {
  if (value < 8) return Byte(static_cast<uint8_t>(value));
  Byte(kLongCount);
  LittleEndian(std::min<size_t>(value, 0xFFFF), 2);
}

void FillMessage(InputReader& input, Message& message) { Filler(input).Fill(message, 0); }

void EncodeMessage(const Message& message, InputWriter& output) { Encoder(output).Encode(message, 0); }

}  // namespace ladder::fuzz
