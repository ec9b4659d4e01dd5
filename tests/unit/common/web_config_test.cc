// ParseWebConfig against Prometheus's own checker: each case below is given
// to `promtool check web-config` (Prometheus 2.42, exporter-toolkit's
// parser) and to ours, and both must accept it or both refuse it. The
// certificate files the cases name exist (made with openssl), so only the
// YAML decides.
#include "common/web_guard/web_config.h"

#include <gtest/gtest.h>

#include "tests/integration/test_util.h"

namespace common {
namespace {

using testutil::TempDir;

struct Case {
  const char* name;
  const char* yaml;
  bool valid;  // what promtool says (checked, not assumed)
};

const Case kCases[] = {
    {"empty", "", true},
    {"tls", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n", true},
    {"tls_missing_key", "tls_server_config:\n  cert_file: server.crt\n", false},
    {"tls_missing_cert", "tls_server_config:\n  key_file: server.key\n", false},
    {"unknown_top_key",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "tls_config: {}\n",
     false},
    {"unknown_tls_key",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cert: x\n", false},
    {"client_auth_verify",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n",
     true},
    {"client_auth_unknown",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  client_auth_type: Sometimes\n  client_ca_file: ca.crt\n",
     false},
    {"client_ca_without_policy",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  client_ca_file: ca.crt\n",
     false},
    {"min_max_versions",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  min_version: TLS12\n  max_version: TLS13\n",
     true},
    {"bad_version",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  min_version: TLS14\n",
     false},
    {"cipher_suites",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "
     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n",
     true},
    {"bad_cipher",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  cipher_suites: [TLS_NOT_A_SUITE]\n",
     false},
    {"curves",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  curve_preferences: [X25519, CurveP256]\n",
     true},
    {"bad_curve",
     "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
     "  curve_preferences: [CurveP999]\n",
     false},
    {"headers",
     "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
     "    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=31536000\n",
     true},
    {"header_not_allowed", "http_server_config:\n  headers:\n    Server: mine\n", false},
    {"header_bad_value", "http_server_config:\n  headers:\n    X-Frame-Options: allow\n", false},
    {"unknown_http_key", "http_server_config:\n  http3: true\n", false},
    {"http2", "http_server_config:\n  http2: false\n", true},
    {"users",
     "basic_auth_users:\n  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n",
     true},
    {"users_not_a_map", "basic_auth_users: [alice]\n", false},
    {"not_yaml", "tls_server_config: [\n", false},
};

class WebConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    std::string out;
    ASSERT_EQ(testutil::RunCommand(
                  "cd " + dir_->path() +
                      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                      " -keyout server.key -out server.crt -days 2 -subj /CN=localhost"
                      " && cp server.crt ca.crt",
                  &out),
              0)
        << out;
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
};
TempDir* WebConfigTest::dir_ = nullptr;

TEST_F(WebConfigTest, AcceptsWhatPromtoolAccepts) {
  ASSERT_TRUE(testutil::HaveCommand("promtool"));
  for (const Case& c : kCases) {
    std::string file = dir_->File(std::string(c.name) + ".yml");
    testutil::WriteFile(file, c.yaml);
    std::string out;
    int rc = testutil::RunCommand("promtool check web-config " + file, &out);
    EXPECT_EQ(rc == 0, c.valid) << c.name << ": promtool says " << out;
    auto ours = LoadWebConfigFile(file);
    EXPECT_EQ(ours.ok(), rc == 0) << c.name << ": promtool says " << out
                                  << "; ours: " << (ours.ok() ? "ok" : ours.status().message());
  }
}

TEST_F(WebConfigTest, ResolvesFilesAgainstTheConfigDirectory) {
  std::string file = dir_->File("rel.yml");
  testutil::WriteFile(file,
                      "tls_server_config:\n  cert_file: server.crt\n  key_file: /abs/server.key\n"
                      "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n"
                      "  min_version: TLS13\n  curve_preferences: [CurveP384]\n");
  auto c = LoadWebConfigFile(file);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->tls);
  EXPECT_EQ(c->tls_server.cert_file, dir_->path() + "/server.crt");
  EXPECT_EQ(c->tls_server.key_file, "/abs/server.key");
  EXPECT_EQ(c->tls_server.client_ca_file, dir_->path() + "/ca.crt");
  EXPECT_EQ(c->tls_server.client_auth, ClientAuth::kVerifyClientCertIfGiven);
  EXPECT_EQ(c->tls_server.min_version, 0x0304);
  EXPECT_EQ(c->tls_server.curve_preferences, std::vector<std::string>{"P-384"});
}

TEST_F(WebConfigTest, ErrorsNameTheField) {
  auto c = ParseWebConfig("tls_server_config:\n  cert_file: a\n  key_file: b\n  bogus: 1\n", "/");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bogus"), std::string::npos) << c.status().message();
  c = ParseWebConfig("http_server_config:\n  headers:\n    Server: x\n", "/");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("Server"), std::string::npos) << c.status().message();
}

TEST_F(WebConfigTest, DeployExampleIsValidForBoth) {
  const std::string example = MS_SOURCE_DIR "/deploy/web-config.yml";
  std::string out;
  // promtool checks the files it names: point them at this test's files.
  std::string text = testutil::ReadFile(example);
  ASSERT_FALSE(text.empty());
  std::string copy = dir_->File("example.yml");
  testutil::WriteFile(copy, text);
  ASSERT_EQ(testutil::RunCommand("cd " + dir_->path() +
                                     " && mkdir -p tls && cp server.crt tls/server.crt"
                                     " && cp server.key tls/server.key && cp ca.crt tls/ca.crt",
                                 &out),
            0);
  EXPECT_EQ(testutil::RunCommand("promtool check web-config " + copy, &out), 0) << out;
  auto c = LoadWebConfigFile(copy);
  EXPECT_TRUE(c.ok()) << c.status().message();
}

}  // namespace
}  // namespace common
