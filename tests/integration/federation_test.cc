// /federate and /api/v1/read against a real Prometheus 2.42 (Debian's
// /usr/bin/prometheus) on loopback:
//   - federation: Prometheus scrapes our /federate (honor_labels) while we
//     receive samples; what it stored must be our samples at the federated
//     timestamps, with our external labels, and without series that went
//     stale or are older than the lookback;
//   - remote_read: a Prometheus without local data, reading through
//     remote_read, answers instant and range queries exactly as our own
//     query API does;
//   - STREAMED_XOR_CHUNKS (Prometheus's 2.42 client asks only for SAMPLES):
//     decoded here with a frame reader, a CRC-32C and an XOR chunk decoder
//     written in this file (not the server's), sample for sample equal to the
//     SAMPLES answer;
//   - bad input: 4xx with a message.
#include <gtest/gtest.h>
#include <snappy.h>

#include <bit>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "server/api/remote_read.pb.h"
#include "server/ingest/remote_write.pb.h"
#include "tests/integration/stack.h"
#include "tests/integration/test_util.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testutil::TempDir;

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ull;

// --- writing to our server ---

struct Series {
  std::vector<std::pair<std::string, std::string>> labels;  // __name__ first is fine
  std::vector<std::pair<int64_t, double>> samples;
};

bool RemoteWrite(const testutil::Service& server, const std::vector<Series>& series) {
  ms::remote::WriteRequest req;
  for (const auto& s : series) {
    auto* ts = req.add_timeseries();
    auto sorted = s.labels;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [n, v] : sorted) {
      auto* l = ts->add_labels();
      l->set_name(n);
      l->set_value(v);
    }
    for (auto [t, v] : s.samples) {
      auto* smp = ts->add_samples();
      smp->set_timestamp(t);
      smp->set_value(v);
    }
  }
  std::string raw, body;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &body);
  common::HttpClient c;
  auto r = c.Post(server.url("/api/v1/write"), body, "application/x-protobuf", 30,
                  {{"Content-Encoding", "snappy"}});
  EXPECT_TRUE(r.ok() && r->status == 204) << (r.ok() ? r->body : r.status().ToString());
  return r.ok() && r->status == 204;
}

std::string ServerConfig(const TempDir& dir) {
  std::string path = dir.File("server.yml");
  testutil::WriteFile(path, "global:\n  external_labels:\n    dc: eu\n");
  return path;
}

// --- a Prometheus with a config of the test's own ---

