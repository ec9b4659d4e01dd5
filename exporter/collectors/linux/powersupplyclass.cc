// powersupplyclass collector: batteries and mains adapters from
// <sysfs>/class/power_supply/<name>, as node_exporter 1.5's
// powersupplyclass_linux.go over procfs' PowerSupplyClass
// (node_power_supply_<property>{power_supply}, node_power_supply_info).
#include <sys/stat.h>
#include <cerrno>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(powersupply_ignored, "collector.powersupply.ignored-supplies", "^$",
                        "Regexp of power supplies to ignore for powersupplyclass collector.");

// sysfs file -> metric suffix, for values reported as is.
const std::map<std::string, std::string> kPlain = {
    {"authentic", "authentic"},
    {"calibrate", "calibrate"},
    {"capacity", "capacity"},
    {"capacity_alert_max", "capacity_alert_max"},
    {"capacity_alert_min", "capacity_alert_min"},
    {"cycle_count", "cyclecount"},
    {"online", "online"},
    {"present", "present"},
    {"time_to_empty_now", "time_to_empty_seconds"},
    {"time_to_full_now", "time_to_full_seconds"},
};
// Values in micro-units (µA, µV, µWh, µAh, µW) reported in base units.
const std::map<std::string, std::string> kMicro = {
    {"current_boot", "current_boot"},
    {"current_max", "current_max"},
    {"current_now", "current_ampere"},
    {"energy_empty", "energy_empty"},
    {"energy_empty_design", "energy_empty_design"},
    {"energy_full", "energy_full"},
    {"energy_full_design", "energy_full_design"},
    {"energy_now", "energy_watthour"},
    {"voltage_boot", "voltage_boot"},
    {"voltage_max", "voltage_max"},
    {"voltage_max_design", "voltage_max_design"},
    {"voltage_min", "voltage_min"},
    {"voltage_min_design", "voltage_min_design"},
    {"voltage_now", "voltage_volt"},
    {"voltage_ocv", "voltage_ocv"},
    {"charge_control_limit", "charge_control_limit"},
    {"charge_control_limit_max", "charge_control_limit_max"},
    {"charge_counter", "charge_counter"},
    {"charge_empty", "charge_empty"},
    {"charge_empty_design", "charge_empty_design"},
    {"charge_full", "charge_full"},
    {"charge_full_design", "charge_full_design"},
    {"charge_now", "charge_ampere"},
    {"charge_term_current", "charge_term_current"},
    {"constant_charge_current", "constant_charge_current"},
    {"constant_charge_current_max", "constant_charge_current_max"},
    {"constant_charge_voltage", "constant_charge_voltage"},
    {"constant_charge_voltage_max", "constant_charge_voltage_max"},
    {"precharge_current", "precharge_current"},
    {"input_current_limit", "input_current_limit"},
    {"power_now", "power_watt"},
};
// Tenths of a degree Celsius.
const std::map<std::string, std::string> kDeci = {
    {"temp", "temp_celsius"},
    {"temp_alert_max", "temp_alert_max_celsius"},
    {"temp_alert_min", "temp_alert_min_celsius"},
    {"temp_ambient", "temp_ambient_celsius"},
    {"temp_ambient_max", "temp_ambient_max_celsius"},
    {"temp_ambient_min", "temp_ambient_min_celsius"},
    {"temp_max", "temp_max_celsius"},
    {"temp_min", "temp_min_celsius"},
};
// Parsed by procfs as integers but not reported by node_exporter 1.5.
const char* kUnreported[] = {"charge_avg",        "current_avg",      "energy_avg", "power_avg",
                             "time_to_empty_avg", "time_to_full_avg", "voltage_avg"};
// String attributes, which become labels of node_power_supply_info.
const char* kStrings[] = {"capacity_level", "charge_type",   "health", "manufacturer",
                          "model_name",     "serial_number", "status", "technology",
                          "type",           "usb_type",      "scope"};

