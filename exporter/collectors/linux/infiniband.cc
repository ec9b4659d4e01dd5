// infiniband collector: InfiniBand HCA ports from
// <sysfs>/class/infiniband/<device>/ports/<port>/{state,phys_state,rate,
// counters/*,counters_ext/*}, as node_exporter 1.5's infiniband_linux.go over
// procfs' InfiniBandClass (node_infiniband_info, node_infiniband_*).
#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

struct CounterInfo {
  const char* file;  // under counters/ or counters_ext/
  const char* metric;
  const char* help;
};

const CounterInfo kCounters[] = {
    {"excessive_buffer_overrun_errors", "excessive_buffer_overrun_errors_total",
     "Number of times that OverrunErrors consecutive flow control update periods occurred, each "
     "having at least one overrun error."},
    {"link_downed", "link_downed_total",
     "Number of times the link failed to recover from an error state and went down"},
    {"link_error_recovery", "link_error_recovery_total",
     "Number of times the link successfully recovered from an error state"},
    {"local_link_integrity_errors", "local_link_integrity_errors_total",
     "Number of times that the count of local physical errors exceeded the threshold specified "
     "by LocalPhyErrors."},
    {"multicast_rcv_packets", "multicast_packets_received_total",
     "Number of multicast packets received (including errors)"},
    {"multicast_xmit_packets", "multicast_packets_transmitted_total",
     "Number of multicast packets transmitted (including errors)"},
    {"port_rcv_constraint_errors", "port_constraint_errors_received_total",
     "Number of packets received on the switch physical port that are discarded"},
    {"port_xmit_constraint_errors", "port_constraint_errors_transmitted_total",
     "Number of packets not transmitted from the switch physical port"},
    {"port_rcv_data", "port_data_received_bytes_total",
     "Number of data octets received on all links"},
    {"port_xmit_data", "port_data_transmitted_bytes_total",
     "Number of data octets transmitted on all links"},
    {"port_rcv_discards", "port_discards_received_total",
     "Number of inbound packets discarded by the port because the port is down or congested"},
    {"port_xmit_discards", "port_discards_transmitted_total",
     "Number of outbound packets discarded by the port because the port is down or congested"},
    {"port_rcv_errors", "port_errors_received_total",
     "Number of packets containing an error that were received on this port"},
    {"port_rcv_packets", "port_packets_received_total",
     "Number of packets received on all VLs by this port (including errors)"},
    {"port_xmit_packets", "port_packets_transmitted_total",
     "Number of packets transmitted on all VLs from this port (including errors)"},
    {"port_xmit_wait", "port_transmit_wait_total",
     "Number of ticks during which the port had data to transmit but no data was sent during the "
     "entire tick"},
    {"port_rcv_remote_physical_errors", "port_receive_remote_physical_errors_total",
     "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port."},
    {"port_rcv_switch_relay_errors", "port_receive_switch_relay_errors_total",
     "Number of packets that could not be forwarded by the switch."},
    {"symbol_error", "symbol_error_total",
     "Number of minor link errors detected on one or more physical lanes."},
    {"unicast_rcv_packets", "unicast_packets_received_total",
     "Number of unicast packets received (including errors)"},
    {"unicast_xmit_packets", "unicast_packets_transmitted_total",
     "Number of unicast packets transmitted (including errors)"},
    {"VL15_dropped", "vl15_dropped_total",
     "Number of incoming VL15 packets dropped due to resource limitations."},
};

const CounterInfo kLegacyCounters[] = {
    {"port_multicast_rcv_packets", "legacy_multicast_packets_received_total",
     "Number of multicast packets received"},
    {"port_multicast_xmit_packets", "legacy_multicast_packets_transmitted_total",
     "Number of multicast packets transmitted"},
    {"port_rcv_data_64", "legacy_data_received_bytes_total",
     "Number of data octets received on all links"},
    {"port_rcv_packets_64", "legacy_packets_received_total",
     "Number of data packets received on all links"},
    {"port_unicast_rcv_packets", "legacy_unicast_packets_received_total",
     "Number of unicast packets received"},
    {"port_unicast_xmit_packets", "legacy_unicast_packets_transmitted_total",
     "Number of unicast packets transmitted"},
    {"port_xmit_data_64", "legacy_data_transmitted_bytes_total",
     "Number of data octets transmitted on all links"},
    // node_exporter's help text, copy-paste slip included.
    {"port_xmit_packets_64", "legacy_packets_transmitted_total",
     "Number of data packets received on all links"},
};

