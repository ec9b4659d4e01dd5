// End-to-end tests of system-stats-service: the real binary on a free loopback
// port, its output linted by the real promtool and scraped by a real Prometheus.
#include <signal.h>
#include <sys/wait.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "tests/integration/test_util.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testutil::Subprocess;
using testutil::TempDir;

class ExporterProcess {
 public:
  explicit ExporterProcess(const TempDir& dir, std::vector<std::string> extra = {})
      : port_(testutil::FreePort()) {
    std::vector<std::string> argv = {testutil::BinaryPath("exporter/system-stats-service"),
                                     "--host", "127.0.0.1", "--port", std::to_string(port_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Subprocess>(argv, dir.File("exporter.log"));
    common::HttpClient client;
    ready_ = testutil::WaitUntil(
        [&] {
          auto r = client.Get(url("/healthz"), 1);
          return r.ok() && r->status == 200;
        },
        10s);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  bool ready() const { return ready_; }
  Subprocess& proc() { return *proc_; }

 private:
  int port_;
  bool ready_ = false;
  std::unique_ptr<Subprocess> proc_;
};

TEST(ExporterIntegrationTest, MetricsPassPromtoolLintExceptNodeExporterNames) {
  TempDir dir;
  ExporterProcess exporter(dir);
  ASSERT_TRUE(exporter.ready()) << testutil::ReadFile(dir.File("exporter.log"));
  common::HttpClient client;
  auto r = client.Get(exporter.url("/metrics"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->content_type.find("text/plain; version=0.0.4"), std::string::npos);
  for (const char* name :
       {"node_cpu_seconds_total{", "node_memory_MemTotal_bytes ", "node_load1 ",
        "node_boot_time_seconds ", "node_context_switches_total ", "node_time_seconds ",
        "node_uname_info{", "process_cpu_seconds_total ", "process_resident_memory_bytes ",
        "node_scrape_collector_success{collector=\"cpu\"} 1"}) {
    EXPECT_NE(r->body.find(name), std::string::npos) << "missing " << name;
  }
  testutil::WriteFile(dir.File("metrics.txt"), r->body);

  // The only findings allowed are ones node_exporter's own output gets on
  // this host for the same (compatible) names: camelCase /proc field names
  // (node_memory_*, node_netstat_*, ...) and the entropy collector's _bits.
  int ne_port = testutil::FreePort();
  Subprocess ne({"/usr/bin/prometheus-node-exporter",
                 "--web.listen-address=127.0.0.1:" + std::to_string(ne_port)},
                dir.File("node_exporter.log"));
  std::string ne_body;
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        auto n = client.Get("http://127.0.0.1:" + std::to_string(ne_port) + "/metrics", 5);
        if (!n.ok() || n->status != 200) return false;
        ne_body = n->body;
        return true;
      },
      15s));
  testutil::WriteFile(dir.File("node_exporter.txt"), ne_body);
  std::string ne_out;
  testutil::RunCommand("promtool check metrics < " + dir.File("node_exporter.txt"), &ne_out);
  std::set<std::string> theirs;
  std::istringstream ne_lines(ne_out);
  for (std::string line; std::getline(ne_lines, line);) theirs.insert(line);
  ASSERT_GT(theirs.size(), 10u) << ne_out;

  std::string out;
  int rc = testutil::RunCommand("promtool check metrics < " + dir.File("metrics.txt"), &out);
  std::istringstream lines(out);
  std::string line;
  int findings = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    ++findings;
    EXPECT_TRUE(theirs.count(line))
        << "promtool finding node_exporter's output does not have: " << line;
  }
  // promtool exits 3 for lint findings only, 1 for errors (unparsable input).
  EXPECT_TRUE(rc == 0 || (rc == 3 && findings > 0)) << "promtool rc=" << rc << "\n" << out;
}

