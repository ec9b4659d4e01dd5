// One remote_write destination, in the shape of Prometheus's remote_write
// config section (what server/config.cc parses).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/http_client.h"
#include "model/relabel.h"

namespace server::remote {

// queue_config, with Prometheus 2.42's defaults, except retry_on_http_429
// (Prometheus: false, so a 429 drops the batch; here a 429 is retried).
struct QueueConfig {
  // Samples buffered per shard: a segment read from the log holds at most
  // capacity * shards samples.
  int capacity = 2500;
  int min_shards = 1;
  int max_shards = 200;
  int max_samples_per_send = 500;
  // How long a partial batch waits for more samples before it is sent.
  int64_t batch_send_deadline_ms = 5000;
  int64_t min_backoff_ms = 30;
  int64_t max_backoff_ms = 5000;
  bool retry_on_http_429 = true;
};

struct RemoteWriteConfig {
  std::string url;
  // Optional; also the identity of the destination's position in the
  // store's log, so it should stay the same across config edits (without
  // a name the URL is the identity).
  std::string name;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t remote_timeout_ms = 30000;
  common::HttpClientConfig http;  // tls_config, basic_auth, authorization
  std::vector<model::RelabelConfig> write_relabel_configs;
  QueueConfig queue;
  // The write_relabel_configs as written (relabel configs hold compiled
  // regexps, which do not compare): part of Key().
  std::string relabel_text;

  // The `remote_name` label of the self-metrics: the name, or the first 6
  // hex digits of a hash of the URL (Prometheus hashes the whole config).
  std::string RemoteName() const;
  // The store's log reader of this destination.
  std::string ReaderName() const { return "remote_write/" + (name.empty() ? url : name); }
  // Everything above: a destination whose key is unchanged by a reload keeps
  // running untouched.
  std::string Key() const;
};

}  // namespace server::remote
