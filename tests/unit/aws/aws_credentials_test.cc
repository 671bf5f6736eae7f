#include "aws/aws_credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/time_util.h"
#include "common/local_http_server.h"

namespace guardfeed {
namespace {

using testing::CannedResponse;
using testing::LocalHttpServer;
using testing::ReceivedRequest;
using Env = std::map<std::string, std::string>;

// A closed port: nothing listens, so an unconfigured IMDS fails fast instead of waiting for
// 169.254.169.254.
const char* kNoImds = "http://127.0.0.1:9";

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("gf-creds-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

AwsCredentialOptions Options(Env env, const Clock* clock = nullptr) {
  AwsCredentialOptions options;
  options.environment = std::move(env);
  options.imds_base_url = kNoImds;
  options.endpoint_timeout = std::chrono::milliseconds(500);
  options.clock = clock;
  return options;
}

std::string CredentialJson(const std::string& key, UnixSeconds expiration) {
  return R"({"AccessKeyId":")" + key + R"(","SecretAccessKey":"S-)" + key + R"(","Token":"T-)" +
         key + R"(","Expiration":")" + FormatIso8601(expiration) + R"("})";
}

TEST(AwsCredentials, EnvironmentComesFirst) {
  TempDir home;
  home.Write(".aws/credentials",
             "[default]\naws_access_key_id = FILEKEY\n"
             "aws_secret_access_key = FILESECRET\n");
  auto chain = NewAwsCredentialChain(Options({{"AWS_ACCESS_KEY_ID", "ENVKEY"},
                                              {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                              {"AWS_SESSION_TOKEN", "ENVTOKEN"},
                                              {"HOME", home.path()}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_EQ(credentials->access_key_id, "ENVKEY");
  EXPECT_EQ(credentials->secret_access_key, "ENVSECRET");
  EXPECT_EQ(credentials->session_token, "ENVTOKEN");
  EXPECT_EQ(chain->Describe(), "environment variables");
}

TEST(AwsCredentials, HalfSetEnvironmentIsAnErrorWithoutTheSecret) {
  auto chain = NewAwsCredentialChain(Options({{"AWS_SECRET_ACCESS_KEY", "TOPSECRET"}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(credentials.status().message().find("TOPSECRET"), std::string::npos);
}

TEST(AwsCredentials, DefaultProfileFromHomeCredentialsFile) {
  TempDir home;
  home.Write(".aws/credentials",
             "# comment\n[other]\naws_access_key_id = OTHER\naws_secret_access_key = X\n"
             "[default]\naws_access_key_id=DEFKEY\naws_secret_access_key = DEFSECRET\n"
             "aws_session_token = DEFTOKEN\n");
  auto chain = NewAwsCredentialChain(Options({{"HOME", home.path()}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_EQ(credentials->access_key_id, "DEFKEY");
  EXPECT_EQ(credentials->session_token, "DEFTOKEN");
  EXPECT_NE(chain->Describe().find("profile 'default'"), std::string::npos);
  EXPECT_EQ(chain->Describe().find("DEFSECRET"), std::string::npos);
}

TEST(AwsCredentials, NamedProfileFromConfigFileWithNestedSettings) {
  TempDir dir;
  std::string credentials_file = dir.Write("creds", "[default]\naws_access_key_id = NO\n");
  std::string config_file =
      dir.Write("config",
                "[profile feeds]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n"
                "aws_access_key_id = CFGKEY\naws_secret_access_key = CFGSECRET\n");
  auto chain = NewAwsCredentialChain(Options({{"AWS_PROFILE", "feeds"},
                                              {"AWS_SHARED_CREDENTIALS_FILE", credentials_file},
                                              {"AWS_CONFIG_FILE", config_file}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_EQ(credentials->access_key_id, "CFGKEY");
  EXPECT_EQ(credentials->secret_access_key, "CFGSECRET");
}

TEST(AwsCredentials, CredentialsFileWinsOverConfigFile) {
  TempDir dir;
  std::string credentials_file =
      dir.Write("creds", "[p]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDS\n");
  std::string config_file =
      dir.Write("config", "[profile p]\naws_access_key_id = CFGKEY\naws_secret_access_key = C\n");
  auto chain = NewAwsCredentialChain(Options({{"AWS_PROFILE", "p"},
                                              {"AWS_SHARED_CREDENTIALS_FILE", credentials_file},
                                              {"AWS_CONFIG_FILE", config_file}}));
  ASSERT_TRUE(chain->Get().ok());
  EXPECT_EQ(chain->Get()->access_key_id, "CREDKEY");
}

TEST(AwsCredentials, MissingExplicitProfileIsAnError) {
  TempDir home;
  home.Write(".aws/credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = B\n");
  auto chain = NewAwsCredentialChain(Options({{"HOME", home.path()}, {"AWS_PROFILE", "nope"}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.status().message().find("'nope'"), std::string::npos);
}

TEST(AwsCredentials, UnsupportedProfileKindIsNamed) {
  TempDir home;
  home.Write(".aws/config", "[profile r]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = d\n");
  auto chain = NewAwsCredentialChain(Options({{"HOME", home.path()}, {"AWS_PROFILE", "r"}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.status().message().find("role_arn"), std::string::npos);
}

TEST(AwsCredentials, NothingConfiguredIsNotFound) {
  TempDir home;
  auto chain = NewAwsCredentialChain(Options({{"HOME", home.path()}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.status().code(), Status::Code::kNotFound);
}

TEST(AwsCredentials, ContainerFullUriWithTokenFileThatWinsOverVariable) {
  ManualClock clock(1800000000);
  LocalHttpServer server([&](const ReceivedRequest&) {
    return CannedResponse{200, {}, CredentialJson("CONTAINER", clock.Now() + 3600)};
  });
  TempDir dir;
  std::string token_file = dir.Write("token", "file-token\n");
  auto chain = NewAwsCredentialChain(
      Options({{"HOME", dir.path()},
               {"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.base_url() + "/v1/credentials"},
               {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "variable-token"},
               {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}},
              &clock));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_EQ(credentials->access_key_id, "CONTAINER");
  EXPECT_EQ(credentials->session_token, "T-CONTAINER");
  EXPECT_EQ(credentials->expiration, clock.Now() + 3600);
  ReceivedRequest seen = server.Requests().at(0);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/v1/credentials");
  EXPECT_EQ(seen.headers["authorization"], "file-token");
}

TEST(AwsCredentials, ContainerRelativeUriUsesInjectedBase) {
  LocalHttpServer server([](const ReceivedRequest&) {
    return CannedResponse{200, {}, CredentialJson("REL", 4102444800)};
  });
  TempDir home;
  AwsCredentialOptions options = Options({{"HOME", home.path()},
                                          {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/abc"},
                                          {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"}});
  options.container_base_url = server.base_url();
  auto chain = NewAwsCredentialChain(options);
  ASSERT_TRUE(chain->Get().ok());
  EXPECT_EQ(server.Requests().at(0).target, "/v2/abc");
  EXPECT_EQ(server.Requests().at(0).headers["authorization"], "tok");
}

TEST(AwsCredentials, ContainerFullUriMustBeLoopbackOrAgentForPlainHttp) {
  TempDir home;
  auto chain = NewAwsCredentialChain(Options(
      {{"HOME", home.path()}, {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.9/c"}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.status().code(), Status::Code::kInvalidArgument);
}

// A stand-in for an attacker's host: records whatever reaches it.
class Trap {
 public:
  Trap() : server_([](const ReceivedRequest&) { return CannedResponse{200, {}, "{}"}; }) {}
  std::string authority() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  size_t hits() const { return server_.Requests().size(); }

 private:
  LocalHttpServer server_;
};

// Before Boost.URL the relative URI was appended to "http://169.254.170.2" as text, so
// "@host/x" made the agent address user information and sent the token to `host`.
TEST(AwsCredentials, ContainerRelativeUriCannotReachAnotherHost) {
  Trap trap;
  TempDir home;
  for (const std::string& relative : std::vector<std::string>{
           "@" + trap.authority() + "/x", ":80@" + trap.authority() + "/x",
           "//" + trap.authority() + "/x", "http://" + trap.authority() + "/x",
           "." + trap.authority() + "/x", "%2F%2F" + trap.authority() + "/x"}) {
    AwsCredentialOptions options = Options({{"HOME", home.path()},
                                            {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", relative},
                                            {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"}});
    options.endpoint_timeout = std::chrono::milliseconds(200);
    Result<AwsCredentials> credentials = NewAwsCredentialChain(options)->Get();
    ASSERT_FALSE(credentials.ok()) << relative;
    EXPECT_EQ(credentials.status().code(), Status::Code::kInvalidArgument) << relative;
  }
  EXPECT_EQ(trap.hits(), 0u);
}

// The hand-written host check took the text after the last '@' for the host and accepted any
// name starting with "127.", so these went to a host that is not the documented agent.
TEST(AwsCredentials, ContainerFullUriRejectsUserInfoAndLookalikeHosts) {
  Trap trap;
  TempDir home;
  for (const std::string& full : std::vector<std::string>{
           "http://evil.example@" + trap.authority() + "/c", "http://u:secret@" + trap.authority(),
           "https://u:secret@creds.example/c", "http://127.0.0.1.nip.io/c",
           "http://127.evil.example/", "http://169.254.170.2.evil.example/"}) {
    AwsCredentialOptions options =
        Options({{"HOME", home.path()}, {"AWS_CONTAINER_CREDENTIALS_FULL_URI", full}});
    options.endpoint_timeout = std::chrono::milliseconds(200);
    Result<AwsCredentials> credentials = NewAwsCredentialChain(options)->Get();
    ASSERT_FALSE(credentials.ok()) << full;
    EXPECT_EQ(credentials.status().code(), Status::Code::kInvalidArgument) << full;
    EXPECT_EQ(credentials.status().message().find("secret"), std::string::npos);
  }
  EXPECT_EQ(trap.hits(), 0u);
}

// The hand-written check let through every control character but CR and LF.
TEST(AwsCredentials, ContainerTokenWithControlCharactersIsRefused) {
  Trap trap;
  TempDir dir;
  std::string token_file = dir.Write("token", std::string("tok\x01"
                                                          "en\x7f",
                                                          7));
  AwsCredentialOptions options =
      Options({{"HOME", dir.path()},
               {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://" + trap.authority() + "/c"},
               {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}});
  Result<AwsCredentials> credentials = NewAwsCredentialChain(options)->Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(trap.hits(), 0u);
}

Result<std::string> FullUri(const std::string& value) {
  return ContainerCredentialsUrl({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", value}},
                                 "http://169.254.170.2");
}

// The URL, or "error: ..." (Result has no value_or).
std::string UrlOrError(const Result<std::string>& url) {
  return url.ok() ? *url : "error: " + url.status().ToString();
}

Result<std::string> RelativeUri(const std::string& value) {
  return ContainerCredentialsUrl({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", value},
                                  {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://ignored/"}},
                                 "http://169.254.170.2");
}

TEST(ContainerCredentialsUrl, PlainHttpOnlyToLoopbackAndTheAgents) {
  for (const char* allowed :
       {"http://127.0.0.1/c", "http://127.255.0.9:8080/c?x=1", "http://[::1]/", "http://[::1]:80/c",
        "http://localhost:1/c", "HTTP://LOCALHOST/c", "http://169.254.170.2/v2/credentials",
        "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
        "http://[FD00:EC2:0::23]/", "https://creds.example.com/x", "https://203.0.113.9:8443/c",
        "https://[2001:db8::1]/c"}) {
    Result<std::string> url = FullUri(allowed);
    ASSERT_TRUE(url.ok()) << allowed << ": " << url.status().ToString();
    EXPECT_EQ(*url, allowed);
  }
  for (const char* refused : {"http://203.0.113.9/c",
                              "http://169.254.169.254/latest",
                              "http://169.254.170.3/",
                              "http://169.254.170.22/",
                              "http://[fd00:ec2::24]/",
                              "http://[::ffff:127.0.0.1]/",
                              "http://[::]/",
                              "http://0.0.0.0/",
                              "http://0x7f000001/",
                              "http://2130706433/",
                              "http://127.1/",
                              "http://%31%32%37.0.0.1/",
                              "http://localhost./",
                              "http://localhost.evil.example/",
                              "http://[v1.x]/",
                              "ftp://127.0.0.1/",
                              "file:///etc/x",
                              "gopher://127.0.0.1/",
                              "http:///c",
                              "http:/c",
                              "//127.0.0.1/c",
                              "127.0.0.1/c",
                              "http://127.0.0.1/#frag",
                              "http://127.0.0.1:0/",
                              "http://127.0.0.1:99999/",
                              " http://127.0.0.1/",
                              "http://127.0.0.1/ x",
                              "http://127.0.0.1\\@evil.example/",
                              "http://evil.example#@127.0.0.1/",
                              "http://evil.example?@127.0.0.1/",
                              "https://@creds.example/",
                              "http://@127.0.0.1/",
                              "http://127.0.0.1.nip.io/c",
                              "http://169.254.170.2.evil.example/",
                              "http://127.0.0.1:80.evil.example/",
                              "http://[::1].evil.example/",
                              "https://127.0.0.1.nip.io:x/"}) {
    Result<std::string> url = FullUri(refused);
    ASSERT_FALSE(url.ok()) << refused << " -> " << *url;
    EXPECT_EQ(url.status().code(), Status::Code::kInvalidArgument) << refused;
  }
}

TEST(ContainerCredentialsUrl, RelativeUriIsOnlyAPathOnTheAgent) {
  EXPECT_EQ(UrlOrError(RelativeUri("/v2/credentials/1b2c")),
            "http://169.254.170.2/v2/credentials/1b2c");
  EXPECT_EQ(UrlOrError(RelativeUri("/v2/c?x=1&y=%2F")), "http://169.254.170.2/v2/c?x=1&y=%2F");
  EXPECT_EQ(UrlOrError(RelativeUri("/%2F%2Fevil.example/x")),
            "http://169.254.170.2/%2F%2Fevil.example/x");
  EXPECT_EQ(UrlOrError(RelativeUri("/a@evil.example")), "http://169.254.170.2/a@evil.example");
  EXPECT_EQ(
      UrlOrError(ContainerCredentialsUrl({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x"}},
                                         "http://127.0.0.1:8080/base/")),
      "http://127.0.0.1:8080/base/v2/x");
  for (const char* refused :
       {"@evil.example/x", "//evil.example/x", "///evil.example/x", "http://evil.example",
        "https://evil.example/x", ".evil.example", "%2F%2Fevil", "evil.example/x", ":80/x", "?x=1",
        "#x", "/x#frag", "/a b", "/a\\b", "/x\r\nHost: evil", "\\\\evil.example/x", " /x"}) {
    Result<std::string> url = RelativeUri(refused);
    ASSERT_FALSE(url.ok()) << refused << " -> " << *url;
    EXPECT_EQ(url.status().code(), Status::Code::kInvalidArgument) << refused;
  }
}

TEST(ContainerCredentialsUrl, NeitherVariableIsNotFound) {
  EXPECT_EQ(ContainerCredentialsUrl({}, "http://169.254.170.2").status().code(),
            Status::Code::kNotFound);
}

TEST(AwsCredentials, ContainerEndpointFailureIsAnErrorNotAFallThrough) {
  LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse{500, {}, "x"}; });
  TempDir home;
  auto chain = NewAwsCredentialChain(Options(
      {{"HOME", home.path()}, {"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.base_url() + "/c"}}));
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.status().message().find("HTTP 500"), std::string::npos);
}

// IMDSv2 as documented: PUT /latest/api/token with a TTL header, then GETs carrying the token.
class FakeImds {
 public:
  explicit FakeImds(const ManualClock* clock)
      : clock_(clock),
        server_([this](const ReceivedRequest& request) { return Answer(request); }) {}
  std::string url() const { return server_.base_url(); }
  std::vector<ReceivedRequest> Requests() const { return server_.Requests(); }
  int credential_fetches() const { return fetches_; }

 private:
  CannedResponse Answer(const ReceivedRequest& request) {
    const std::string kPath = "/latest/meta-data/iam/security-credentials/";
    if (request.method == "PUT" && request.target == "/latest/api/token") {
      if (!request.headers.contains("x-aws-ec2-metadata-token-ttl-seconds")) return {400};
      return {200, {}, "SESSION-TOKEN"};
    }
    auto token = request.headers.find("x-aws-ec2-metadata-token");
    if (token == request.headers.end() || token->second != "SESSION-TOKEN") return {401};
    if (request.method == "GET" && request.target == kPath) return {200, {}, "feeds-role\n"};
    if (request.method == "GET" && request.target == kPath + "feeds-role") {
      ++fetches_;
      std::string body =
          CredentialJson("IMDS" + std::to_string(fetches_.load()), clock_->Now() + 3600);
      return {200, {}, body.substr(0, body.size() - 1) + R"(,"Code":"Success"})"};
    }
    return {404};
  }

  const ManualClock* clock_;
  std::atomic<int> fetches_{0};
  LocalHttpServer server_;  // last: its thread stops before the members it uses go away
};

TEST(AwsCredentials, ImdsV2TokenRoleThenCredentials) {
  ManualClock clock(1800000000);
  FakeImds imds(&clock);
  TempDir home;
  AwsCredentialOptions options = Options({{"HOME", home.path()}}, &clock);
  options.imds_base_url = imds.url();
  auto chain = NewAwsCredentialChain(options);
  Result<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_EQ(credentials->access_key_id, "IMDS1");
  std::vector<ReceivedRequest> requests = imds.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].headers["x-aws-ec2-metadata-token-ttl-seconds"], "21600");
  EXPECT_NE(chain->Describe().find("feeds-role"), std::string::npos);
}

TEST(AwsCredentials, CachesUntilFiveMinutesBeforeExpiryThenRefreshes) {
  ManualClock clock(1800000000);
  FakeImds imds(&clock);
  TempDir home;
  AwsCredentialOptions options = Options({{"HOME", home.path()}}, &clock);
  options.imds_base_url = imds.url();
  auto chain = NewAwsCredentialChain(options);
  ASSERT_EQ(chain->Get()->access_key_id, "IMDS1");  // expires at start + 3600
  clock.Advance(3600 - 301);
  EXPECT_EQ(chain->Get()->access_key_id, "IMDS1");
  EXPECT_EQ(imds.credential_fetches(), 1);
  clock.Advance(2);  // now inside the 5-minute margin
  EXPECT_EQ(chain->Get()->access_key_id, "IMDS2");
  EXPECT_EQ(imds.credential_fetches(), 2);
}

TEST(AwsCredentials, ImdsDisabledByVariable) {
  ManualClock clock(1800000000);
  FakeImds imds(&clock);
  TempDir home;
  AwsCredentialOptions options =
      Options({{"HOME", home.path()}, {"AWS_EC2_METADATA_DISABLED", "true"}}, &clock);
  options.imds_base_url = imds.url();
  EXPECT_EQ(NewAwsCredentialChain(options)->Get().status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(imds.Requests().empty());
}

TEST(AwsCredentials, StaticProviderNeverRefreshes) {
  auto provider = NewStaticAwsCredentials({"AK", "SK", "", 0});
  EXPECT_EQ(provider->Get()->access_key_id, "AK");
  EXPECT_EQ(provider->Describe().find("SK"), std::string::npos);
}

}  // namespace
}  // namespace guardfeed
