// The Grafana dashboard (dashboards/grafana/dashboards/*.json) against a real
// stack: an exporter scraped by a monitoring-server every second. Every PromQL
// expression in the dashboard (panel targets, also inside collapsed rows, and
// the templating queries) is run as Grafana would run it (variables
// substituted, as a query_range over the last minutes) and must succeed; the
// core panels must also return data.
#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/stack.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kDashboardDir = MS_SOURCE_DIR "/dashboards/grafana/dashboards";

struct Expr {
  std::string where;  // "panel 'CPU busy' target A"
  std::string panel;
  std::string expr;
};

// Panels of a dashboard, including those inside (collapsed) rows.
void CollectPanels(const json& panels, std::vector<json>* out) {
  for (const auto& p : panels) {
    out->push_back(p);
    if (p.contains("panels")) CollectPanels(p["panels"], out);
  }
}

std::vector<Expr> PanelExprs(const json& dash) {
  std::vector<json> panels;
  CollectPanels(dash["panels"], &panels);
  std::vector<Expr> out;
  for (const auto& p : panels) {
    if (!p.contains("targets")) continue;
    for (const auto& t : p["targets"]) {
      if (!t.contains("expr")) continue;
      out.push_back({"panel '" + p.value("title", "") + "' target " + t.value("refId", "?"),
                     p.value("title", ""), t["expr"].get<std::string>()});
    }
  }
  return out;
}

// The query string of a templating variable (Grafana 8 stores a string, 9+ an object).
std::string VariableQuery(const json& v) {
  if (!v.contains("query")) return "";
  if (v["query"].is_string()) return v["query"];
  if (v["query"].is_object() && v["query"].contains("query")) return v["query"]["query"];
  return "";
}

// Replaces Grafana's variables: ${name}, ${name:format}, $name, [[name]].
std::string Substitute(std::string expr, const std::map<std::string, std::string>& vars) {
  for (const auto& [name, value] : vars) {
    for (const std::string& form : {"${" + name + "}", "[[" + name + "]]"}) {
      for (size_t pos; (pos = expr.find(form)) != std::string::npos;) {
        expr.replace(pos, form.size(), value);
      }
    }
    std::regex formatted("\\$\\{" + name + ":[a-z]+\\}");
    expr = std::regex_replace(expr, formatted, value);
    // $name not followed by more name characters ($__rate_interval vs $__range).
    std::regex plain("\\$" + name + "(?![A-Za-z0-9_])");
    expr = std::regex_replace(expr, plain, value);
  }
  return expr;
}

class GrafanaDashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    exporter_ = testutil::StartExporter(dir_);
    ASSERT_TRUE(exporter_->ready()) << exporter_->log();
    target_ = "127.0.0.1:" + std::to_string(exporter_->port());
    testutil::WriteFile(dir_.File("monitoring.yml"),
                        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                        "scrape_configs:\n  - job_name: node\n    static_configs:\n"
                        "      - targets: ['" +
                            target_ + "']\n");
    server_ =
        testutil::StartServer(dir_, dir_.File("data"), {"--config", dir_.File("monitoring.yml")});
    ASSERT_TRUE(server_->ready()) << server_->log();
    // Rates need two samples in their window: wait for a few scrapes.
    ASSERT_TRUE(testutil::WaitUntil(
        [&] {
          auto r = testutil::Query(*server_, "count(rate(node_cpu_seconds_total[1m]))");
          return r.is_array() && r.size() == 1;
        },
        30s))
        << server_->log();
    std::this_thread::sleep_for(2s);
  }

  // Runs expr as Grafana's Prometheus data source does for a time series
  // panel: query_range over the last 10 minutes. Returns the whole response.
  json QueryRange(const std::string& expr) {
    int64_t end = testutil::NowMs() / 1000;
    return testutil::ApiGet(*server_, "query_range?query=" + testutil::UrlEncode(expr) +
                                          "&start=" + std::to_string(end - 600) +
                                          "&end=" + std::to_string(end) + "&step=15");
  }

  static bool HasPoints(const json& response) {
    if (!response.is_object() || response["status"] != "success") return false;
    for (const auto& series : response["data"]["result"]) {
      if (!series["values"].empty()) return true;
    }
    return false;
  }

  testutil::TempDir dir_;
  std::unique_ptr<testutil::Service> exporter_, server_;
  std::string target_;
};

