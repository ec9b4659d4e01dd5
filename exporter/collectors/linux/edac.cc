// edac collector: memory controller error counts from
// <sysfs>/devices/system/edac/mc/mcN and its csrowN rows, as node_exporter
// 1.5's edac_linux.go (node_edac_{,un}correctable_errors_total,
// node_edac_csrow_{,un}correctable_errors_total).
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"

namespace exporter {
namespace {

// The decimal run after a "mc"/"csrow" prefix, as node_exporter's ([0-9]*)
// submatch: "mc0" -> "0".
std::string Number(const std::string& name, size_t prefix) {
  size_t end = prefix;
  while (end < name.size() && name[end] >= '0' && name[end] <= '9') ++end;
  return name.substr(prefix, end - prefix);
}

class EdacCollector : public Collector {
 public:
  explicit EdacCollector(const CollectorConfig& c) : dir_(c.paths.Sys("devices/system/edac/mc")) {}

  common::Status Update(MetricSink& sink) override {
    for (const std::string& mc : sysfs::GlobDigits(dir_, "mc")) {
      std::string dir = dir_ + "/" + mc;
      std::string controller = Number(mc, 2);
      auto read = [&](const std::string& file, uint64_t* v) -> common::Status {
        auto r = sysfs::ReadUint(dir + "/" + file);
        if (!r) {
          return common::Status::IOError("couldn't get " + file + " for controller " + controller);
        }
        *v = *r;
        return common::Status::OK();
      };
      uint64_t v = 0;
      if (auto s = read("ce_count", &v); !s.ok()) return s;
      sink.Counter("node_edac_correctable_errors_total", "Total correctable memory errors.",
                   {{"controller", controller}}, static_cast<double>(v));
      if (auto s = read("ce_noinfo_count", &v); !s.ok()) return s;
      sink.Counter("node_edac_csrow_correctable_errors_total",
                   "Total correctable memory errors for this csrow.",
                   {{"controller", controller}, {"csrow", "unknown"}}, static_cast<double>(v));
      if (auto s = read("ue_count", &v); !s.ok()) return s;
      sink.Counter("node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.",
                   {{"controller", controller}}, static_cast<double>(v));
      if (auto s = read("ue_noinfo_count", &v); !s.ok()) return s;
      sink.Counter("node_edac_csrow_uncorrectable_errors_total",
                   "Total uncorrectable memory errors for this csrow.",
                   {{"controller", controller}, {"csrow", "unknown"}}, static_cast<double>(v));
      for (const std::string& row : sysfs::GlobDigits(dir, "csrow")) {
        std::string csrow = Number(row, 5);
        if (auto s = read(row + "/ce_count", &v); !s.ok()) return s;
        sink.Counter("node_edac_csrow_correctable_errors_total",
                     "Total correctable memory errors for this csrow.",
                     {{"controller", controller}, {"csrow", csrow}}, static_cast<double>(v));
        if (auto s = read(row + "/ue_count", &v); !s.ok()) return s;
        sink.Counter("node_edac_csrow_uncorrectable_errors_total",
                     "Total uncorrectable memory errors for this csrow.",
                     {{"controller", controller}, {"csrow", csrow}}, static_cast<double>(v));
      }
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("edac", true, EdacCollector);

}  // namespace
}  // namespace exporter
