// thermal_zone collector: <sysfs>/class/thermal/thermal_zoneN and
// cooling_deviceN, as node_exporter 1.5's thermal_zone_linux.go over procfs'
// ClassThermalZoneStats / ClassCoolingDeviceStats (node_thermal_zone_temp,
// node_cooling_device_{cur,max}_state).
#include <cerrno>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

struct Zone {
  std::string name, type;
  int64_t temp = 0;
};

struct CoolingDevice {
  std::string name, type;
  int64_t max_state = 0, cur_state = 0;
};

common::Status ReadString(const std::string& path, std::string* out) {
  sysfs::Attr a = sysfs::ReadAttr(path);
  if (!a.ok()) return common::Status::IOError("cannot read " + path);
  *out = a.value;
  return common::Status::OK();
}

common::Status ReadInt(const std::string& path, int64_t* out) {
  std::string s;
  if (auto st = ReadString(path, &s); !st.ok()) return st;
  auto v = parse::ToInt(s);
  if (!v) return common::Status::Corruption("cannot parse " + path);
  *out = *v;
  return common::Status::OK();
}

// A zone lacks data only if a required attribute is missing; the optional
// mode and passive files must still be readable when present.
common::Status ReadZone(const std::string& dir, Zone* z) {
  if (auto s = ReadString(dir + "/type", &z->type); !s.ok()) return s;
  std::string policy;
  if (auto s = ReadString(dir + "/policy", &policy); !s.ok()) return s;
  if (auto s = ReadInt(dir + "/temp", &z->temp); !s.ok()) return s;
  for (const char* optional : {"mode", "passive"}) {
    sysfs::Attr a = sysfs::ReadAttr(dir + "/" + optional);
    if (!a.ok() && a.err != ENOENT && a.err != EACCES && a.err != EPERM) {
      return common::Status::IOError("cannot read " + dir + "/" + optional);
    }
    if (a.ok() && std::string(optional) == "passive" && !parse::ToUint(a.value)) {
      return common::Status::Corruption("cannot parse " + dir + "/passive");
    }
  }
  return common::Status::OK();
}

class ThermalZoneCollector : public Collector {
 public:
  explicit ThermalZoneCollector(const CollectorConfig& c) : dir_(c.paths.Sys("class/thermal")) {}

  common::Status Update(MetricSink& sink) override {
    std::vector<Zone> zones;
    for (const std::string& name : sysfs::GlobDigits(dir_, "thermal_zone")) {
      Zone z;
      z.name = name.substr(std::string_view("thermal_zone").size());
      if (auto s = ReadZone(dir_ + "/" + name, &z); !s.ok()) return s;
      zones.push_back(std::move(z));
    }
    for (const Zone& z : zones) {
      sink.Gauge("node_thermal_zone_temp", "Zone temperature in Celsius",
                 {{"type", z.type}, {"zone", z.name}}, static_cast<double>(z.temp) / 1000.0);
    }
    std::vector<CoolingDevice> devices;
    for (const std::string& name : sysfs::GlobDigits(dir_, "cooling_device")) {
      CoolingDevice d;
      d.name = name.substr(std::string_view("cooling_device").size());
      std::string dir = dir_ + "/" + name;
      if (auto s = ReadString(dir + "/type", &d.type); !s.ok()) return s;
      if (auto s = ReadInt(dir + "/max_state", &d.max_state); !s.ok()) return s;
      // cur_state is -1 on some drivers (intel_powerclamp when idle injection is off).
      if (auto s = ReadInt(dir + "/cur_state", &d.cur_state); !s.ok()) return s;
      devices.push_back(std::move(d));
    }
    for (const CoolingDevice& d : devices) {
      LabelPairs labels = {{"name", d.name}, {"type", d.type}};
      sink.Gauge("node_cooling_device_cur_state", "Current throttle state of the cooling device",
                 labels, static_cast<double>(d.cur_state));
      sink.Gauge("node_cooling_device_max_state", "Maximum throttle state of the cooling device",
                 labels, static_cast<double>(d.max_state));
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("thermal_zone", true, ThermalZoneCollector);

}  // namespace
}  // namespace exporter
