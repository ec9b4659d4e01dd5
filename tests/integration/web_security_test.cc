// --web.config.file end to end (issue 15): the exporter and the server behind
// TLS, client certificates and basic auth, with certificates made here with
// openssl, a real Prometheus 2.42 as the scraper, and curl as the client that
// tries what the configuration forbids.
#include <crypt.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "tests/integration/test_util.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using testutil::Subprocess;
using testutil::TempDir;

std::string Bcrypt(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof salt), nullptr);
  crypt_data data{};
  return crypt_r(password.c_str(), salt, &data);
}

// A CA, a server certificate for 127.0.0.1 signed by it, a client
// certificate signed by it, and a second CA with its own client certificate
// (one the server must refuse).
void MakeCertificates(const TempDir& dir) {
  std::string out;
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  std::string cmd =
      "cd " + dir.path() + " && set -e" + " && openssl req -x509" + ec +
      " -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca" + " && openssl req -x509" + ec +
      " -keyout rogue-ca.key -out rogue-ca.crt -days 2 -subj /CN=rogue-ca" +
      " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext" + " && openssl req" +
      ec + " -keyout server.key -out server.csr -subj /CN=localhost" +
      " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
      " -out server.crt -days 2 -extfile san.ext" +
      " && openssl req" + ec + " -keyout client.key -out client.csr -subj /CN=client" +
      " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
      " -out client.crt -days 2" +
      " && openssl req" + ec + " -keyout rogue.key -out rogue.csr -subj /CN=rogue" +
      " && openssl x509 -req -in rogue.csr -CA rogue-ca.crt -CAkey rogue-ca.key"
      " -CAcreateserial -out rogue.crt -days 2" +
      // Expired the second after they are made (-days 0): a server and a
      // client certificate, both signed by the trusted CA.
      " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
      " -out expired-server.crt -days 0 -extfile san.ext" +
      " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
      " -out expired-client.crt -days 0" +
      " && sleep 1";
  ASSERT_EQ(testutil::RunCommand(cmd + " 2>&1", &out), 0) << out;
}

std::string WebConfig(const std::string& user, const std::string& password,
                      bool client_certs = true) {
  std::string yaml = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
  if (client_certs) {
    yaml += "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n";
  }
  yaml += "http_server_config:\n  headers:\n    X-Frame-Options: deny\n";
  yaml += "basic_auth_users:\n  " + user + ": " + Bcrypt(password) + "\n";
  return yaml;
}

// curl's answer: the HTTP status, or 0 when no HTTP answer came (TLS refused).
int Curl(const TempDir& dir, const std::string& args, const std::string& url,
         std::string* headers = nullptr) {
  std::string out;
  testutil::RunCommand("cd " + dir.path() + " && curl -s -m 5 -D headers.txt -o /dev/null -w " +
                           "'%{http_code}' " + args + " '" + url + "'",
                       &out);
  if (headers) *headers = testutil::ReadFile(dir.File("headers.txt"));
  try {
    return std::stoi(out.substr(out.size() >= 3 ? out.size() - 3 : 0));
  } catch (...) {
    return 0;
  }
}

// curl's body.
std::string CurlBody(const TempDir& dir, const std::string& args, const std::string& url) {
  std::string out;
  testutil::RunCommand("cd " + dir.path() + " && curl -s -m 5 " + args + " '" + url + "'", &out);
  return out;
}

