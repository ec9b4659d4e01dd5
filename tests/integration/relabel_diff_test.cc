// Relabeling against a real Prometheus 2.42 (Debian's): the same
// relabel_config lists go to Prometheus as a scrape job's
// metric_relabel_configs and through server::ParseRelabelConfigs into
// model::Process, and the series Prometheus stores must be exactly the ones
// Process makes of the scraped series (plus the job and instance labels the
// scrape adds first). A second test feeds configs to `promtool check config`
// and to our parser and compares acceptance and messages.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "common/http_server.h"
#include "model/labels.h"
#include "model/relabel.h"
#include "server/relabel_config.h"
#include "tests/integration/test_util.h"

namespace {

using testutil::HaveCommand;
using testutil::TempDir;

// The scraped series: chosen so that every action below both matches some
// and misses others, with Unicode values for the case actions and "k=v"
// values for templated target labels.
std::vector<model::Labels> InputSeries() {
  return {
      {{"__name__", "http_requests_total"},
       {"method", "GET"},
       {"code", "200"},
       {"path", "/api/v1/query"},
       {"tag_env", "prod"},
       {"tag_team", "Core"}},
      {{"__name__", "http_requests_total"},
       {"method", "POST"},
       {"code", "500"},
       {"path", "/api/v1/write"},
       {"tag_env", "dev"}},
      {{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}},
      {{"__name__", "node_cpu_seconds_total"}, {"cpu", "1"}, {"mode", "user"}},
      {{"__name__", "temp_celsius"}, {"sensor", "Ünïcødé Straße ΣİK"}, {"zone", "a=b"}},
      {{"__name__", "kv_info"}, {"kv", "zone=eu"}, {"src", "x"}, {"dst", "x"}},
      {{"__name__", "kv_info"}, {"kv", "zone="}, {"src", "x"}, {"dst", "y"}, {"zone", "old"}},
      {{"__name__", "go_goroutines"}},
      {{"__name__", "process_open_fds"}, {"user", "Root"}},
  };
}

std::string Exposition(const std::vector<model::Labels>& series) {
  std::string text;
  int value = 1;
  for (const model::Labels& s : series) {
    text += std::string(s.MetricName()) + "{";
    bool first = true;
    for (const model::Label& l : s) {
      if (l.name == model::kMetricNameLabel) continue;
      text += (first ? "" : ",") + l.name + "=\"" + model::EscapeLabelValue(l.value) + "\"";
      first = false;
    }
    text += "} " + std::to_string(value++) + "\n";
  }
  return text;
}

// One scrape job per list; job names must survive every list (the test
// selects each job's series by it) and so must __name__ (Prometheus fails a
// scrape with a nameless series). Flow YAML, read alike by both sides.
struct Job {
  std::string name;
  std::string relabel_configs;
};

std::vector<Job> Jobs() {
  return {
      {"replace",
       "[{source_labels: [method, code], regex: '(GET|POST);(\\d)\\d\\d', target_label: class,"
       "  replacement: '${1}_${2}xx'},"
       " {source_labels: [__name__], regex: 'node_(.*)', target_label: __name__,"
       "  replacement: 'host_$1'},"
       " {source_labels: [kv], regex: '(.+)=(.*)', target_label: '$1', replacement: '$2'},"
       " {source_labels: [path], regex: '/api/v1/(.*)', target_label: endpoint,"
       "  replacement: '$1x-${1}-$$-$0-${2}-$'},"
       " {source_labels: [missing], target_label: path},"
       " {target_label: const, replacement: c},"
       " {source_labels: [cpu, mode], separator: '', regex: '(.)(.*)', target_label: cm,"
       "  replacement: '$2$1'}]"},
      {"filter",
       "[{action: drop, source_labels: [__name__], regex: 'go_.*'},"
       " {action: Keep, source_labels: [__name__, mode],"
       "  regex: 'node_cpu_seconds_total;idle|[^n].*'},"
       " {action: drop, source_labels: [method], regex: 'POS'}]"},
      {"keepequal", "[{action: keepequal, source_labels: [src], target_label: dst}]"},
      {"dropequal", "[{action: dropequal, source_labels: [src], target_label: dst}]"},
      {"hashmod_labelmap",
       "[{action: hashmod, source_labels: [__name__, cpu, path], modulus: 7, target_label: shard},"
       " {action: hashmod, source_labels: [instance], modulus: 1000, target_label: h2},"
       " {action: hashmod, source_labels: [sensor], modulus: 18446744073709551615,"
       "  target_label: h3},"
       " {action: labelmap, regex: 'tag_(.*)', replacement: '${1}'},"
       " {action: labelmap, regex: '(c.*)', replacement: 'x_$1'}]"},
      {"labeldrop_case",
       "[{action: labeldrop, regex: 'tag_.*|path'},"
       " {action: labelkeep,"
       "  regex: '__name__|job|instance|method|cpu|sensor|user|zone|mode|kv|code'},"
       " {action: lowercase, source_labels: [sensor], target_label: sensor_lower},"
       " {action: uppercase, source_labels: [method, user], target_label: up},"
       " {action: lowercase, source_labels: [missing], target_label: code}]"},
      // 2.42 stops at a label set emptied by a step: the series is dropped
      // although later steps would give it a name and this job's label.
      {"emptied",
       "[{action: keep, source_labels: [__name__], regex: go_goroutines},"
       " {action: labeldrop, regex: '.*'},"
       " {target_label: __name__, replacement: emptied_probe},"
       " {target_label: job, replacement: emptied}]"},
  };
}

// Series Prometheus adds per target, not subject to metric relabeling.
const std::set<std::string> kReportSeries = {
    "up", "scrape_duration_seconds", "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling", "scrape_series_added"};

std::string Indent(const std::string& flow) { return "    metric_relabel_configs: " + flow + "\n"; }

class PrometheusRelabelDiffTest : public ::testing::Test {
 protected:
  // The stored series of a job (without the report series), sorted;
  // *scraped tells whether a scrape was recorded (its report series exist).
  std::set<model::Labels> StoredSeries(int prom_port, const std::string& job, bool* scraped) {
    common::HttpClient client;
    auto r =
        client.Get("http://127.0.0.1:" + std::to_string(prom_port) +
                       "/api/v1/series?match[]=" + testutil::UrlEncode("{job=\"" + job + "\"}"),
                   5);
    std::set<model::Labels> out;
    *scraped = false;
    if (!r.ok() || r->status != 200) return out;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (!j.is_object() || !j["data"].is_array()) return out;
    for (const auto& s : j["data"]) {
      std::vector<model::Label> labels;
      for (const auto& [k, v] : s.items()) labels.push_back({k, v.get<std::string>()});
      model::Labels l = model::Labels::FromVector(std::move(labels));
      if (kReportSeries.count(std::string(l.MetricName()))) {
        *scraped = true;
      } else {
        out.insert(std::move(l));
      }
    }
    return out;
  }

