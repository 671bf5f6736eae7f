// guardfeed serve: the daemon. Reads [server] from the configuration (docs/server.md), starts the
// HTTP server on the runtime's store and feeds, prints the URLs firewalls and an EventBridge API
// destination use, then waits for signals: SIGTERM/SIGINT stop gracefully (exit 0), SIGHUP
// reloads the configuration.
#include <fmt/core.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include "cli/output.h"
#include "cli/publish_config.h"
#include "core/time_util.h"
#include "publish/publisher.h"
#include "server/server.h"

namespace guardfeed {
namespace {

struct ServeFlags {
  std::string listen;      // overrides server.listen
  std::string ready_file;  // written with the base URL once serving
};

// "file:line: server.key: message" for a [server] value.
class ServerSection {
 public:
  explicit ServerSection(const Config& config) : file_(config.source), raw_(config.raw) {}

  Status Error(const toml::node* node, std::string_view key, const std::string& message) const {
    std::string where = file_;
    if (node != nullptr && node->source().begin.line > 0) {
      where += ":" + std::to_string(node->source().begin.line);
    }
    return Status::InvalidArgument(where + ": " + std::string(key) + ": " + message);
  }

  const toml::table* Table() const { return raw_["server"].as_table(); }
  const toml::node* Root() const { return raw_.get("server"); }

 private:
  std::string file_;
  const toml::table& raw_;
};

constexpr std::string_view kKnownKeys[] = {
    "listen",         "ingest_token",   "ingest_api_key_header",
    "admin_token",    "body_limit",     "decompressed_limit",
    "header_timeout", "body_timeout",   "idle_timeout",
    "write_timeout",  "shutdown_grace", "tls_cert",
    "tls_key",        "cache_control",  "gzip",
    "threads",        "store_threads",  "render_debounce",
    "store_poll",     "count_interval", "public_url",
    "feed_auth",      "secintel_auth"};

Status ReadString(const ServerSection& s, const toml::table& t, std::string_view prefix,
                  std::string_view key, std::string& out) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_string()) {
    return s.Error(node, std::string(prefix) + "." + std::string(key), "expected a string");
  }
  out = node->as_string()->get();
  return Status::Ok();
}

// "16MiB", "512KiB", "1MB", "65536", or an integer.
Result<size_t> ParseSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return Status::InvalidArgument("expected a size like 16MiB");
  size_t value = std::stoull(std::string(text.substr(0, digits)));
  std::string unit(text.substr(digits));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<std::string_view, size_t> kUnits[] = {
      {"", 1},         {"b", 1},           {"k", 1024},      {"kb", 1000},
      {"kib", 1024},   {"m", 1u << 20},    {"mb", 1000000},  {"mib", 1u << 20},
      {"g", 1u << 30}, {"gb", 1000000000}, {"gib", 1u << 30}};
  for (const auto& [name, multiplier] : kUnits) {
    if (unit == name) return value * multiplier;
  }
  return Status::InvalidArgument("unknown unit \"" + unit + "\" (use KiB, MiB, GiB)");
}

Status ReadSize(const ServerSection& s, const toml::table& t, std::string_view key, size_t& out) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  std::string name = "server." + std::string(key);
  if (auto integer = node->value<int64_t>(); integer && node->is_integer()) {
    if (*integer <= 0) return s.Error(node, name, "expected a positive number of bytes");
    out = static_cast<size_t>(*integer);
    return Status::Ok();
  }
  if (!node->is_string()) return s.Error(node, name, "expected bytes or a size like \"16MiB\"");
  Result<size_t> size = ParseSize(node->as_string()->get());
  if (!size.ok() || *size == 0) {
    return s.Error(
        node, name,
        "expected a size like \"16MiB\", got \"" + std::string(node->as_string()->get()) + "\"");
  }
  out = *size;
  return Status::Ok();
}

// Seconds as an integer, or text: "500ms", "10s", "2m".
Status ReadDuration(const ServerSection& s, const toml::table& t, std::string_view key,
                    std::chrono::milliseconds& out) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  std::string name = "server." + std::string(key);
  if (node->is_integer()) {
    int64_t seconds = node->value<int64_t>().value_or(-1);
    if (seconds < 0) return s.Error(node, name, "expected a non-negative number of seconds");
    out = std::chrono::seconds(seconds);
    return Status::Ok();
  }
  if (!node->is_string()) return s.Error(node, name, "expected a duration like \"10s\"");
  std::string text(node->as_string()->get());
  if (text.size() > 2 && text.ends_with("ms")) {
    std::string number = text.substr(0, text.size() - 2);
    if (number.find_first_not_of("0123456789") == std::string::npos && number.size() < 10) {
      out = std::chrono::milliseconds(std::stoll(number));
      return Status::Ok();
    }
  } else if (Result<int64_t> seconds = ParseDuration(text); seconds.ok()) {
    out = std::chrono::seconds(*seconds);
    return Status::Ok();
  }
  return s.Error(node, name, "expected a duration like \"10s\" or \"500ms\", got \"" + text + "\"");
}

