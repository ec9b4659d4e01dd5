// meminfo_numa collector: per-NUMA-node memory statistics from
// <sysfs>/devices/system/node/node<N>/{meminfo,numastat}, as node_exporter
// 1.5's meminfo_numa_linux.go (node_memory_numa_*{node}; disabled by default).
//
// meminfo lines ("Node 0 Active(anon):  531220 kB") become gauges in bytes
// named after the field, labelled with the node number written in the line;
// numastat lines ("numa_hit 193460335") become <name>_total counters labelled
// with the number in the directory name. Everything is read before anything is
// emitted, so one unreadable or malformed file fails the whole collector. A
// host without NUMA nodes yields no samples and no error.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

namespace fs = std::filesystem;

struct NumaMetric {
  std::string name;
  bool counter;
  std::string node;
  double value;
};

// "Active(anon)" -> "Active_anon": node_exporter replaces the span from the
// first '(' to the last ')' after it.
std::string ReplaceParens(std::string name) {
  size_t l = name.find('(');
  if (l == std::string::npos) return name;
  size_t r = name.rfind(')');
  if (r == std::string::npos || r < l) return name;
  return name.substr(0, l) + "_" + name.substr(l + 1, r - l - 1) + name.substr(r + 1);
}

common::Status ParseNodeMeminfo(const std::string& path, std::vector<NumaMetric>* out) {
  std::string text;
  if (!common::ReadFileToString(path, &text)) return common::Status::IOError("cannot read " + path);
  for (std::string_view line : parse::Lines(text)) {
    line = parse::Trim(line);
    if (line.empty()) continue;
    auto parts = parse::Fields(line);
    if (parts.size() < 4)
      return common::Status::Corruption("invalid line in meminfo: " + std::string(line));
    auto v = parse::ToDouble(parts[3]);
    if (!v) return common::Status::Corruption("invalid value in meminfo: " + std::string(parts[3]));
    double value = *v;
    if (parts.size() == 5 && parts[4] == "kB") {
      value *= 1024;
    } else if (parts.size() != 4) {
      return common::Status::Corruption("invalid line in meminfo: " + std::string(line));
    }
    std::string_view key = parts[2];
    while (!key.empty() && key.back() == ':') key.remove_suffix(1);
    out->push_back({ReplaceParens(std::string(key)), false, std::string(parts[1]), value});
  }
  return common::Status::OK();
}

common::Status ParseNumastat(const std::string& path, const std::string& node,
                             std::vector<NumaMetric>* out) {
  std::string text;
  if (!common::ReadFileToString(path, &text)) return common::Status::IOError("cannot read " + path);
  for (std::string_view line : parse::Lines(text)) {
    line = parse::Trim(line);
    if (line.empty()) continue;
    auto parts = parse::Fields(line);
    if (parts.size() != 2) {
      return common::Status::Corruption("line scan did not return 2 fields: " + std::string(line));
    }
    auto v = parse::ToDouble(parts[1]);
    if (!v)
      return common::Status::Corruption("invalid value in numastat: " + std::string(parts[1]));
    out->push_back({std::string(parts[0]) + "_total", true, node, *v});
  }
  return common::Status::OK();
}

class MeminfoNumaCollector : public Collector {
 public:
  explicit MeminfoNumaCollector(const CollectorConfig& c)
      : dir_(c.paths.Sys("devices/system/node")) {}

  common::Status Update(MetricSink& sink) override {
    // node[0-9]*, in name order as a glob returns them.
    std::vector<std::string> nodes;
    std::error_code ec;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.size() > 4 && name.compare(0, 4, "node") == 0 && name[4] >= '0' && name[4] <= '9') {
        nodes.push_back(name);
      }
    }
    std::sort(nodes.begin(), nodes.end());

    std::vector<NumaMetric> metrics;
    for (const std::string& name : nodes) {
      const std::string dir = dir_ + "/" + name;
      common::Status s = ParseNodeMeminfo(dir + "/meminfo", &metrics);
      if (!s.ok()) return s.WithContext("couldn't get NUMA meminfo");
      size_t digits = 4;
      while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
      s = ParseNumastat(dir + "/numastat", name.substr(4, digits - 4), &metrics);
      if (!s.ok()) return s.WithContext("couldn't get NUMA meminfo");
    }
    for (const NumaMetric& m : metrics) {
      const std::string family = "node_memory_numa_" + m.name;
      const std::string help = "Memory information field " + m.name + ".";
      if (m.counter) {
        sink.Counter(family, help, {{"node", m.node}}, m.value);
      } else {
        sink.Gauge(family, help, {{"node", m.node}}, m.value);
      }
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("meminfo_numa", false, MeminfoNumaCollector);

}  // namespace
}  // namespace exporter
