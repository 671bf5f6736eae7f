#include "contract_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace guardfeed::testing {
namespace {

using std::chrono::milliseconds;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs argv with stdout and stderr appended to `log`; returns the exit status.
int Run(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Status MakeCertificate(const std::string& dir) {
  const int code =
      Run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "2", "-subj",
           "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"},
          dir + "/openssl.log");
  if (code != 0) {
    return Status::IoError("openssl req failed: " + ReadFile(dir + "/openssl.log"));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ContractServer>> ContractServer::Start(const std::string& token) {
  std::unique_ptr<ContractServer> server(new ContractServer());
  std::string pattern = (std::filesystem::temp_directory_path() / "guardfeed-atp-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Status::FromErrno("mkdtemp", errno);
  server->dir_ = pattern;
  server->ca_file_ = server->dir_ + "/cert.pem";
  GF_RETURN_IF_ERROR(MakeCertificate(server->dir_));
  server->client_ = std::make_unique<HttpClient>(HttpClientOptions{server->ca_file_, false});
  GF_RETURN_IF_ERROR(server->Launch(token));
  GF_RETURN_IF_ERROR(server->WaitReady());
  return server;
}

Status ContractServer::Launch(const std::string& token) {
  const std::string script = ATP_CONTRACT_SERVER;
  const std::string parent = std::to_string(getpid());
  const std::string log = dir_ + "/server.log";
  std::vector<std::string> argv = {GUARDFEED_PYTHON3,  script,         "--cert",
                                   dir_ + "/cert.pem", "--key",        dir_ + "/key.pem",
                                   "--token",          token,          "--port-file",
                                   dir_ + "/port",     "--parent-pid", parent};
  pid_ = fork();
  if (pid_ < 0) return Status::FromErrno("fork", errno);
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the server dies with the test
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
  return Status::Ok();
}

Status ContractServer::WaitReady() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("contract server exited: " + ReadFile(dir_ + "/server.log"));
    }
    if (port_ == 0) port_ = std::atoi(ReadFile(dir_ + "/port").c_str());
    if (port_ != 0) {
      HttpRequest ping;
      ping.url = base_url() + "/ping";
      Result<HttpResponse> response = client_->Send(ping);
      if (response.ok() && response->status == 200) return Status::Ok();
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return Status::Unavailable("contract server not ready after 20 s: " +
                             ReadFile(dir_ + "/server.log"));
}

void ContractServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

ContractServer::~ContractServer() {
  Stop();
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::string ContractServer::base_url() const {
  return "https://127.0.0.1:" + std::to_string(port_) + "/v1/cloudfeeds";
}

Result<boost::json::object> ContractServer::State() {
  HttpRequest request;
  request.url = "https://127.0.0.1:" + std::to_string(port_) + "/_test/state";
  Result<HttpResponse> response = client_->Send(request);
  if (!response.ok()) return response.status();
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(response->body, error);
  if (error || !value.is_object()) return Status::Internal("bad /_test/state answer");
  return value.as_object();
}

Status ContractServer::PostTest(const std::string& path, const std::string& json) {
  HttpRequest request;
  request.method = "POST";
  request.url = "https://127.0.0.1:" + std::to_string(port_) + path;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = json;
  Result<HttpResponse> response = client_->Send(request);
  if (!response.ok()) return response.status();
  if (response->status != 200) return Status::Internal(path + ": " + response->body);
  return Status::Ok();
}

Status ContractServer::Inject(const std::string& json) { return PostTest("/_test/inject", json); }
Status ContractServer::Config(const std::string& json) { return PostTest("/_test/config", json); }

Result<long> ContractServer::Call(const std::string& method, const std::string& path,
                                  const std::string& token, const std::string& csv) {
  HttpRequest request;
  request.method = method;
  request.url = base_url() + path;
  request.headers = {{"Authorization", "Bearer " + token}};
  if (!csv.empty()) {
    request.form = {FormPart{"file", "upload.csv", "text/csv", csv}};
  }
  Result<HttpResponse> response = client_->Send(request);
  if (!response.ok()) return response.status();
  return response->status;
}

}  // namespace guardfeed::testing