Status ReadInt(const ServerSection& s, const toml::table& t, std::string_view key, int min, int max,
               int& out) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  std::optional<int64_t> value = node->value<int64_t>();
  if (!node->is_integer() || !value || *value < min || *value > max) {
    return s.Error(node, "server." + std::string(key),
                   "expected an integer " + std::to_string(min) + ".." + std::to_string(max));
  }
  out = static_cast<int>(*value);
  return Status::Ok();
}

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:443".
Status ParseListen(std::string_view text, ServerOptions& options) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("expected HOST:PORT, e.g. \"127.0.0.1:8080\" or \"[::]:8080\"");
  }
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string port(text.substr(colon + 1));
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoi(port) > 65535) {
    return Status::InvalidArgument("port \"" + port + "\" is not 0..65535");
  }
  options.host = host;
  options.port = static_cast<uint16_t>(std::stoi(port));
  return Status::Ok();
}

Result<FeedAuth> ReadAuth(const ServerSection& s, const toml::node& node, const std::string& key) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return s.Error(&node, key, "expected a table with user/password or token");
  FeedAuth auth;
  for (const auto& [name, value] : *table) {
    if (name != "user" && name != "password" && name != "token") {
      return s.Error(&value, key + "." + std::string(name.str()),
                     "unknown key (user, password, token)");
    }
  }
  GF_RETURN_IF_ERROR(ReadString(s, *table, key, "user", auth.user));
  GF_RETURN_IF_ERROR(ReadString(s, *table, key, "password", auth.password));
  GF_RETURN_IF_ERROR(ReadString(s, *table, key, "token", auth.token));
  return auth;
}

Status ReadFeedAuth(const ServerSection& s, const toml::table& t, const Config& config,
                    ServerOptions& options) {
  if (const toml::node* node = t.get("secintel_auth")) {
    auto auth = ReadAuth(s, *node, "server.secintel_auth");
    if (!auth.ok()) return auth.status();
    options.secintel_auth = *auth;
  }
  const toml::node* node = t.get("feed_auth");
  if (node == nullptr) return Status::Ok();
  const toml::table* feeds = node->as_table();
  if (feeds == nullptr)
    return s.Error(node, "server.feed_auth", "expected [server.feed_auth.NAME]");
  for (const auto& [name, value] : *feeds) {
    std::string key = "server.feed_auth." + std::string(name.str());
    bool known = std::any_of(config.feeds.begin(), config.feeds.end(),
                             [&](const FeedConfig& feed) { return feed.name == name.str(); });
    if (!known) return s.Error(&value, key, "no feed named \"" + std::string(name.str()) + "\"");
    auto auth = ReadAuth(s, value, key);
    if (!auth.ok()) return auth.status();
    options.feed_auth[std::string(name.str())] = *auth;
  }
  return Status::Ok();
}

Status ReadStrings(const ServerSection& s, const toml::table& t, ServerOptions& o) {
  std::string listen;
  GF_RETURN_IF_ERROR(ReadString(s, t, "server", "listen", listen));
  if (!listen.empty()) {
    Status parsed = ParseListen(listen, o);
    if (!parsed.ok()) return s.Error(t.get("listen"), "server.listen", parsed.message());
  }
  GF_RETURN_IF_ERROR(ReadString(s, t, "server", "ingest_token", o.ingest_token));
  GF_RETURN_IF_ERROR(ReadString(s, t, "server", "ingest_api_key_header", o.ingest_api_key_header));
  GF_RETURN_IF_ERROR(ReadString(s, t, "server", "admin_token", o.admin_token));
  GF_RETURN_IF_ERROR(ReadString(s, t, "server", "tls_cert", o.tls_cert));
  GF_RETURN_IF_ERROR(ReadString(s, t, "server", "tls_key", o.tls_key));
  GF_RETURN_IF_ERROR(ReadString(s, t, "server", "cache_control", o.cache_control));
  GF_RETURN_IF_ERROR(ReadString(s, t, "server", "public_url", o.public_url));
  if (const toml::node* gzip = t.get("gzip")) {
    if (!gzip->is_boolean()) return s.Error(gzip, "server.gzip", "expected true or false");
    o.gzip = gzip->as_boolean()->get();
  }
  return Status::Ok();
}

