// bonding collector: configured and active slaves of each bonding master,
// from <sysfs>/class/net/bonding_masters and <master>/bonding/slaves, as
// node_exporter 1.5's bonding_linux.go (node_bonding_slaves, node_bonding_active).
#include <cerrno>
#include <map>
#include <string>
#include <utility>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// Go's strings.Fields: splits on any ASCII whitespace, newlines included.
std::vector<std::string> SplitFields(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (i < s.size()) {
    while (i < s.size() && ws(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !ws(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

class BondingCollector : public Collector {
 public:
  explicit BondingCollector(const CollectorConfig& c) : dir_(c.paths.Sys("class/net")) {}

  common::Status Update(MetricSink& sink) override {
    // Any missing file is node_exporter's ErrNoData, whichever it is.
    auto fail = [](const sysfs::Attr& a, const std::string& path) {
      if (a.err == ENOENT) return common::Status::NotFound("not collecting bonding: " + path);
      return common::Status::IOError("cannot read " + path);
    };
    std::string masters_path = dir_ + "/bonding_masters";
    sysfs::Attr masters = sysfs::ReadWhole(masters_path);
    if (!masters.ok()) return fail(masters, masters_path);
    std::map<std::string, std::pair<int, int>> status;  // master -> (slaves, active)
    for (const std::string& master : SplitFields(masters.value)) {
      std::string slaves_path = dir_ + "/" + master + "/bonding/slaves";
      sysfs::Attr slaves = sysfs::ReadWhole(slaves_path);
      if (!slaves.ok()) return fail(slaves, slaves_path);
      std::pair<int, int> st{0, 0};
      for (const std::string& slave : SplitFields(slaves.value)) {
        std::string path = dir_ + "/" + master + "/lower_" + slave + "/bonding_slave/mii_status";
        sysfs::Attr mii = sysfs::ReadWhole(path);
        if (mii.err == ENOENT) {
          // Older kernels name the link slave_<iface>.
          path = dir_ + "/" + master + "/slave_" + slave + "/bonding_slave/mii_status";
          mii = sysfs::ReadWhole(path);
        }
        if (!mii.ok()) return fail(mii, path);
        ++st.first;
        if (sysfs::TrimSpace(mii.value) == "up") ++st.second;
      }
      status[master] = st;
    }
    for (const auto& [master, st] : status) {
      sink.Gauge("node_bonding_slaves", "Number of configured slaves per bonding interface.",
                 {{"master", master}}, st.first);
      sink.Gauge("node_bonding_active", "Number of active slaves per bonding interface.",
                 {{"master", master}}, st.second);
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("bonding", true, BondingCollector);

}  // namespace
}  // namespace exporter
