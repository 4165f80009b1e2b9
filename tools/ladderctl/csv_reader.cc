#include "tools/ladderctl/csv_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/macros.h"
#include "tools/ladderctl/display_width.h"

namespace ladder::ladderctl {
namespace {

constexpr size_t kBlock = 64 * 1024;

std::string HumanBytes(int64_t bytes) {
  if (bytes >= (int64_t{1} << 30)) return absl::StrFormat("%.1f GiB", bytes / double(1 << 30));
  if (bytes >= (int64_t{1} << 20)) return absl::StrFormat("%.1f MiB", bytes / double(1 << 20));
  if (bytes >= 1024) return absl::StrFormat("%.1f KiB", bytes / 1024.0);
  return absl::StrCat(bytes, " bytes");
}

// Where `text` is not UTF-8: the byte offset of the first bad byte, or npos.
size_t FirstInvalidUtf8(absl::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    char32_t c = 0;
    if (!DecodeUtf8(text, &pos, &c)) return start;
  }
  return absl::string_view::npos;
}

bool IsBlank(const std::vector<std::string>& fields) {
  for (const std::string& field : fields) {
    if (!absl::StripAsciiWhitespace(field).empty()) return false;
  }
  return true;
}

}  // namespace

std::string CsvProblem::ToString() const {
  std::string where = absl::StrCat("row ", row);
  if (column > 0) {
    absl::StrAppend(&where, ", column ", column);
    if (!column_name.empty()) absl::StrAppend(&where, " (", column_name, ")");
  }
  return absl::StrCat(where, ": ", message);
}

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path) {
  std::unique_ptr<CsvReader> reader;
  if (path == "-") {
    reader.reset(new CsvReader(stdin, "", "standard input", 0));
  } else {
    LADDER_ASSIGN_OR_RETURN(reader, OpenFile(path));
  }
  // Byte-order marks: UTF-8 is skipped; UTF-16/32 (Excel's "Unicode text") is refused.
  const std::string& name = reader->display_name_;
  const int first = reader->Peek();
  if (first == 0xEF) {
    reader->Get();
    if (reader->Get() != 0xBB || reader->Get() != 0xBF) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": row 1: the file does not start as UTF-8 text; save it as \"CSV UTF-8\""));
    }
  } else if (first == 0xFF || first == 0xFE) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": the file is UTF-16 (\"Unicode text\"); save it as \"CSV UTF-8 (逗号分隔)\" instead"));
  } else if (first == -1) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": the file is empty; expected a header row and then one row per record"));
  }
  return reader;
}

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::OpenFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read it: ", std::strerror(errno)));
  }
  if (S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a CSV file"));
  }
  int64_t size = 0;
  if (S_ISREG(info.st_mode)) {
    size = static_cast<int64_t>(info.st_size);
    if (size == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": the file is empty; expected a header row and then one row per record"));
    }
    if (size > kMaxFileBytes) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": the file is ", HumanBytes(size),
                                                     "; ladderctl reads CSV files of up to ", HumanBytes(kMaxFileBytes),
                                                     ". Split it into smaller files and import them one by one"));
    }
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot open it: ", std::strerror(errno)));
  }
  return std::unique_ptr<CsvReader>(new CsvReader(file, "", path, size));
}

std::unique_ptr<CsvReader> CsvReader::FromString(std::string data, std::string display_name) {
  const int64_t size = static_cast<int64_t>(data.size());
  auto reader = std::unique_ptr<CsvReader>(new CsvReader(nullptr, std::move(data), std::move(display_name), size));
  if (reader->buffer_.size() >= 3 && reader->buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    reader->position_ = 3;
    reader->consumed_ = 3;
  }
  return reader;
}

CsvReader::CsvReader(std::FILE* file, std::string data, std::string display_name, int64_t size)
    : file_(file),
      buffer_(std::move(data)),
      eof_(file == nullptr),
      size_(size),
      display_name_(std::move(display_name)) {}

CsvReader::~CsvReader() {
  if (file_ != nullptr && file_ != stdin) std::fclose(file_);
}

bool CsvReader::Fill() {
  if (position_ < buffer_.size()) return true;
  if (eof_) return false;
  buffer_.resize(kBlock);
  const size_t read = std::fread(buffer_.data(), 1, kBlock, file_);
  buffer_.resize(read);
  position_ = 0;
  if (read == 0) {
    eof_ = true;
    if (std::ferror(file_)) Fail(absl::StrCat("reading stopped: ", std::strerror(errno)));
    return false;
  }
  return true;
}

int CsvReader::Peek() {
  if (!Fill()) return -1;
  return static_cast<unsigned char>(buffer_[position_]);
}

int CsvReader::Get() {
  if (!Fill()) return -1;
  ++consumed_;
  return static_cast<unsigned char>(buffer_[position_++]);
}

void CsvReader::Fail(std::string message) {
  if (fatal_.ok()) {
    fatal_ = absl::InvalidArgumentError(absl::StrCat(display_name_, ": ", message));
  }
}

