#include "server/ingest/system_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace server {

namespace {

using nlohmann::json;

class Builder {
 public:
  explicit Builder(SystemReading* out) : out_(out) {}

  // Adds name{labels} = j[field] when present and not null.
  common::Status Add(const json& obj, const std::string& path, const char* field,
                     const std::string& name, std::vector<model::Label> labels = {},
                     double scale = 1) {
    if (!obj.is_object() || !obj.contains(field) || obj[field].is_null()) {
      return common::Status::OK();
    }
    const json& v = obj[field];
    if (v.is_boolean()) return Push(name, std::move(labels), v.get<bool>() ? 1 : 0);
    if (!v.is_number()) {
      return common::Status::InvalidArgument("field \"" + path + "." + field +
                                             "\" must be a number, got " + v.type_name());
    }
    return Push(name, std::move(labels), v.get<double>() * scale);
  }

  common::Status Push(const std::string& name, std::vector<model::Label> labels, double v) {
    labels.push_back({"__name__", name});
    out_->samples.push_back({model::Labels::FromVector(std::move(labels)), v});
    return common::Status::OK();
  }

 private:
  SystemReading* out_;
};

common::Status Expect(const json& parent, const char* field, json::value_t type,
                      const char* type_name) {
  if (!parent.contains(field) || parent[field].is_null()) return common::Status::OK();
  if (parent[field].type() != type &&
      !(type == json::value_t::number_float && parent[field].is_number())) {
    return common::Status::InvalidArgument(std::string("field \"") + field + "\" must be " +
                                           type_name + ", got " + parent[field].type_name());
  }
  return common::Status::OK();
}

#define RETURN_IF_ERROR(expr)   \
  do {                          \
    common::Status _s = (expr); \
    if (!_s.ok()) return _s;    \
  } while (0)

std::string Str(const json& obj, const char* field) {
  return obj.is_object() && obj.contains(field) && obj[field].is_string()
             ? obj[field].get<std::string>()
             : std::string();
}

}  // namespace

