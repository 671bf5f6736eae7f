#include "server/http_server.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <ctime>
#include <limits>

#include "server/http_util.h"
#include "server/request_guard.h"

namespace guardfeed::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct HttpServer::Session {
  asio::any_io_executor executor;
  // No complete request headers received (an idle keep-alive or a client still sending them):
  // safe to close on Stop, and the first to go when the connection cap is reached. Written on
  // the connection's executor, read by the accept loop.
  std::atomic<bool> idle{true};
  std::atomic<int64_t> idle_since{0};  // steady clock ticks
  std::atomic<bool> shed{false};       // chosen to make room: never chosen twice
  std::function<void()> cancel;        // touched only on the connection's executor
};

namespace {

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kReadChunk = 16 * 1024;
// After an error response that leaves request bytes unread, keep reading (and discarding) this
// long before closing, so the client sees the response instead of a connection reset.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerBytes = 4u << 20;
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

using Steady = std::chrono::steady_clock;

bool IsParseError(const error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return false;
  return ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more;
}

// "Date" value, formatted at most once per second per thread.
const std::string& CurrentHttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    cached = FormatHttpDate(now);
  }
  return cached;
}

// Status line and headers. Serialised by hand: one string and one gather write per response is
// much cheaper than a Beast message with its field list (the 304 path is all headers). Header
// values come from guardfeed itself, never from the request.
std::string SerializeHead(const HttpResponse& response, unsigned version, bool keep_alive) {
  std::string out;
  out.reserve(320);
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += http::obsolete_reason(static_cast<http::status>(response.status));
  out += "\r\nServer: guardfeed\r\nDate: ";
  out += CurrentHttpDate();
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  bool bodyless_status = response.status == 304 || response.status == 204 || response.status < 200;
  if (!bodyless_status) {
    out += "Content-Length: ";
    out += std::to_string(response.Body().size());
    out += "\r\n";
  }
  if (version >= 11 && !keep_alive) out += "Connection: close\r\n";
  if (version < 11 && keep_alive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  return out;
}

// Completion condition for async_write: hand the kernel everything left in one call. Asio's
// default (transfer_all) caps each write at 64 KiB, which costs several system calls and wakeups
// per feed response.
std::size_t WriteEverything(const error_code& ec, std::size_t /*written*/) {
  return ec ? 0 : std::numeric_limits<std::size_t>::max();
}

bool ExpectsContinue(const RequestHead& head) {
  auto it = head.find(http::field::expect);
  return it != head.end() && beast::iequals(it->value(), "100-continue");
}

// Sets path, query and tail from the request target; `tail_size` is the prefix route's tail.
void SplitTarget(RequestContext& rc, std::string_view target, size_t tail_size) {
  size_t question = target.find('?');
  rc.path = target.substr(0, question);
  rc.query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  rc.tail = rc.path.substr(rc.path.size() - std::min(tail_size, rc.path.size()));
}

// The label a refused response is counted and logged under.
std::string_view RefusalReason(const HttpResponse& response) {
  if (!response.reason.empty()) return response.reason;
  switch (response.status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "timeout";
    case 413:
      return "too_large";
    case 415:
      return "unsupported_media_type";
    case 421:
      return "bad_host";
    case 431:
      return "headers_too_large";
    default:
      return "client_error";
  }
}

// HttpResponse::log_message, else the "error" text of a JSON error body, else the start of a text
// body, for the log.
std::string ErrorMessage(const HttpResponse& response) {
  std::string_view body = response.Body().substr(0, 512);
  std::string text(body);
  boost::system::error_code ec;
  boost::json::value value;
  if (!response.log_message.empty()) {
    text = response.log_message.substr(0, 512);
  } else {
    value = boost::json::parse(body, ec);
  }
  if (!ec && value.is_object()) {
    if (const boost::json::value* error = value.as_object().if_contains("error")) {
      if (error->is_string()) text = std::string(error->as_string());
    }
  }
  // Request-supplied text must not forge log lines or key=value fields.
  for (char& c : text) {
    if (c == '"' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

// One connection: reads requests, dispatches them, writes responses, until the client closes,
// a timeout fires, an error needs the connection closed, or the server stops.
template <class Stream>
class Connection {
 public:
  Connection(HttpServer& server, Stream stream, std::string client)
      : server_(server),
        stream_(std::move(stream)),
        client_(std::move(client)),
        session_(std::make_shared<HttpServer::Session>()) {}

  asio::awaitable<void> Run() {
    session_->executor = co_await asio::this_coro::executor;
    session_->cancel = [this] {
      error_code ec;
      Lowest().socket().close(ec);
    };
    server_.Register(session_);
    try {
      if (co_await Handshake()) {
        bool first = true;
        while (co_await ServeNext(first)) first = false;
        co_await Close();
      }
    } catch (const std::exception& e) {
      spdlog::error("connection client={} error=\"{}\"", client_, e.what());
    }
    session_->cancel = nullptr;
    server_.Unregister(session_);
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  ServerContext& ctx() { return server_.ctx_; }

  asio::awaitable<bool> Handshake() {
    if constexpr (kTls) {
      Lowest().expires_after(ctx().generation()->options.header_timeout);
      auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kToken);
      if (ec) spdlog::debug("tls client={} error=\"{}\"", client_, ec.message());
      co_return !ec;
    }
    co_return true;
  }

  // Waits for and serves one request; false when the connection should close.
  asio::awaitable<bool> ServeNext(bool first) {
    std::shared_ptr<const Generation> generation = ctx().generation();
    const ServerOptions& options = generation->options;
    session_->idle_since.store(Steady::now().time_since_epoch().count());
    session_->idle.store(true);
    if (buffer_.size() == 0) {
      if (ctx().stopping.load()) co_return false;
      Lowest().expires_after(first ? options.header_timeout : options.idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kToken);
      if (ec) co_return false;
      buffer_.commit(n);
    }
    // The whole header must arrive within header_timeout of its first byte (slowloris).
    Lowest().expires_after(options.header_timeout);
    http::request_parser<http::empty_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(boost::none);  // each route's limit is applied in Dispatch
    auto [ec, n] = co_await http::async_read_header(stream_, buffer_, parser, kToken);
    (void)n;
    if (ec) {
      co_await RejectMalformed(ec);
      co_return false;
    }
    session_->idle.store(false);
    // The request is served under the configuration current now, not the one of when this
    // keep-alive connection went idle (a reload may have revoked its credentials since).
    co_return co_await Dispatch(parser, ctx().generation());
  }

  asio::awaitable<void> RejectMalformed(const error_code& ec) {
    HttpResponse response;
    if (ec == http::error::header_limit) {
      response = TextResponse(431, "request headers too large\n");
    } else if (IsParseError(ec)) {
      response = TextResponse(400, "malformed HTTP request: " + ec.message() + "\n");
    } else {
      co_return;  // end of stream, timeout or Stop: nothing to answer
    }
    response.close = true;
    auto started = Steady::now();
    co_await Write(response, 11, false);
    Finish(Router::kMalformed, response, started, "-", "-");
    co_await Linger();
  }

  asio::awaitable<bool> Dispatch(http::request_parser<http::empty_body>& parser,
                                 std::shared_ptr<const Generation> generation) {
    const ServerOptions& options = generation->options;
    auto started = Steady::now();
    auto& head = parser.get();
    const unsigned version = head.version();
    const bool keep_alive = head.keep_alive();
    std::string_view method = http::to_string(head.method());
    std::string target(head.target());
    RequestContext rc;
    rc.head = &head;
    rc.client = client_;
    rc.head_only = head.method() == http::verb::head;
    rc.generation = std::move(generation);
    Router::Match match;
    if (!target.empty() && target[0] == '/') {
      SplitTarget(rc, target, 0);
      match = server_.router_.Find(head.method(), rc.path);
      rc.tail = match.tail;
    }
    size_t route = match.route != nullptr ? match.route->index : Router::kUnmatched;
    size_t limit = match.route != nullptr && match.route->large_body ? options.body_limit
                                                                     : options.small_body_limit;
    bool body_pending = parser.chunked() || parser.content_length().value_or(0) > 0;
    std::optional<HttpResponse> early = Precheck(rc, match, parser, limit, target, body_pending);
    HttpResponse response;
    if (early) {
      response = std::move(*early);
      if (body_pending) response.close = true;
    } else {
      std::optional<HttpResponse> result = co_await ReadAndHandle(rc, match, parser, limit);
      if (!result) co_return false;  // the client went away or timed out mid-body
      response = std::move(*result);
    }
    // HEAD: the head of the response GET would give, on every status, and never a body.
    if (rc.head_only) response.omit_body = true;
    bool keep = keep_alive && !response.close && !ctx().stopping.load();
    bool written = co_await Write(response, version, keep);
    Finish(route, response, started, method, target);
    if (!keep && written && body_pending && response.close) co_await Linger();
    co_return written && keep;
  }

  std::optional<HttpResponse> Precheck(const RequestContext& rc, const Router::Match& match,
                                       const http::request_parser<http::empty_body>& parser,
                                       size_t limit, const std::string& target, bool body_pending) {
    if (target.empty() || target[0] != '/') {
      HttpResponse response = TextResponse(400, "request target must be an absolute path\n");
      response.close = true;
      return response;
    }
    if (match.route == nullptr) {
      if (!match.method_not_allowed) return JsonError(404, "no such resource");
      HttpResponse response = JsonError(405, "method not allowed");
      response.AddHeader("Allow", match.allow);
      return response;
    }
    // Before any limit or route handler: nothing about a foreign request is worth more.
    if (auto refused =
            GuardRequest(*rc.head, rc.generation->options, server_.port_, body_pending,
                         match.route->form_body)) {
      return refused;
    }
    // A body on GET or HEAD has no use here; trickled slowly it would only hold a connection
    // that the connection cap cannot shed.
    auto method = rc.head->method();
    if (body_pending && (method == http::verb::get || method == http::verb::head)) {
      HttpResponse response = Refusal(400, "body_not_allowed", "GET and HEAD take no body");
      response.close = true;
      return response;
    }
    if (parser.content_length() && *parser.content_length() > limit) {
      return JsonError(413, "request body of " + std::to_string(*parser.content_length()) +
                                " bytes is over the limit of " + std::to_string(limit) +
                                " bytes (server.body_limit)");
    }
    if (match.route->precheck) return match.route->precheck(rc);
    return std::nullopt;
  }

  // Reads the body and runs the handler; nullopt when the connection must close silently.
  asio::awaitable<std::optional<HttpResponse>> ReadAndHandle(
      RequestContext& rc, const Router::Match& match,
      http::request_parser<http::empty_body>& head_parser, size_t limit) {
    bool body_pending = head_parser.chunked() || head_parser.content_length().value_or(0) > 0;
    if (body_pending && ExpectsContinue(head_parser.get())) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      Lowest().expires_after(rc.generation->options.write_timeout);
      auto [ec, n] = co_await http::async_write(stream_, cont, kToken);
      if (ec) co_return std::nullopt;
    }
    if (!body_pending) {
      // Nothing to read (GET, HEAD): skip the body parser and its extra asynchronous step.
      Request request(std::move(static_cast<RequestHead&>(head_parser.get())));
      co_return co_await Run(rc, match, request);
    }
    http::request_parser<http::string_body> parser(std::move(head_parser));
    parser.body_limit(limit);
    Lowest().expires_after(rc.generation->options.body_timeout);
    auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, kToken);
    if (ec == http::error::body_limit) {
      HttpResponse response =
          JsonError(413, "request body is over the limit of " + std::to_string(limit) + " bytes");
      response.close = true;
      co_return response;
    }
    if (IsParseError(ec)) {
      HttpResponse response = TextResponse(400, "malformed HTTP body: " + ec.message() + "\n");
      response.close = true;
      co_return response;
    }
    if (ec) co_return std::nullopt;
    Request request = parser.release();
    co_return co_await Run(rc, match, request);
  }

  asio::awaitable<std::optional<HttpResponse>> Run(RequestContext& rc, const Router::Match& match,
                                                   Request& request) {
    rc.head = &request;
    rc.request = &request;
    SplitTarget(rc, request.target(), match.tail.size());
    co_return co_await Invoke(match.route->handler, rc);
  }

  asio::awaitable<HttpResponse> Invoke(const Handler& handler, RequestContext& rc) {
    try {
      co_return co_await handler(rc);
    } catch (const std::exception& e) {
      spdlog::error("handler path={} error=\"{}\"", rc.path, e.what());
    }
    co_return JsonError(500, "internal error (see the server log)");
  }

  asio::awaitable<bool> Write(const HttpResponse& response, unsigned version, bool keep_alive) {
    const auto timeout = ctx().generation()->options.write_timeout;
    Lowest().expires_after(timeout);
    std::string head = SerializeHead(response, version, keep_alive);
    std::string_view body = response.omit_body ? std::string_view() : response.Body();
    if constexpr (!kTls) {
      if (response.file_fd >= 0 && !body.empty()) {
        co_return co_await WriteFile(head, response, body.size(), timeout);
      }
    }
    if constexpr (kTls) {
      co_return co_await WriteTls(std::move(head), body);
    } else {
      std::array<asio::const_buffer, 2> buffers = {asio::buffer(head),
                                                   asio::buffer(body.data(), body.size())};
      auto [ec, n] = co_await asio::async_write(stream_, buffers, WriteEverything, kToken);
      co_return !ec;
    }
  }

  // Beast's ssl_stream flattens gather writes and stops at an emptied first buffer (a write of
  // zero bytes ends asio's write loop early), so TLS gets one buffer per write: small responses
  // in one piece, large ones as the head and then the body.
  asio::awaitable<bool> WriteTls(std::string head, std::string_view body) {
    constexpr size_t kOnePiece = 16 * 1024;
    if (body.size() <= kOnePiece) {
      head.append(body);
      body = {};
    }
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(head), kToken);
    if (ec || body.empty()) co_return !ec;
    std::tie(ec, n) =
        co_await asio::async_write(stream_, asio::buffer(body.data(), body.size()), kToken);
    co_return !ec;
  }

  // Head with MSG_MORE, then the body with sendfile(2) from the snapshot's memfd: the bytes go
  // from the page cache to the socket without a copy through this process.
  asio::awaitable<bool> WriteFile(const std::string& head, const HttpResponse& response,
                                  size_t size, std::chrono::milliseconds timeout) {
    tcp::socket& socket = Lowest().socket();
    error_code ec;
    socket.native_non_blocking(true, ec);
    if (ec) co_return false;
    ssize_t sent =
        ::send(socket.native_handle(), head.data(), head.size(), MSG_MORE | MSG_NOSIGNAL);
    size_t head_sent = sent > 0 ? static_cast<size_t>(sent) : 0;
    if (head_sent < head.size()) {
      auto rest = asio::buffer(head.data() + head_sent, head.size() - head_sent);
      auto [write_ec, n] = co_await asio::async_write(stream_, rest, WriteEverything, kToken);
      if (write_ec) co_return false;
    }
    auto offset = static_cast<off_t>(response.file_offset);
    const off_t end = offset + static_cast<off_t>(size);
    const auto deadline = Steady::now() + timeout;
    while (offset < end) {
      ssize_t n = ::sendfile(socket.native_handle(), response.file_fd, &offset,
                             static_cast<size_t>(end - offset));
      if (n > 0 || (n < 0 && errno == EINTR)) continue;
      if (n == 0 || errno != EAGAIN || !co_await WaitWritable(socket, deadline)) co_return false;
    }
    co_return true;
  }

  // Waits until the socket can take more bytes; false on error or at `deadline`.
  asio::awaitable<bool> WaitWritable(tcp::socket& socket, Steady::time_point deadline) {
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    timer.async_wait([&socket](const error_code& ec) {
      if (ec) return;  // cancelled: the socket became writable first
      error_code ignored;
      socket.cancel(ignored);
    });
    auto [ec] = co_await socket.async_wait(tcp::socket::wait_write, kToken);
    timer.cancel();
    co_return !ec;
  }

  void Finish(size_t route, const HttpResponse& response, Steady::time_point started,
              std::string_view method, std::string_view target) {
    double seconds = std::chrono::duration<double>(Steady::now() - started).count();
    ctx().metrics->CountRequest(route, response.status, seconds);
    if (response.status >= 400 && response.status < 500) {
      std::string_view reason = RefusalReason(response);
      ctx().metrics->CountRefusal(route, reason);
      // The path only: a query string is the client's and may carry anything.
      spdlog::info("refused client={} method={} path=\"{}\" status={} reason={} message=\"{}\"",
                   client_, method, target.substr(0, target.find('?')), response.status, reason,
                   ErrorMessage(response));
    }
    spdlog::debug("http client={} method={} target=\"{}\" status={} bytes={} duration_ms={:.3f}",
                  client_, method, target, response.status, response.Body().size(), seconds * 1000);
  }

  // Reads and discards what the client still sends, for a bounded time, before closing.
  asio::awaitable<void> Linger() {
    if constexpr (!kTls) {
      error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Lowest().expires_after(kLingerTime);
      size_t drained = buffer_.size();
      buffer_.consume(buffer_.size());
      while (drained < kLingerBytes) {
        auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kToken);
        if (ec) break;
        drained += n;
      }
    }
    co_return;
  }

  asio::awaitable<void> Close() {
    error_code ec;
    if constexpr (kTls) {
      if (Lowest().socket().is_open() && !ctx().stopping.load()) {
        Lowest().expires_after(std::chrono::seconds(1));
        std::tie(ec) = co_await stream_.async_shutdown(kToken);
      }
    }
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().socket().close(ec);
  }

  HttpServer& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  const std::string client_;
  std::shared_ptr<HttpServer::Session> session_;
};

