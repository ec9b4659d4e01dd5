// Forwarder: polls an exporter and pushes each reading to the monitoring
// server, through an on-disk spool so no reading is lost while the server is
// down (within the spool's bound).
//
// Every reading is spooled first (durably), then the spool is drained oldest
// first. A 2xx answer removes the reading; a 4xx is logged and the reading is
// dropped (retrying a rejected payload cannot succeed); a transport error or
// 5xx stops the drain and it is retried with exponential backoff.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/http_client.h"
#include "common/mutex.h"
#include "common/status.h"
#include "exporter/forwarder/spool.h"

namespace forwarder {

struct Options {
  std::string source_url = "http://127.0.0.1:5001/system";
  std::string target_url = "http://127.0.0.1:5000/metrics";
  double interval_seconds = 30;
  double timeout_seconds = 10;
  double max_backoff_seconds = 60;
  std::string token;  // sent as "Authorization: Bearer <token>" when set
  // TLS and credentials towards the exporter (source) and the server
  // (target), in Prometheus's client config shape.
  common::HttpClientConfig source_http, target_http;
  Spool::Options spool;
};

struct Stats {
  uint64_t polled = 0;         // readings taken from the source
  uint64_t poll_errors = 0;    // source unreachable or bad answer
  uint64_t pushed = 0;         // readings the server accepted
  uint64_t rejected = 0;       // readings the server refused with 4xx (dropped)
  uint64_t push_failures = 0;  // attempts that failed and will be retried
};

class Forwarder {
 public:
  static common::Result<std::unique_ptr<Forwarder>> Create(const Options& options);

  // Reads the source once and spools the reading (text readings get the
  // reading's timestamp added to every sample without one).
  common::Status Poll();
  // Pushes spooled readings oldest first. Returns OK when the spool is empty,
  // Unavailable when the server failed (readings stay spooled).
  common::Status Drain();

  // Polls every interval and drains, retrying failed drains with backoff,
  // until Stop(). The first poll happens immediately.
  void Run();
  // Thread-safe; makes Run() return after the current step.
  void Stop();

  Stats stats() const;
  size_t spooled() const { return spool_.size(); }

 private:
  Forwarder(Options o, Spool s) : options_(std::move(o)), spool_(std::move(s)) {
    source_client_.SetConfig(options_.source_http);
    target_client_.SetConfig(options_.target_http);
  }

  Options options_;
  Spool spool_;
  common::HttpClient source_client_, target_client_;
  mutable common::Mutex mu_;
  common::CondVar cv_;  // on mu_: stop
  bool stop_ GUARDED_BY(mu_) = false;
  Stats stats_ GUARDED_BY(mu_);
};

// Adds " <timestamp_ms>" to every sample line of exposition text that has none.
// Comments and blank lines are kept. Fails on malformed text.
common::Result<std::string> StampTextWithTimestamp(const std::string& text, int64_t ts_ms);

}  // namespace forwarder