struct Port {
  uint64_t number = 0;
  uint64_t state_id = 0, phys_state_id = 0, rate = 0;
  std::map<std::string, uint64_t> counters;  // by file name
};

struct Device {
  std::string name, board_id, fw_ver, hca_type;
  std::vector<Port> ports;
};

bool Known(const std::string& f, const CounterInfo* begin, const CounterInfo* end) {
  for (const CounterInfo* c = begin; c != end; ++c) {
    if (f == c->file) return true;
  }
  return false;
}

// Parses "<id>: <NAME>" (state, phys_state).
common::Status ParseState(const std::string& path, uint64_t* id) {
  sysfs::Attr a = sysfs::ReadWhole(path);
  if (!a.ok()) {
    return a.err == ENOENT ? common::Status::NotFound("no file " + path)
                           : common::Status::IOError("cannot read " + path);
  }
  size_t colon = a.value.find(':');
  if (colon == std::string::npos || a.value.find(':', colon + 1) != std::string::npos) {
    return common::Status::Corruption("could not parse " + path);
  }
  auto v = parse::ToUint(sysfs::TrimSpace(std::string_view(a.value).substr(0, colon)));
  if (!v || *v > 0xffffffffULL) return common::Status::Corruption("could not parse " + path);
  *id = *v;
  return common::Status::OK();
}

// Parses "40 Gb/sec (4X QDR)" into bytes per second; procfs parses the number
// as a float32.
common::Status ParseRate(const std::string& path, uint64_t* rate) {
  sysfs::Attr a = sysfs::ReadWhole(path);
  if (!a.ok()) {
    return a.err == ENOENT ? common::Status::NotFound("no file " + path)
                           : common::Status::IOError("cannot read " + path);
  }
  size_t sp = a.value.find(' ');
  if (sp == std::string::npos) return common::Status::Corruption("could not parse " + path);
  auto v = parse::ToDouble(sysfs::TrimSpace(std::string_view(a.value).substr(0, sp)));
  if (!v) return common::Status::Corruption("could not parse " + path);
  *rate = static_cast<uint64_t>(static_cast<double>(static_cast<float>(*v)) * 125000000);
  return common::Status::OK();
}

common::Status ReadCounters(const std::string& dir, bool optional, const CounterInfo* begin,
                            const CounterInfo* end, Port* p) {
  auto files = sysfs::ListDir(dir);
  if (!files.ok()) {
    if (optional && files.status().IsNotFound()) return common::Status::OK();
    return files.status();
  }
  for (const std::string& f : *files) {
    std::string path = dir + "/" + f;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    sysfs::Attr a = sysfs::ReadAttr(path);
    if (!a.ok()) {
      if (a.err == ENOENT || a.err == EACCES || a.err == EPERM || a.err == EOPNOTSUPP ||
          a.err == EINVAL) {
        continue;
      }
      return common::Status::IOError("failed to read file " + path);
    }
    if (!Known(f, begin, end)) continue;
    auto v = sysfs::ParseUintBase0(a.value);
    if (!v) {
      // Older mlx4 firmware answers this for counters it has no PMA for.
      if (a.value.find("N/A (no PMA)") != std::string::npos) continue;
      return common::Status::Corruption("cannot parse " + path);
    }
    // Mellanox reports data counters per lane, in 4-byte words.
    if (f == "port_rcv_data" || f == "port_xmit_data" || f == "port_rcv_data_64" ||
        f == "port_xmit_data_64") {
      *v *= 4;
    }
    p->counters[f] = *v;
  }
  return common::Status::OK();
}

