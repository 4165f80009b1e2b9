#include "bench/h2load.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ladder::bench {
namespace {

// The number just before `unit` in `line`: "…, 6712.30 req/s, …" with unit " req/s".
bool NumberBefore(absl::string_view line, absl::string_view unit, double* value) {
  const size_t at = line.find(unit);
  if (at == absl::string_view::npos) return false;
  absl::string_view before = absl::StripTrailingAsciiWhitespace(line.substr(0, at));
  const size_t space = before.find_last_of(" ,(");
  return absl::SimpleAtod(space == absl::string_view::npos ? before : before.substr(space + 1), value);
}

bool CountBefore(absl::string_view line, absl::string_view unit, int64_t* value) {
  double number = 0;
  if (!NumberBefore(line, unit, &number)) return false;
  *value = static_cast<int64_t>(number);
  return true;
}

}  // namespace

absl::Status WriteGrpcMessage(const std::string& path, const google::protobuf::Message& message) {
  const std::string bytes = message.SerializeAsString();
  const uint32_t size = static_cast<uint32_t>(bytes.size());
  const char prefix[5] = {0, static_cast<char>(size >> 24), static_cast<char>(size >> 16), static_cast<char>(size >> 8),
                          static_cast<char>(size)};
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(prefix, sizeof prefix);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

pid_t StartH2load(const H2loadCall& call, const std::vector<std::string>& run_flags, const std::string& log) {
  std::vector<std::string> args = {"h2load",
                                   "-c",
                                   absl::StrCat(call.connections),
                                   "-m",
                                   absl::StrCat(call.streams_per_connection),
                                   "-d",
                                   call.body_path,
                                   "-H",
                                   "content-type: application/grpc",
                                   "-H",
                                   "te: trailers",
                                   "-H",
                                   absl::StrCat("authorization: Bearer ", call.token)};
  args.insert(args.end(), run_flags.begin(), run_flags.end());
  args.insert(args.end(), call.extra_flags.begin(), call.extra_flags.end());
  args.push_back(absl::StrCat("https://", call.address, call.method));
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    // Its summary and its complaints, in one file.
    if (std::freopen(log.c_str(), "w", stdout) != nullptr) dup2(STDOUT_FILENO, STDERR_FILENO);
    execvp("h2load", argv.data());
    _exit(127);
  }
  return pid;
}

absl::StatusOr<H2loadFigures> ParseH2loadSummary(absl::string_view output) {
  H2loadFigures figures;
  bool finished = false, requests = false, traffic = false;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, "finished in ")) {
      finished = NumberBefore(line, " req/s", &figures.requests_per_second);
    } else if (absl::StartsWith(line, "requests: ")) {
      requests = CountBefore(line, " done", &figures.done) && CountBefore(line, " succeeded", &figures.succeeded);
    } else if (absl::StartsWith(line, "traffic: ")) {
      // "traffic: 1.2MB (1234) total, 5KB (5000) headers (space savings 90%), 1MB (1000) data"
      const size_t data = line.rfind(" data");
      const size_t open = line.rfind('(', data);
      traffic = data != absl::string_view::npos && open != absl::string_view::npos &&
                absl::SimpleAtoi(line.substr(open + 1, line.find(')', open) - open - 1), &figures.data_bytes);
    }
  }
  if (!finished || !requests || !traffic) {
    return absl::InvalidArgumentError("h2load printed no summary (finished, requests and traffic lines)");
  }
  return figures;
}

absl::StatusOr<H2loadFigures> RunH2load(const H2loadCall& call, absl::Duration warmup, absl::Duration duration,
                                        int64_t min_response_bytes, const std::string& log) {
  const pid_t pid = StartH2load(call,
                                {"-D", absl::StrCat(absl::ToInt64Milliseconds(duration), "ms"), "--warm-up-time",
                                 absl::StrCat(absl::ToInt64Milliseconds(warmup), "ms")},
                                log);
  if (pid < 0) return absl::UnavailableError("h2load could not be started");
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
    return absl::UnavailableError("h2load (Debian's nghttp2-client) is not installed");
  }
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<H2loadFigures> figures = ParseH2loadSummary(text.str());
  if (!figures.ok()) return absl::InternalError(absl::StrCat(figures.status().message(), "; see ", log));
  if (figures->done == 0 || figures->succeeded != figures->done ||
      figures->data_bytes < figures->done * min_response_bytes) {
    return absl::InternalError(absl::StrCat(
        "h2load: ", figures->succeeded, " of ", figures->done, " calls answered with ", figures->data_bytes,
        " bytes of data (each needs at least ", min_response_bytes, "): calls were refused; see ", log));
  }
  return figures;
}

}  // namespace ladder::bench
