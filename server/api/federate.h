// GET|POST /federate: the latest sample of every series matching any of the
// match[] selectors, as Prometheus 2.42's federation endpoint serves it, so
// a Prometheus (honor_labels: true) can scrape this server.
//
// Semantics (Prometheus's web/federate.go):
//   - the union of the series matching each match[] selector, each series
//     once; its newest sample in [now - lookback delta, now]; series whose
//     newest sample is a staleness marker are left out (the text format
//     cannot carry one), as are series without a metric name;
//   - text format 0.0.4, one family per metric name ("# TYPE <name>
//     untyped", no HELP), every sample with its millisecond timestamp;
//   - a series' labels sorted by name without __name__, then the external
//     labels (global.external_labels) the series does not have, sorted by
//     name; like Prometheus, `instance` counts as an external label with an
//     empty value when the config sets none, so a series without one gets
//     instance="" (which a scraper treats as absent).
// Differences: match[] is required (Prometheus answers an empty 200 without
// one; here it is 400, since no selector is almost always a mistake), and
// only the text format is offered (Prometheus also negotiates the protobuf
// exposition format by Accept header).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/http_server.h"
#include "common/status.h"
#include "model/labels.h"
#include "server/self_metrics.h"
#include "tsdb/db.h"

namespace server {

struct FederateContext {
  tsdb::DB* db;
  SelfMetrics* metrics;
  int64_t lookback_delta_ms;
  // The config's current global.external_labels (it changes on reload).
  std::function<model::Labels()> external_labels;
  size_t max_form_body_bytes = 1 << 20;
};

// The /federate body for the union of `selectors` at now_ms.
// REQUIRES: lookback_delta_ms >= 0.
common::Result<std::string> RenderFederation(
    tsdb::DB& db, const std::vector<std::vector<tsdb::Matcher>>& selectors, int64_t now_ms,
    int64_t lookback_delta_ms, const model::Labels& external_labels);

void RegisterFederate(common::HttpServer& http, const FederateContext& ctx);

}  // namespace server
