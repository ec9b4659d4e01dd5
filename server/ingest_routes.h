// HTTP handlers of the ingest paths: POST /metrics, /api/v1/write,
// /api/v1/import/prometheus. Each answers 204 (or 200 with a summary) on
// success, 400 naming the problem, 401 without the write token, 413 for an
// oversized body and 429 at the series limit.
#pragma once

#include <string>

#include "common/http_server.h"
#include "server/http_util.h"
#include "server/ingest/ingester.h"
#include "server/metadata.h"
#include "server/self_metrics.h"

namespace server {

struct IngestContext {
  Ingester* ingester;
  MetadataStore* metadata;
  SelfMetrics* metrics;
  WriteAccess write_access;
};

void RegisterIngestRoutes(common::HttpServer& http, const IngestContext& ctx,
                          common::HttpServer::Handler self_metrics_handler);

}  // namespace server