class Prometheus {
 public:
  Prometheus(const TempDir& dir, const std::string& config_yaml)
      : port_(testutil::FreePort()),
        log_(dir.File("prometheus.log")),
        proc_({"/usr/bin/prometheus", "--config.file=" + WriteConfig(dir, config_yaml),
               "--storage.tsdb.path=" + dir.File("prom-data"), "--storage.tsdb.retention.time=100y",
               "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
              log_) {}

  bool WaitReady() {
    common::HttpClient c;
    return testutil::WaitUntil(
        [&] {
          auto r = c.Get(Url("/-/ready"), 1);
          return r.ok() && r->status == 200;
        },
        60s, 200ms);
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // data of /api/v1/<path_and_query> (null json on any error).
  json Api(const std::string& path_and_query) const {
    return ApiData(Url("/api/v1/"), path_and_query);
  }
  std::string log() const { return testutil::ReadFile(log_); }

  static json ApiData(const std::string& base, const std::string& path_and_query) {
    common::HttpClient c;
    auto r = c.Get(base + path_and_query, 30);
    if (!r.ok() || r->status != 200) return nullptr;
    auto j = json::parse(r->body, nullptr, false);
    if (!j.is_object() || j["status"] != "success") return nullptr;
    return j["data"];
  }

 private:
  static std::string WriteConfig(const TempDir& dir, const std::string& yaml) {
    std::string path = dir.File("prometheus.yml");
    testutil::WriteFile(path, yaml);
    return path;
  }
  int port_;
  std::string log_;
  testutil::Subprocess proc_;
};

json OurApi(const testutil::Service& server, const std::string& path_and_query) {
  return Prometheus::ApiData(server.url("/api/v1/"), path_and_query);
}

// A query result with series sorted by their labels, for comparison.
json Sorted(json result) {
  if (result.is_array()) {
    std::sort(result.begin(), result.end(),
              [](const json& a, const json& b) { return a["metric"].dump() < b["metric"].dump(); });
  }
  return result;
}

int64_t Ms(const json& seconds) { return std::llround(seconds.get<double>() * 1000); }

// ============================================================================
// Federation
// ============================================================================

TEST(FederationIntegrationTest, PrometheusScrapingFederateStoresOurSamples) {
  if (!testutil::HaveCommand("prometheus")) GTEST_SKIP() << "prometheus not installed";
  TempDir dir;
  auto server = testutil::StartServer(dir, dir.File("data"), {"--config", ServerConfig(dir)});
  ASSERT_TRUE(server->ready()) << server->log();

  // Before any scrape: a series that went stale, one older than the
  // lookback, one on a name the selector does not match.
  const int64_t start = testutil::NowMs();
  ASSERT_TRUE(RemoteWrite(
      *server,
      {{{{"__name__", "fed_gone"}, {"job", "app"}, {"instance", "a"}},
        {{start - 3000, 1}, {start - 2000, std::bit_cast<double>(kStaleNaNBits)}}},
       {{{"__name__", "fed_old"}, {"job", "app"}, {"instance", "a"}}, {{start - 6 * 60 * 1000, 1}}},
       {{{"__name__", "other"}, {"job", "app"}}, {{start - 1000, 1}}}}));
  common::HttpClient c;
  auto direct = c.Get(
      server->url("/federate?match[]=" + testutil::UrlEncode("{__name__=~\"fed_.*|other\"}")));
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->status, 200);
  EXPECT_EQ(direct->content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(direct->body, "# TYPE other untyped\nother{job=\"app\",dc=\"eu\",instance=\"\"} 1 " +
                              std::to_string(start - 1000) + "\n");

  Prometheus prom(dir,
                  "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                  "scrape_configs:\n"
                  "  - job_name: federate\n"
                  "    honor_labels: true\n"
                  "    metrics_path: /federate\n"
                  "    params:\n"
                  "      'match[]': ['{__name__=~\"fed_.*\"}']\n"
                  "    static_configs:\n"
                  "      - targets: ['127.0.0.1:" +
                      std::to_string(server->port()) + "']\n");
  ASSERT_TRUE(prom.WaitReady()) << prom.log();

  // New samples arrive while Prometheus scrapes: each scrape federates the
  // newest of each series.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> value(-1e3, 1e6);
  auto has_scrapes = [&](int n) {
    json d = prom.Api("query?query=" +
                      testutil::UrlEncode("count_over_time(fed_value{instance=\"i1\"}[1h])"));
    return d.is_object() && !d["result"].empty() &&
           std::stod(d["result"][0]["value"][1].get<std::string>()) >= n;
  };
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!has_scrapes(5) && std::chrono::steady_clock::now() < deadline) {
    const int64_t t = testutil::NowMs();
    ASSERT_TRUE(RemoteWrite(
        *server,
        {{{{"__name__", "fed_value"}, {"job", "app"}, {"instance", "i1"}}, {{t, value(rng)}}},
         {{{"__name__", "fed_value"}, {"job", "app"}, {"instance", "i2"}, {"q", "a\"b\\c"}},
          {{t, value(rng)}}},
         {{{"__name__", "fed_noinst"}, {"job", "app"}}, {{t, std::round(value(rng))}}}}));
    std::this_thread::sleep_for(600ms);
  }
  ASSERT_TRUE(has_scrapes(5)) << prom.log();
  std::this_thread::sleep_for(1500ms);  // a last scrape of the final samples

  const std::string now = std::to_string(testutil::NowMs() / 1000.0 + 1);
  size_t compared = 0;
  for (const std::string name : {"fed_value", "fed_noinst"}) {
    const std::string q = "query?query=" + testutil::UrlEncode(name + "[1h]") + "&time=" + now;
    json theirs = prom.Api(q);
    json ours = OurApi(*server, q);
    ASSERT_TRUE(theirs.is_object() && ours.is_object()) << name;
    std::map<std::string, std::map<int64_t, std::string>> our_samples;
    for (const auto& s : ours["result"]) {
      for (const auto& p : s["values"]) our_samples[s["metric"].dump()][Ms(p[0])] = p[1];
    }
    EXPECT_EQ(theirs["result"].size(), ours["result"].size()) << theirs.dump();
    for (auto s : theirs["result"]) {
      json m = s["metric"];
      // Ours on the way out: the external label (the series have none).
      EXPECT_EQ(m["dc"], "eu") << m.dump();
      m.erase("dc");
      EXPECT_EQ(m["job"], "app") << "honor_labels keeps the federated job";
      // instance="" for a series without one keeps the scraper from adding
      // the target's (honor_labels), as with Prometheus's own /federate.
      if (name == "fed_noinst") {
        EXPECT_FALSE(m.contains("instance")) << m.dump();
      }
      ASSERT_TRUE(our_samples.count(m.dump())) << m.dump();
      const auto& mine = our_samples[m.dump()];
      EXPECT_GE(s["values"].size(), 4u) << m.dump();
      for (const auto& p : s["values"]) {
        auto it = mine.find(Ms(p[0]));
        ASSERT_NE(it, mine.end()) << m.dump() << " has no sample at " << p[0];
        EXPECT_EQ(it->second, p[1].get<std::string>()) << m.dump() << " at " << p[0];
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 15u);
  // Stale, too old, or not selected: never federated.
  for (const char* absent : {"fed_gone", "fed_old", "other"}) {
    json d = prom.Api("query?query=" +
                      testutil::UrlEncode(std::string("count_over_time(") + absent + "[1h])"));
    ASSERT_TRUE(d.is_object());
    EXPECT_TRUE(d["result"].empty()) << absent << ": " << d.dump();
  }
}

// ============================================================================
// remote_read
// ============================================================================

// One hour of counters (one with a reset) and gauges at 15 s, from t0.
std::vector<Series> ReadTestData(int64_t t0) {
  std::vector<Series> out;
  int k = 0;
  for (const char* inst : {"i1", "i2", "i3"}) {
    for (const char* mode : {"user", "system"}) {
      Series s{{{"__name__", "rr_counter"}, {"job", "app"}, {"instance", inst}, {"mode", mode}},
               {}};
      double v = 0;
      for (int i = 0; i < 240; ++i) {
        v += (k + 1) * 1.5 + (i % 5) * 0.25;
        if (k == 2 && i == 120) v = 3;  // a counter reset
        s.samples.push_back({t0 + i * 15000LL, v});
      }
      out.push_back(s);
      ++k;
    }
  }
  for (const char* inst : {"i1", "i2"}) {
    Series s{{{"__name__", "rr_gauge"}, {"job", "app"}, {"instance", inst}}, {}};
    for (int i = 0; i < 240; ++i) {
      s.samples.push_back({t0 + i * 15000LL + (inst[1] - '0') * 7, 50 + 40 * std::sin(i / 9.0)});
    }
    out.push_back(s);
  }
  return out;
}

TEST(RemoteReadIntegrationTest, PrometheusAnswersQueriesFromOurSamples) {
  if (!testutil::HaveCommand("prometheus")) GTEST_SKIP() << "prometheus not installed";
  TempDir dir;
  auto server = testutil::StartServer(dir, dir.File("data"), {"--config", ServerConfig(dir)});
  ASSERT_TRUE(server->ready()) << server->log();
  const int64_t t0 = (testutil::NowMs() - 3 * 3600 * 1000) / 60000 * 60000;
  ASSERT_TRUE(RemoteWrite(*server, ReadTestData(t0)));

  // The reader's external label is ours too: it adds dc="eu" to every
  // selector, our server drops that matcher and adds the label to what it
  // returns, and the reader removes it again; so answers equal ours.
  Prometheus prom(dir,
                  "global:\n  external_labels:\n    dc: eu\n"
                  "remote_read:\n"
                  "  - url: http://127.0.0.1:" +
                      std::to_string(server->port()) +
                      "/api/v1/read\n"
                      "    read_recent: true\n");
  ASSERT_TRUE(prom.WaitReady()) << prom.log();

  auto secs = [](int64_t ms) { return std::to_string(ms / 1000); };
  const std::vector<std::string> instant_queries = {
      "rate(rr_counter[5m])",
      "sum by (mode) (rate(rr_counter[5m]))",
      "rr_gauge",
      "max_over_time(rr_gauge[10m])",
      "rr_counter{instance=\"i2\"}",
      "rr_counter{instance=~\"i[13]\", mode!=\"user\"}",
      "count(rr_counter)",
      "increase(rr_counter{mode=\"system\"}[15m])",
      "avg(rr_gauge) - min(rr_gauge)",
      "rr_gauge[2m]",
  };
  size_t nonempty = 0;
  for (int64_t at : {t0 + 20 * 60000, t0 + 30 * 60000 + 7000, t0 + 59 * 60000 + 45000}) {
    for (const auto& q : instant_queries) {
      const std::string path = "query?query=" + testutil::UrlEncode(q) + "&time=" + secs(at);
      json theirs = prom.Api(path);
      json ours = OurApi(*server, path);
      ASSERT_TRUE(theirs.is_object()) << q << "\n" << prom.log();
      ASSERT_TRUE(ours.is_object()) << q;
      EXPECT_EQ(Sorted(theirs["result"]), Sorted(ours["result"])) << q << " at " << at;
      if (!ours["result"].empty()) ++nonempty;
    }
  }
  EXPECT_EQ(nonempty, 3 * instant_queries.size());
  for (const std::string q :
       {"sum by (instance) (rate(rr_counter[2m]))", "rr_gauge * 2", "rr_counter{mode=\"user\"}"}) {
    const std::string path = "query_range?query=" + testutil::UrlEncode(q) +
                             "&start=" + secs(t0 + 10 * 60000) + "&end=" + secs(t0 + 70 * 60000) +
                             "&step=60";
    json theirs = prom.Api(path);
    json ours = OurApi(*server, path);
    ASSERT_TRUE(theirs.is_object() && ours.is_object()) << q;
    EXPECT_FALSE(ours["result"].empty()) << q;
    EXPECT_EQ(Sorted(theirs["result"]), Sorted(ours["result"])) << q;
  }
}

// --- STREAMED_XOR_CHUNKS, decoded independently of the server's code ---

// CRC-32C, bit by bit (reflected polynomial 0x82F63B78).
uint32_t BitwiseCrc32c(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char b : data) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

class BitReader {
 public:
  explicit BitReader(std::string_view b) : b_(b) {}
  bool Bit(uint64_t* out) { return Bits(1, out); }
  bool Bits(int n, uint64_t* out) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= b_.size() * 8) return false;
      v = (v << 1) | ((static_cast<unsigned char>(b_[pos_ / 8]) >> (7 - pos_ % 8)) & 1u);
      ++pos_;
    }
    *out = v;
    return true;
  }
  bool Uvarint(uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint64_t byte;
      if (!Bits(8, &byte)) return false;
      v |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) {
        *out = v;
        return true;
      }
    }
    return false;
  }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

