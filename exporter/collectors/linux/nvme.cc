// nvme collector: NVMe controller identity from <sysfs>/class/nvme/<device>,
// as node_exporter 1.5's nvme_linux.go over procfs' NVMeClass (node_nvme_info).
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"

namespace exporter {
namespace {

struct Device {
  std::string name, firmware_rev, model, serial, state;
};

class NvmeCollector : public Collector {
 public:
  explicit NvmeCollector(const CollectorConfig& c) : dir_(c.paths.Sys("class/nvme")) {}

  common::Status Update(MetricSink& sink) override {
    auto names = sysfs::ListDir(dir_);
    if (!names.ok()) {
      if (names.status().IsNotFound()) {
        return common::Status::NotFound("nvme statistics not found, skipping");
      }
      return common::Status::IOError("error obtaining NVMe class info: " +
                                     names.status().ToString());
    }
    std::vector<Device> devices;
    for (const std::string& name : *names) {
      Device d;
      d.name = name;
      std::string dir = dir_ + "/" + name;
      // All four attributes are required; a missing one fails the listing
      // (and a missing file counts as "no data", as in node_exporter).
      std::pair<const char*, std::string*> files[] = {{"firmware_rev", &d.firmware_rev},
                                                      {"model", &d.model},
                                                      {"serial", &d.serial},
                                                      {"state", &d.state}};
      for (auto& [file, out] : files) {
        sysfs::Attr a = sysfs::ReadAttr(dir + "/" + file);
        if (!a.ok()) {
          std::string msg = "failed to read file " + dir + "/" + file;
          if (a.err == ENOENT) return common::Status::NotFound(msg);
          return common::Status::IOError("error obtaining NVMe class info: " + msg);
        }
        *out = a.value;
      }
      devices.push_back(std::move(d));
    }
    for (const Device& d : devices) {
      sink.Gauge("node_nvme_info",
                 "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
                 {{"device", d.name},
                  {"firmware_revision", d.firmware_rev},
                  {"model", d.model},
                  {"serial", d.serial},
                  {"state", d.state}},
                 1);
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("nvme", true, NvmeCollector);

}  // namespace
}  // namespace exporter
