// netdev collector: per-interface traffic counters from <procfs>/net/dev, named
// as node_exporter 1.5's netdev_linux.go (node_network_*_total, label device).
// node_exporter 1.5 reads these over netlink by default, which adds
// receive_nohandler; that counter is not in /proc/net/dev, so it is read from
// <sysfs>/class/net/<device>/statistics/rx_nohandler where the kernel has it.
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
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

struct NetDev {
  std::string name;
  std::vector<double> values;  // kNumColumns of them
};

common::Result<std::vector<NetDev>> ParseNetDev(std::string_view text) {
  std::vector<NetDev> out;
  auto lines = parse::Lines(text);
  // Two header lines ("Inter-|   Receive ..." and " face |bytes ...").
  for (size_t i = 2; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (parse::Trim(line).empty()) continue;
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) {
      return common::Status::Corruption("missing colon: " + std::string(line));
    }
    NetDev d{std::string(parse::Trim(line.substr(0, colon))), {}};
    if (d.name.empty()) return common::Status::Corruption("no device name: " + std::string(line));
    auto f = parse::Fields(line.substr(colon + 1));
    if (f.size() != kNumColumns) {
      return common::Status::Corruption("expected 16 counters: " + std::string(line));
    }
    for (std::string_view field : f) {
      auto v = parse::ToUint(field);
      if (!v) return common::Status::Corruption("bad counter: " + std::string(line));
      d.values.push_back(static_cast<double>(*v));
    }
    out.push_back(std::move(d));
  }
  return out;
}

class NetdevCollector : public Collector {
 public:
  explicit NetdevCollector(const CollectorConfig& c)
      : paths_(c.paths),
        path_(c.paths.Proc("net/dev")),
        exclude_(c.netdev_device_exclude, RE2::Quiet) {}

  common::Status Update(MetricSink& sink) override {
    if (!exclude_.ok()) return common::Status::InvalidArgument("invalid netdev exclude pattern");
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    auto devs = ParseNetDev(text);
    if (!devs.ok()) return devs.status().WithContext(path_);
    for (const NetDev& d : *devs) {
      if (!exclude_.pattern().empty() && RE2::PartialMatch(d.name, exclude_)) continue;
      for (size_t i = 0; i < kNumColumns; ++i) {
        Emit(sink, kColumns[i], d.name, d.values[i]);
      }
      std::string nohandler;
      if (common::ReadFileToString(paths_.Sys("class/net/" + d.name + "/statistics/rx_nohandler"),
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
  RE2 exclude_;
};

REGISTER_COLLECTOR("netdev", true, NetdevCollector);

}  // namespace
}  // namespace exporter