std::vector<std::string> DashboardFiles() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(kDashboardDir)) {
    if (e.path().extension() == ".json") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GrafanaDashboardFileTest, WellFormedDashboards) {
  auto files = DashboardFiles();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    json dash = json::parse(testutil::ReadFile(file), nullptr, false);
    ASSERT_FALSE(dash.is_discarded());
    EXPECT_FALSE(dash.value("uid", "").empty());
    EXPECT_FALSE(dash.value("title", "").empty());
    EXPECT_GE(dash.value("schemaVersion", 0), 36);
    EXPECT_TRUE(dash["id"].is_null()) << "provisioned dashboards carry no database id";
    std::vector<json> panels;
    CollectPanels(dash["panels"], &panels);
    std::set<int> ids;
    for (const auto& p : panels) {
      SCOPED_TRACE(p.value("title", ""));
      EXPECT_TRUE(ids.insert(p["id"].get<int>()).second) << "duplicate panel id";
      for (const char* k : {"h", "w", "x", "y"}) EXPECT_TRUE(p["gridPos"].contains(k)) << k;
      if (p["type"] == "row") continue;
      EXPECT_EQ(p["datasource"]["type"], "prometheus");
      std::set<std::string> refs;
      ASSERT_TRUE(p.contains("targets"));
      for (const auto& t : p["targets"]) {
        EXPECT_TRUE(refs.insert(t["refId"].get<std::string>()).second) << "duplicate refId";
        EXPECT_FALSE(t.value("expr", "").empty());
      }
    }
    std::set<std::string> names;
    for (const auto& v : dash["templating"]["list"]) names.insert(v["name"].get<std::string>());
    EXPECT_EQ(names, (std::set<std::string>{"datasource", "job", "instance"}));
  }
}

TEST_F(GrafanaDashboardTest, EveryExpressionEvaluates) {
  // Grafana's built-in interval variables, as it would set them for a 10m
  // range on a 15s scrape interval; the dashboard variables as "All" (.+).
  const std::map<std::string, std::string> builtins = {
      {"__rate_interval", "1m"}, {"__interval", "15s"}, {"__interval_ms", "15000"},
      {"__range", "10m"},        {"__range_s", "600"},  {"__range_ms", "600000"},
  };
  auto all = builtins;
  all["job"] = ".+";
  all["instance"] = ".+";
  auto one = builtins;
  one["job"] = "node";
  one["instance"] = target_;

  for (const auto& file : DashboardFiles()) {
    SCOPED_TRACE(file);
    json dash = json::parse(testutil::ReadFile(file));
    auto exprs = PanelExprs(dash);
    ASSERT_GE(exprs.size(), 10u);
    std::set<std::string> panels_with_data;
    for (const auto& vars : {all, one}) {
      for (const Expr& e : exprs) {
        std::string q = Substitute(e.expr, vars);
        ASSERT_EQ(q.find('$'), std::string::npos) << e.where << ": unknown variable in " << e.expr;
        json r = QueryRange(q);
        ASSERT_TRUE(r.is_object()) << e.where << ": no JSON response for " << q;
        EXPECT_EQ(r["status"], "success")
            << e.where << "\n  expr: " << q << "\n  error: " << r.value("errorType", "") << ": "
            << r.value("error", "");
        if (HasPoints(r) && vars.at("job") == "node") panels_with_data.insert(e.panel);
      }
    }
    if (dash["uid"] == "ms-host-overview") {
      // Data from this host for the core panels (with job/instance set to it).
      for (const char* core :
           {"Up", "Uptime", "CPU busy", "CPU by mode", "Load average", "Memory", "Memory used",
            "Disk space used", "Network received", "Network transmitted"}) {
        EXPECT_EQ(panels_with_data.count(core), 1u) << "no data for core panel '" << core << "'";
      }
    }

    // Templating: label_values(<selector>, <label>) -> the selector must
    // evaluate and /api/v1/label/<label>/values?match[]=<selector> (what
    // Grafana calls) must list this host.
    static const std::regex kLabelValues(R"(^\s*label_values\(\s*(.*?)\s*,\s*(\w+)\s*\)\s*$)");
    for (const auto& v : dash["templating"]["list"]) {
      if (v["type"] != "query") continue;
      std::string query = Substitute(VariableQuery(v), all);
      SCOPED_TRACE("variable " + v["name"].get<std::string>() + ": " + query);
      std::smatch m;
      ASSERT_TRUE(std::regex_match(query, m, kLabelValues));
      std::string selector = m[1], label = m[2];
      json r = QueryRange(selector);
      EXPECT_EQ(r["status"], "success") << r.dump();
      json values = testutil::ApiGet(
          *server_, "label/" + label + "/values?match[]=" + testutil::UrlEncode(selector));
      ASSERT_EQ(values["status"], "success") << values.dump();
      std::string want = label == "job" ? "node" : label == "instance" ? target_ : "";
      if (!want.empty()) {
        EXPECT_NE(std::find(values["data"].begin(), values["data"].end(), want),
                  values["data"].end())
            << values.dump();
      }
    }
  }
}

}  // namespace