Status ReadLimits(const ServerSection& s, const toml::table& t, ServerOptions& o) {
  GF_RETURN_IF_ERROR(ReadSize(s, t, "body_limit", o.body_limit));
  GF_RETURN_IF_ERROR(ReadSize(s, t, "decompressed_limit", o.decompressed_limit));
  GF_RETURN_IF_ERROR(ReadDuration(s, t, "header_timeout", o.header_timeout));
  GF_RETURN_IF_ERROR(ReadDuration(s, t, "body_timeout", o.body_timeout));
  GF_RETURN_IF_ERROR(ReadDuration(s, t, "idle_timeout", o.idle_timeout));
  GF_RETURN_IF_ERROR(ReadDuration(s, t, "write_timeout", o.write_timeout));
  GF_RETURN_IF_ERROR(ReadDuration(s, t, "shutdown_grace", o.shutdown_grace));
  GF_RETURN_IF_ERROR(ReadDuration(s, t, "render_debounce", o.render_debounce));
  GF_RETURN_IF_ERROR(ReadDuration(s, t, "store_poll", o.store_poll));
  GF_RETURN_IF_ERROR(ReadDuration(s, t, "count_interval", o.count_interval));
  GF_RETURN_IF_ERROR(ReadInt(s, t, "threads", 1, 256, o.io_threads));
  GF_RETURN_IF_ERROR(ReadInt(s, t, "store_threads", 1, 64, o.store_threads));
  for (auto* timeout : {&o.header_timeout, &o.body_timeout, &o.idle_timeout, &o.write_timeout}) {
    if (timeout->count() <= 0) {
      return s.Error(s.Root(), "server", "timeouts must be greater than zero");
    }
  }
  if (o.store_poll.count() <= 0) return s.Error(t.get("store_poll"), "server.store_poll", "> 0");
  return Status::Ok();
}

void ApplyEnvironment(ServerOptions& options) {
  if (const char* token = std::getenv("GUARDFEED_INGEST_TOKEN")) options.ingest_token = token;
  if (const char* token = std::getenv("GUARDFEED_ADMIN_TOKEN")) options.admin_token = token;
}

// [server] -> ServerOptions; then environment and --listen; then the cross-key rules.
Result<ServerOptions> ReadServerOptions(const Config& config, const ServeFlags& flags) {
  ServerOptions options;
  ServerSection section(config);
  if (const toml::node* root = section.Root(); root != nullptr) {
    const toml::table* table = section.Table();
    if (table == nullptr) return section.Error(root, "server", "expected a [server] table");
    for (const auto& [key, node] : *table) {
      if (std::find(std::begin(kKnownKeys), std::end(kKnownKeys), key.str()) ==
          std::end(kKnownKeys)) {
        return section.Error(&node, "server." + std::string(key.str()), "unknown key");
      }
    }
    GF_RETURN_IF_ERROR(ReadStrings(section, *table, options));
    GF_RETURN_IF_ERROR(ReadLimits(section, *table, options));
    GF_RETURN_IF_ERROR(ReadFeedAuth(section, *table, config, options));
  }
  ApplyEnvironment(options);
  if (!flags.listen.empty()) {
    Status parsed = ParseListen(flags.listen, options);
    if (!parsed.ok()) return Status::InvalidArgument("--listen: " + parsed.message());
  }
  GF_RETURN_IF_ERROR(ValidateServerOptions(options));
  return options;
}

// Everything one configuration generation runs on, kept alive by the Pipeline's owner.
struct ServeRuntime {
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<Publisher> publisher;
};

struct Loaded {
  ServerOptions options;
  std::shared_ptr<const Pipeline> pipeline;
};

