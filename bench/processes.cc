#include "bench/processes.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/security.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

extern char** environ;

namespace ladder::bench {
namespace {

// A port nothing listens on now. Another process could take it before the server binds
// it; on a benchmark machine that does not happen.
absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return absl::InternalError("cannot find a free port");
  }
  const int port = ntohs(address.sin_port);
  close(fd);
  return port;
}

// Whether something accepts connections on the loopback port.
bool Listening(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

// The servers running now, stopped at exit however the benchmark ends (a failed check
// leaves through std::exit, which runs no destructors of local objects).
std::mutex running_mu;
std::set<pid_t>& Running() {
  static auto* running = new std::set<pid_t>();
  return *running;
}

void StopRunning() {
  std::lock_guard<std::mutex> lock(running_mu);
  for (pid_t pid : Running()) kill(pid, SIGTERM);
}

void Track(pid_t pid, bool running) {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(StopRunning); });
  std::lock_guard<std::mutex> lock(running_mu);
  if (running) {
    Running().insert(pid);
  } else {
    Running().erase(pid);
  }
}

bool Exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

int64_t ProcStatusKib(pid_t pid, const std::string& field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  const std::string prefix = field + ":";
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, prefix)) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, "kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kib)) return kib;
  }
  return -1;
}

bool ResetPeakRss(pid_t pid) {
  // "5" resets the peak RSS (Documentation/filesystems/proc.rst, clear_refs).
  std::ofstream clear(absl::StrCat("/proc/", pid, "/clear_refs"));
  clear << "5";
  clear.close();
  return static_cast<bool>(clear);
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(const ServerSpec& spec, absl::Duration timeout) {
  if (spec.credentials == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(spec.name, ": no credentials to probe it with"));
  }
  absl::StatusOr<int> port = FreePort();
  if (!port.ok()) return port.status();
  auto process = std::unique_ptr<ServerProcess>(new ServerProcess());
  process->name_ = spec.name;
  process->address_ = absl::StrCat("127.0.0.1:", *port);

  // Everything the child needs is built before fork(): after it only async-signal-safe
  // calls are allowed (the benchmark has threads).
  std::vector<std::string> args = {spec.binary, absl::StrCat("--listen=", process->address_)};
  args.insert(args.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    const std::string entry = *variable;
    const std::string key = entry.substr(0, entry.find('='));
    if (spec.environment.count(key) == 0) environment.push_back(entry);
  }
  for (const auto& [key, value] : spec.environment) environment.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const int log = open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return absl::InternalError(absl::StrCat("cannot open ", spec.log_path));
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (spec.cpu >= 0) CPU_SET(spec.cpu, &cpus);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log);
    return absl::InternalError("fork() failed");
  }
  if (pid == 0) {
    // The parent blocks SIGTERM/SIGINT in some threads; the server must start with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // The server goes when the benchmark does, even if it is killed.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    if (spec.cpu >= 0) sched_setaffinity(0, sizeof(cpus), &cpus);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    const int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(log);
  process->pid_ = pid;
  Track(pid, true);

  // The channel is made once the port accepts connections: a channel that failed to
  // connect waits out gRPC's reconnect back-off (a second and more) before trying again.
  const absl::Time deadline = absl::Now() + timeout;
  while (!Listening(*port)) {
    if (Exited(pid)) {
      Track(pid, false);
      process->pid_ = -1;
      return absl::InternalError(absl::StrCat(spec.name, " exited during start-up; see ", spec.log_path));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(spec.name, " did not listen within ", absl::FormatDuration(timeout), "; see ", spec.log_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto channel = grpc::CreateChannel(process->address_, spec.credentials);
  auto health = grpc::health::v1::Health::NewStub(channel);
  while (absl::Now() < deadline) {
    if (Exited(pid)) {
      Track(pid, false);
      process->pid_ = -1;
      return absl::InternalError(absl::StrCat(spec.name, " exited during start-up; see ", spec.log_path));
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    context.set_wait_for_ready(true);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(spec.health_service);
    grpc::health::v1::HealthCheckResponse response;
    if (health->Check(&context, request, &response).ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return process;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(spec.name, " was not SERVING within ", absl::FormatDuration(timeout), "; see ", spec.log_path));
}

ServerProcess::~ServerProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  bool exited = false;
  for (int i = 0; i < 200 && !exited; ++i) {
    exited = Exited(pid_);
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  Track(pid_, false);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  Track(pid_, false);
  pid_ = -1;
}

int64_t ServerProcess::RssKib() const { return ProcStatusKib(pid_, "VmRSS"); }
int64_t ServerProcess::PeakRssKib() const { return ProcStatusKib(pid_, "VmHWM"); }
int64_t ServerProcess::Threads() const { return ProcStatusKib(pid_, "Threads"); }

std::string LocalDatabaseUrl(const db::DatabaseOptions& options) {
  return absl::StrCat("mysql://", options.user, "@localhost/", options.database, "?socket=", options.socket);
}

absl::StatusOr<std::unique_ptr<ServerProcess>> StartLadderServer(
    const LadderServerSetup& setup, const std::string& name, const std::string& binary,
    const std::string& health_service, const std::string& database_url, const std::string& database_password,
    std::vector<std::string> args, const std::string& certificate) {
  ServerSpec spec;
  spec.name = name;
  spec.binary = absl::StrCat(setup.build_dir, "/", binary);
  spec.health_service = health_service;
  spec.credentials = setup.credentials;
  spec.cpu = setup.cpu;
  spec.log_path = absl::StrCat(setup.log_dir, "/", name, ".log");
  spec.args = std::move(args);
  spec.args.push_back(absl::StrCat("--policy_dir=", setup.policy_dir));
  spec.args.push_back("--shutdown_grace=2s");
  for (std::string& flag : ServerSecurityFlags(setup.pki_dir, certificate.empty() ? name : certificate)) {
    spec.args.push_back(std::move(flag));
  }
  if (!database_url.empty()) {
    spec.args.push_back(absl::StrCat("--database=", database_url));
    spec.environment["LADDER_DATABASE_PASSWORD"] = database_password;
  }
  return ServerProcess::Start(spec);
}

}  // namespace ladder::bench
