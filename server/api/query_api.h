// The Prometheus HTTP query API (/api/v1/...) over the PromQL engine and tsdb:
// the same envelopes ({"status":"success","data":...} or
// {"status":"error","errorType":...,"error":...}), parameters (GET query
// string or form POST), time formats (RFC 3339 or Unix seconds) and HTTP
// codes (400 bad_data, 422 execution, 503 timeout) as Prometheus 2.42, so
// Grafana's Prometheus data source works unchanged.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/http_server.h"
#include "promql/engine.h"
#include "server/http_util.h"
#include "server/metadata.h"
#include "server/scrape/scrape_manager.h"
#include "server/self_metrics.h"
#include "tsdb/db.h"

namespace server {

struct QueryApiContext {
  tsdb::DB* db;
  const promql::Engine* engine;
  MetadataStore* metadata;
  SelfMetrics* metrics;
  std::function<std::vector<ScrapeManager::TargetStatus>()> targets;
  std::string version;
  size_t max_body_bytes = 1 << 20;  // form POST bodies
};

void RegisterQueryApi(common::HttpServer& http, const QueryApiContext& ctx);

// Parses a Prometheus API time: RFC 3339 or (fractional) Unix seconds -> ms.
common::Result<int64_t> ParseApiTime(const std::string& s);
// The selectors of every match[] parameter (vector selectors, PromQL
// syntax), in order; InvalidArgument with the parser's message otherwise.
// Shared by /api/v1/series, /api/v1/labels and /federate.
common::Result<std::vector<std::vector<tsdb::Matcher>>> ParseMatchParams(const Params& p);

// Parses a step/timeout: a duration string ("15s") or (fractional) seconds -> ms.
common::Result<int64_t> ParseApiDuration(const std::string& s);

}  // namespace server
