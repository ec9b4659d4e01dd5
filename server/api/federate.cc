#include "server/api/federate.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "common/clock.h"
#include "model/number.h"
#include "model/value.h"
#include "server/api/query_api.h"
#include "server/http_util.h"

namespace server {

namespace {

struct LatestSample {
  const model::Labels* labels;
  std::string_view name;
  int64_t t;
  double v;
};

void AppendLabel(std::string_view name, std::string_view value, bool* first, std::string* out) {
  out->push_back(*first ? '{' : ',');
  *first = false;
  out->append(name);
  out->append("=\"");
  out->append(model::EscapeLabelValue(value));
  out->push_back('"');
}

}  // namespace

common::Result<std::string> RenderFederation(
    tsdb::DB& db, const std::vector<std::vector<tsdb::Matcher>>& selectors, int64_t now_ms,
    int64_t lookback_delta_ms, const model::Labels& external_labels) {
  const int64_t mint = now_ms - lookback_delta_ms;
  auto querier = db.NewQuerier(mint, now_ms);
  // Keyed by labels: a series matched by several selectors is listed once.
  std::map<model::Labels, model::Sample> latest;
  model::SampleVector samples;
  for (const auto& matchers : selectors) {
    auto set = querier->Select(matchers);
    while (set->Next()) {
      if (latest.count(set->labels())) continue;
      auto it = set->NewIterator();
      samples.clear();
      if (auto s = it->AppendRange(mint, now_ms, &samples); !s.ok()) return s;
      if (samples.empty()) continue;
      latest.emplace(set->labels(), samples.back());
    }
    if (!set->status().ok()) return set->status();
  }

  // Families are runs of one metric name; within one, series keep label order.
  std::vector<LatestSample> rows;
  rows.reserve(latest.size());
  for (const auto& [labels, sample] : latest) {
    // The exposition format cannot carry a staleness marker; a federating
    // Prometheus ends the series itself once it stops being exposed.
    if (model::IsStaleNaN(sample.v)) continue;
    if (labels.MetricName().empty()) continue;  // Prometheus ignores nameless series
    rows.push_back({&labels, labels.MetricName(), sample.t, sample.v});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const LatestSample& a, const LatestSample& b) { return a.name < b.name; });

  // Prometheus's external label set for federation: the configured ones,
  // plus instance="" unless one is configured, in name order.
  std::vector<model::Label> external = external_labels.items();
  if (!external_labels.Has("instance")) {
    external.push_back({"instance", ""});
    std::sort(external.begin(), external.end(),
              [](const model::Label& a, const model::Label& b) { return a.name < b.name; });
  }

  std::string out;
  std::string_view family;
  for (const LatestSample& row : rows) {
    if (row.name != family) {
      family = row.name;
      out.append("# TYPE ");
      out.append(family);
      out.append(" untyped\n");
    }
    out.append(row.name);
    bool first = true;
    for (const auto& l : *row.labels) {
      if (l.name == model::kMetricNameLabel) continue;
      AppendLabel(l.name, l.value, &first, &out);
    }
    for (const auto& l : external) {
      if (!row.labels->Has(l.name)) AppendLabel(l.name, l.value, &first, &out);
    }
    if (!first) out.push_back('}');
    out.push_back(' ');
    model::AppendGoFloat(row.v, &out);
    out.push_back(' ');
    out.append(std::to_string(row.t));
    out.push_back('\n');
  }
  return out;
}

void RegisterFederate(common::HttpServer& http, const FederateContext& ctx) {
  http.Handle("/federate", [ctx](common::HttpRequest& req) {
    const auto t0 = std::chrono::steady_clock::now();
    auto respond = [&](common::HttpResponse r) {
      ctx.metrics->ObserveQuery(
          "/federate",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      ctx.metrics->CountRequest("/federate", r.status);
      return r;
    };
    if (req.method() != "GET" && req.method() != "POST") {
      return respond(common::HttpResponse::Text(405, "use GET or POST\n"));
    }
    auto params = Params::FromRequest(req, ctx.max_form_body_bytes);
    if (!params.ok()) {
      return respond(common::HttpResponse::Text(
          params.status().IsTooLarge() ? 413 : 400,
          "error parsing form values: " + params.status().message() + "\n"));
    }
    auto selectors = ParseMatchParams(*params);
    if (!selectors.ok()) {
      return respond(common::HttpResponse::Text(400, selectors.status().message() + "\n"));
    }
    if (selectors->empty()) {
      return respond(common::HttpResponse::Text(
          400,
          "no match[] parameter given: /federate needs at least one series selector, e.g. "
          "match[]={job=\"node\"}\n"));
    }
    auto body = RenderFederation(*ctx.db, *selectors, common::NowMs(), ctx.lookback_delta_ms,
                                 ctx.external_labels());
    if (!body.ok()) {
      return respond(
          common::HttpResponse::Text(500, "federation failed: " + body.status().message() + "\n"));
    }
    common::HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = std::move(body).value();
    return respond(std::move(r));
  });
}

}  // namespace server