  // The scrape errors Prometheus reports per job ("" when all succeed).
  std::string TargetErrors(int prom_port) {
    common::HttpClient client;
    auto r = client.Get("http://127.0.0.1:" + std::to_string(prom_port) + "/api/v1/targets", 5);
    if (!r.ok()) return r.status().ToString();
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    std::string errors;
    if (!j.is_object()) return r->body;
    for (const auto& t : j["data"]["activeTargets"]) {
      std::string e = t.value("lastError", "");
      if (!e.empty()) errors += t["labels"].value("job", "?") + ": " + e + "\n";
    }
    return errors;
  }
};

TEST_F(PrometheusRelabelDiffTest, StoredSeriesEqualProcess) {
  if (!HaveCommand("prometheus")) GTEST_SKIP() << "prometheus not installed";
  const std::vector<model::Labels> input = InputSeries();
  const std::string exposition = Exposition(input);
  common::HttpServer target;
  target.Handle("/metrics",
                [&](common::HttpRequest&) { return common::HttpResponse::Text(200, exposition); });
  common::HttpServer::Options options;
  options.host = "127.0.0.1";
  // A worker per job: Prometheus keeps each job's connection open.
  options.threads = static_cast<int>(Jobs().size()) + 2;
  ASSERT_TRUE(target.Start(options).ok());
  const std::string instance = "127.0.0.1:" + std::to_string(target.port());

  TempDir dir;
  std::string config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n";
  for (const Job& job : Jobs()) {
    config += "  - job_name: " + job.name + "\n    static_configs: [{targets: ['" + instance +
              "']}]\n" + Indent(job.relabel_configs);
  }
  testutil::WriteFile(dir.File("prometheus.yml"), config);
  const int prom_port = testutil::FreePort();
  testutil::Subprocess prometheus(
      {"/usr/bin/prometheus", "--config.file=" + dir.File("prometheus.yml"),
       "--storage.tsdb.path=" + dir.File("data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
      dir.File("prometheus.log"));

  for (const Job& job : Jobs()) {
    SCOPED_TRACE("job " + job.name + ": " + job.relabel_configs);
    auto configs = server::ParseRelabelConfigs(YAML::Load(job.relabel_configs), job.name);
    ASSERT_TRUE(configs.ok()) << configs.status().ToString();
    std::set<model::Labels> want;
    for (const model::Labels& s : input) {
      model::Labels with_target = s.With("job", job.name).With("instance", instance);
      model::Labels out;
      if (model::Process(with_target, *configs, &out)) want.insert(out);
    }
    std::set<model::Labels> got;
    bool scraped = false;
    // A scrape's series and its report series are committed together.
    EXPECT_TRUE(testutil::WaitUntil(
        [&] { return (got = StoredSeries(prom_port, job.name, &scraped)), scraped; },
        std::chrono::seconds(60), std::chrono::milliseconds(250)))
        << TargetErrors(prom_port);
    std::vector<std::string> missing, unexpected;
    for (const auto& l : want) {
      if (!got.count(l)) missing.push_back(l.ToString());
    }
    for (const auto& l : got) {
      if (!want.count(l)) unexpected.push_back(l.ToString());
    }
    EXPECT_TRUE(missing.empty() && unexpected.empty())
        << "only ours:\n  " << ::testing::PrintToString(missing) << "\nonly Prometheus's:\n  "
        << ::testing::PrintToString(unexpected) << "\nscrape errors:\n"
        << TargetErrors(prom_port);
  }
}

// One relabel config (flow YAML) per case: promtool 2.42 and our parser must
// agree on acceptance, and on the message where Prometheus's is its own
// (its YAML decoder's type errors are worded by Go's yaml package).
TEST(PromtoolRelabelValidationDiffTest, SameAcceptanceAndMessages) {
  if (!HaveCommand("promtool")) GTEST_SKIP() << "promtool not installed";
  const std::vector<std::string> cases = {
      "{target_label: t}",
      "{action: hashmod, target_label: x}",
      "{action: hashmod, target_label: x, modulus: 3}",
      "{action: hashmod, target_label: 'x$1', modulus: 2}",
      "{action: replace}",
      "{action: replace, target_label: '1x'}",
      "{action: replace, target_label: 'a-$1'}",
      "{action: replace, target_label: '$'}",
      "{action: replace, target_label: '${1}x$foo_bar'}",
      "{action: Replace, target_label: x}",
      "{action: replace, target_label: x, replacement: }",
      "{action: lowercase, target_label: x, replacement: y}",
      "{action: lowercase, target_label: '$1'}",
      "{action: lowercase, target_label: 'a-$1'}",
      "{action: uppercase, target_label: x, replacement: '$1'}",
      "{action: keepequal, target_label: x}",
      "{action: keepequal}",
      "{action: keepequal, target_label: x, regex: '(.*)'}",
      "{action: keepequal, target_label: x, regex: }",
      "{action: keepequal, target_label: x, separator: ';'}",
      "{action: dropequal, target_label: x, separator: ','}",
      "{action: dropequal, target_label: '1x'}",
      "{action: keepequal, target_label: x, modulus: 3}",
      "{action: keepequal, target_label: x, separator: ',', replacement: y}",
      "{action: labelmap, replacement: 'a-$1'}",
      "{action: labelmap, regex: a, replacement: }",
      "{action: labelmap, regex: '(a)', replacement: '${1}_x', source_labels: [a], modulus: 3}",
      "{action: labeldrop, regex: a}",
      "{action: labeldrop, source_labels: []}",
      "{action: labelkeep, target_label: x}",
      "{action: labelkeep, regex: a, replacement: '$1'}",
      "{action: labelkeep, regex: }",
      "{action: drop, target_label: '1 x', modulus: 3}",
      "{action: bogus}",
      "{action: }",
      "{regex: '(a'}",
      "{regex: 'a**'}",
      "{regex: '(a', action: bogus}",
      "{action: bogus, regex: '(a'}",
      "{source_labels: ['1a'], target_label: x}",
      "{source_labels: [''], target_label: x}",
      "{source_labels: a, target_label: x}",
      "{target_label: x, foo: 1}",
      "{action: hashmod, target_label: x, modulus: -1}",
      "{action: hashmod, target_label: x, modulus: true}",
      "{action: hashmod, target_label: x, modulus: '7'}",
      "{action: hashmod, target_label: x, modulus: 0x10}",
      "{action: hashmod, target_label: x, modulus: 1.5}",
      "{target_label: [x]}",
      "{target_label: x, separator: 5, replacement: true, regex: 7}",
  };
  TempDir dir;
  for (const std::string& c : cases) {
    SCOPED_TRACE(c);
    testutil::WriteFile(dir.File("p.yml"),
                        "scrape_configs:\n  - job_name: j\n    static_configs: [{targets: "
                        "['127.0.0.1:1']}]\n" +
                            Indent("[" + c + "]"));
    std::string promtool_output;
    int rc = testutil::RunCommand("promtool check config " + dir.File("p.yml"), &promtool_output);
    auto ours = server::ParseRelabelConfigs(YAML::Load("[" + c + "]"), "configs");
    ASSERT_EQ(ours.ok(), rc == 0) << "promtool: " << promtool_output
                                  << "\nours: " << ours.status().ToString();
    if (rc == 0 || promtool_output.find("yaml: unmarshal errors") != std::string::npos) continue;
    std::string marker = "parsing YAML file " + dir.File("p.yml") + ": ";
    size_t at = promtool_output.find(marker);
    ASSERT_NE(at, std::string::npos) << promtool_output;
    std::string theirs = promtool_output.substr(at + marker.size());
    theirs = theirs.substr(0, theirs.find('\n'));
    const std::string& message = ours.status().message();
    EXPECT_TRUE(message.size() >= theirs.size() &&
                message.compare(message.size() - theirs.size(), theirs.size(), theirs) == 0)
        << "promtool: " << theirs << "\nours:     " << message;
  }
}

}  // namespace
