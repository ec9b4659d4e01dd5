// netdev collector: per-interface traffic counters from <procfs>/net/dev, named
// as node_exporter 1.5's netdev_linux.go (node_network_*_total, label device).
// node_exporter 1.5 reads these over netlink by default, which adds
// receive_nohandler; that counter is not in /proc/net/dev, so it is read from
// <sysfs>/class/net/<device>/statistics/rx_nohandler where the kernel has it,
// unless --no-collector.netdev.netlink (node_exporter's /proc/net/dev mode).
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/device_filter.h"
#include "exporter/collectors/linux/proc_net_dev.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// The 16 columns of /proc/net/dev, in order, as node_exporter names them.
constexpr const char* kColumns[] = {
    "receive_bytes",  "receive_packets",  "receive_errs",       "receive_drop",
    "receive_fifo",   "receive_frame",    "receive_compressed", "receive_multicast",
    "transmit_bytes", "transmit_packets", "transmit_errs",      "transmit_drop",
    "transmit_fifo",  "transmit_colls",   "transmit_carrier",   "transmit_compressed",
};
constexpr size_t kNumColumns = std::size(kColumns);
static_assert(kNumColumns == kNetDevColumns, "one metric name per /proc/net/dev column");

REGISTER_COLLECTOR_FLAG(device_include, "collector.netdev.device-include", "",
                        "Regexp of net devices to include (mutually exclusive to device-exclude).");
REGISTER_COLLECTOR_FLAG(device_exclude, "collector.netdev.device-exclude", "",
                        "Regexp of net devices to exclude (mutually exclusive to device-include).");

// node_exporter 1.5 reads the counters over rtnetlink by default; ours reads
// <procfs>/net/dev, which holds the same kernel counters (rtnl_link_stats64)
// for the reader's network namespace, as netlink does. The flag is accepted so
// that command lines written for node_exporter keep working.
REGISTER_COLLECTOR_BOOL_FLAG(netlink, "collector.netdev.netlink", true,
                             "Use netlink to gather stats instead of /proc/net/dev (accepted; "
                             "both give the same counters here).");

class NetdevCollector : public Collector {
 public:
  explicit NetdevCollector(const CollectorConfig& c)
      : paths_(c.paths),
        path_(c.paths.Proc("net/dev")),
        netlink_(c.BoolFlag("collector.netdev.netlink")),
        devices_(c.Flag("collector.netdev.device-include"),
                 c.Flag("collector.netdev.device-exclude"), DeviceFilter::Mode::kExclusive) {}

  common::Status Check() const override { return devices_.Check("netdev"); }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    auto devs = ParseProcNetDev(text);
    if (!devs.ok()) return devs.status().WithContext(path_);
    for (const NetDevStats& d : *devs) {
      if (devices_.Ignored(d.name)) continue;
      for (size_t i = 0; i < kNumColumns; ++i) {
        Emit(sink, kColumns[i], d.name, static_cast<double>(d.values[i]));
      }
      std::string nohandler;
      if (netlink_ &&
          common::ReadFileToString(paths_.Sys("class/net/" + d.name + "/statistics/rx_nohandler"),
                                   &nohandler)) {
        if (auto v = parse::ToUint(parse::Trim(nohandler))) {
          Emit(sink, "receive_nohandler", d.name, static_cast<double>(*v));
        }
      }
    }
    return common::Status::OK();
  }

 private:
  static void Emit(MetricSink& sink, const std::string& stat, const std::string& device,
                   double value) {
    sink.Counter("node_network_" + stat + "_total", "Network device statistic " + stat + ".",
                 {{"device", device}}, value);
  }

  common::HostPaths paths_;
  std::string path_;
  bool netlink_;  // emit what node_exporter's netlink mode adds
  DeviceFilter devices_;
};

REGISTER_COLLECTOR("netdev", true, NetdevCollector);

}  // namespace
}  // namespace exporter