TEST(ExporterIntegrationTest, SystemSnapshotHasTheDocumentedFields) {
  TempDir dir;
  ExporterProcess exporter(dir);
  ASSERT_TRUE(exporter.ready()) << testutil::ReadFile(dir.File("exporter.log"));
  common::HttpClient client;
  auto r = client.Get(exporter.url("/system"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "application/json");
  json j = json::parse(r->body);
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  EXPECT_EQ(j["hostname"], host);
  EXPECT_EQ(j["os"]["name"], "Linux");
  EXPECT_FALSE(j["os"]["kernel"].get<std::string>().empty());
  EXPECT_GT(j["uptime_seconds"].get<double>(), 0);
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(j["timestamp"].get<double>(), now, 30);
  EXPECT_EQ(j["cpu"]["count"].get<size_t>(), std::thread::hardware_concurrency());
  // The sampler always has a baseline: percentages are numbers in [0, 100].
  ASSERT_TRUE(j["cpu"]["percent"].is_number()) << j["cpu"].dump();
  EXPECT_GE(j["cpu"]["percent"].get<double>(), 0);
  EXPECT_LE(j["cpu"]["percent"].get<double>(), 100);
  ASSERT_EQ(j["cpu"]["per_core_percent"].size(), j["cpu"]["count"].get<size_t>());
  for (const auto& p : j["cpu"]["per_core_percent"]) EXPECT_TRUE(p.is_number());
  for (const char* k : {"1m", "5m", "15m"}) EXPECT_TRUE(j["cpu"]["load_avg"][k].is_number());
  EXPECT_GT(j["memory"]["total"].get<double>(), 0);
  EXPECT_LE(j["memory"]["available"].get<double>(), j["memory"]["total"].get<double>());
  EXPECT_NEAR(j["memory"]["used"].get<double>(),
              j["memory"]["total"].get<double>() - j["memory"]["available"].get<double>(), 1);
  EXPECT_TRUE(j["swap"].contains("total"));
  EXPECT_TRUE(j["disks"].is_array());
  EXPECT_TRUE(j["network"].is_object());
  EXPECT_TRUE(j["temperatures"].is_array());
  EXPECT_GE(j["sample_window_seconds"].get<double>(), 1.0);
  // From the netstat, sockstat, filefd and vmstat collectors.
  for (const char* k : {"established", "time_wait", "inuse"}) {
    EXPECT_TRUE(j["tcp"][k].is_number()) << j["tcp"].dump();
  }
  EXPECT_GT(j["file_descriptors"]["allocated"].get<double>(), 0);
  EXPECT_GT(j["file_descriptors"]["maximum"].get<double>(),
            j["file_descriptors"]["allocated"].get<double>());
  EXPECT_GE(j["oom_kills"].get<double>(), 0);
}

TEST(ExporterIntegrationTest, HealthIndexAndMethodErrors) {
  TempDir dir;
  ExporterProcess exporter(dir);
  ASSERT_TRUE(exporter.ready());
  common::HttpClient client;
  auto r = client.Get(exporter.url("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find("href=\"/metrics\""), std::string::npos);
  r = client.Post(exporter.url("/metrics"), "x", "text/plain");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  r = client.Get(exporter.url("/nope"));
  EXPECT_EQ(r->status, 404);
}

TEST(ExporterIntegrationTest, SigtermStopsCleanly) {
  TempDir dir;
  ExporterProcess exporter(dir);
  ASSERT_TRUE(exporter.ready());
  int st = exporter.proc().Stop(SIGTERM, 10s);
  ASSERT_NE(st, -1) << "did not exit within 10s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
  EXPECT_NE(testutil::ReadFile(dir.File("exporter.log")).find("shutting down"), std::string::npos);
}

// libsystemd (and libgcrypt, liblzma, libzstd, liblz4, libcap behind it) is
// loaded only when the opt-in systemd collector runs: with the default
// collectors it stayed resident for nothing (about 0.8 MB).
TEST(ExporterIntegrationTest, LibsystemdLoadedOnlyForTheSystemdCollector) {
  auto maps_mention_libsystemd = [](pid_t pid) {
    return testutil::ReadFile("/proc/" + std::to_string(pid) + "/maps").find("libsystemd") !=
           std::string::npos;
  };
  common::HttpClient client;
  TempDir dir;
  ExporterProcess defaults(dir);
  ASSERT_TRUE(defaults.ready());
  auto r = client.Get(defaults.url("/metrics"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200);
  EXPECT_FALSE(maps_mention_libsystemd(defaults.proc().pid()));

  TempDir dir2;
  // No bus here: the collector fails, but it has loaded libsystemd to try.
  ExporterProcess with_systemd(dir2, {"--collector.systemd"});
  ASSERT_TRUE(with_systemd.ready());
  r = client.Get(with_systemd.url("/metrics"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("node_scrape_collector_success{collector=\"systemd\"}"),
            std::string::npos);
  EXPECT_TRUE(maps_mention_libsystemd(with_systemd.proc().pid()));
}

// The exporter's footprint (issue 14: a quarter of node_exporter's RSS): with
// MS_STATIC_RUNTIME, the default build, it maps no C++ runtime, logging or
// regexp library of its own; only libc, libm and civetweb are shared.
TEST(ExporterIntegrationTest, MapsOnlyTheCLibrariesWithStaticRuntime) {
#ifndef MS_STATIC_RUNTIME
  GTEST_SKIP() << "built without MS_STATIC_RUNTIME (sanitizers or fuzzing)";
#endif
  TempDir dir;
  ExporterProcess exporter(dir);
  ASSERT_TRUE(exporter.ready());
  std::string maps = testutil::ReadFile("/proc/" + std::to_string(exporter.proc().pid()) + "/maps");
  for (const char* lib : {"libstdc++", "libgcc_s", "libspdlog", "libfmt", "libre2"}) {
    EXPECT_EQ(maps.find(lib), std::string::npos) << lib << " is mapped";
  }
  EXPECT_NE(maps.find("libc.so"), std::string::npos);
}

TEST(ExporterIntegrationTest, BadFlagsFailWithMessage) {
  std::string out;
  int rc = testutil::RunCommand(
      testutil::BinaryPath("exporter/system-stats-service") + " --collectors=cpu,bogus --port 0",
      &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("unknown collector 'bogus'"), std::string::npos) << out;
  rc = testutil::RunCommand(testutil::BinaryPath("exporter/system-stats-service") + " --port 70000",
                            &out);
  EXPECT_NE(rc, 0);
  // A regexp flag that does not compile stops start-up, as in node_exporter
  // (timeout: an exporter that starts anyway must not hang the test).
  rc = testutil::RunCommand("timeout 10 " + testutil::BinaryPath("exporter/system-stats-service") +
                                " --web.listen-address=127.0.0.1:0"
                                " '--collector.netclass.ignored-devices=('",
                            &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("collector netclass: invalid ignored-devices regexp"), std::string::npos)
      << out;
}

TEST(ExporterIntegrationTest, RealPrometheusScrapesIt) {
  TempDir dir;
  ExporterProcess exporter(dir);
  ASSERT_TRUE(exporter.ready());
  testutil::PrometheusProcess prom(dir,
                                   "  - job_name: node\n    static_configs:\n"
                                   "      - targets: ['127.0.0.1:" +
                                       std::to_string(exporter.port()) + "']\n");
  ASSERT_TRUE(prom.WaitUp("node")) << prom.log();
  std::string cpus = prom.QueryValue("count(node_cpu_seconds_total)");
  ASSERT_NE(cpus, "");
  EXPECT_EQ(std::stoi(cpus), static_cast<int>(std::thread::hardware_concurrency()) * 8);
  // Prometheus reported no sample-level problems with the scrape.
  std::string kept = prom.QueryValue("scrape_samples_post_metric_relabeling{job=\"node\"}");
  ASSERT_NE(kept, "");
  EXPECT_GT(std::stod(kept), 50);
}

// A systemd unit written for node_exporter runs our binary once only its path
// is changed: Debian's own unit for prometheus-node-exporter, its ExecStart
// expanded with node_exporter flags people put in ARGS.
TEST(ExporterIntegrationTest, NodeExporterUnitRunsOurBinary) {
  std::string unit = testutil::ReadFile("/lib/systemd/system/prometheus-node-exporter.service");
  ASSERT_FALSE(unit.empty()) << "prometheus-node-exporter's unit is not installed";
  std::smatch m;
  ASSERT_TRUE(std::regex_search(unit, m, std::regex(R"(\nExecStart=(\S+)(.*)\n)"))) << unit;
  std::string exec = testutil::BinaryPath("exporter/system-stats-service") + m[2].str();
  TempDir dir;
  testutil::WriteFile(dir.File("node.prom"), "# TYPE site_role gauge\nsite_role{role=\"db\"} 1\n");
  int port = testutil::FreePort();
  std::string args =
      "--web.listen-address=127.0.0.1:" + std::to_string(port) +
      " --web.telemetry-path=/metrics --web.max-requests=40 --log.level=info"
      " --log.format=logfmt --runtime.gomaxprocs=1 --path.procfs=/proc --path.sysfs=/sys"
      " --path.rootfs=/ --path.udev.data=/run/udev/data"
      " --collector.textfile.directory=" +
      dir.path() +
      " --no-collector.hwmon --collector.netdev.device-exclude=^lo$"
      " --collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run)($|/)"
      " --collector.diskstats.device-exclude=^(ram|loop)\\d+$";
  // systemd splits an unquoted $ARGS on whitespace, as sh does.
  Subprocess proc({"/bin/sh", "-c", "exec " + exec}, dir.File("exporter.log"), {"ARGS=" + args});
  common::HttpClient client;
  std::string body;
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        auto r = client.Get("http://127.0.0.1:" + std::to_string(port) + "/metrics", 2);
        if (!r.ok() || r->status != 200) return false;
        body = r->body;
        return true;
      },
      10s))
      << testutil::ReadFile(dir.File("exporter.log"));
  EXPECT_NE(body.find("site_role{role=\"db\"} 1"), std::string::npos);
  EXPECT_NE(body.find("node_scrape_collector_success{collector=\"cpu\"} 1"), std::string::npos);
  EXPECT_EQ(body.find("collector=\"hwmon\""), std::string::npos);
  EXPECT_EQ(body.find("node_network_receive_bytes_total{device=\"lo\"}"), std::string::npos);
  EXPECT_NE(body.find("node_network_receive_bytes_total{device="), std::string::npos);
  // logfmt, as node_exporter logs.
  EXPECT_NE(testutil::ReadFile(dir.File("exporter.log")).find("level=info msg="),
            std::string::npos);
}