common::Result<SystemReading> ParseSystemJson(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return common::Status::InvalidArgument("body is not valid JSON");
  if (!j.is_object()) return common::Status::InvalidArgument("body must be a JSON object");
  RETURN_IF_ERROR(Expect(j, "hostname", json::value_t::string, "a string"));
  RETURN_IF_ERROR(Expect(j, "timestamp_ms", json::value_t::number_float, "a number"));
  RETURN_IF_ERROR(Expect(j, "timestamp", json::value_t::number_float, "a number"));
  for (const char* obj : {"cpu", "memory", "swap", "os", "network", "disk_io"}) {
    RETURN_IF_ERROR(Expect(j, obj, json::value_t::object, "an object"));
  }
  for (const char* arr : {"disks", "temperatures"}) {
    RETURN_IF_ERROR(Expect(j, arr, json::value_t::array, "an array"));
  }

  SystemReading r;
  r.hostname = Str(j, "hostname");
  // Converting a double outside int64's range is undefined behaviour: the
  // timestamp is range-checked as a double first (|t| < 2^62 ms, the bounds
  // the query API uses too).
  auto to_ms = [](double ms, const char* field) -> common::Result<int64_t> {
    constexpr double kLimit = 4611686018427387904.0;  // 2^62
    if (!(std::fabs(ms) < kLimit)) {
      return common::Status::InvalidArgument(std::string("field \"") + field +
                                             "\" is out of range for a timestamp");
    }
    return static_cast<int64_t>(std::llround(ms));
  };
  if (j.contains("timestamp_ms") && j["timestamp_ms"].is_number()) {
    auto ms = to_ms(std::trunc(j["timestamp_ms"].get<double>()), "timestamp_ms");
    if (!ms.ok()) return ms.status();
    r.timestamp_ms = *ms;
  } else if (j.contains("timestamp") && j["timestamp"].is_number()) {
    auto ms = to_ms(j["timestamp"].get<double>() * 1000, "timestamp");
    if (!ms.ok()) return ms.status();
    r.timestamp_ms = *ms;
  }
  Builder b(&r);
  RETURN_IF_ERROR(b.Add(j, "", "boot_time", "node_boot_time_seconds"));
  RETURN_IF_ERROR(b.Add(j, "", "uptime_seconds", "system_uptime_seconds"));

  if (j.contains("os") && j["os"].is_object()) {
    const json& os = j["os"];
    RETURN_IF_ERROR(b.Push("node_uname_info",
                           {{"nodename", r.hostname},
                            {"sysname", Str(os, "name")},
                            {"release", Str(os, "kernel")},
                            {"version", Str(os, "version")},
                            {"machine", Str(os, "machine")}},
                           1));
  }
  if (j.contains("cpu") && j["cpu"].is_object()) {
    const json& cpu = j["cpu"];
    RETURN_IF_ERROR(b.Add(cpu, "cpu", "percent", "system_cpu_percent"));
    RETURN_IF_ERROR(b.Add(cpu, "cpu", "count", "system_cpu_count"));
    if (cpu.contains("per_core_percent")) {
      const json& pc = cpu["per_core_percent"];
      if (!pc.is_array()) {
        return common::Status::InvalidArgument("field \"cpu.per_core_percent\" must be an array");
      }
      for (size_t i = 0; i < pc.size(); ++i) {
        if (pc[i].is_null()) continue;
        if (!pc[i].is_number()) {
          return common::Status::InvalidArgument("field \"cpu.per_core_percent[" +
                                                 std::to_string(i) + "]\" must be a number");
        }
        RETURN_IF_ERROR(
            b.Push("system_cpu_core_percent", {{"cpu", std::to_string(i)}}, pc[i].get<double>()));
      }
    }
    if (cpu.contains("load_avg")) {
      const json& la = cpu["load_avg"];
      RETURN_IF_ERROR(b.Add(la, "cpu.load_avg", "1m", "node_load1"));
      RETURN_IF_ERROR(b.Add(la, "cpu.load_avg", "5m", "node_load5"));
      RETURN_IF_ERROR(b.Add(la, "cpu.load_avg", "15m", "node_load15"));
    }
  }
  if (j.contains("memory")) {
    const json& m = j["memory"];
    RETURN_IF_ERROR(b.Add(m, "memory", "total", "node_memory_MemTotal_bytes"));
    RETURN_IF_ERROR(b.Add(m, "memory", "available", "node_memory_MemAvailable_bytes"));
    RETURN_IF_ERROR(b.Add(m, "memory", "free", "node_memory_MemFree_bytes"));
    RETURN_IF_ERROR(b.Add(m, "memory", "cached", "node_memory_Cached_bytes"));
    RETURN_IF_ERROR(b.Add(m, "memory", "buffers", "node_memory_Buffers_bytes"));
    RETURN_IF_ERROR(b.Add(m, "memory", "percent", "system_memory_used_percent"));
  }
  if (j.contains("swap")) {
    const json& s = j["swap"];
    RETURN_IF_ERROR(b.Add(s, "swap", "total", "node_memory_SwapTotal_bytes"));
    RETURN_IF_ERROR(b.Add(s, "swap", "free", "node_memory_SwapFree_bytes"));
  }
  if (j.contains("disks")) {
    size_t i = 0;
    for (const json& d : j["disks"]) {
      std::string path = "disks[" + std::to_string(i++) + "]";
      if (!d.is_object()) return common::Status::InvalidArgument(path + " must be an object");
      std::vector<model::Label> l = {{"device", Str(d, "device")},
                                     {"fstype", Str(d, "fstype")},
                                     {"mountpoint", Str(d, "mountpoint")}};
      if (l[2].value.empty()) {
        return common::Status::InvalidArgument("field \"" + path + ".mountpoint\" is missing");
      }
      RETURN_IF_ERROR(b.Add(d, path, "total", "node_filesystem_size_bytes", l));
      RETURN_IF_ERROR(b.Add(d, path, "free", "node_filesystem_avail_bytes", l));
      if (d.contains("total") && d.contains("used") && d["total"].is_number() &&
          d["used"].is_number()) {
        RETURN_IF_ERROR(b.Push("node_filesystem_free_bytes", l,
                               d["total"].get<double>() - d["used"].get<double>()));
      }
      RETURN_IF_ERROR(b.Add(d, path, "readonly", "node_filesystem_readonly", l));
    }
  }
  if (j.contains("network")) {
    for (const auto& [dev, n] : j["network"].items()) {
      std::string path = "network." + dev;
      std::vector<model::Label> l = {{"device", dev}};
      RETURN_IF_ERROR(b.Add(n, path, "bytes_recv", "node_network_receive_bytes_total", l));
      RETURN_IF_ERROR(b.Add(n, path, "bytes_sent", "node_network_transmit_bytes_total", l));
      RETURN_IF_ERROR(b.Add(n, path, "packets_recv", "node_network_receive_packets_total", l));
      RETURN_IF_ERROR(b.Add(n, path, "packets_sent", "node_network_transmit_packets_total", l));
      RETURN_IF_ERROR(b.Add(n, path, "errin", "node_network_receive_errs_total", l));
      RETURN_IF_ERROR(b.Add(n, path, "errout", "node_network_transmit_errs_total", l));
      RETURN_IF_ERROR(b.Add(n, path, "dropin", "node_network_receive_drop_total", l));
      RETURN_IF_ERROR(b.Add(n, path, "dropout", "node_network_transmit_drop_total", l));
    }
  }
  if (j.contains("disk_io")) {
    for (const auto& [dev, d] : j["disk_io"].items()) {
      std::string path = "disk_io." + dev;
      std::vector<model::Label> l = {{"device", dev}};
      RETURN_IF_ERROR(b.Add(d, path, "read_bytes", "node_disk_read_bytes_total", l));
      RETURN_IF_ERROR(b.Add(d, path, "write_bytes", "node_disk_written_bytes_total", l));
    }
  }
  if (j.contains("temperatures")) {
    size_t i = 0;
    for (const json& t : j["temperatures"]) {
      std::string path = "temperatures[" + std::to_string(i++) + "]";
      RETURN_IF_ERROR(b.Add(t, path, "celsius", "node_hwmon_temp_celsius",
                            {{"chip", Str(t, "chip")}, {"sensor", Str(t, "sensor")}}));
    }
  }
  return r;
}

}  // namespace server
