// dmi collector: firmware and board identity from <sysfs>/class/dmi/id, as
// node_exporter 1.5's dmi.go over procfs' DMIClass (node_dmi_info). Like
// node_exporter it reads the files once, when the collector is created: they
// cannot change before the next boot.
#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"

namespace exporter {
namespace {

// sysfs file -> label. chassis_type is read by procfs but not reported.
const std::map<std::string, std::string> kLabels = {
    {"bios_date", "bios_date"},
    {"bios_release", "bios_release"},
    {"bios_vendor", "bios_vendor"},
    {"bios_version", "bios_version"},
    {"board_asset_tag", "board_asset_tag"},
    {"board_name", "board_name"},
    {"board_serial", "board_serial"},
    {"board_vendor", "board_vendor"},
    {"board_version", "board_version"},
    {"chassis_asset_tag", "chassis_asset_tag"},
    {"chassis_serial", "chassis_serial"},
    {"chassis_vendor", "chassis_vendor"},
    {"chassis_version", "chassis_version"},
    {"product_family", "product_family"},
    {"product_name", "product_name"},
    {"product_serial", "product_serial"},
    {"product_sku", "product_sku"},
    {"product_uuid", "product_uuid"},
    {"product_version", "product_version"},
    {"sys_vendor", "system_vendor"},
};

class DmiCollector : public Collector {
 public:
  explicit DmiCollector(const CollectorConfig& c) {
    std::string dir = c.paths.Sys("class/dmi/id");
    auto files = sysfs::ListDir(dir);
    if (!files.ok()) {
      if (!files.status().IsNotFound()) error_ = files.status().ToString();
      return;  // no DMI on this platform (e.g. most ARM boards)
    }
    std::map<std::string, std::string> labels;
    for (const std::string& f : *files) {
      std::string path = dir + "/" + f;
      struct stat st;
      if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (f == "modalias" || f == "uevent") continue;
      sysfs::Attr a = sysfs::ReadAttr(path);
      if (!a.ok()) {
        // Serial numbers and the UUID are readable by root only.
        if (a.err == EACCES || a.err == EPERM) continue;
        error_ = "failed to read Desktop Management Interface (DMI) information: " + path;
        return;
      }
      if (auto it = kLabels.find(f); it != kLabels.end()) {
        labels[it->second] = sysfs::ToValidUtf8(a.value);
      }
    }
    for (const auto& [k, v] : labels) labels_.push_back({k, v});
  }

  common::Status Update(MetricSink& sink) override {
    if (!error_.empty()) return common::Status::IOError(error_);
    if (labels_.empty()) return common::Status::NotFound("no DMI information");
    sink.Gauge("node_dmi_info",
               "A metric with a constant '1' value labeled by bios_date, bios_release, "
               "bios_vendor, bios_version, board_asset_tag, board_name, board_serial, "
               "board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, "
               "chassis_version, product_family, product_name, product_serial, product_sku, "
               "product_uuid, product_version, system_vendor if provided by DMI.",
               labels_, 1);
    return common::Status::OK();
  }

 private:
  LabelPairs labels_;
  std::string error_;
};

REGISTER_COLLECTOR("dmi", true, DmiCollector);

}  // namespace
}  // namespace exporter
