#include "tests/support/mariadb_process.h"

#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/connection_pool.h"

namespace ladder::testing {
namespace {

std::string Program(const char* variable, const char* fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string CurrentUser() {
  const passwd* entry = getpwuid(getuid());
  return entry != nullptr ? entry->pw_name : "root";
}

// Runs a program to completion; its output goes to `log`.
absl::Status RunToCompletion(std::vector<std::string> argv, const std::string& log) {
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    freopen(log.c_str(), "a", stdout);
    freopen(log.c_str(), "a", stderr);
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed; see ", log));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<MariaDbProcess>> MariaDbProcess::Start(const std::string& directory) {
  std::filesystem::create_directories(directory);
  auto process = std::unique_ptr<MariaDbProcess>(new MariaDbProcess(directory));
  if (!std::filesystem::exists(directory + "/data/mysql")) {
    // No --user: running as root, install-db would otherwise re-own system directories.
    absl::Status installed =
        RunToCompletion({Program("LADDER_TEST_MYSQL_INSTALL_DB", "mariadb-install-db"), "--no-defaults",
                         "--datadir=" + directory + "/data", "--auth-root-authentication-method=socket",
                         "--auth-root-socket-user=" + CurrentUser(), "--skip-test-db"},
                        directory + "/install.log");
    if (!installed.ok()) return installed;
  }
  if (absl::Status launched = process->Launch(); !launched.ok()) return launched;
  return process;
}

MariaDbProcess::~MariaDbProcess() {
  if (pid_ > 0) {
    if (frozen_) kill(pid_, SIGCONT);  // a stopped process would never act on SIGTERM
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

absl::Status MariaDbProcess::Launch() {
  std::filesystem::remove(directory_ + "/mysqld.sock");
  pid_ = fork();
  if (pid_ < 0) return absl::InternalError("fork failed");
  if (pid_ == 0) {
    const std::string log = directory_ + "/mysqld.log";
    freopen(log.c_str(), "a", stdout);
    freopen(log.c_str(), "a", stderr);
    std::vector<std::string> argv = {Program("LADDER_TEST_MYSQLD", "mariadbd"),
                                     "--no-defaults",
                                     "--datadir=" + directory_ + "/data",
                                     "--socket=" + directory_ + "/mysqld.sock",
                                     "--pid-file=" + directory_ + "/mysqld.pid",
                                     "--skip-networking",
                                     "--innodb-buffer-pool-size=64M",
                                     "--character-set-server=utf8mb4"};
    if (getuid() == 0) argv.push_back("--user=root");
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  // Ready when a session opens; a crash-recovery start may take a few seconds.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  db::DatabaseOptions options = Options("");
  options.connect_timeout = absl::Seconds(1);
  while (absl::Now() < deadline) {
    if (db::Connection::Open(options, /*use_database=*/false).ok()) return absl::OkStatus();
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("mariadbd exited; see ", directory_, "/mysqld.log"));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError("mariadbd did not answer within 60 s");
}

absl::Status MariaDbProcess::Freeze() {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  if (kill(pid_, SIGSTOP) != 0) return absl::InternalError("SIGSTOP failed");
  frozen_ = true;
  return absl::OkStatus();
}

absl::Status MariaDbProcess::Thaw() {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  if (kill(pid_, SIGCONT) != 0) return absl::InternalError("SIGCONT failed");
  frozen_ = false;
  return absl::OkStatus();
}

absl::Status MariaDbProcess::Kill() {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return absl::OkStatus();
}

absl::Status MariaDbProcess::Restart() {
  if (pid_ > 0) return absl::FailedPreconditionError("already running");
  return Launch();
}

db::DatabaseOptions MariaDbProcess::Options(const std::string& database) const {
  db::DatabaseOptions options;
  options.socket = directory_ + "/mysqld.sock";
  options.user = CurrentUser();
  options.database = database;
  return options;
}

}  // namespace ladder::testing
