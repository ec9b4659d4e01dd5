// The remote_write sender against two real receivers, Prometheus 2.42
// (--web.enable-remote-write-receiver) and VictoriaMetrics: both are stopped
// while our server keeps ingesting and is restarted twice (SIGTERM, then
// SIGKILL); once they are back, every sample must arrive exactly once and
// their answers must equal ours.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <sstream>

#include "common/http_client.h"
#include "tests/integration/stack.h"

namespace testutil {
namespace {

constexpr int kSeries = 40;
constexpr int kPerRound = 10;
constexpr int64_t kStepMs = 5000;

// A receiver process on a fixed port (it is restarted on the same one).
class Receiver {
 public:
  Receiver(std::string kind, const TempDir& dir) : kind_(std::move(kind)), dir_(dir) {
    port_ = FreePort();
  }
  void Start() {
    const std::string log = dir_.File(kind_ + ".log");
    if (kind_ == "prometheus") {
      WriteFile(dir_.File("prom.yml"), "global:\n  scrape_interval: 1h\n");
      proc_ = std::make_unique<Subprocess>(
          std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + dir_.File("prom.yml"),
                                   "--storage.tsdb.path=" + dir_.File("prom-data"),
                                   "--storage.tsdb.retention.time=100y",
                                   "--web.enable-remote-write-receiver",
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
          log);
    } else {
      proc_ = std::make_unique<Subprocess>(
          std::vector<std::string>{"/usr/bin/victoria-metrics",
                                   "-storageDataPath=" + dir_.File("vm-data"),
                                   "-retentionPeriod=100y", "-search.latencyOffset=0s",
                                   "-httpListenAddr=127.0.0.1:" + std::to_string(port_)},
          log);
    }
    const std::string health = kind_ == "prometheus" ? "/-/ready" : "/health";
    ASSERT_TRUE(WaitUntil(
        [&] {
          common::HttpClient c;
          auto r = c.Get(url(health), 1);
          return r.ok() && r->status == 200;
        },
        std::chrono::seconds(60)))
        << ReadFile(log);
  }
  void Stop() { proc_->Stop(SIGTERM, std::chrono::seconds(30)); }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  nlohmann::json Get(const std::string& path) {
    common::HttpClient c;
    auto r = c.Get(url(path), 30);
    if (!r.ok() || r->status != 200) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, false);
  }

