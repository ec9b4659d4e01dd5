// netclass collector: network interface attributes from
// <sysfs>/class/net/<iface>/*, as node_exporter 1.5's netclass_linux.go over
// procfs' NetClass (node_network_up, node_network_info and one
// node_network_<property>{device} per numeric attribute). With
// --collector.netclass.netlink it reads the kernel over rtnetlink instead
// (netclass_rtnl.cc).
#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/linux/netclass_rtnl.h"
#include "exporter/collectors/linux/sysfs_util.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(netclass_ignored, "collector.netclass.ignored-devices", "^$",
                        "Regexp of net devices to ignore for netclass collector.");
REGISTER_COLLECTOR_BOOL_FLAG(netclass_invalid_speed, "collector.netclass.ignore-invalid-speed",
                             false,
                             "Ignore devices where the speed is invalid. This will be the default "
                             "behavior in 2.x.");
REGISTER_COLLECTOR_BOOL_FLAG(netclass_netlink, "collector.netclass.netlink", false,
                             "Use netlink to gather stats instead of /proc/net/dev.");
REGISTER_COLLECTOR_BOOL_FLAG(netclass_rtnl_stats, "collector.netclass_rtnl.with-stats", false,
                             "Expose the statistics for each network device, replacing netdev "
                             "collector.");

// Numeric attributes procfs parses (a parse failure fails the collector).
const char* kNumeric[] = {"addr_assign_type",
                          "addr_len",
                          "carrier",
                          "carrier_changes",
                          "carrier_up_count",
                          "carrier_down_count",
                          "dev_id",
                          "dormant",
                          "flags",
                          "ifindex",
                          "iflink",
                          "link_mode",
                          "mtu",
                          "name_assign_type",
                          "netdev_group",
                          "speed",
                          "tx_queue_len",
                          "type"};
const char* kText[] = {"address",   "broadcast",    "duplex",         "ifalias",
                       "operstate", "phys_port_id", "phys_port_name", "phys_switch_id"};

struct Iface {
  std::string name;
  std::map<std::string, int64_t> num;
  std::map<std::string, std::string> text;
  std::optional<int64_t> Num(const std::string& k) const {
    auto it = num.find(k);
    return it == num.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }
  std::string Text(const std::string& k) const {
    auto it = text.find(k);
    return it == text.end() ? "" : it->second;
  }
};

common::Status ReadIface(const std::string& dir, Iface* iface) {
  // Only the attributes exported are read (node_exporter's sysfs reads every
  // file of the directory), relative to one directory descriptor: sysfs
  // path walks through the class symlink are most of a scrape's cost.
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    if (errno == ENOENT) return common::Status::NotFound(dir + ": no such directory");
    return common::Status::IOError("cannot open " + dir);
  }
  struct CloseFd {
    int fd;
    ~CloseFd() { close(fd); }
  } close_dir{dir_fd};
  std::vector<std::pair<const char*, bool>> wanted;  // name, numeric
  for (const char* n : kNumeric) wanted.emplace_back(n, true);
  for (const char* t : kText) wanted.emplace_back(t, false);
  for (const auto& [name, numeric] : wanted) {
    const std::string f = name;
    const bool text = !numeric;
    sysfs::Attr a = sysfs::ReadAttrAt(dir_fd, name);
    if (!a.ok()) {
      // The kernel answers EINVAL for speed/duplex of a down link, EOPNOTSUPP
      // for phys_port_id on most drivers.
      if (a.err == ENOENT || a.err == EACCES || a.err == EPERM || a.err == EOPNOTSUPP ||
          a.err == EINVAL || a.err == EISDIR) {
        continue;
      }
      return common::Status::IOError("failed to read file " + dir + "/" + f);
    }
    if (numeric) {
      auto v = sysfs::ParseIntBase0(a.value);
      if (!v) return common::Status::Corruption("cannot parse " + dir + "/" + f + ": " + a.value);
      iface->num[f] = *v;
    } else if (text) {
      iface->text[f] = a.value;
    }
  }
  return common::Status::OK();
}

