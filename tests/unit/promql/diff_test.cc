// Differential test against the real Prometheus (Debian's 2.42): the same
// generated samples go into Prometheus (via promtool's OpenMetrics backfill)
// and into MemoryStorage; every query of the template corpus
// (tests/fixtures/promql/diff_templates.txt) runs as instant and range queries
// through both, and the results must agree: same label sets, timestamps,
// values within 1e-9 relative (NaN == NaN), same error-or-not.
//
// Staleness markers cannot be expressed in OpenMetrics text, so series ends
// here are gaps (lookback expiry); staleness is covered by the unit tests.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "model/number.h"
#include "promql/engine.h"
#include "promql/json.h"
#include "promql/memory_storage.h"
#include "tests/integration/test_util.h"

namespace promql {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kT0 = 1700000000;  // seconds; data covers [kT0, kT0 + 7200]
constexpr int64_t kSpan = 7200;

// Deterministic generator (64-bit LCG), independent of the C++ library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 6364136223846793005ull + 1442695040888963407ull) {}
  uint64_t Next() {
    s_ = s_ * 6364136223846793005ull + 1442695040888963407ull;
    return s_ >> 11;
  }
  double Uniform() { return static_cast<double>(Next() % 1000000) / 1000000.0; }
  int Int(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t s_;
};

struct GenSeries {
  std::string family;  // OpenMetrics family (== metric name; type unknown)
  model::Labels labels;
  std::vector<std::pair<int64_t, double>> samples;  // seconds, value
};

std::vector<GenSeries> Generate() {
  std::vector<GenSeries> out;
  Rng rng(42);
  const char* jobs[] = {"api", "db"};
  const char* modes[] = {"idle", "user", "system"};
  // Counters with resets, slightly jittered 15 s scrapes.
  for (const char* job : jobs) {
    for (int inst = 0; inst < 3; ++inst) {
      for (const char* mode : modes) {
        GenSeries s{"test_counter_total",
                    model::Labels({{"__name__", "test_counter_total"},
                                   {"job", job},
                                   {"instance", std::to_string(inst)},
                                   {"mode", mode}}),
                    {}};
        double v = rng.Int(1000);
        for (int64_t t = 0; t <= kSpan; t += 15) {
          int64_t ts = kT0 + t + (t > 0 && t < kSpan ? rng.Int(3) - 1 : 0);
          if (rng.Int(150) == 0) {
            v = rng.Int(20);  // counter reset
          } else {
            v += rng.Int(100) * (mode[0] == 'i' ? 3 : 1);
          }
          s.samples.push_back({ts, v});
        }
        out.push_back(std::move(s));
      }
    }
  }
  // Gauges: random walks, every 15 s.
  for (const char* job : jobs) {
    for (int inst = 0; inst < 3; ++inst) {
      GenSeries s{
          "test_gauge",
          model::Labels(
              {{"__name__", "test_gauge"}, {"job", job}, {"instance", std::to_string(inst)}}),
          {}};
      double v = 50 + rng.Uniform() * 20;
      for (int64_t t = 0; t <= kSpan; t += 15) {
        v += (rng.Uniform() - 0.5) * 10;
        s.samples.push_back({kT0 + t, std::round(v * 1000) / 1000});
      }
      out.push_back(std::move(s));
    }
  }
  // Intermittent series: on/off periods of 2-25 minutes (gaps beyond the
  // lookback delta), same label names as test_gauge{job="api"}.
  for (int inst = 0; inst < 4; ++inst) {
    GenSeries s{"test_intermittent",
                model::Labels({{"__name__", "test_intermittent"},
                               {"job", "api"},
                               {"instance", std::to_string(inst)}}),
                {}};
    int64_t t = rng.Int(10) * 60;
    bool on = inst % 2 == 0;
    while (t <= kSpan) {
      int64_t len = (2 + rng.Int(24)) * 60;
      if (on) {
        for (int64_t u = t; u < t + len && u <= kSpan; u += 30) {
          s.samples.push_back({kT0 + u, static_cast<double>(rng.Int(200)) / 4});
        }
      }
      t += len;
      on = !on;
    }
    out.push_back(std::move(s));
  }
  // A gauge with NaN values now and then.
  {
    GenSeries s{"test_nan", model::Labels({{"__name__", "test_nan"}, {"instance", "0"}}), {}};
    for (int64_t t = 0; t <= kSpan; t += 15) {
      s.samples.push_back({kT0 + t, rng.Int(10) == 0 ? NAN : rng.Uniform() * 10 - 5});
    }
    out.push_back(std::move(s));
  }
  // Classic histogram buckets (cumulative counters), _sum and _count.
  const char* les[] = {"0.05", "0.1", "0.5", "1", "5", "+Inf"};
  const double bounds[] = {0.05, 0.1, 0.5, 1, 5, INFINITY};
  for (const char* job : jobs) {
    std::vector<GenSeries> buckets;
    for (const char* le : les) {
      buckets.push_back(
          {"test_hist_bucket",
           model::Labels({{"__name__", "test_hist_bucket"}, {"job", job}, {"le", le}}),
           {}});
    }
    GenSeries sum{
        "test_hist_sum", model::Labels({{"__name__", "test_hist_sum"}, {"job", job}}), {}};
    GenSeries cnt{
        "test_hist_count", model::Labels({{"__name__", "test_hist_count"}, {"job", job}}), {}};
    std::vector<double> counts(6, 0);
    double total = 0, n = 0;
    for (int64_t t = 0; t <= kSpan; t += 15) {
      int obs = rng.Int(20);
      for (int k = 0; k < obs; ++k) {
        double x = std::pow(rng.Uniform(), 3) * 8;
        total += x;
        n += 1;
        for (int b = 0; b < 6; ++b) {
          if (x <= bounds[b]) counts[b] += 1;
        }
      }
      for (int b = 0; b < 6; ++b) buckets[b].samples.push_back({kT0 + t, counts[b]});
      sum.samples.push_back({kT0 + t, std::round(total * 1000) / 1000});
      cnt.samples.push_back({kT0 + t, n});
    }
    for (auto& b : buckets) out.push_back(std::move(b));
    out.push_back(std::move(sum));
    out.push_back(std::move(cnt));
  }
  return out;
}

std::string OmValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string WriteOpenMetrics(const std::vector<GenSeries>& series) {
  std::string out;
  std::string last_family;
  for (const GenSeries& s : series) {
    if (s.family != last_family) {
      out += "# TYPE " + s.family + " unknown\n";
      last_family = s.family;
    }
    std::string lbl;
    for (const auto& l : s.labels) {
      if (l.name == "__name__") continue;
      if (!lbl.empty()) lbl += ",";
      lbl += l.name + "=\"" + model::EscapeLabelValue(l.value) + "\"";
    }
    std::string prefix = s.family + "{" + lbl + "} ";
    for (const auto& [t, v] : s.samples) {
      out += prefix + OmValue(v) + " " + std::to_string(t) + "\n";
    }
  }
  out += "# EOF\n";
  return out;
}

// ---- Corpus ---------------------------------------------------------------

const std::vector<std::pair<std::string, std::vector<std::string>>>& Placeholders() {
  // Longest names first so that $RATE is not read as $R.
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kLists = {
      {"$ARITH", {"+", "-", "*", "/", "%", "^", "atan2"}},
      {"$MATH", {"abs",   "ceil", "floor", "round", "sqrt", "exp",   "ln",    "log2",
                 "log10", "sgn",  "deg",   "rad",   "sin",  "cos",   "tan",   "asin",
                 "acos",  "atan", "sinh",  "cosh",  "tanh", "asinh", "acosh", "atanh"}},
      {"$DATE",
       {"minute", "hour", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month",
        "year"}},
      {"$RATE", {"rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes"}},
      {"$AGG", {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"}},
      {"$CMP", {"==", "!=", ">", "<", ">=", "<="}},
      {"$OT", {"avg", "min", "max", "sum", "count", "last", "present", "stddev", "stdvar"}},
      {"$C",
       {"test_counter_total", "test_counter_total{mode!=\"idle\"}",
        "test_counter_total{job=\"api\", instance=\"1\"}"}},
      {"$G", {"test_gauge", "test_intermittent", "test_nan"}},
      {"$R", {"1m", "5m", "17m"}},
  };
  return kLists;
}

void Expand(const std::string& tmpl, std::vector<std::string>* out) {
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$') continue;
    for (const auto& [name, values] : Placeholders()) {
      if (tmpl.compare(i, name.size(), name) != 0) continue;
      for (const std::string& v : values) {
        Expand(tmpl.substr(0, i) + v + tmpl.substr(i + name.size()), out);
      }
      return;
    }
  }
  out->push_back(tmpl);
}

std::vector<std::string> LoadCorpus() {
  std::ifstream in(std::string(MS_SOURCE_DIR) + "/tests/fixtures/promql/diff_templates.txt");
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> expanded;
    Expand(line, &expanded);
    for (auto& q : expanded) {
      if (seen.insert(q).second) out.push_back(q);
    }
  }
  return out;
}

// ---- Processes and HTTP -----------------------------------------------------

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid, int timeout_s) {
  for (int i = 0; i < timeout_s * 10; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -2;
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// ---- Comparison -------------------------------------------------------------

bool SameValue(const std::string& a, const std::string& b) {
  if (a == b) return true;
  double x = std::strtod(a.c_str(), nullptr), y = std::strtod(b.c_str(), nullptr);
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  if (x == y) return true;
  return std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
}

int64_t Ms(const json& t) { return std::llround(t.get<double>() * 1000); }

bool SamePoint(const json& a, const json& b, std::string* why) {
  if (Ms(a[0]) != Ms(b[0])) {
    *why = "timestamp " + a[0].dump() + " vs " + b[0].dump();
    return false;
  }
  if (!SameValue(a[1].get<std::string>(), b[1].get<std::string>())) {
    *why = "value " + a[1].dump() + " vs " + b[1].dump() + " at " + a[0].dump();
    return false;
  }
  return true;
}

bool SameData(const json& prom, const json& ours, std::string* why) {
  if (prom["resultType"] != ours["resultType"]) {
    *why = "resultType " + prom["resultType"].dump() + " vs " + ours["resultType"].dump();
    return false;
  }
  const std::string type = prom["resultType"];
  const json& p = prom["result"];
  const json& o = ours["result"];
  if (type == "scalar" || type == "string") return SamePoint(p, o, why);
  auto index = [](const json& arr) {
    std::map<std::string, const json*> m;
    for (const json& e : arr) m[e["metric"].dump()] = &e;
    return m;
  };
  auto pm = index(p), om = index(o);
  if (pm.size() != om.size() || pm.size() != p.size()) {
    *why = "series count " + std::to_string(p.size()) + " vs " + std::to_string(o.size());
    for (const auto& [k, v] : pm) {
      if (!om.count(k)) *why += "; only prometheus: " + k;
    }
    for (const auto& [k, v] : om) {
      if (!pm.count(k)) *why += "; only ours: " + k;
    }
    return false;
  }
  for (const auto& [k, pe] : pm) {
    auto it = om.find(k);
    if (it == om.end()) {
      *why = "missing series " + k;
      return false;
    }
    if (type == "vector") {
      if (!SamePoint((*pe)["value"], (*it->second)["value"], why)) {
        *why = k + ": " + *why;
        return false;
      }
      continue;
    }
    const json& pv = (*pe)["values"];
    const json& ov = (*it->second)["values"];
    if (pv.size() != ov.size()) {
      *why = k + ": point count " + std::to_string(pv.size()) + " vs " + std::to_string(ov.size());
      for (size_t i = 0; i < std::min(pv.size(), ov.size()); ++i) {
        if (Ms(pv[i][0]) != Ms(ov[i][0])) {
          *why += " first differing ts " + pv[i][0].dump() + " vs " + ov[i][0].dump();
          break;
        }
      }
      return false;
    }
    for (size_t i = 0; i < pv.size(); ++i) {
      if (!SamePoint(pv[i], ov[i], why)) {
        *why = k + ": " + *why;
        return false;
      }
    }
  }
  return true;
}

// For sort() and sort_desc() the order is the result: the vectors' values,
// in order, must agree (ties may come in either label order, as Go's
// sort.Sort is not stable, so only values are compared).
bool SameOrder(const json& prom, const json& ours, std::string* why) {
  const json& p = prom["result"];
  const json& o = ours["result"];
  for (size_t i = 0; i < p.size() && i < o.size(); ++i) {
    const std::string a = p[i]["value"][1], b = o[i]["value"][1];
    if (!SameValue(a, b)) {
      *why =
          "order: position " + std::to_string(i) + " holds " + a + " in prometheus, " + b + " here";
      return false;
    }
  }
  return true;
}

// Queries whose results are known to differ from Prometheus, with reasons.
const std::map<std::string, std::string>& KnownDeviations() {
  static const std::map<std::string, std::string> kKnown = {};
  return kKnown;
}

// Queries compared as instant queries only. In range queries Prometheus 2.42
// collects intermediate results in a Go map (random iteration order), so which
// of several equal values topk/bottomk keep is not deterministic there.
const std::set<std::string>& InstantOnly() {
  static const std::set<std::string> kInstantOnly = {
      "topk(3, round(test_gauge / 20))",
      "bottomk(4, round(test_gauge / 20))",
      "topk by (job) (2, floor(test_gauge / 30))",
      "topk(5, test_gauge > bool 55)",
  };
  return kInstantOnly;
}

// Queries whose range results are checked step by step against Prometheus's
// instant queries at each step time, with the reason. Prometheus 2.42's range
// evaluation of predict_linear over an @-pinned matrix returns only the first
// steps, and their values differ from its own instant queries at the same
// times (the pinned window's buffered iterator is not rewound per step);
// every step of ours must equal Prometheus's instant answer instead.
const std::set<std::string>& StepwiseChecked() {
  static const std::set<std::string> kStepwise = {
      "predict_linear(test_gauge[10m] @ 1700004000, 600)",
      "predict_linear(test_gauge[15m] @ end() offset 1m, 300)",
  };
  return kStepwise;
}

class PromqlDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/bin/prometheus") || !fs::exists("/usr/bin/promtool")) {
      GTEST_SKIP() << "prometheus/promtool not installed";
    }
    char tmpl[] = "/tmp/promql_diff_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      WaitExit(pid_, 15);
      pid_ = -1;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }
  std::string dir_;
  pid_t pid_ = -1;
};