Result<Loaded> Load(const GlobalOptions& global, const ServeFlags& flags) {
  auto runtime = OpenRuntime(global);
  if (!runtime.ok()) return runtime.status();
  auto options = ReadServerOptions((*runtime)->config, flags);
  if (!options.ok()) return options.status();
  auto owner = std::make_shared<ServeRuntime>();
  owner->runtime = std::move(*runtime);
  const Config& config = owner->runtime->config;
  // The same targets as `guardfeed publish`: directory, S3, ATP Cloud, after every render.
  auto publishers = ConfiguredPublishers(*owner->runtime, {});
  if (!publishers.ok()) return publishers.status().WithContext("publish");
  if (!publishers->empty()) owner->publisher = NewFanOutPublisher(std::move(*publishers));
  auto pipeline = std::make_shared<Pipeline>();
  pipeline->store = owner->runtime->store.get();
  pipeline->policy = owner->runtime->policy.get();
  pipeline->clock = owner->runtime->clock;
  pipeline->builder = owner->runtime->builder.get();
  pipeline->publisher = owner->publisher.get();
  pipeline->ingest = config.ingest;
  pipeline->store_description = owner->runtime->store->Describe();
  pipeline->owner = owner;
  return Loaded{std::move(*options), std::move(pipeline)};
}

void PrintUrls(const Server& server, const Loaded& loaded) {
  const ServerOptions& o = loaded.options;
  const std::string base = server.base_url();
  const auto& feeds = loaded.pipeline->builder->feeds();
  fmt::print("guardfeed serve: listening on {} (store {}, {} feeds)\n\n", base,
             loaded.pipeline->store_description, feeds.size());
  fmt::print("Firewall feeds:\n");
  bool secintel = false;
  for (const FeedConfig& feed : feeds) {
    secintel = secintel || feed.format == FeedFormat::kSecIntel;
    std::string auth = o.feed_auth.count(feed.name) ? "  (auth required)" : "";
    fmt::print("  {:<20} {}/feeds/{}{}\n", feed.name, base, feed.name, auth);
  }
  if (secintel) {
    fmt::print("  Juniper SRX:         set services security-intelligence url {}/manifest.xml\n",
               base);
  }
  fmt::print("\nEventBridge API destination (rule target for \"GuardDuty Finding\" events):\n");
  fmt::print("  endpoint:            {}/v1/findings  (HTTP method POST)\n", base);
  if (o.ingest_token.empty()) {
    fmt::print("  authorization:       none (no server.ingest_token; loopback only)\n");
  } else {
    fmt::print("  connection:          API key, header name {}, value = server.ingest_token\n",
               o.ingest_api_key_header);
  }
  fmt::print("\nAdmin API: {}/v1/indicators, /v1/allowlist, /v1/feeds{}\n", base,
             o.admin_token.empty() ? "" : " (Authorization: Bearer server.admin_token)");
  fmt::print("Metrics: {}/metrics   Health: {}/healthz   Ready: {}/readyz\n", base, base, base);
  std::fflush(stdout);
}

void WriteReadyFile(const std::string& path, const Server& server) {
  if (path.empty()) return;
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << server.base_url() << "\n";
  }
  std::rename(temp.c_str(), path.c_str());
}

void Reload(Server& server, const GlobalOptions& global, const ServeFlags& flags) {
  spdlog::info("reload signal=SIGHUP");
  auto loaded = Load(global, flags);
  Status status =
      loaded.ok() ? server.Reload(std::move(loaded->options), loaded->pipeline) : loaded.status();
  if (!status.ok()) {
    spdlog::error("reload failed, keeping the running configuration: {}", status.ToString());
    return;
  }
  spdlog::info("reload done");
}

int RunServe(const GlobalOptions& global, const ServeFlags& flags) {
  auto loaded = Load(global, flags);
  if (!loaded.ok()) {
    PrintError(loaded.status());
    return ExitCodeFor(loaded.status());
  }
  // Block the signals in every thread; this one takes them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer closing mid-response must never kill the daemon: writes report EPIPE instead.
  ::signal(SIGPIPE, SIG_IGN);
  auto server = Server::Start(loaded->options, loaded->pipeline);
  if (!server.ok()) {
    PrintError(server.status());
    return server.status().code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  PrintUrls(**server, *loaded);
  WriteReadyFile(flags.ready_file, **server);
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      Reload(**server, global, flags);
      continue;
    }
    spdlog::info("stopping signal={}", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    (*server)->Stop();
    spdlog::info("stopped");
    return kExitOk;
  }
}

}  // namespace

void AddServeCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run the daemon: serve feeds over HTTP, take findings in on POST /v1/findings");
  cmd->add_option("--listen", flags->listen,
                  "HOST:PORT to listen on, overriding server.listen (port 0: any free port)");
  cmd->add_option("--ready-file", flags->ready_file,
                  "Write the base URL to this file once the server accepts connections");
  cmd->callback([&global, &exit_code, flags] { exit_code = RunServe(global, *flags); });
}

}  // namespace guardfeed