 private:
  std::string kind_;
  const TempDir& dir_;
  int port_;
  std::unique_ptr<Subprocess> proc_;
};

// One of our counters for one destination from /metrics (-1 if absent).
double SenderMetric(const Service& server, const std::string& name, const std::string& remote) {
  common::HttpClient c;
  auto r = c.Get(server.url("/metrics"), 10);
  if (!r.ok()) return -1;
  std::istringstream in(r->body);
  std::string line;
  const std::string prefix = name + "{";
  double sum = -1;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0 ||
        line.find("remote_name=\"" + remote + "\"") == std::string::npos) {
      continue;
    }
    sum = std::max(sum, 0.0) + std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

TEST(RemoteWriteSenderTest, NothingLostOrDoubledWhileReceiversAreDownAcrossRestarts) {
  if (!HaveCommand("prometheus") || !HaveCommand("victoria-metrics")) {
    GTEST_SKIP() << "prometheus or victoria-metrics not installed";
  }
  TempDir dir;
  Receiver prom("prometheus", dir), vm("victoria-metrics", dir);
  prom.Start();
  vm.Start();
  const std::string queue =
      "    queue_config: {capacity: 100, max_shards: 4, max_samples_per_send: 50,\n"
      "                   batch_send_deadline: 200ms, min_backoff: 50ms, max_backoff: 1s}\n";
  WriteFile(dir.File("server.yml"), "remote_write:\n  - url: " + prom.url("/api/v1/write") +
                                        "\n    name: prom\n" + queue +
                                        "  - url: " + vm.url("/api/v1/write") +
                                        "\n    name: vm\n" + queue);
  const std::string data = dir.File("data");
  const std::vector<std::string> args = {"--config", dir.File("server.yml")};
  auto server = StartServer(dir, data, args);
  ASSERT_TRUE(server->ready()) << server->log();
  const int port = server->port();

  // Rounds of kPerRound samples for every series, 5 s apart, ending a few
  // minutes ago (inside Prometheus's head window).
  const int64_t base = (NowMs() / 1000) * 1000 - 30 * 60 * 1000;
  int round = 0;
  auto ingest = [&] {
    std::string body;
    for (int k = 0; k < kPerRound; ++k) {
      const int64_t t = base + (round * kPerRound + k) * kStepMs;
      for (int s = 0; s < kSeries; ++s) {
        body += "rw_test{series=\"" + std::to_string(s) + "\"} " +
                std::to_string(s * 100 + round * kPerRound + k) + ".5 " + std::to_string(t) +
                "\n";
      }
    }
    ++round;
    common::HttpClient c;
    auto r = c.Post(server->url("/api/v1/import/prometheus"), body, "text/plain", 30);
    ASSERT_TRUE(r.ok() && r->status / 100 == 2) << (r.ok() ? r->body : r.status().ToString());
  };
  const double per_round = kSeries * kPerRound;
  auto sent = [&](const std::string& remote) {
    return SenderMetric(*server, "prometheus_remote_storage_samples_total", remote);
  };

  ingest();  // round 0 goes through at once
  ASSERT_TRUE(WaitUntil([&] { return sent("prom") == per_round && sent("vm") == per_round; },
                        std::chrono::seconds(60)))
      << server->log();

  prom.Stop();
  vm.Stop();
  ingest();  // round 1: receivers down
  ASSERT_TRUE(WaitUntil(
      [&] {
        return SenderMetric(*server, "prometheus_remote_storage_samples_retried_total", "prom") > 0;
      },
      std::chrono::seconds(30)));
  server->proc().Stop(SIGTERM);
  server = StartServer(dir, data, args, port);
  ASSERT_TRUE(server->ready()) << server->log();
  ingest();  // round 2
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server->proc().Stop(SIGKILL);
  server = StartServer(dir, data, args, port);
  ASSERT_TRUE(server->ready()) << server->log();
  ingest();  // round 3
  EXPECT_EQ(sent("prom"), 0);

  prom.Start();
  vm.Start();
  // The third server process sends rounds 1-3 and nothing else.
  ASSERT_TRUE(WaitUntil(
      [&] { return sent("prom") >= 3 * per_round && sent("vm") >= 3 * per_round; },
      std::chrono::seconds(90)))
      << server->log();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(sent("prom"), 3 * per_round);
  EXPECT_EQ(sent("vm"), 3 * per_round);
  for (const char* remote : {"prom", "vm"}) {
    EXPECT_EQ(SenderMetric(*server, "prometheus_remote_storage_samples_failed_total", remote), 0);
    EXPECT_EQ(SenderMetric(*server, "prometheus_remote_storage_samples_dropped_total", remote), 0);
    EXPECT_EQ(SenderMetric(*server, "prometheus_remote_storage_samples_pending", remote), 0);
  }

  // What every series holds, sample by sample.
  const int64_t last = base + (4 * kPerRound - 1) * kStepMs;
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> want;
  for (int s = 0; s < kSeries; ++s) {
    for (int i = 0; i < 4 * kPerRound; ++i) {
      want[std::to_string(s)].push_back(
          {base + i * kStepMs, std::to_string(s * 100 + i) + ".5"});
    }
  }
  auto raw_of = [&](const nlohmann::json& result) {
    std::map<std::string, std::vector<std::pair<int64_t, std::string>>> got;
    for (const auto& series : result) {
      auto& dst = got[series["metric"]["series"].get<std::string>()];
      for (const auto& v : series["values"]) {
        dst.push_back({static_cast<int64_t>(v[0].get<double>() * 1000 + 0.5),
                       v[1].get<std::string>()});
      }
    }
    return got;
  };
  const std::string range_selector =
      "query?query=" + UrlEncode("rw_test[1h]") + "&time=" + std::to_string(last / 1000);
  auto ours = ApiGet(*server, range_selector);
  ASSERT_TRUE(ours.is_object());
  EXPECT_EQ(raw_of(ours["data"]["result"]), want);
  auto theirs = prom.Get("/api/v1/" + range_selector);
  ASSERT_TRUE(theirs.is_object());
  EXPECT_EQ(raw_of(theirs["data"]["result"]), want) << "Prometheus holds other samples";

  // VictoriaMetrics: its raw samples (export keeps duplicates, so a sample
  // sent twice would show).
  common::HttpClient c;
  ASSERT_TRUE(c.Get(vm.url("/internal/force_flush"), 10).ok());
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> vm_raw;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = c.Get(vm.url("/api/v1/export?match[]=rw_test"), 30);
        if (!r.ok() || r->status != 200) return false;
        vm_raw.clear();
        std::istringstream in(r->body);
        std::string line;
        while (std::getline(in, line)) {
          auto j = nlohmann::json::parse(line, nullptr, false);
          if (!j.is_object()) continue;
          auto& dst = vm_raw[j["metric"]["series"].get<std::string>()];
          for (size_t i = 0; i < j["values"].size(); ++i) {
            std::ostringstream v;
            v.precision(17);
            v << j["values"][i].get<double>();
            dst.push_back({j["timestamps"][i].get<int64_t>(), v.str()});
          }
        }
        size_t n = 0;
        for (const auto& [k, v] : vm_raw) n += v.size();
        return n >= want.size() * 4 * kPerRound;
      },
      std::chrono::seconds(60)));
  for (auto& [k, v] : vm_raw) std::sort(v.begin(), v.end());
  EXPECT_EQ(vm_raw, want) << "VictoriaMetrics holds other samples";

  // query_range over the same series and range answers the same on all three.
  const std::string range = "query_range?query=" + UrlEncode("rw_test") +
                            "&start=" + std::to_string(base / 1000) +
                            "&end=" + std::to_string(last / 1000) + "&step=5";
  auto our_range = ApiGet(*server, range);
  auto prom_range = prom.Get("/api/v1/" + range);
  auto vm_range = vm.Get("/api/v1/" + range);
  ASSERT_TRUE(our_range.is_object() && prom_range.is_object() && vm_range.is_object());
  EXPECT_EQ(raw_of(our_range["data"]["result"]), want);
  EXPECT_EQ(raw_of(prom_range["data"]["result"]), want);
  EXPECT_EQ(raw_of(vm_range["data"]["result"]), want);
}

}  // namespace
}  // namespace testutil