// Prometheus's chunkenc XOR chunk: u16 count; t0 varint, v0 64 bits; t1
// delta uvarint; then delta-of-delta timestamps and XOR'd values.
bool DecodeXor(std::string_view data, std::vector<std::pair<int64_t, uint64_t>>* out) {
  if (data.size() < 2) return false;
  const int count =
      (static_cast<unsigned char>(data[0]) << 8) | static_cast<unsigned char>(data[1]);
  BitReader r(data.substr(2));
  int64_t t = 0, delta = 0;
  uint64_t vbits = 0, x;
  int leading = 0, trailing = 0;
  for (int i = 0; i < count; ++i) {
    if (i == 0) {
      uint64_t zz;
      if (!r.Uvarint(&zz) || !r.Bits(64, &vbits)) return false;
      t = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
      out->push_back({t, vbits});
      continue;
    }
    if (i == 1) {
      uint64_t d;
      if (!r.Uvarint(&d)) return false;
      delta = static_cast<int64_t>(d);
    } else {
      int prefix = 0;
      while (prefix < 4) {
        if (!r.Bit(&x)) return false;
        if (x == 0) break;
        ++prefix;
      }
      static const int kWidth[] = {0, 14, 17, 20, 64};
      int64_t dod = 0;
      if (prefix > 0) {
        const int sz = kWidth[prefix];
        if (!r.Bits(sz, &x)) return false;
        if (sz < 64 && x > (uint64_t{1} << (sz - 1))) {
          dod = static_cast<int64_t>(x) - (int64_t{1} << sz);
        } else {
          dod = static_cast<int64_t>(x);
        }
      }
      delta += dod;
    }
    t += delta;
    if (!r.Bit(&x)) return false;
    if (x == 1) {
      if (!r.Bit(&x)) return false;
      if (x == 1) {
        uint64_t l, sig;
        if (!r.Bits(5, &l) || !r.Bits(6, &sig)) return false;
        if (sig == 0) sig = 64;
        leading = static_cast<int>(l);
        trailing = 64 - leading - static_cast<int>(sig);
      }
      const int sig = 64 - leading - trailing;
      if (!r.Bits(sig, &x)) return false;
      vbits ^= x << trailing;
    }
    out->push_back({t, vbits});
  }
  return true;
}

