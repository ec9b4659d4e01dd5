// rapl collector: Intel/AMD RAPL energy counters from
// <sysfs>/class/powercap/<zone>/{name,energy_uj}, as node_exporter 1.5's
// rapl_linux.go over procfs' GetRaplZones (node_rapl_<zone>_joules_total, or
// node_rapl_joules_total{rapl_zone} with --collector.rapl.enable-zone-label).
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// node_exporter 1.5 ships this flag with the systemd flag's help text.
REGISTER_COLLECTOR_BOOL_FLAG(rapl_zone_label, "collector.rapl.enable-zone-label", false,
                             "Enables service unit metric unit_start_time_seconds");

struct Zone {
  std::string name;
  int index = 0;
  std::string path;
};

// node_exporter's SanitizeMetricName: anything outside [a-zA-Z0-9_] becomes '_'.
std::string Sanitize(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

class RaplCollector : public Collector {
 public:
  explicit RaplCollector(const CollectorConfig& c)
      : dir_(c.paths.Sys("class/powercap")),
        zone_label_(c.BoolFlag("collector.rapl.enable-zone-label")) {}

  common::Status Update(MetricSink& sink) override {
    auto entries = sysfs::ListDir(dir_);
    if (!entries.ok()) {
      if (entries.status().IsNotFound()) {
        return common::Status::NotFound("platform doesn't have powercap files present");
      }
      return common::Status::IOError("failed to retrieve rapl stats: " +
                                     entries.status().ToString());
    }
    std::vector<Zone> zones;
    // Zones named without "-<n>" (e.g. several "dram") are numbered by count.
    std::map<std::string, int> uses;
    for (const std::string& e : *entries) {
      std::string path = dir_ + "/" + e;
      sysfs::Attr name_file = sysfs::ReadWhole(path + "/name");
      if (!name_file.ok()) continue;  // the control-type directory has no name
      std::string name(sysfs::TrimSpace(name_file.value));
      int index;
      size_t dash = name.find('-');
      if (dash != std::string::npos && name.find('-', dash + 1) == std::string::npos) {
        auto n = parse::ToInt(name.substr(dash + 1));
        if (!n)
          return common::Status::Corruption("failed to retrieve rapl stats: bad zone name " + name);
        index = static_cast<int>(*n);
        name = name.substr(0, dash);
      } else {
        index = uses[name];
      }
      if (!sysfs::ReadUint(path + "/max_energy_range_uj")) {
        return common::Status::IOError("failed to retrieve rapl stats: " + path +
                                       "/max_energy_range_uj");
      }
      zones.push_back({name, index, path});
      uses[name] = index + 1;
    }
    for (const Zone& z : zones) {
      std::string file = z.path + "/energy_uj";
      sysfs::Attr a = sysfs::ReadWhole(file);
      if (!a.ok()) {
        // energy_uj is root-only since Linux 5.10 (CVE-2020-8694).
        if (a.err == EACCES || a.err == EPERM) {
          return common::Status::NotFound("can't access energy_uj file " + file);
        }
        return common::Status::IOError("cannot read " + file);
      }
      auto uj = parse::ToUint(sysfs::TrimSpace(a.value));
      if (!uj) return common::Status::Corruption("cannot parse " + file);
      double joules = static_cast<double>(*uj) / 1000000.0;
      std::string index = std::to_string(z.index);
      if (zone_label_) {
        sink.Counter("node_rapl_joules_total", "Current RAPL value in joules",
                     {{"index", index}, {"path", z.path}, {"rapl_zone", z.name}}, joules);
      } else {
        sink.Counter("node_rapl_" + Sanitize(z.name) + "_joules_total",
                     "Current RAPL " + z.name + " value in joules",
                     {{"index", index}, {"path", z.path}}, joules);
      }
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
  bool zone_label_;
};

REGISTER_COLLECTOR("rapl", true, RaplCollector);

}  // namespace
}  // namespace exporter