class NetClassCollector : public Collector {
 public:
  explicit NetClassCollector(const CollectorConfig& c)
      : dir_(c.paths.Sys("class/net")),
        ignored_(c.Flag("collector.netclass.ignored-devices"), RE2::Quiet),
        ignore_invalid_speed_(c.BoolFlag("collector.netclass.ignore-invalid-speed")),
        netlink_(c.BoolFlag("collector.netclass.netlink")),
        with_stats_(c.BoolFlag("collector.netclass_rtnl.with-stats")) {}

  common::Status Check() const override {
    if (!ignored_.ok()) return common::Status::InvalidArgument("invalid ignored-devices regexp");
    return common::Status::OK();
  }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    if (netlink_) return CollectNetClassRtnl(sink, ignored_, with_stats_);
    auto names = sysfs::ListDir(dir_);
    if (!names.ok()) {
      if (names.status().IsNotFound()) {
        return common::Status::NotFound("could not read netclass: " + dir_);
      }
      return common::Status::IOError("could not get net class info: " + names.status().ToString());
    }
    std::vector<Iface> ifaces;
    for (const std::string& name : *names) {
      std::string path = dir_ + "/" + name;
      struct stat st;
      // Only interface links; bonding_masters is a regular file here.
      if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) continue;
      if (RE2::PartialMatch(name, ignored_)) continue;
      Iface iface;
      iface.name = name;
      if (auto s = ReadIface(path, &iface); !s.ok()) {
        if (s.IsNotFound()) return common::Status::NotFound(s.message());
        return common::Status::IOError("could not get net class info: " + s.ToString());
      }
      ifaces.push_back(std::move(iface));
    }
    for (const Iface& i : ifaces) Emit(sink, i);
    return common::Status::OK();
  }

 private:
  void Emit(MetricSink& sink, const Iface& i) {
    LabelPairs dev = {{"device", i.name}};
    sink.Gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", dev,
               i.Text("operstate") == "up" ? 1 : 0);
    sink.Gauge("node_network_info",
               "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
               {{"address", i.Text("address")},
                {"broadcast", i.Text("broadcast")},
                {"device", i.name},
                {"duplex", i.Text("duplex")},
                {"ifalias", i.Text("ifalias")},
                {"operstate", i.Text("operstate")}},
               1);
    auto push = [&](const std::string& metric, const char* attr, bool counter) {
      auto v = i.Num(attr);
      if (!v) return;
      std::string help = "Network device property: " + metric;
      if (counter) {
        sink.Counter("node_network_" + metric, help, dev, static_cast<double>(*v));
      } else {
        sink.Gauge("node_network_" + metric, help, dev, static_cast<double>(*v));
      }
    };
    push("address_assign_type", "addr_assign_type", false);
    push("carrier", "carrier", false);
    push("carrier_changes_total", "carrier_changes", true);
    push("carrier_up_changes_total", "carrier_up_count", true);
    push("carrier_down_changes_total", "carrier_down_count", true);
    push("device_id", "dev_id", false);
    push("dormant", "dormant", false);
    push("flags", "flags", false);
    push("iface_id", "ifindex", false);
    push("iface_link", "iflink", false);
    push("iface_link_mode", "link_mode", false);
    push("mtu_bytes", "mtu", false);
    push("name_assign_type", "name_assign_type", false);
    push("net_dev_group", "netdev_group", false);
    if (auto speed = i.Num("speed")) {
      // Drivers report -1 when the speed is unknown; node_exporter 1.5 still
      // reports it (as -125000 bytes) unless told to ignore it.
      if (*speed >= 0 || !ignore_invalid_speed_) {
        sink.Gauge("node_network_speed_bytes", "Network device property: speed_bytes", dev,
                   static_cast<double>(*speed * 1000 * 1000 / 8));
      }
    }
    push("transmit_queue_length", "tx_queue_len", false);
    push("protocol_type", "type", false);
  }

  std::string dir_;
  RE2 ignored_;
  bool ignore_invalid_speed_;
  bool netlink_;
  bool with_stats_;
};

REGISTER_COLLECTOR("netclass", true, NetClassCollector);

}  // namespace
}  // namespace exporter