class TlsExporter {
 public:
  TlsExporter(const TempDir& dir, std::vector<std::string> extra = {})
      : port_(testutil::FreePort()) {
    std::vector<std::string> argv = {testutil::BinaryPath("exporter/system-stats-service"),
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                     "--web.config.file=" + dir.File("web.yml")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Subprocess>(argv, dir.File("exporter.log"));
    // Ready once TLS answers (even a 401).
    ready_ = testutil::WaitUntil(
        [&] { return Curl(dir, "--cacert ca.crt --cert client.crt --key client.key", url()) > 0; },
        10s, 100ms);
  }
  std::string url(const std::string& path = "/metrics") const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  bool ready() const { return ready_; }

 private:
  int port_;
  bool ready_ = false;
  std::unique_ptr<Subprocess> proc_;
};

const std::string kClient = "--cacert ca.crt --cert client.crt --key client.key ";

TEST(WebSecurityTest, RealPrometheusScrapesTheExporterOverMutualTlsWithBasicAuth) {
  TempDir dir;
  MakeCertificates(dir);
  testutil::WriteFile(dir.File("web.yml"), WebConfig("prometheus", "s3cret pass"));
  TlsExporter exporter(dir);
  ASSERT_TRUE(exporter.ready()) << testutil::ReadFile(dir.File("exporter.log"));
  testutil::PrometheusProcess prom(
      dir,
      "  - job_name: node\n    scheme: https\n"
      "    basic_auth:\n      username: prometheus\n      password: s3cret pass\n"
      "    tls_config:\n      ca_file: " +
          dir.File("ca.crt") + "\n      cert_file: " + dir.File("client.crt") +
          "\n      key_file: " + dir.File("client.key") +
          "\n    static_configs:\n      - targets: ['127.0.0.1:" + std::to_string(exporter.port()) +
          "']\n");
  ASSERT_TRUE(prom.WaitUp("node")) << prom.log();
  EXPECT_NE(prom.QueryValue("count(node_cpu_seconds_total)"), "");
}

TEST(WebSecurityTest, RefusesWhatTheConfigForbids) {
  TempDir dir;
  MakeCertificates(dir);
  testutil::WriteFile(dir.File("web.yml"), WebConfig("alice", "right"));
  TlsExporter exporter(dir);
  ASSERT_TRUE(exporter.ready()) << testutil::ReadFile(dir.File("exporter.log"));
  std::string headers;
  EXPECT_EQ(Curl(dir, kClient + "-u alice:right", exporter.url(), &headers), 200);
  EXPECT_NE(headers.find("X-Frame-Options: deny"), std::string::npos) << headers;
  // No credentials, a wrong password, an unknown user: 401 with a challenge.
  EXPECT_EQ(Curl(dir, kClient, exporter.url(), &headers), 401);
  EXPECT_NE(headers.find("WWW-Authenticate: Basic"), std::string::npos) << headers;
  EXPECT_EQ(Curl(dir, kClient + "-u alice:wrong", exporter.url()), 401);
  EXPECT_EQ(Curl(dir, kClient + "-u bob:right", exporter.url()), 401);
  // The TLS layer: no client certificate, one from another CA, plain HTTP, a
  // client that does not trust the server's CA: no HTTP answer at all.
  EXPECT_EQ(Curl(dir, "--cacert ca.crt -u alice:right", exporter.url()), 0);
  EXPECT_EQ(
      Curl(dir, "--cacert ca.crt --cert rogue.crt --key rogue.key -u alice:right", exporter.url()),
      0);
  EXPECT_EQ(Curl(dir, "-u alice:right",
                 "http://127.0.0.1:" + std::to_string(exporter.port()) + "/metrics"),
            0);
  EXPECT_EQ(Curl(dir, "--cacert rogue-ca.crt --cert client.crt --key client.key -u alice:right",
                 exporter.url()),
            0);
  // An expired client certificate, though signed by the trusted CA.
  EXPECT_EQ(Curl(dir, "--cacert ca.crt --cert expired-client.crt --key client.key -u alice:right",
                 exporter.url()),
            0);
  // The password never reaches the log.
  EXPECT_EQ(testutil::ReadFile(dir.File("exporter.log")).find("right"), std::string::npos);
}

TEST(WebSecurityTest, ExpiredServerCertificateIsRefusedByClients) {
  TempDir dir;
  MakeCertificates(dir);
  std::string yaml = WebConfig("alice", "right");
  yaml.replace(yaml.find("cert_file: server.crt"), 21, "cert_file: expired-server.crt");
  testutil::WriteFile(dir.File("web.yml"), yaml);
  int port = testutil::FreePort();
  Subprocess exporter({testutil::BinaryPath("exporter/system-stats-service"),
                       "--web.listen-address=127.0.0.1:" + std::to_string(port),
                       "--web.config.file=" + dir.File("web.yml")},
                      dir.File("exporter.log"));
  std::string url = "https://127.0.0.1:" + std::to_string(port) + "/metrics";
  // It serves (curl -k gets an answer), but a verifying client refuses it.
  ASSERT_TRUE(
      testutil::WaitUntil([&] { return Curl(dir, "-k " + kClient, url) == 401; }, 10s, 100ms))
      << testutil::ReadFile(dir.File("exporter.log"));
  EXPECT_EQ(Curl(dir, kClient + "-u alice:right", url), 0);
}

TEST(WebSecurityTest, ReloadsUsersAndCertificatesWithoutRestart) {
  TempDir dir;
  MakeCertificates(dir);
  testutil::WriteFile(dir.File("web.yml"), WebConfig("alice", "first"));
  TlsExporter exporter(dir);
  ASSERT_TRUE(exporter.ready()) << testutil::ReadFile(dir.File("exporter.log"));
  ASSERT_EQ(Curl(dir, kClient + "-u alice:first", exporter.url()), 200);
  // A new password applies within the reload interval (1 s).
  std::this_thread::sleep_for(1100ms);
  testutil::WriteFile(dir.File("web.yml"), WebConfig("alice", "second"));
  EXPECT_TRUE(testutil::WaitUntil(
      [&] { return Curl(dir, kClient + "-u alice:second", exporter.url()) == 200; }, 10s, 200ms));
  EXPECT_EQ(Curl(dir, kClient + "-u alice:first", exporter.url()), 401);
  // A file that no longer parses is refused and the last settings stay.
  std::this_thread::sleep_for(1100ms);
  testutil::WriteFile(dir.File("web.yml"), "tls_server_config: [\n");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(Curl(dir, kClient + "-u alice:second", exporter.url()), 200);
  EXPECT_TRUE(testutil::WaitUntil(
      [&] {
        return testutil::ReadFile(dir.File("exporter.log")).find("web config") != std::string::npos;
      },
      5s));
  // Client certificates: trusting only the rogue CA from now on refuses the
  // client the first CA signed and accepts the rogue one.
  std::this_thread::sleep_for(1100ms);
  std::string yaml = WebConfig("alice", "second");
  yaml.replace(yaml.find("client_ca_file: ca.crt"), 22, "client_ca_file: rogue-ca.crt");
  testutil::WriteFile(dir.File("web.yml"), yaml);
  EXPECT_TRUE(testutil::WaitUntil(
      [&] {
        return Curl(dir, "--cacert ca.crt --cert rogue.crt --key rogue.key -u alice:second",
                    exporter.url()) == 200;
      },
      10s, 200ms));
  EXPECT_EQ(Curl(dir, kClient + "-u alice:second", exporter.url()), 0);
  // A renewed certificate file, the config file untouched (as certbot
  // renews): the CA file now holds the first CA again.
  std::this_thread::sleep_for(1100ms);
  std::string out;
  ASSERT_EQ(testutil::RunCommand("cp " + dir.File("ca.crt") + " " + dir.File("rogue-ca.crt.new") +
                                     " && mv " + dir.File("rogue-ca.crt.new") + " " +
                                     dir.File("rogue-ca.crt"),
                                 &out),
            0)
      << out;
  EXPECT_TRUE(testutil::WaitUntil(
      [&] { return Curl(dir, kClient + "-u alice:second", exporter.url()) == 200; }, 10s, 200ms));
}

TEST(WebSecurityTest, ServerApiNeedsAuthAndHealthCanBeExempt) {
  TempDir dir;
  MakeCertificates(dir);
  testutil::WriteFile(dir.File("web.yml"), WebConfig("grafana", "pw", /*client_certs=*/false));
  int port = testutil::FreePort();
  Subprocess server({testutil::BinaryPath("server/monitoring-server"), "--host", "127.0.0.1",
                     "--port", std::to_string(port), "--data-dir", dir.File("data"),
                     "--web.config.file", dir.File("web.yml"), "--web.health-without-auth"},
                    dir.File("server.log"));
  std::string base = "https://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(testutil::WaitUntil(
      [&] { return Curl(dir, "--cacert ca.crt", base + "/-/healthy") == 200; }, 20s, 100ms))
      << testutil::ReadFile(dir.File("server.log"));
  EXPECT_EQ(Curl(dir, "--cacert ca.crt", base + "/api/v1/query?query=1"), 401);
  EXPECT_EQ(Curl(dir, "--cacert ca.crt -u grafana:pw", base + "/api/v1/query?query=1"), 200);
  EXPECT_EQ(Curl(dir, "--cacert ca.crt", base + "/"), 401);
}

