#pragma once

// A streaming reader of CSV files as spreadsheets save them (RFC 4180): comma-separated,
// fields optionally in double quotes with "" for a quote, CRLF or LF line ends, line breaks
// inside quoted fields. UTF-8 only; the byte-order mark Excel writes ("CSV UTF-8") is
// skipped. The file is read in blocks, never whole, and refused past kMaxFileBytes.
//
// Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row
// is row 2. Every problem names the row and, where there is one, the column.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ladder::ladderctl {

// Files larger than this are refused before reading (64 MiB: some 500,000 score rows, far
// more than a branch has; split a larger file).
inline constexpr int64_t kMaxFileBytes = int64_t{64} << 20;
// A single field longer than this means the file is not the CSV expected (a binary file,
// or a quote that is never closed).
inline constexpr size_t kMaxFieldBytes = 64 * 1024;
inline constexpr size_t kMaxFields = 512;

// A problem at a place in the file. `column` is 1-based, 0 when the problem concerns the
// whole row; `column_name` is the header's name for it when known.
struct CsvProblem {
  int64_t row = 0;
  int column = 0;
  std::string column_name;
  std::string message;

  // "row 7, column 3 (入职日期): not a date" or "row 7: …".
  std::string ToString() const;
};

struct CsvRecord {
  int64_t row = 0;
  std::vector<std::string> fields;
  // Problems of this record that do not stop the reading (a field that is not UTF-8, too
  // many fields). The fields are still returned.
  std::vector<CsvProblem> problems;
};

class CsvReader final {
 public:
  // Opens `path` ("-" for standard input). Fails with INVALID_ARGUMENT and a message fit
  // for the user when the file is missing, too large, empty, or is UTF-16 or UTF-32.
  static absl::StatusOr<std::unique_ptr<CsvReader>> Open(const std::string& path);
  // Reads from memory (tests, small inputs).
  static std::unique_ptr<CsvReader> FromString(std::string data, std::string display_name = "input");

  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // The header row: the first record that is not blank. Names are trimmed of spaces. A
  // file without one, or with an empty or repeated name, fails naming the column.
  absl::StatusOr<std::vector<std::string>> ReadHeader();

  // The next record that is not blank into `record`. Returns false at the end of the file
  // or on a problem that stops the reading, which `fatal()` then holds.
  bool Next(CsvRecord* record);

  // Set when reading had to stop: an unclosed quote, an oversized field, a read error.
  const absl::Status& fatal() const { return fatal_; }
  const std::string& display_name() const { return display_name_; }
  // Bytes consumed so far and the file's size (0 when unknown, e.g. a pipe).
  int64_t bytes_read() const { return consumed_; }
  int64_t size() const { return size_; }

 private:
  CsvReader(std::FILE* file, std::string data, std::string display_name, int64_t size);
  static absl::StatusOr<std::unique_ptr<CsvReader>> OpenFile(const std::string& path);
  // Next byte, or -1 at the end of the input.
  int Get();
  int Peek();
  bool Fill();
  // Reads one record's raw fields; false at the end of input.
  bool ReadRecord(std::vector<std::string>* fields);
  void Fail(std::string message);

  std::FILE* file_ = nullptr;
  std::string buffer_;
  size_t position_ = 0;
  bool eof_ = false;
  int64_t consumed_ = 0;
  int64_t size_ = 0;
  int64_t row_ = 0;   // records read so far, blank ones included
  int64_t line_ = 1;  // physical line, for unclosed quotes
  std::string display_name_;
  std::vector<std::string> header_;
  absl::Status fatal_;
};

// The header names and their positions, matched against the names a command accepts
// (Chinese and English, any case).
class CsvColumns final {
 public:
  explicit CsvColumns(std::vector<std::string> header) : header_(std::move(header)) {}

  // Index of the first header name equal (ignoring ASCII case, '-', '_' and spaces) to
  // one of `names`, or -1.
  int Find(std::initializer_list<absl::string_view> names) const;
  const std::vector<std::string>& header() const { return header_; }
  // The header name of column `index` (0-based), for messages.
  std::string NameOf(int index) const;

 private:
  std::vector<std::string> header_;
};

// Normalises a header name for matching: ASCII lower case, without ' ', '_', '-'.
std::string NormalizeColumnName(absl::string_view name);

}  // namespace ladder::ladderctl
