// HttpServer: the Beast/Asio connection layer. Accepts connections (plain or TLS), reads requests
// with time limits (headers, body, idle keep-alive: a slow or stalled client only holds its own
// connection), enforces body limits before reading bodies (413, with 100-continue honoured),
// answers malformed requests with 400/431, dispatches to the Router and writes responses.
//
// Thread safety: Listen and Start are called once from the controlling thread, then Stop once.
// Each connection runs as a coroutine on its own strand; io_threads threads run them all.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
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
  // `ctx` and `router` must outlive the HttpServer.
  HttpServer(ServerContext& ctx, const Router& router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; loads the TLS certificate and key when configured.
  Status Listen(const ServerOptions& options);
  uint16_t port() const { return port_; }
  // Starts accepting on `threads` I/O threads.
  void Start(int threads);
  // Stops accepting, closes idle connections, waits up to `grace` for requests in flight, then
  // stops the I/O threads. Idempotent.
  void Stop(std::chrono::milliseconds grace);

  // Connections currently open (tests and metrics).
  size_t connections() const;

  struct Session;  // one connection's cancellation handle (http_server.cc)

 private:
  template <class Stream>
  friend class Connection;

  void Register(const std::shared_ptr<Session>& session);
  void Unregister(const std::shared_ptr<Session>& session);
  boost::asio::awaitable<void> AcceptLoop();
  void Launch(boost::asio::ip::tcp::socket socket);

  ServerContext& ctx_;
  const Router& router_;
  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> accept_strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::optional<boost::asio::ssl::context> tls_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  bool stopped_ = false;  // controlling thread only

  mutable std::mutex mu_;
  std::condition_variable sessions_empty_;
  std::unordered_set<std::shared_ptr<Session>> sessions_;  // guarded by mu_
};

}  // namespace guardfeed::server
