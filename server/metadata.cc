#include "server/metadata.h"

namespace server {

void MetadataStore::SetType(std::string_view metric, std::string_view type) {
  common::MutexLock lock(&mu_);
  auto it = entries_.find(metric);
  if (it == entries_.end()) it = entries_.emplace(std::string(metric), MetricMetadata{}).first;
  if (it->second.type != type) it->second.type = std::string(type == "untyped" ? "unknown" : type);
}

void MetadataStore::SetHelp(std::string_view metric, std::string_view help) {
  common::MutexLock lock(&mu_);
  auto it = entries_.find(metric);
  if (it == entries_.end()) it = entries_.emplace(std::string(metric), MetricMetadata{}).first;
  if (it->second.help != help) it->second.help = std::string(help);
}

std::map<std::string, MetricMetadata> MetadataStore::Snapshot() const {
  common::MutexLock lock(&mu_);
  return {entries_.begin(), entries_.end()};
}

}  // namespace server
