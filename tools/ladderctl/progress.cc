#include "tools/ladderctl/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace ladder::ladderctl {
namespace {

std::string Clock(absl::Duration d) {
  const int64_t seconds = std::max<int64_t>(0, absl::ToInt64Seconds(d));
  if (seconds >= 3600) {
    return absl::StrFormat("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
  return absl::StrFormat("%d:%02d", seconds / 60, seconds % 60);
}

}  // namespace

bool ParseProgressMode(const std::string& text, ProgressMode* mode) {
  if (text == "auto")
    *mode = ProgressMode::kAuto;
  else if (text == "bar")
    *mode = ProgressMode::kBar;
  else if (text == "lines")
    *mode = ProgressMode::kLines;
  else if (text == "none")
    *mode = ProgressMode::kNone;
  else
    return false;
  return true;
}

Progress::Progress(std::string label, int64_t total, ProgressMode mode, std::string unit, std::FILE* out)
    : label_(std::move(label)), total_(total), mode_(mode), unit_(std::move(unit)), out_(out) {
  if (mode_ == ProgressMode::kAuto) {
    const char* term = std::getenv("TERM");
    const bool terminal = ::isatty(::fileno(out_)) == 1 && !(term != nullptr && std::strcmp(term, "dumb") == 0);
    mode_ = terminal ? ProgressMode::kBar : ProgressMode::kLines;
  }
  start_ = absl::Now();
  // A bar shows at once; plain lines only once there is progress to report.
  last_draw_ = mode_ == ProgressMode::kBar ? absl::InfinitePast() : start_;
}

Progress::~Progress() { Finish(); }

std::string Progress::Describe(int64_t done, int64_t total, absl::Duration elapsed, const std::string& unit) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0.05 ? done / seconds : 0.0;
  std::string text = absl::StrCat(done, "/", total, " ", unit);
  if (rate > 0) {
    absl::StrAppend(&text, absl::StrFormat("  %.1f %s/s", rate, unit));
    if (done < total) {
      absl::StrAppend(&text, "  ", Clock(absl::Seconds((total - done) / rate)), " left");
    } else {
      absl::StrAppend(&text, "  in ", Clock(elapsed));
    }
  }
  return text;
}

void Progress::Advance(int64_t count) {
  done_ += count;
  if (mode_ == ProgressMode::kNone || finished_) return;
  const absl::Time now = absl::Now();
  if (mode_ == ProgressMode::kBar) {
    if (now - last_draw_ >= absl::Milliseconds(100)) Draw(false);
    return;
  }
  if (done_ - last_line_done_ >= kLineEveryRows || now - last_draw_ >= absl::Seconds(kLineEverySeconds)) {
    Draw(false);
  }
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (mode_ == ProgressMode::kNone) return;
  Draw(true);
}

void Progress::Draw(bool final) {
  last_draw_ = absl::Now();
  last_line_done_ = done_;
  const std::string text = Describe(done_, total_, last_draw_ - start_, unit_);
  if (mode_ == ProgressMode::kBar) {
    constexpr int kWidth = 28;
    const int filled = total_ <= 0 ? kWidth : static_cast<int>(kWidth * std::min(done_, total_) / total_);
    std::string bar;
    for (int i = 0; i < kWidth; ++i) bar += i < filled ? "█" : "░";
    const int percent = total_ <= 0 ? 100 : static_cast<int>(100 * std::min(done_, total_) / total_);
    // \r and "erase to end of line": the bar is redrawn in place.
    std::fprintf(out_, "\r%s %s %3d%%  %s\x1b[K%s", label_.c_str(), bar.c_str(), percent, text.c_str(),
                 final ? "\n" : "");
  } else {
    std::fprintf(out_, "%s: %s%s\n", label_.c_str(), text.c_str(), final ? " (done)" : "");
  }
  std::fflush(out_);
}

}  // namespace ladder::ladderctl