namespace {

std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int threads) {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < std::max(threads, 1); ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));  // hint: one thread each
  }
  return contexts;
}

}  // namespace

HttpServer::HttpServer(ServerContext& ctx, const Router& router, int threads)
    : ctx_(ctx), router_(router), contexts_(MakeContexts(threads)), acceptor_(*contexts_[0]) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

Status HttpServer::Listen(const ServerOptions& options) {
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  std::string where = options.host + ":" + std::to_string(options.port);
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec)
    return Status::InvalidArgument("server.listen: \"" + options.host + "\": " + ec.message());
  tcp::endpoint endpoint(address, options.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();
  if (!options.tls()) return Status::Ok();
  tls_.emplace(asio::ssl::context::tls_server);
  tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
  tls_->use_certificate_chain_file(options.tls_cert, ec);
  if (ec) return Status::IoError("server.tls_cert: " + options.tls_cert + ": " + ec.message());
  tls_->use_private_key_file(options.tls_key, asio::ssl::context::pem, ec);
  if (ec) return Status::IoError("server.tls_key: " + options.tls_key + ": " + ec.message());
  return Status::Ok();
}

void HttpServer::Start() {
  asio::co_spawn(*contexts_[0], AcceptLoop(), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("accept loop stopped: {}", e.what());
    }
  });
  for (auto& context : contexts_) {
    guards_.push_back(asio::make_work_guard(*context));
    threads_.emplace_back([&context] {
      // sendfile(2) has no MSG_NOSIGNAL: a client hanging up mid-response must give EPIPE, not a
      // process-killing SIGPIPE. Blocked here, a SIGPIPE raised by this thread stays pending.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      context->run();
    });
  }
}

