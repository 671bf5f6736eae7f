// HttpServer: the Beast/Asio connection layer. Accepts connections (plain or TLS), reads requests
// with time limits (headers, body, idle keep-alive: a slow or stalled client only holds its own
// connection), enforces body limits before reading bodies (413, with 100-continue honoured),
// answers malformed requests with 400/431, dispatches to the Router and writes responses.
//
// Thread safety: Listen and Start are called once from the controlling thread, then Stop once.
// Each I/O thread runs its own io_context (like nginx workers: no shared scheduler, no strands);
// a connection is a coroutine pinned to one of them, assigned round robin at accept.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "server/router.h"
#include "server/server_context.h"

namespace guardfeed::server {

class HttpServer {
 public:
  // `ctx` and `router` must outlive the HttpServer. `threads` >= 1 I/O threads.
  HttpServer(ServerContext& ctx, const Router& router, int threads);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; loads the TLS certificate and key when configured.
  Status Listen(const ServerOptions& options);
  uint16_t port() const { return port_; }
  // Starts accepting and the I/O threads.
  void Start();
  // Stops accepting, closes idle connections, waits up to `grace` for requests in flight, then
  // stops the I/O threads. Idempotent.
  void Stop(std::chrono::milliseconds grace);

  // Connections currently open (tests and metrics).
  size_t connections() const;
  // Connections refused with 503 because server.max_connections was reached and none was idle.
  uint64_t refused_connections() const { return refused_.load(); }

  struct Session;  // one connection's cancellation handle (http_server.cc)

 private:
  template <class Stream>
  friend class Connection;

  void Register(const std::shared_ptr<Session>& session);
  void Unregister(const std::shared_ptr<Session>& session);
  boost::asio::awaitable<void> AcceptLoop();
  void Launch(boost::asio::ip::tcp::socket socket);
  // At the connection cap: closes the connection idle the longest (keep-alive with no request,
  // or headers still arriving). False when every connection is busy with a request.
  bool ShedIdleConnection();
  void RefuseConnection(boost::asio::ip::tcp::socket& socket);

  ServerContext& ctx_;
  const Router& router_;
  // One per I/O thread; contexts_[0] also runs the accept loop.
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  boost::asio::ip::tcp::acceptor acceptor_;
  size_t next_context_ = 0;  // accept loop only
  std::optional<boost::asio::ssl::context> tls_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  bool stopped_ = false;         // controlling thread only
  std::atomic<size_t> open_{0};  // launched and not yet finished connections
  std::atomic<uint64_t> refused_{0};

  mutable std::mutex mu_;
  std::condition_variable sessions_empty_;
  std::unordered_set<std::shared_ptr<Session>> sessions_;  // guarded by mu_
};

}  // namespace guardfeed::server
