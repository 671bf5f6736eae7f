// Small process helpers the tests that run real servers share (tests/common/ceph_rgw.h,
// tests/common/postgres_server.h). Header-only, so every binary that compiles one of those
// servers' .cc gets them without another source file.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace guardfeed::testing {

// A TCP port on 127.0.0.1 that nothing listened on a moment ago (the kernel's choice).
inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

inline bool OnPath(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// Exit status of `sh -c command`.
inline int Shell(const std::string& command) { return WEXITSTATUS(std::system(command.c_str())); }

// Starts `argv` (argv[0] a path) as a child whose stdout and stderr are appended to `log` and
// which gets SIGTERM when the test process dies; -1 when fork fails.
inline pid_t SpawnLogged(std::vector<std::string> argv, const std::string& log) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

// How a test server started with SpawnLogged came up (WaitForPortFile).
enum class ServerStart { kReady, kExited, kMissingDependency, kTimedOut };

// Waits up to 20 s for a child server that writes its port to `port_file` and then answers
// `ready(port)`. Exit code 3 is the servers' "a dependency is missing" (python3-botocore): a
// skip, not a failure. Sets `pid` to -1 when the child exited.
inline ServerStart WaitForPortFile(pid_t& pid, const std::string& port_file, int& port,
                                   const std::function<bool(int port)>& ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      bool missing = WIFEXITED(status) && WEXITSTATUS(status) == 3;
      return missing ? ServerStart::kMissingDependency : ServerStart::kExited;
    }
    if (port == 0) {
      std::ifstream in(port_file);
      in >> port;
      if (!in) port = 0;
    }
    if (port != 0 && ready(port)) return ServerStart::kReady;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ServerStart::kTimedOut;
}

}  // namespace guardfeed::testing