asio::awaitable<void> HttpServer::AcceptLoop() {
  for (;;) {
    tcp::socket socket(*contexts_[next_context_++ % contexts_.size()]);
    auto [ec] = co_await acceptor_.async_accept(socket, kToken);
    if (ec) {
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of descriptors and similar: back off instead of spinning.
      spdlog::warn("accept error=\"{}\"", ec.message());
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
      co_await timer.async_wait(kToken);
      continue;
    }
    Launch(std::move(socket));
  }
}

namespace {

template <class Stream>
asio::awaitable<void> RunConnection(HttpServer& server, Stream stream, std::string client) {
  Connection<Stream> connection(server, std::move(stream), std::move(client));
  co_await connection.Run();
}

}  // namespace

namespace {

asio::awaitable<void> DrainAndClose(tcp::socket socket) {
  // The stream's own deadline ends the reads: no timer handler outlives this frame.
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(kLingerTime);
  std::array<char, 4096> sink;
  for (size_t drained = 0; drained < kLingerBytes;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kToken);
    if (ec) break;
    drained += n;
  }
  error_code ignored;
  stream.socket().close(ignored);
}

}  // namespace

bool HttpServer::ShedIdleConnection() {
  std::shared_ptr<Session> oldest;
  {
    std::lock_guard lock(mu_);
    for (const auto& session : sessions_) {
      if (!session->idle.load() || session->shed.load()) continue;
      if (!oldest || session->idle_since.load() < oldest->idle_since.load()) oldest = session;
    }
    if (oldest) oldest->shed.store(true);
  }
  if (!oldest) return false;
  spdlog::debug("connection shed reason=max_connections open={}", open_.load());
  asio::post(oldest->executor, [oldest] {
    if (oldest->idle.load() && oldest->cancel) {
      oldest->cancel();
    } else {
      oldest->shed.store(false);  // it became busy first: it may be chosen again later
    }
  });
  return true;
}

