#include "daemon.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace guardfeed::testing {

namespace fs = std::filesystem;

namespace {

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string MakeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "guardfeed-serve-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  return made == nullptr ? std::string() : std::string(made);
}

constexpr const char* kFeeds = R"(
[[feeds]]
name = "fortigate_ip"
format = "plain"
kinds = ["ipv4", "ipv6"]
line_ending = "crlf"

[[feeds]]
name = "paloalto_edl"
format = "plain"
kinds = ["ipv4", "ipv6"]
aggregate = true
header = true

[[feeds]]
name = "blocked_domains"
format = "plain"
kinds = ["domain"]

[[feeds]]
name = "gd_ip_feed"
format = "secintel"
kinds = ["ipv4"]

[[feeds]]
name = "gd_dns_feed"
format = "secintel"
kinds = ["domain"]

[[feeds]]
name = "checkpoint_ioc"
format = "checkpoint"

[[feeds]]
name = "all_indicators"
format = "json"
)";

}  // namespace

bool WaitFor(const std::function<bool()>& condition, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {
  dir_ = MakeTempDir();
  config_path_ = dir_ + "/guardfeed.toml";
  ready_path_ = dir_ + "/ready";
  WriteConfig(options_);
}

Daemon::~Daemon() {
  if (pid_ > 0) Stop(SIGKILL);
  std::error_code ignored;
  if (!dir_.empty() && std::getenv("GUARDFEED_KEEP_TEST_DIRS") == nullptr) {
    fs::remove_all(dir_, ignored);
  }
}

void Daemon::WriteConfig(const DaemonOptions& options) {
  std::ofstream out(config_path_ + ".tmp", std::ios::trunc);
  std::string store_url = options.store_url.empty()
                              ? "sqlite://" + dir_ + "/" + options.store_file
                              : options.store_url;
  out << "[store]\nurl = \"" << store_url << "\"\n\n"
      << "[policy]\nmin_severity = 4.0\nallowlist = [\"192.0.2.10\"]\n\n"
      << "[ingest]\nseen_at = \"receipt\"\n\n";
  out << "[server]\n";
  if (!options.replace_server) {
    out << "ingest_token = \"" << kIngestToken << "\"\n"
        << "admin_token = \"" << kAdminToken << "\"\n"
        << "body_limit = \"2MiB\"\n"
        << "header_timeout = \"1s\"\nbody_timeout = \"2s\"\nidle_timeout = \"5s\"\n"
        << "render_debounce = \"50ms\"\nstore_poll = \"200ms\"\ncount_interval = \"1s\"\n"
        << "shutdown_grace = \"5s\"\n";
  }
  out << options.server_toml << "\n" << kFeeds << "\n" << options.extra_toml << "\n";
  out.close();
  fs::rename(config_path_ + ".tmp", config_path_);
}

bool Daemon::Start() {
  fs::remove(ready_path_);
  pid_ = fork();
  if (pid_ == 0) {
    std::string out = dir_ + "/stdout.log";
    std::string err = dir_ + "/stderr.log";
    if (!freopen(out.c_str(), "a", stdout) || !freopen(err.c_str(), "a", stderr)) _exit(126);
    std::vector<std::string> args = {GUARDFEED_EXE,  "-c",       config_path_, "--log-level",
                                     "debug",        "serve",    "--listen",   options_.listen,
                                     "--ready-file", ready_path_};
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(GUARDFEED_EXE, argv.data());
    _exit(127);
  }
  bool ready = WaitFor(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          exit_code_ = DecodeStatus(status);
          pid_ = -1;
          return true;
        }
        return fs::exists(ready_path_);
      },
      30);
  if (!ready || pid_ <= 0) return false;
  url_ = ReadFile(ready_path_);
  while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
  return true;
}

void Daemon::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

int Daemon::WaitExit() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_code_ = DecodeStatus(status);
  return exit_code_;
}

int Daemon::Stop(int signal) {
  Signal(signal);
  return WaitExit();
}

void Daemon::Kill9() { Stop(SIGKILL); }

std::string Daemon::Stdout() const { return ReadFile(dir_ + "/stdout.log"); }
std::string Daemon::Stderr() const { return ReadFile(dir_ + "/stderr.log"); }

}  // namespace guardfeed::testing