// Read and write rights on the server: a reader may query but not push
// (403), a writer may push; what the reader tried to write is not stored.
TEST(WebSecurityTest, ReadOnlyUserCannotWrite) {
  TempDir dir;
  MakeCertificates(dir);
  std::string yaml = WebConfig("writer", "wpw", false);
  yaml += "  reader: " + Bcrypt("rpw") + "\n";
  testutil::WriteFile(dir.File("web.yml"), yaml);
  int port = testutil::FreePort();
  Subprocess server({testutil::BinaryPath("server/monitoring-server"), "--host", "127.0.0.1",
                     "--port", std::to_string(port), "--data-dir", dir.File("data"),
                     "--web.config.file", dir.File("web.yml"), "--web.write-users", "writer"},
                    dir.File("server.log"));
  std::string base = "https://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(testutil::WaitUntil(
      [&] { return Curl(dir, "--cacert ca.crt -u reader:rpw", base + "/-/healthy") == 200; }, 20s,
      100ms))
      << testutil::ReadFile(dir.File("server.log"));
  testutil::WriteFile(dir.File("w.prom"), "roles_test{by=\"writer\"} 1\n");
  testutil::WriteFile(dir.File("r.prom"), "roles_test{by=\"reader\"} 1\n");
  EXPECT_EQ(Curl(dir, "--cacert ca.crt -u reader:rpw --data-binary @r.prom",
                 base + "/api/v1/import/prometheus"),
            403);
  EXPECT_EQ(Curl(dir, "--cacert ca.crt -u reader:rpw -X POST", base + "/-/reload"), 403);
  EXPECT_EQ(Curl(dir, "--cacert ca.crt --data-binary @r.prom", base + "/api/v1/import/prometheus"),
            401);
  EXPECT_EQ(Curl(dir, "--cacert ca.crt -u writer:wrong --data-binary @r.prom",
                 base + "/api/v1/import/prometheus"),
            401);
  int w = Curl(dir, "--cacert ca.crt -u writer:wpw --data-binary @w.prom",
               base + "/api/v1/import/prometheus");
  EXPECT_TRUE(w >= 200 && w < 300) << w;
  EXPECT_EQ(Curl(dir, "--cacert ca.crt -u reader:rpw", base + "/api/v1/query?query=1"), 200);
  std::string body =
      CurlBody(dir, "--cacert ca.crt -u reader:rpw --data-urlencode 'match[]=roles_test'",
               base + "/api/v1/series");
  EXPECT_NE(body.find("writer"), std::string::npos) << body;
  EXPECT_EQ(body.find("\"reader\""), std::string::npos) << body;
}

