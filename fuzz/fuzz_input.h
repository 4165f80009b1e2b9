#pragma once

// The fuzzers' input format: a request message built field by field from the bytes, so that
// any value reaches the validators, invalid UTF-8 and control characters included (a
// protobuf parser would refuse those in proto3 strings, and the validators would never see
// them). The bytes are read front to back in field declaration order, so a mutation changes
// one field, and a known request can be written as a seed (InputWriter, EncodeMessage).
//
//   integer  one byte b < 0xFD is b - 16 (−16..236); 0xFD, 0xFE, 0xFF are followed by the
//            value as 2, 4 or 8 little-endian bytes
//   double   one byte b < 0xFD is b / 2 (0..126); 0xFD is followed by 2 bytes: tenths;
//            0xFE and 0xFF by the 8 bytes of the double (NaN and infinities included)
//   string   a length (one byte below 0xF0, else 12 bits from that byte and the next),
//            then that many bytes
//   count    of a repeated field: one byte below 0xF8 is its lowest 3 bits (0..7); from
//            0xF8 on, 2 more little-endian bytes (so past the validators' 1000-item limits)
//   bool     the lowest bit of a byte
//   message  a presence byte (lowest bit), then the fields when present
//   enum     an integer, of any value (proto3 enums are open)
//
// Past the end every read gives zero: every byte string is a request.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace ladder::fuzz {

class InputReader {
 public:
  InputReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t Byte();
  int64_t Integer();
  double Double();
  std::string String();
  size_t Count();

 private:
  uint64_t LittleEndian(int bytes);

  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

// Writes values so that InputReader reads them back.
class InputWriter {
 public:
  void Byte(uint8_t value) { bytes_.push_back(static_cast<char>(value)); }
  void Integer(int64_t value);
  void Double(double value);
  void String(absl::string_view value);
  void Count(size_t value);

  const std::string& bytes() const { return bytes_; }

 private:
  void LittleEndian(uint64_t value, int bytes);

  std::string bytes_;
};

// Sets the fields of `message` (which starts empty) from `input`. Repeated fields hold at
// most a few thousand elements in all, and messages nest at most a few levels, so that one
// input stays cheap to run whatever its bytes.
void FillMessage(InputReader& input, google::protobuf::Message& message);

// Writes `message` so that FillMessage rebuilds it (a string field of a oneof that is set
// to "" is the only thing not kept).
void EncodeMessage(const google::protobuf::Message& message, InputWriter& output);

}  // namespace ladder::fuzz