common::Status ReadDevice(const std::string& dir, Device* d) {
  sysfs::Attr fw = sysfs::ReadAttr(dir + "/fw_ver");
  if (!fw.ok()) {
    return fw.err == ENOENT ? common::Status::NotFound("no fw_ver in " + dir)
                            : common::Status::IOError("failed to read HCA firmware version");
  }
  d->fw_ver = fw.value;
  for (auto [file, out] : {std::pair<const char*, std::string*>{"board_id", &d->board_id},
                           std::pair<const char*, std::string*>{"hca_type", &d->hca_type}}) {
    sysfs::Attr a = sysfs::ReadAttr(dir + "/" + file);
    if (!a.ok()) {
      if (a.err == ENOENT) continue;
      return common::Status::IOError("failed to read file " + dir + "/" + file);
    }
    *out = a.value;
  }
  auto ports = sysfs::ListDir(dir + "/ports");
  if (!ports.ok()) return ports.status();
  for (const std::string& name : *ports) {
    Port p;
    auto num = parse::ToUint(name);
    if (!num || *num > 0xffffffffULL) return common::Status::Corruption("bad port " + name);
    p.number = *num;
    std::string pdir = dir + "/ports/" + name;
    if (auto s = ParseState(pdir + "/state", &p.state_id); !s.ok()) return s;
    if (auto s = ParseState(pdir + "/phys_state", &p.phys_state_id); !s.ok()) return s;
    if (auto s = ParseRate(pdir + "/rate", &p.rate); !s.ok()) return s;
    if (auto s =
            ReadCounters(pdir + "/counters", false, std::begin(kCounters), std::end(kCounters), &p);
        !s.ok()) {
      return s;
    }
    if (auto s = ReadCounters(pdir + "/counters_ext", true, std::begin(kLegacyCounters),
                              std::end(kLegacyCounters), &p);
        !s.ok()) {
      return s;
    }
    d->ports.push_back(std::move(p));
  }
  return common::Status::OK();
}

class InfinibandCollector : public Collector {
 public:
  explicit InfinibandCollector(const CollectorConfig& c) : dir_(c.paths.Sys("class/infiniband")) {}

  common::Status Update(MetricSink& sink) override {
    auto names = sysfs::ListDir(dir_);
    if (!names.ok()) {
      if (names.status().IsNotFound()) {
        return common::Status::NotFound("infiniband statistics not found, skipping");
      }
      return common::Status::IOError("error obtaining InfiniBand class info: " +
                                     names.status().ToString());
    }
    std::vector<Device> devices;
    for (const std::string& name : *names) {
      Device d;
      d.name = name;
      if (auto s = ReadDevice(dir_ + "/" + name, &d); !s.ok()) {
        if (s.IsNotFound()) return s;
        return common::Status::IOError("error obtaining InfiniBand class info: " + s.ToString());
      }
      devices.push_back(std::move(d));
    }
    for (const Device& d : devices) {
      sink.Gauge("node_infiniband_info",
                 "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                 {{"board_id", d.board_id},
                  {"device", d.name},
                  {"firmware_version", d.fw_ver},
                  {"hca_type", d.hca_type}},
                 1);
      for (const Port& p : d.ports) {
        LabelPairs labels = {{"device", d.name}, {"port", std::to_string(p.number)}};
        sink.Gauge("node_infiniband_state_id",
                   "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: "
                   "active, 5: act defer)",
                   labels, static_cast<double>(p.state_id));
        sink.Gauge("node_infiniband_physical_state_id",
                   "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: "
                   "disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
                   labels, static_cast<double>(p.phys_state_id));
        sink.Gauge("node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate", labels,
                   static_cast<double>(p.rate));
        auto emit = [&](const CounterInfo& c) {
          auto it = p.counters.find(c.file);
          if (it == p.counters.end()) return;
          sink.Counter(std::string("node_infiniband_") + c.metric, c.help, labels,
                       static_cast<double>(it->second));
        };
        for (const CounterInfo& c : kLegacyCounters) emit(c);
        for (const CounterInfo& c : kCounters) emit(c);
      }
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("infiniband", true, InfinibandCollector);

}  // namespace
}  // namespace exporter
