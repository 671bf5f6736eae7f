// Daemon: runs `guardfeed serve` as a child process on an ephemeral loopback port, with its own
// configuration and SQLite store in a fresh temporary directory, for tests that talk to it over
// real HTTP.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace guardfeed::testing {

struct DaemonOptions {
  // Appended inside [server] (after the defaults: tokens, short timeouts, small body limit).
  std::string server_toml;
  // Extra top-level TOML (e.g. a [publish] section), appended after the feeds.
  std::string extra_toml;
  // Replaces the default [server] section entirely when set.
  bool replace_server = false;
  std::vector<std::string> extra_args;  // after "serve"
  std::string listen = "127.0.0.1:0";
  // The store's file name inside the daemon's directory.
  std::string store_file = "guardfeed.db";
  // A store URL (e.g. postgresql://...) used instead of store_file when set.
  std::string store_url;
};

inline constexpr const char* kIngestToken = "ingest-secret-0123456789";
inline constexpr const char* kAdminToken = "admin-secret-9876543210";

class Daemon {
 public:
  explicit Daemon(DaemonOptions options = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts the process and waits (up to 30 s) until it serves; false if it exited instead.
  bool Start();
  // Sends `signal` and waits for the exit; returns the exit code (128+n when killed by n).
  int Stop(int signal);
  void Kill9();
  // Waits for a process that should exit by itself (e.g. a refused configuration).
  int WaitExit();
  void Signal(int signal);
  bool running() const { return pid_ > 0; }
  // The exit code when Start returned false because the process exited.
  int exit_code() const { return exit_code_; }

  const std::string& url() const { return url_; }
  const std::string& dir() const { return dir_; }
  const std::string& config_path() const { return config_path_; }
  std::string Stdout() const;
  std::string Stderr() const;
  // Rewrites the configuration (for SIGHUP reload tests).
  void WriteConfig(const DaemonOptions& options);

 private:
  DaemonOptions options_;
  std::string dir_;
  std::string config_path_;
  std::string ready_path_;
  std::string url_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Polls `condition` every 50 ms until it holds or `seconds` pass.
bool WaitFor(const std::function<bool()>& condition, double seconds = 10);

}  // namespace guardfeed::testing