struct Supply {
  std::string name;
  std::map<std::string, int64_t> ints;         // sysfs file -> value
  std::map<std::string, std::string> strings;  // sysfs file -> value
};

common::Status ReadSupply(const std::string& dir, Supply* ps) {
  auto files = sysfs::ListDir(dir);
  if (!files.ok()) return files.status();
  for (const std::string& f : *files) {
    std::string path = dir + "/" + f;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    sysfs::Attr a = sysfs::ReadAttr(path);
    if (!a.ok()) {
      // Drivers answer some attributes with these while the device sleeps.
      if (a.err == ENOENT || a.err == EOPNOTSUPP || a.err == ENODEV || a.err == EINVAL) continue;
      return common::Status::IOError("failed to read file " + path);
    }
    bool is_int = kPlain.count(f) || kMicro.count(f) || kDeci.count(f);
    for (const char* u : kUnreported) is_int = is_int || f == u;
    if (is_int) {
      auto v = sysfs::ParseIntBase0(a.value);
      if (!v) return common::Status::Corruption("cannot parse " + path);
      ps->ints[f] = *v;
      continue;
    }
    for (const char* s : kStrings) {
      if (f == s) ps->strings[f] = a.value;
    }
  }
  return common::Status::OK();
}

class PowerSupplyClassCollector : public Collector {
 public:
  explicit PowerSupplyClassCollector(const CollectorConfig& c)
      : dir_(c.paths.Sys("class/power_supply")),
        ignored_(c.Flag("collector.powersupply.ignored-supplies"), RE2::Quiet) {}

  common::Status Check() const override {
    if (!ignored_.ok()) return common::Status::InvalidArgument("invalid ignored-supplies regexp");
    return common::Status::OK();
  }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    auto names = sysfs::ListDir(dir_);
    if (!names.ok()) {
      if (names.status().IsNotFound()) {
        return common::Status::NotFound("no power_supply class in " + dir_);
      }
      return names.status();
    }
    std::vector<Supply> supplies;
    for (const std::string& name : *names) {
      Supply ps;
      ps.name = name;
      if (auto s = ReadSupply(dir_ + "/" + name, &ps); !s.ok()) {
        if (s.IsNotFound()) return common::Status::NotFound(s.message());
        return common::Status::IOError("could not get power_supply class info: " + s.ToString());
      }
      if (RE2::PartialMatch(name, ignored_)) continue;
      supplies.push_back(std::move(ps));
    }
    for (const Supply& ps : supplies) {
      auto emit = [&](const std::string& suffix, double v) {
        sink.Gauge("node_power_supply_" + suffix,
                   suffix + " value of /sys/class/power_supply/<power_supply>.",
                   {{"power_supply", ps.name}}, v);
      };
      for (const auto& [file, v] : ps.ints) {
        if (auto it = kPlain.find(file); it != kPlain.end())
          emit(it->second, static_cast<double>(v));
        if (auto it = kMicro.find(file); it != kMicro.end()) {
          emit(it->second, static_cast<double>(v) / 1e6);
        }
        if (auto it = kDeci.find(file); it != kDeci.end()) {
          emit(it->second, static_cast<double>(v) / 10.0);
        }
      }
      // Labels in name order, as client_golang exposes them; empty values
      // are left out, as node_exporter does.
      std::map<std::string, std::string> labels;
      labels["power_supply"] = ps.name;
      for (const auto& [file, v] : ps.strings) {
        if (!v.empty()) labels[file] = sysfs::ToValidUtf8(v);
      }
      LabelPairs pairs;
      for (const auto& [k, v] : labels) pairs.push_back({k, v});
      sink.Gauge("node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.", pairs,
                 1);
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
  RE2 ignored_;
};

REGISTER_COLLECTOR("powersupplyclass", true, PowerSupplyClassCollector);

}  // namespace
}  // namespace exporter