void HttpServer::RefuseConnection(tcp::socket& socket) {
  ++refused_;
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nServer: guardfeed\r\nRetry-After: 1\r\n"
      "Content-Type: application/json\r\nContent-Length: 63\r\nConnection: close\r\n\r\n"
      "{\"error\":\"too many open connections (server.max_connections)\"}\n";
  error_code ignored;
  if (tls_) {
    socket.close(ignored);
    return;
  }
  // Best effort and never blocking: the socket is fresh, its send buffer empty.
  (void)::send(socket.native_handle(), kBusy.data(), kBusy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  // Closing with the client's request unread would reset the connection and lose the answer:
  // read and drop what it sends for a moment first.
  auto executor = socket.get_executor();
  asio::co_spawn(executor, DrainAndClose(std::move(socket)), asio::detached);
}

void HttpServer::Launch(tcp::socket socket) {
  error_code ec;
  const size_t cap = ctx_.generation()->options.max_connections;
  if (open_.load() >= cap && !ShedIdleConnection()) {
    std::string client = socket.remote_endpoint(ec).address().to_string();
    spdlog::info("refused client={} reason=too_many_connections open={} max_connections={}", client,
                 open_.load(), cap);
    ctx_.metrics->CountRefusal(Router::kUnmatched, "too_many_connections");
    RefuseConnection(socket);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  std::string client = socket.remote_endpoint(ec).address().to_string();
  if (ec) return;  // already gone
  ++open_;
  auto executor = socket.get_executor();
  auto on_done = [](std::exception_ptr) {};
  if (tls_) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls_);
    asio::co_spawn(executor, RunConnection(*this, std::move(stream), std::move(client)), on_done);
  } else {
    asio::co_spawn(executor,
                   RunConnection(*this, beast::tcp_stream(std::move(socket)), std::move(client)),
                   on_done);
  }
}

void HttpServer::Register(const std::shared_ptr<Session>& session) {
  // A connection still in its TLS handshake is as new as it looks, not the oldest of all.
  session->idle_since.store(Steady::now().time_since_epoch().count());
  std::lock_guard lock(mu_);
  sessions_.insert(session);
}

void HttpServer::Unregister(const std::shared_ptr<Session>& session) {
  --open_;
  std::lock_guard lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) sessions_empty_.notify_all();
}

size_t HttpServer::connections() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void HttpServer::Stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  ctx_.stopping.store(true);
  asio::post(*contexts_[0], [this] {
    error_code ignored;
    acceptor_.close(ignored);
  });
  std::unique_lock lock(mu_);
  for (const auto& session : sessions_) {
    asio::post(session->executor, [session] {
      if (session->idle.load() && session->cancel) session->cancel();
    });
  }
  sessions_empty_.wait_for(lock, grace, [this] { return sessions_.empty(); });
  if (!sessions_.empty()) spdlog::warn("stop: closing {} busy connections", sessions_.size());
  lock.unlock();
  guards_.clear();
  for (auto& context : contexts_) context->stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace guardfeed::server
