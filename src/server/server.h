// Server: guardfeed's HTTP daemon (Boost.Beast/Asio). Serves the current feed snapshots to
// firewalls, takes findings in (POST /v1/findings, e.g. from an EventBridge API destination),
// exposes an admin API, /metrics, /healthz and /readyz, and re-renders feeds off the request path
// whenever the store changes or an indicator expires. Endpoints and keys: docs/server.md.
//
// server/ depends on core/, store/, feeds/ and publish/; never on cli/.
//
// Threading: Start, Reload and Stop are called from one controlling thread. Inside, I/O threads
// serve requests from an immutable FeedSet swapped atomically (GET never waits on the store), a
// pool of store threads runs ingest and admin work (one Ingestor per thread), and one render
// thread owns FeedBuilder::Build and the publisher.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "feeds/builder.h"
#include "publish/publisher.h"
#include "publish/shrink_guard.h"
#include "server/options.h"
#include "store/ingest.h"
#include "store/store.h"

namespace guardfeed {

// What the server runs on. The pointers are borrowed from objects kept alive by `owner`, so a
// reload can swap in a whole new pipeline while requests still use the old one.
struct Pipeline {
  Store* store = nullptr;
  const Policy* policy = nullptr;
  const Clock* clock = nullptr;
  FeedBuilder* builder = nullptr;  // Build is called only from the render thread
  // Every publish target, each published after a render, retried and reported on its own.
  std::vector<Publisher*> publishers;
  // The shrink guard in front of the served snapshots (publishers carry their own).
  ShrinkGuardOptions shrink_guard;
  // Expired indicators are deleted this long after they expired (store.retention).
  int64_t retention_seconds = 7 * 86400;
  IngestOptions ingest;
  std::string store_description;  // for logs
  std::shared_ptr<const void> owner;
};

// One pulling source's state (sources/), for /metrics and GET /v1/sources. The server does not
// know sources: the process that runs them (cli) provides the reports.
struct SourceReport {
  std::string name;
  std::string cursor;  // as stored ("" when none)
  UnixSeconds last_success = 0;
  UnixSeconds last_error_at = 0;
  std::string last_error;
  int consecutive_failures = 0;
  int64_t documents_total = 0;
  int64_t findings_total = 0;
  bool standby = false;  // waiting for the publishing lease (replicas)
};
using SourceReports = std::function<std::vector<SourceReport>()>;

class Server {
 public:
  // Binds, renders the feeds once (a store failure here is logged and retried; /readyz says so)
  // and starts serving. Fails when the address cannot be bound or the TLS files cannot be read.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options,
                                               std::shared_ptr<const Pipeline> pipeline);
  ~Server();  // Stop()s if still running.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound (useful with port 0).
  uint16_t port() const;
  // Base URL clients use ("http://127.0.0.1:8080" or the configured public_url).
  std::string base_url() const;

  // Swaps in new options and a new pipeline; requests in flight finish on the old ones. The
  // listen address and TLS files cannot change without a restart (InvalidArgument says so).
  Status Reload(ServerOptions options, std::shared_ptr<const Pipeline> pipeline);

  // Ingests one document a source pulled (sources/): the path of POST /v1/findings (the current
  // generation's policy, group commit, limits, with room for large export objects), then wakes
  // the render loop. Returns once the findings are committed. Thread-safe.
  Result<IngestSummary> IngestDocument(std::string_view data, std::string_view name);

  // Where /metrics and GET /v1/sources read the sources' state from (called on a store thread).
  void SetSourceReports(SourceReports reports);

  // Stops accepting, lets requests in flight finish (up to shutdown_grace), finishes ingest
  // work, and joins every thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace guardfeed
