// Collector: one source of host metrics (cpu, meminfo, ...), in the manner of
// node_exporter's collector package. Each collector lives in its own file under
// exporter/collectors/<os>/ and registers itself with REGISTER_COLLECTOR; the
// NodeCollector runs the enabled ones and adds node_scrape_collector_* metrics.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/paths.h"
#include "common/status.h"
#include "exporter/metric_sink.h"

namespace exporter {

struct CollectorConfig {
  common::HostPaths paths;
  // Filesystem collector: mount points / fs types to skip (RE2, fully anchored).
  // Defaults are node_exporter 1.5's.
  std::string filesystem_mount_points_exclude =
      "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
  std::string filesystem_fs_types_exclude =
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"
      "iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"
      "sysfs|tracefs)$";
  // Network device collector: devices to skip (RE2); empty keeps all.
  std::string netdev_device_exclude;
  // Cgroup collector: most containers reported per scrape (runtime containers
  // first), so a host with thousands of units cannot explode cardinality.
  size_t cgroup_max_containers = 1000;
  // Diskstats collector: devices to skip (RE2), node_exporter 1.5's default.
  std::string diskstats_device_exclude =
      "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
};

class Collector {
 public:
  virtual ~Collector() = default;
  // Reads the host once and adds samples to sink. A failure means the whole
  // collector produced nothing trustworthy: it is reported as
  // node_scrape_collector_success 0, and the scrape goes on. Return NotFound
  // for "this host has no such data" (logged at debug level only).
  virtual common::Status Update(MetricSink& sink) = 0;
};

using CollectorFactory =
    std::function<std::unique_ptr<Collector>(const CollectorConfig& config)>;

struct CollectorInfo {
  bool enabled_by_default;
  CollectorFactory factory;
};

// All collectors compiled into this binary, by name.
const std::map<std::string, CollectorInfo>& RegisteredCollectors();

struct CollectorRegistrar {
  CollectorRegistrar(const char* name, bool enabled_by_default, CollectorFactory factory);
};

#define REGISTER_COLLECTOR(name, enabled_by_default, Class)                            \
  static ::exporter::CollectorRegistrar registrar_##Class(                             \
      name, enabled_by_default,                                                        \
      [](const ::exporter::CollectorConfig& c) -> std::unique_ptr<::exporter::Collector> { \
        return std::make_unique<Class>(c);                                             \
      })

// Runs a set of collectors and adds node_scrape_collector_{success,duration_seconds}.
// Thread-safe: concurrent Collect calls are serialized, so collectors may keep
// state between calls.
class NodeCollector {
 public:
  // names: the collectors to run; unknown names fail.
  static common::Result<std::unique_ptr<NodeCollector>> Create(
      const CollectorConfig& config, const std::vector<std::string>& names);
  // The names of the collectors enabled by default.
  static std::vector<std::string> DefaultCollectorNames();

  void Collect(MetricSink& sink);
  const std::vector<std::string>& names() const { return names_; }

 private:
  NodeCollector() = default;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Collector>> collectors_;
  std::mutex mu_;
};

}  // namespace exporter
