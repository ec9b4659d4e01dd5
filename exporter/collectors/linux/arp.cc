// arp collector: ARP table entries per device from <procfs>/net/arp, as
// node_exporter 1.5's arp_linux.go (node_arp_entries{device}), with its
// --collector.arp.device-include/-exclude filters.
#include <map>
#include <string>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/device_filter.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(arp_device_include, "collector.arp.device-include", "",
                        "Regexp of arp devices to include (mutually exclusive to device-exclude).");
REGISTER_COLLECTOR_FLAG(arp_device_exclude, "collector.arp.device-exclude", "",
                        "Regexp of arp devices to exclude (mutually exclusive to device-include).");

constexpr size_t kHeaderWidth = 9;  // "IP address  HW type  Flags ..."
constexpr size_t kDataWidth = 6;

class ArpCollector : public Collector {
 public:
  explicit ArpCollector(const CollectorConfig& c)
      : path_(c.paths.Proc("net/arp")),
        devices_(c.Flag("collector.arp.device-include"), c.Flag("collector.arp.device-exclude"),
                 DeviceFilter::Mode::kBoth) {}

  common::Status Check() const override { return devices_.Check("arp device"); }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("could not get ARP entries: cannot read " + path_);
    }
    std::map<std::string, uint64_t> per_device;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (f.empty() || f.size() == kHeaderWidth) continue;
      if (f.size() != kDataWidth) {
        return common::Status::Corruption("could not get ARP entries: " + std::to_string(f.size()) +
                                          " columns were detected, but 6 were expected");
      }
      ++per_device[std::string(f[5])];
    }
    for (const auto& [device, n] : per_device) {
      if (devices_.Ignored(device)) continue;
      sink.Gauge("node_arp_entries", "ARP entries by device", {{"device", device}},
                 static_cast<double>(n));
    }
    return common::Status::OK();
  }

 private:
  std::string path_;
  DeviceFilter devices_;
};

REGISTER_COLLECTOR("arp", true, ArpCollector);

}  // namespace
}  // namespace exporter
