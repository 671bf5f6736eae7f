// ContractServer: starts tests/integration/atp/atp_contract_server.py (a local HTTPS stand-in for
// Juniper ATP Cloud's Threat Intelligence Open API) for one test and always stops it.
//
// Each instance gets its own temporary directory with a fresh self-signed certificate
// (`openssl req -x509`), a free port chosen by the server, and its log. The server also exits
// by itself when the test process dies (it watches its parent), so nothing outlives a crash.
//
// Threading: use from the test thread only.
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "core/status.h"
#include "aws/http_client.h"

namespace guardfeed::testing {

class ContractServer {
 public:
  // Generates the certificate, starts the server with `token` and waits until /ping answers.
  static Result<std::unique_ptr<ContractServer>> Start(const std::string& token);
  ~ContractServer();  // SIGTERM, SIGKILL after 5 s; removes the temporary directory
  ContractServer(const ContractServer&) = delete;
  ContractServer& operator=(const ContractServer&) = delete;

  // "https://127.0.0.1:PORT/v1/cloudfeeds".
  std::string base_url() const;
  const std::string& ca_file() const { return ca_file_; }
  const std::string& dir() const { return dir_; }

  // GET /_test/state as JSON: {"feeds": {"ip/name": {server: level}}, "requests": [...]}.
  Result<boost::json::object> State();
  // POST /_test/inject, /_test/config with a JSON body.
  Status Inject(const std::string& json);
  Status Config(const std::string& json);
  // Sends an API request as another tool would (`csv` empty: no body); returns the status.
  Result<long> Call(const std::string& method, const std::string& path, const std::string& token,
                    const std::string& csv);
  // Stops the server now (the destructor then does nothing more).
  void Stop();

 private:
  ContractServer() = default;
  Status Launch(const std::string& token);
  Status WaitReady();
  Status PostTest(const std::string& path, const std::string& json);

  std::string dir_;
  std::string ca_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace guardfeed::testing