using SeriesKey = std::pair<int64_t, std::string>;  // query index, labels
using SampleBits = std::vector<std::pair<int64_t, uint64_t>>;

std::string LabelsKey(const google::protobuf::RepeatedPtrField<ms::remote::Label>& labels) {
  std::string k;
  for (const auto& l : labels) k += l.name() + "=" + l.value() + ",";
  return k;
}

// POSTs a ReadRequest with curl (libcurl as HttpClient configures it would
// reject the unknown "snappy" Content-Encoding); returns the status line
// fields and fills *body.
std::string PostRead(const TempDir& dir, const testutil::Service& server,
                     const ms::remote::ReadRequest& req, std::string* body) {
  std::string raw, packed;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &packed);
  testutil::WriteFile(dir.File("req.bin"), packed);
  std::string out;
  const int rc = testutil::RunCommand(
      "curl -s -o " + dir.File("resp.bin") + " -w '%{http_code} %{content_type}' " +
          "-H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: snappy' "
          "--data-binary @" +
          dir.File("req.bin") + " " + server.url("/api/v1/read"),
      &out);
  EXPECT_EQ(rc, 0) << out;
  *body = testutil::ReadFile(dir.File("resp.bin"));
  return out;
}

ms::remote::Query* AddQuery(ms::remote::ReadRequest* req, int64_t start, int64_t end,
                            ms::remote::LabelMatcher::Type type, const std::string& name,
                            const std::string& value) {
  auto* q = req->add_queries();
  q->set_start_timestamp_ms(start);
  q->set_end_timestamp_ms(end);
  auto* m = q->add_matchers();
  m->set_type(type);
  m->set_name(name);
  m->set_value(value);
  return q;
}

