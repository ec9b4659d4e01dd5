// MetadataStore: metric name -> (type, help) as last seen by any ingest path,
// served by /api/v1/metadata. In memory only (Prometheus also keeps metadata
// from the latest scrape only).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/mutex.h"

namespace server {

struct MetricMetadata {
  std::string type;  // counter, gauge, histogram, summary, unknown
  std::string help;
};

class MetadataStore {
 public:
  void SetType(std::string_view metric, std::string_view type);
  void SetHelp(std::string_view metric, std::string_view help);
  std::map<std::string, MetricMetadata> Snapshot() const;

 private:
  mutable common::Mutex mu_;
  std::map<std::string, MetricMetadata, std::less<>> entries_ GUARDED_BY(mu_);
};

}  // namespace server