// node_exporter's command line: --collector.<name>, --no-collector.<name>,
// --collector.disable-defaults, collect[] filtering and its errors.
TEST(ExporterIntegrationTest, CollectorFlagsAndCollectFilter) {
  TempDir dir;
  int port = testutil::FreePort();
  Subprocess proc(
      {testutil::BinaryPath("exporter/system-stats-service"),
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--web.telemetry-path=/node",
       "--collector.disable-defaults", "--collector.cpu", "--collector.loadavg",
       "--collector.meminfo", "--no-collector.meminfo", "--web.disable-exporter-metrics"},
      dir.File("exporter.log"));
  common::HttpClient client;
  auto get = [&](const std::string& path) {
    return client.Get("http://127.0.0.1:" + std::to_string(port) + path, 5);
  };
  ASSERT_TRUE(testutil::WaitUntil([&] { return get("/node").ok(); }, 10s))
      << testutil::ReadFile(dir.File("exporter.log"));
  auto r = get("/node");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  std::set<std::string> ran;
  std::regex re(R"re(node_scrape_collector_success\{collector="([a-z_]+)"\})re");
  for (std::sregex_iterator it(r->body.begin(), r->body.end(), re), end; it != end; ++it) {
    ran.insert((*it)[1]);
  }
  EXPECT_EQ(ran, (std::set<std::string>{"cpu", "loadavg"}));
  EXPECT_EQ(r->body.find("process_cpu_seconds_total"), std::string::npos);
  EXPECT_NE(r->body.find("promhttp_metric_handler_errors_total{cause=\"gathering\"} 0"),
            std::string::npos);
  EXPECT_EQ(get("/metrics")->status, 404);

  r = get("/node?collect[]=loadavg");
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("node_load1 "), std::string::npos);
  EXPECT_EQ(r->body.find("node_cpu_seconds_total"), std::string::npos);
  r = get("/node?collect[]=meminfo");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("disabled collector: meminfo"), std::string::npos) << r->body;
  r = get("/node?collect[]=nosuch");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("missing collector: nosuch"), std::string::npos) << r->body;
}

}  // namespace
