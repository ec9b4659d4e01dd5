// The server's own metrics for GET /metrics: prometheus-cpp instruments
// (HTTP requests, query and scrape durations) plus values read at scrape
// time from the ingester's counters and the store's statistics.
#pragma once

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/process_metrics.h"
#include "promql/query_gate.h"
#include "server/ingest/ingester.h"

namespace server {

class SelfMetrics {
 public:
  SelfMetrics(Ingester* ingester, tsdb::DB* db);

  void ObserveQuery(const std::string& endpoint, double seconds);
  void ObserveScrape(const std::string& job, double seconds);
  void CountRequest(const std::string& handler, int code);
  void CountIngested(const std::string& path, uint64_t samples);

  // The engine's admission gate (borrowed; may stay unset).
  void SetQueryGate(const promql::QueryGate* gate) { gate_ = gate; }

  // Text format 0.0.4 of everything.
  std::string Render() const;

 private:
  Ingester* ingester_;
  tsdb::DB* db_;
  const promql::QueryGate* gate_ = nullptr;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>* query_duration_;
  prometheus::Family<prometheus::Histogram>* scrape_duration_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Counter>* ingested_;
  common::ProcessMetrics process_;
};

}  // namespace server
