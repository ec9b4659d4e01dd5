// selinux collector: whether SELinux is enabled and its configured and current
// enforcement modes, as node_exporter 1.5's selinux_linux.go (which asks
// opencontainers/go-selinux). On a host without SELinux it reports only
// node_selinux_enabled 0.
//
// SELinux is enabled when selinuxfs is mounted at <sysfs>/fs/selinux and this
// process runs in a label other than "kernel" (the label before policy load).
// go-selinux also searches mountinfo for selinuxfs elsewhere; every current
// distribution mounts it at /sys/fs/selinux.
#include <sys/vfs.h>

#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

constexpr long kSelinuxMagic = 0xf97cff8c;

class SelinuxCollector : public Collector {
 public:
  explicit SelinuxCollector(const CollectorConfig& c)
      : fs_(c.paths.Sys("fs/selinux")),
        label_(c.paths.Proc("self/attr/current")),
        config_(c.paths.Root("etc/selinux/config")) {}

  common::Status Update(MetricSink& sink) override {
    if (!Enabled()) {
      sink.Gauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", {}, 0);
      return common::Status::OK();
    }
    sink.Gauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", {}, 1);
    sink.Gauge("node_selinux_config_mode", "Configured SELinux enforcement mode", {}, ConfigMode());
    sink.Gauge("node_selinux_current_mode", "Current SELinux enforcement mode", {}, CurrentMode());
    return common::Status::OK();
  }

 private:
  bool Enabled() const {
    struct statfs st;
    if (statfs(fs_.c_str(), &st) != 0 || static_cast<long>(st.f_type) != kSelinuxMagic) {
      return false;
    }
    sysfs::Attr label = sysfs::ReadWhole(label_);
    std::string l(sysfs::TrimSpace(label.value));
    while (!l.empty() && l.back() == '\0') l.pop_back();
    return l != "kernel";
  }

  // SELINUX= in the config file: enforcing 1, permissive 0, else -1.
  double ConfigMode() const {
    sysfs::Attr a = sysfs::ReadWhole(config_);
    if (!a.ok()) return -1;
    for (std::string_view line : parse::Lines(a.value)) {
      line = sysfs::TrimSpace(line);
      if (line.substr(0, 8) != "SELINUX=") continue;
      std::string_view v = sysfs::TrimSpace(line.substr(8));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      if (v == "enforcing") return 1;
      if (v == "permissive") return 0;
      return -1;
    }
    return -1;
  }

  // <selinuxfs>/enforce: 1 enforcing, 0 permissive, -1 when unreadable.
  double CurrentMode() const {
    auto v = sysfs::ReadUint(fs_ + "/enforce");
    return v ? static_cast<double>(*v) : -1;
  }

  std::string fs_, label_, config_;
};

REGISTER_COLLECTOR("selinux", true, SelinuxCollector);

}  // namespace
}  // namespace exporter