// The first value of an instant query answered by our server over TLS with
// basic auth, or -1.
double QueryServer(const TempDir& dir, int port, const std::string& auth, const std::string& q) {
  std::string body =
      CurlBody(dir, "--cacert ca.crt -u " + auth + " --data-urlencode 'query=" + q + "'",
               "https://127.0.0.1:" + std::to_string(port) + "/api/v1/query");
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || j["data"]["result"].empty()) return -1;
  return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
}

// Our server's scraper as the TLS client: Debian's node_exporter behind its
// own web config (TLS, client certificate, basic auth), scraped with
// Prometheus's scrape config fields.
TEST(WebSecurityTest, ServerScrapesNodeExporterOverMutualTlsWithBasicAuth) {
  TempDir dir;
  MakeCertificates(dir);
  testutil::WriteFile(dir.File("web.yml"), WebConfig("scraper", "from file"));
  int ne_port = testutil::FreePort();
  Subprocess ne({"/usr/bin/prometheus-node-exporter",
                 "--web.listen-address=127.0.0.1:" + std::to_string(ne_port),
                 "--web.config.file=" + dir.File("web.yml"), "--collector.disable-defaults",
                 "--collector.loadavg", "--collector.cpu"},
                dir.File("node_exporter.log"));
  testutil::WriteFile(dir.File("password"), "from file\n");
  testutil::WriteFile(dir.File("server-web.yml"), WebConfig("admin", "pw", false));
  // Relative names resolve against the config file's directory.
  testutil::WriteFile(dir.File("monitoring.yml"),
                      "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                      "scrape_configs:\n  - job_name: node\n    scheme: https\n"
                      "    basic_auth:\n      username: scraper\n      password_file: password\n"
                      "    tls_config:\n      ca_file: ca.crt\n      cert_file: client.crt\n"
                      "      key_file: client.key\n      server_name: localhost\n"
                      "    static_configs:\n      - targets: ['127.0.0.1:" +
                          std::to_string(ne_port) + "']\n");
  int port = testutil::FreePort();
  Subprocess server({testutil::BinaryPath("server/monitoring-server"), "--host", "127.0.0.1",
                     "--port", std::to_string(port), "--data-dir", dir.File("data"), "--config",
                     dir.File("monitoring.yml"), "--web.config.file", dir.File("server-web.yml")},
                    dir.File("server.log"));
  EXPECT_TRUE(testutil::WaitUntil(
      [&] { return QueryServer(dir, port, "admin:pw", "up{job=\"node\"}") == 1; }, 30s, 250ms))
      << testutil::ReadFile(dir.File("server.log"))
      << testutil::ReadFile(dir.File("node_exporter.log"));
  EXPECT_GT(QueryServer(dir, port, "admin:pw", "count(node_cpu_seconds_total)"), 0);
}