bool CsvReader::ReadRecord(std::vector<std::string>* fields) {
  fields->clear();
  if (!fatal_.ok() || Peek() == -1) return false;
  if (file_ != nullptr && consumed_ > kMaxFileBytes) {
    Fail(absl::StrCat("row ", row_ + 1, ": the input is larger than ", HumanBytes(kMaxFileBytes),
                      "; split it into smaller files"));
    return false;
  }
  ++row_;
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field started with a quote
  const int64_t start_line = line_;
  const auto end_field = [&]() -> bool {
    if (fields->size() >= kMaxFields) {
      Fail(absl::StrCat("row ", row_, ": more than ", kMaxFields, " columns; is this the CSV file you meant?"));
      return false;
    }
    fields->push_back(std::move(field));
    field.clear();
    was_quoted = false;
    return true;
  };
  while (true) {
    const int c = Get();
    if (c == -1) {
      if (quoted) {
        Fail(absl::StrCat("row ", row_, ", column ", fields->size() + 1, ": a quoted field opened on line ", start_line,
                          " is never closed (a \" is missing)"));
        return false;
      }
      return end_field();
    }
    if (c == 0) {
      Fail(absl::StrCat("row ", row_, ", column ", fields->size() + 1,
                        ": the file holds NUL bytes: it is not a UTF-8 text file (UTF-16, or a "
                        "spreadsheet saved as .xlsx?); save it as \"CSV UTF-8\""));
      return false;
    }
    if (quoted) {
      if (c == '"') {
        if (Peek() == '"') {
          Get();
          field.push_back('"');
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
      }
    } else if (c == ',') {
      if (!end_field()) return false;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && Peek() == '\n') Get();
      ++line_;
      return end_field();
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = true;
      was_quoted = true;
    } else {
      // A quote inside an unquoted field is kept as it is, as spreadsheets read it.
      field.push_back(static_cast<char>(c));
    }
    if (field.size() > kMaxFieldBytes) {
      Fail(absl::StrCat("row ", row_, ", column ", fields->size() + 1, ": a field longer than ", kMaxFieldBytes / 1024,
                        " KiB; the file is not the CSV expected, or a quote is never closed"));
      return false;
    }
  }
}

absl::StatusOr<std::vector<std::string>> CsvReader::ReadHeader() {
  std::vector<std::string> fields;
  while (true) {
    if (!ReadRecord(&fields)) {
      if (!fatal_.ok()) return fatal_;
      return absl::InvalidArgumentError(
          absl::StrCat(display_name_, ": the file has no header row (it is empty or only blank lines)"));
    }
    if (!IsBlank(fields)) break;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < fields.size(); ++i) {
    const size_t bad = FirstInvalidUtf8(fields[i]);
    if (bad != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: row %d, column %d: the header is not UTF-8 text (byte 0x%02X); the file is "
                          "probably GBK/ANSI: save it as \"CSV UTF-8 (逗号分隔)\"",
                          display_name_, row_, i + 1, static_cast<unsigned char>(fields[i][bad])));
    }
    std::string name(absl::StripAsciiWhitespace(fields[i]));
    // Trailing empty columns (a spreadsheet's stray commas) are dropped.
    if (name.empty()) {
      bool rest_empty = true;
      for (size_t j = i; j < fields.size(); ++j) {
        rest_empty = rest_empty && absl::StripAsciiWhitespace(fields[j]).empty();
      }
      if (rest_empty) {
        fields.resize(i);
        break;
      }
      return absl::InvalidArgumentError(
          absl::StrCat(display_name_, ": row ", row_, ", column ", i + 1, ": the header has an empty name"));
    }
    if (!seen.insert(NormalizeColumnName(name)).second) {
      return absl::InvalidArgumentError(absl::StrCat(display_name_, ": row ", row_, ", column ", i + 1, " (", name,
                                                     "): the header names this column twice"));
    }
    fields[i] = std::move(name);
  }
  header_ = fields;
  return fields;
}

bool CsvReader::Next(CsvRecord* record) {
  std::vector<std::string> fields;
  while (true) {
    if (!ReadRecord(&fields)) return false;
    if (!IsBlank(fields)) break;
  }
  record->row = row_;
  record->problems.clear();
  for (size_t i = 0; i < fields.size(); ++i) {
    const size_t bad = FirstInvalidUtf8(fields[i]);
    if (bad == absl::string_view::npos) continue;
    CsvProblem problem;
    problem.row = row_;
    problem.column = static_cast<int>(i + 1);
    if (i < header_.size()) problem.column_name = header_[i];
    problem.message = absl::StrFormat(
        "not UTF-8 text (byte 0x%02X at byte %d of the field); the file is probably GBK/ANSI: "
        "save it as \"CSV UTF-8 (逗号分隔)\"",
        static_cast<unsigned char>(fields[i][bad]), bad + 1);
    record->problems.push_back(std::move(problem));
    fields[i].clear();
  }
  if (!header_.empty() && fields.size() > header_.size()) {
    for (size_t i = header_.size(); i < fields.size(); ++i) {
      if (absl::StripAsciiWhitespace(fields[i]).empty()) continue;
      CsvProblem problem;
      problem.row = row_;
      problem.column = static_cast<int>(i + 1);
      problem.message = absl::StrCat("the row has ", fields.size(), " fields but the header only ", header_.size(),
                                     " (a comma inside a value must be quoted)");
      record->problems.push_back(std::move(problem));
      break;
    }
    fields.resize(header_.size());
  }
  // A short row (trailing cells left out) reads as empty cells.
  if (fields.size() < header_.size()) fields.resize(header_.size());
  for (std::string& field : fields) field = std::string(absl::StripAsciiWhitespace(field));
  record->fields = std::move(fields);
  return true;
}

std::string NormalizeColumnName(absl::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ' ' || c == '_' || c == '-') continue;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

int CsvColumns::Find(std::initializer_list<absl::string_view> names) const {
  for (absl::string_view name : names) {
    const std::string wanted = NormalizeColumnName(name);
    for (size_t i = 0; i < header_.size(); ++i) {
      if (NormalizeColumnName(header_[i]) == wanted) return static_cast<int>(i);
    }
  }
  return -1;
}

std::string CsvColumns::NameOf(int index) const {
  return index >= 0 && static_cast<size_t>(index) < header_.size() ? header_[index] : "";
}

}  // namespace ladder::ladderctl