TEST(RemoteReadIntegrationTest, StreamedXorChunksEqualTheSamplesResponse) {
  if (!testutil::HaveCommand("curl")) GTEST_SKIP() << "curl not installed";
  TempDir dir;
  auto server = testutil::StartServer(
      dir, dir.File("data"),
      {"--config", ServerConfig(dir), "--storage.remote.read-sample-limit", "200000"});
  ASSERT_TRUE(server->ready()) << server->log();
  const int64_t t0 = (testutil::NowMs() - 3 * 3600 * 1000) / 60000 * 60000;
  auto data = ReadTestData(t0);
  // One series too large for a frame (random values compress badly), with a
  // staleness marker, -0 and infinities among them.
  Series big{{{"__name__", "rr_big"}, {"job", "big"}}, {}};
  std::mt19937_64 rng(11);
  for (int i = 0; i < 150000; ++i) {
    big.samples.push_back({t0 - 2 * 86400000LL + i * 1000LL + (i % 3),
                           std::bit_cast<double>(rng() & 0xbfffffffffffffffull)});
  }
  big.samples[5].second = std::bit_cast<double>(kStaleNaNBits);
  big.samples[6].second = -0.0;
  big.samples[7].second = -INFINITY;
  data.push_back(big);
  ASSERT_TRUE(RemoteWrite(*server, data));

  ms::remote::ReadRequest req;
  AddQuery(&req, t0 - 3 * 86400000LL, t0 + 3600000, ms::remote::LabelMatcher::RE, "__name__",
           "rr_.*");
  // A second query, with our external label as a matcher (dropped) and a
  // window that cuts series.
  auto* q1 = AddQuery(&req, t0 + 600000, t0 + 1200000 - 1, ms::remote::LabelMatcher::EQ, "__name__",
                      "rr_counter");
  auto* dc = q1->add_matchers();
  dc->set_type(ms::remote::LabelMatcher::EQ);
  dc->set_name("dc");
  dc->set_value("eu");

  // SAMPLES: the reference.
  std::string body;
  std::string status = PostRead(dir, *server, req, &body);
  ASSERT_EQ(status, "200 application/x-protobuf") << body;
  std::string raw;
  ASSERT_TRUE(snappy::Uncompress(body.data(), body.size(), &raw));
  ms::remote::ReadResponse samples_resp;
  ASSERT_TRUE(samples_resp.ParseFromString(raw));
  ASSERT_EQ(samples_resp.results_size(), 2);
  std::map<SeriesKey, SampleBits> expected;
  size_t total = 0;
  for (int qi = 0; qi < 2; ++qi) {
    for (const auto& ts : samples_resp.results(qi).timeseries()) {
      auto& v = expected[{qi, LabelsKey(ts.labels())}];
      for (const auto& s : ts.samples())
        v.push_back({s.timestamp(), std::bit_cast<uint64_t>(s.value())});
      total += ts.samples_size();
    }
  }
  EXPECT_EQ(samples_resp.results(0).timeseries_size(), 9);
  EXPECT_EQ(samples_resp.results(1).timeseries_size(), 6);
  EXPECT_EQ(total, 150000u + 8 * 240 + 6 * 40);
  // External labels on every series; the stored samples unchanged.
  const SampleBits& big_read = expected[{0, "__name__=rr_big,dc=eu,job=big,"}];
  ASSERT_EQ(big_read.size(), big.samples.size());
  for (size_t i = 0; i < big_read.size(); ++i) {
    ASSERT_EQ(big_read[i].first, big.samples[i].first);
    ASSERT_EQ(big_read[i].second, std::bit_cast<uint64_t>(big.samples[i].second)) << i;
  }

  // STREAMED_XOR_CHUNKS, listed first: frames of one series each.
  req.add_accepted_response_types(ms::remote::ReadRequest::STREAMED_XOR_CHUNKS);
  req.add_accepted_response_types(ms::remote::ReadRequest::SAMPLES);
  status = PostRead(dir, *server, req, &body);
  ASSERT_EQ(status, "200 application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
  std::map<SeriesKey, SampleBits> streamed;
  std::map<SeriesKey, int> frames_of;
  std::string_view in(body);
  SeriesKey last{-1, ""};
  while (!in.empty()) {
    uint64_t len = 0;
    int shift = 0;
    while (true) {
      ASSERT_FALSE(in.empty());
      const unsigned char b = in[0];
      in.remove_prefix(1);
      len |= uint64_t{b & 0x7fu} << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    ASSERT_GE(in.size(), 4 + len);
    const uint32_t crc = (uint32_t{static_cast<unsigned char>(in[0])} << 24) |
                         (uint32_t{static_cast<unsigned char>(in[1])} << 16) |
                         (uint32_t{static_cast<unsigned char>(in[2])} << 8) |
                         uint32_t{static_cast<unsigned char>(in[3])};
    std::string_view message = in.substr(4, len);
    in.remove_prefix(4 + len);
    ASSERT_EQ(crc, BitwiseCrc32c(message));
    // 1 MiB of chunks, overshot by at most one chunk.
    EXPECT_LE(message.size(), (1u << 20) + 4096);
    ms::remote::ChunkedReadResponse frame;
    ASSERT_TRUE(frame.ParseFromArray(message.data(), static_cast<int>(message.size())));
    ASSERT_EQ(frame.chunked_series_size(), 1);
    const auto& cs = frame.chunked_series(0);
    SeriesKey key{frame.query_index(), LabelsKey(cs.labels())};
    // A series' frames are consecutive; series come in label order.
    if (key != last) {
      EXPECT_FALSE(streamed.count(key)) << key.second;
      EXPECT_TRUE(last < key) << key.second;
    }
    last = key;
    ++frames_of[key];
    auto& got = streamed[key];
    for (const auto& chunk : cs.chunks()) {
      ASSERT_EQ(chunk.type(), ms::remote::Chunk::XOR);
      SampleBits decoded;
      ASSERT_TRUE(DecodeXor(chunk.data(), &decoded)) << key.second;
      ASSERT_FALSE(decoded.empty());
      EXPECT_LE(decoded.size(), 120u);
      EXPECT_EQ(chunk.min_time_ms(), decoded.front().first);
      EXPECT_EQ(chunk.max_time_ms(), decoded.back().first);
      got.insert(got.end(), decoded.begin(), decoded.end());
    }
  }
  EXPECT_EQ(streamed, expected);
  EXPECT_GE((frames_of[{0, "__name__=rr_big,dc=eu,job=big,"}]), 2);

  // The sample limit (200000 here) counts the whole SAMPLES response.
  ms::remote::ReadRequest twice;
  for (int i = 0; i < 2; ++i) {
    AddQuery(&twice, t0 - 3 * 86400000LL, t0, ms::remote::LabelMatcher::EQ, "job", "big");
  }
  status = PostRead(dir, *server, twice, &body);
  EXPECT_EQ(status.substr(0, 3), "400");
  EXPECT_NE(body.find("exceeded sample limit (200000)"), std::string::npos) << body;
}

// ============================================================================
// Bad input
// ============================================================================

TEST(ReadEndpointsIntegrationTest, BadInputGets4xxWithAMessage) {
  TempDir dir;
  auto server = testutil::StartServer(dir, dir.File("data"));
  ASSERT_TRUE(server->ready()) << server->log();
  common::HttpClient c;

  auto r = c.Get(server->url("/federate"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("no match[] parameter"), std::string::npos) << r->body;
  r = c.Get(server->url("/federate?match[]=" + testutil::UrlEncode("{job=")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("parse error"), std::string::npos) << r->body;
  r = c.Post(server->url("/federate"), "match[]=" + testutil::UrlEncode("rate(x[5m])"),
             "application/x-www-form-urlencoded");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("not a vector selector"), std::string::npos) << r->body;
  r = c.Post(server->url("/federate"), "match[]=" + testutil::UrlEncode("{job=\"none\"}"),
             "application/x-www-form-urlencoded");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");

  auto read = [&](const std::string& body) {
    auto res = c.Post(server->url("/api/v1/read"), body, "application/x-protobuf", 10,
                      {{"Content-Encoding", "snappy"}});
    EXPECT_TRUE(res.ok());
    return res.ok() ? *res : common::HttpClientResponse{};
  };
  auto packed = [](const std::string& raw) {
    std::string out;
    snappy::Compress(raw.data(), raw.size(), &out);
    return out;
  };
  struct Case {
    const char* name;
    std::string body;
    int status;
    const char* message;
  };
  ms::remote::ReadRequest bad_type;
  AddQuery(&bad_type, 0, 1, static_cast<ms::remote::LabelMatcher::Type>(9), "a", "b");
  ms::remote::ReadRequest bad_regexp;
  AddQuery(&bad_regexp, 0, 1, ms::remote::LabelMatcher::RE, "a", "(");
  ms::remote::ReadRequest bad_response_type;
  AddQuery(&bad_response_type, 0, 1, ms::remote::LabelMatcher::EQ, "a", "b");
  bad_response_type.add_accepted_response_types(
      static_cast<ms::remote::ReadRequest::ResponseType>(4));
  const std::vector<Case> cases = {
      {"not snappy", "hello, not snappy", 400, "snappy"},
      {"not a protobuf", packed("\xff\xff\xff\xff\xff not a protobuf"), 400, "ReadRequest"},
      {"unknown matcher type", packed(bad_type.SerializeAsString()), 400, "invalid matcher type 9"},
      {"bad regexp", packed(bad_regexp.SerializeAsString()), 400, "error parsing regexp"},
      {"no supported response type", packed(bad_response_type.SerializeAsString()), 400,
       "does not support any of the requested response types"},
      {"too large", std::string(33 << 20, 'x'), 413, "exceeds"},
  };
  for (const auto& tc : cases) {
    auto res = read(tc.body);
    EXPECT_EQ(res.status, tc.status) << tc.name << ": " << res.body;
    EXPECT_NE(res.body.find(tc.message), std::string::npos) << tc.name << ": " << res.body;
  }
  r = c.Get(server->url("/api/v1/read"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  // The server still answers after all that.
  r = c.Get(server->url("/healthz"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

}  // namespace