// The forwarder as the TLS client: it pushes to a server that wants TLS and
// basic auth, and readings taken while the server was down reach it later.
TEST(WebSecurityTest, ForwarderPushesOverTlsWithAuthAndSpoolsThroughAnOutage) {
  TempDir dir;
  MakeCertificates(dir);
  int exporter_port = testutil::FreePort();
  Subprocess exporter({testutil::BinaryPath("exporter/system-stats-service"),
                       "--web.listen-address=127.0.0.1:" + std::to_string(exporter_port)},
                      dir.File("exporter.log"));
  int port = testutil::FreePort();
  testutil::WriteFile(dir.File("password"), "pushpw\n");
  Subprocess forwarder(
      {testutil::BinaryPath("exporter/forwarder/system-stats-forwarder"), "--source-url",
       "http://127.0.0.1:" + std::to_string(exporter_port) + "/metrics", "--server-url",
       "https://127.0.0.1:" + std::to_string(port) + "/metrics", "--interval", "0.2",
       "--max-backoff", "0.5", "--spool-dir", dir.File("spool"), "--server.ca-file",
       dir.File("ca.crt"), "--server.username", "pusher", "--server.password-file",
       dir.File("password")},
      dir.File("forwarder.log"));
  // Readings taken while no server listens.
  std::this_thread::sleep_for(2s);
  int64_t server_start_s = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  testutil::WriteFile(dir.File("server-web.yml"), WebConfig("pusher", "pushpw", false));
  Subprocess server({testutil::BinaryPath("server/monitoring-server"), "--host", "127.0.0.1",
                     "--port", std::to_string(port), "--data-dir", dir.File("data"),
                     "--web.config.file", dir.File("server-web.yml")},
                    dir.File("server.log"));
  // Spooled readings, from before the server started, arrive.
  std::string q = "count_over_time(node_load1[1m] @ " + std::to_string(server_start_s) + ")";
  EXPECT_TRUE(testutil::WaitUntil([&] { return QueryServer(dir, port, "pusher:pushpw", q) >= 3; },
                                  30s, 250ms))
      << testutil::ReadFile(dir.File("forwarder.log"))
      << testutil::ReadFile(dir.File("server.log"));
  // And new ones keep coming.
  EXPECT_TRUE(testutil::WaitUntil(
      [&] {
        return QueryServer(dir, port, "pusher:pushpw", "count_over_time(node_load1[2s])") >= 1;
      },
      10s, 250ms));
  EXPECT_EQ(testutil::ReadFile(dir.File("forwarder.log")).find("pushpw"), std::string::npos);
}

TEST(WebSecurityTest, BadWebConfigStopsStartUp) {
  TempDir dir;
  testutil::WriteFile(dir.File("web.yml"),
                      "tls_server_config:\n  cert_file: missing.crt\n"
                      "  key_file: missing.key\n");
  std::string out;
  int rc = testutil::RunCommand(
      "timeout 10 " + testutil::BinaryPath("exporter/system-stats-service") +
          " --web.listen-address=127.0.0.1:0 --web.config.file=" + dir.File("web.yml"),
      &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("missing.crt"), std::string::npos) << out;
  testutil::WriteFile(dir.File("web.yml"), "basic_auth_users:\n  a: b\nextra: 1\n");
  rc = testutil::RunCommand("timeout 10 " + testutil::BinaryPath("server/monitoring-server") +
                                " --host 127.0.0.1 --port 0 --data-dir " + dir.File("data") +
                                " --web.config.file=" + dir.File("web.yml"),
                            &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("extra"), std::string::npos) << out;
}

}  // namespace