TEST_F(PromqlDiffTest, MatchesPrometheus) {
  const auto series = Generate();
  MemoryStorage storage;
  for (const GenSeries& s : series) {
    for (const auto& [t, v] : s.samples) storage.Add(s.labels, t * 1000, v);
  }
  {
    std::ofstream om(dir_ + "/data.om");
    om << WriteOpenMetrics(series);
  }
  const std::string data = dir_ + "/data";
  pid_t tool = Spawn({"/usr/bin/promtool", "tsdb", "create-blocks-from", "openmetrics",
                      "--max-block-duration=24h", dir_ + "/data.om", data},
                     dir_ + "/promtool.log");
  ASSERT_EQ(WaitExit(tool, 90), 0) << "promtool failed; see log";
  {
    std::ofstream cfg(dir_ + "/prometheus.yml");
    cfg << "global:\n  scrape_interval: 1h\n";
  }
  const int port = testutil::FreePort();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  pid_ = Spawn({"/usr/bin/prometheus", "--config.file=" + dir_ + "/prometheus.yml",
                "--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=100y",
                "--web.listen-address=127.0.0.1:" + std::to_string(port)},
               dir_ + "/prometheus.log");
  ASSERT_GT(pid_, 0);
  common::HttpClient http;
  bool ready = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http.Get(base + "/-/ready", 2);
    if (r.ok() && r->status == 200) {
      ready = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(ready) << "prometheus did not become ready within 60 s";

  const std::vector<std::string> corpus = LoadCorpus();
  ASSERT_GT(corpus.size(), 300u);
  Engine engine;
  struct Mode {
    const char* name;
    bool range;
    int64_t a, b, step;  // seconds: time, or start/end/step
  };
  const Mode modes[] = {
      {"instant@mid", false, kT0 + 3607, 0, 0},
      {"instant@late", false, kT0 + kSpan + 200, 0, 0},
      {"range/60s", true, kT0 - 120, kT0 + kSpan + 360, 60},
      {"range/47s", true, kT0 + 13, kT0 + kSpan, 47},
  };
  int total = 0, passed = 0, known = 0, nonempty = 0, errors = 0;
  std::vector<std::string> failures;
  for (const std::string& q : corpus) {
    for (const Mode& m : modes) {
      if (m.range && InstantOnly().count(q)) continue;
      std::string url;
      common::Result<QueryResult> ours = common::Status::Internal("unset");
      if (m.range && StepwiseChecked().count(q)) {
        // @ end() is the range's end: pinned there for every instant query.
        std::string pinned = q;
        if (auto at = pinned.find("@ end()"); at != std::string::npos) {
          pinned.replace(at, 7, "@ " + std::to_string(m.b));
        }
        ours = engine.RangeQuery(storage, q, m.a * 1000, m.b * 1000, m.step * 1000);
        ASSERT_TRUE(ours.ok()) << q << ": " << ours.status().message();
        std::map<std::string, std::map<int64_t, std::string>> got;
        const json od = RenderJsonData(*ours);
        for (const json& s : od["result"]) {
          for (const json& p : s["values"]) got[s["metric"].dump()][Ms(p[0])] = p[1];
        }
        std::string why;
        size_t compared = 0;
        for (int64_t t = m.a; t <= m.b && why.empty(); t += m.step) {
          auto resp = http.Get(
              base + "/api/v1/query?query=" + UrlEncode(pinned) + "&time=" + std::to_string(t), 30);
          ASSERT_TRUE(resp.ok()) << resp.status().ToString();
          json pj = json::parse(resp->body, nullptr, false);
          ASSERT_EQ(pj["status"], "success") << resp->body;
          size_t want = 0;
          for (const json& e : pj["data"]["result"]) {
            ++want;
            auto it = got.find(e["metric"].dump());
            if (it == got.end() || !it->second.count(t * 1000)) {
              why = "no value at " + std::to_string(t) + " for " + e["metric"].dump();
            } else if (!SameValue(e["value"][1].get<std::string>(), it->second[t * 1000])) {
              why = "value at " + std::to_string(t) + ": " + e["value"][1].dump() + " vs " +
                    it->second[t * 1000];
            }
            ++compared;
          }
          size_t have = 0;
          for (const auto& [k, pts] : got) have += pts.count(t * 1000);
          if (why.empty() && have != want) {
            why = std::to_string(have) + " values at " + std::to_string(t) + ", prometheus " +
                  std::to_string(want);
          }
        }
        ++total;
        if (why.empty() && compared > 0) {
          ++passed;
          ++nonempty;
        } else {
          failures.push_back(std::string(m.name) + " | " + q +
                             " | stepwise: " + (why.empty() ? "nothing compared" : why));
        }
        continue;
      }
      if (m.range) {
        url = base + "/api/v1/query_range?query=" + UrlEncode(q) + "&start=" + std::to_string(m.a) +
              "&end=" + std::to_string(m.b) + "&step=" + std::to_string(m.step);
        ours = engine.RangeQuery(storage, q, m.a * 1000, m.b * 1000, m.step * 1000);
      } else {
        url = base + "/api/v1/query?query=" + UrlEncode(q) + "&time=" + std::to_string(m.a);
        ours = engine.InstantQuery(storage, q, m.a * 1000);
      }
      ++total;
      auto resp = http.Get(url, 30);
      ASSERT_TRUE(resp.ok()) << resp.status().ToString();
      json pj = json::parse(resp->body, nullptr, false);
      ASSERT_FALSE(pj.is_discarded()) << resp->body;
      const bool prom_ok = pj["status"] == "success";
      std::string why;
      bool same;
      if (prom_ok != ours.ok()) {
        same = false;
        why = prom_ok ? "we failed: " + ours.status().message()
                      : "prometheus failed (" + pj["error"].get<std::string>() + "), we did not";
      } else if (!prom_ok) {
        same = true;
        ++errors;
      } else {
        const json& res = pj["data"]["result"];
        if (!res.is_array() || !res.empty()) ++nonempty;
        const json od = RenderJsonData(*ours);
        same = SameData(pj["data"], od, &why);
        if (same && !m.range && q.rfind("sort", 0) == 0) same = SameOrder(pj["data"], od, &why);
      }
      if (same) {
        ++passed;
      } else if (KnownDeviations().count(q)) {
        ++known;
      } else {
        failures.push_back(std::string(m.name) + " | " + q + " | " + why);
      }
    }
  }
  for (size_t i = 0; i < failures.size() && i < 80; ++i) ADD_FAILURE() << failures[i];
  std::printf(
      "promql differential test: %d/%d cases passed (%zu queries x %zu modes, %zu of them "
      "instant only, %zu checked step by step in range mode), %d known deviations; %d non-empty "
      "results, %d errors in both\n",
      passed, total, corpus.size(), std::size(modes), InstantOnly().size(),
      StepwiseChecked().size(), known, nonempty, errors);
  EXPECT_EQ(passed + known, total);
  // Guard against a vacuous pass (e.g. Prometheus seeing no data).
  EXPECT_GT(nonempty, total * 3 / 4);
}

}  // namespace
}  // namespace promql
