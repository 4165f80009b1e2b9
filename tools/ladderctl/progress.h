#pragma once

// Progress of a long job on stderr: on a terminal a bar redrawn in place (rows done, rate,
// time left); otherwise (a log file, CI) a plain line every kLineEveryRows rows or
// kLineEverySeconds seconds, so a log shows the job moving without a line per row.

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace ladder::ladderctl {

enum class ProgressMode { kAuto, kBar, kLines, kNone };

// "auto", "bar", "lines", "none"; false for anything else.
bool ParseProgressMode(const std::string& text, ProgressMode* mode);

inline constexpr int64_t kLineEveryRows = 1000;
inline constexpr int kLineEverySeconds = 5;

class Progress final {
 public:
  // `label` says what is counted ("employees", "scores"); `unit` names one ("rows").
  Progress(std::string label, int64_t total, ProgressMode mode, std::string unit = "rows", std::FILE* out = stderr);
  ~Progress();

  void Advance(int64_t count = 1);
  // The final state, once. Called by the destructor if not before.
  void Finish();

  // The text shown for `done` of `total` after `elapsed`: "120/312 rows  45.2 rows/s  0:04
  // left". Exposed for tests.
  static std::string Describe(int64_t done, int64_t total, absl::Duration elapsed, const std::string& unit);

 private:
  void Draw(bool final);

  std::string label_;
  int64_t total_;
  ProgressMode mode_;
  std::string unit_;
  std::FILE* out_;
  int64_t done_ = 0;
  int64_t last_line_done_ = 0;
  absl::Time start_;
  absl::Time last_draw_;
  bool finished_ = false;
};

}  // namespace ladder::ladderctl
