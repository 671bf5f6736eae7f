// Small process helpers the tests that run real servers share (tests/common/ceph_rgw.h,
// tests/common/postgres_server.h). Header-only, so every binary that compiles one of those
// servers' .cc gets them without another source file.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

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

}  // namespace guardfeed::testing
