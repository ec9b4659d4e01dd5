#include "server/ingest/system_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "common/system_schema.h"

namespace server {

namespace {

using nlohmann::json;
namespace schema = common::system_schema;

class Builder {
 public:
  explicit Builder(SystemReading* out) : out_(out) {}

  // Adds f.metric{labels} = obj[f.field] when present and not null.
  common::Status Add(const json& obj, const std::string& path, const schema::FieldMetric& f,
                     std::vector<model::Label> labels = {}) {
    const char* field = f.field;
    if (!obj.is_object() || !obj.contains(field) || obj[field].is_null()) {
      return common::Status::OK();
    }
    const json& v = obj[field];
    if (v.is_boolean()) return Push(f.metric, std::move(labels), v.get<bool>() ? 1 : 0);
    if (!v.is_number()) {
      return common::Status::InvalidArgument("field \"" + path + "." + field +
                                             "\" must be a number, got " + v.type_name());
    }
    return Push(f.metric, std::move(labels), v.get<double>());
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
  RETURN_IF_ERROR(b.Add(j, "", schema::kBootTime));
  RETURN_IF_ERROR(b.Add(j, "", schema::kUptime));

  if (j.contains("os") && j["os"].is_object()) {
    const json& os = j["os"];
    std::vector<model::Label> labels = {{schema::kUnameHostnameLabel, r.hostname}};
    for (const auto& f : schema::kOsFields) labels.push_back({f.metric, Str(os, f.field)});
    RETURN_IF_ERROR(b.Push(schema::kUnameMetric, std::move(labels), 1));
  }
  if (j.contains("cpu") && j["cpu"].is_object()) {
    const json& cpu = j["cpu"];
    RETURN_IF_ERROR(b.Add(cpu, "cpu", schema::kCpuPercent));
    RETURN_IF_ERROR(b.Add(cpu, "cpu", schema::kCpuCount));
    if (cpu.contains(schema::kCpuCorePercent.field)) {
      const json& pc = cpu[schema::kCpuCorePercent.field];
      if (!pc.is_array()) {
        return common::Status::InvalidArgument("field \"cpu.per_core_percent\" must be an array");
      }
      for (size_t i = 0; i < pc.size(); ++i) {
        if (pc[i].is_null()) continue;
        if (!pc[i].is_number()) {
          return common::Status::InvalidArgument("field \"cpu.per_core_percent[" +
                                                 std::to_string(i) + "]\" must be a number");
        }
        RETURN_IF_ERROR(b.Push(schema::kCpuCorePercent.metric, {{"cpu", std::to_string(i)}},
                               pc[i].get<double>()));
      }
    }
    if (cpu.contains("load_avg")) {
      const json& la = cpu["load_avg"];
      for (const auto& f : schema::kLoadFields) RETURN_IF_ERROR(b.Add(la, "cpu.load_avg", f));
    }
  }
  if (j.contains("memory")) {
    const json& m = j["memory"];
    for (const auto& f : schema::kMemoryFields) RETURN_IF_ERROR(b.Add(m, "memory", f));
    RETURN_IF_ERROR(b.Add(m, "memory", schema::kMemoryPercent));
  }
  if (j.contains("swap")) {
    const json& s = j["swap"];
    for (const auto& f : schema::kSwapFields) RETURN_IF_ERROR(b.Add(s, "swap", f));
  }
  if (j.contains("disks")) {
    size_t i = 0;
    for (const json& d : j["disks"]) {
      std::string path = "disks[" + std::to_string(i++) + "]";
      if (!d.is_object()) return common::Status::InvalidArgument(path + " must be an object");
      std::vector<model::Label> l;
      for (const char* label : schema::kDiskLabels) l.push_back({label, Str(d, label)});
      if (Str(d, "mountpoint").empty()) {
        return common::Status::InvalidArgument("field \"" + path + ".mountpoint\" is missing");
      }
      for (const auto& f : schema::kDiskFields) RETURN_IF_ERROR(b.Add(d, path, f, l));
      const char* total = schema::kDiskTotal.field;
      if (d.contains(total) && d.contains("used") && d[total].is_number() &&
          d["used"].is_number()) {
        RETURN_IF_ERROR(
            b.Push(schema::kDiskFreeMetric, l, d[total].get<double>() - d["used"].get<double>()));
      }
    }
  }
  RETURN_IF_ERROR(b.Add(j, "", schema::kOomKills));
  if (j.contains("tcp")) {
    for (const auto& f : schema::kTcpFields) RETURN_IF_ERROR(b.Add(j["tcp"], "tcp", f));
  }
  if (j.contains("file_descriptors")) {
    for (const auto& f : schema::kFileDescriptorFields) {
      RETURN_IF_ERROR(b.Add(j["file_descriptors"], "file_descriptors", f));
    }
  }
  if (j.contains("network")) {
    for (const auto& [dev, n] : j["network"].items()) {
      std::string path = "network." + dev;
      std::vector<model::Label> l = {{"device", dev}};
      for (const auto& f : schema::kNetworkFields) RETURN_IF_ERROR(b.Add(n, path, f, l));
    }
  }
  if (j.contains("disk_io")) {
    for (const auto& [dev, d] : j["disk_io"].items()) {
      std::string path = "disk_io." + dev;
      std::vector<model::Label> l = {{"device", dev}};
      for (const auto& f : schema::kDiskIoFields) RETURN_IF_ERROR(b.Add(d, path, f, l));
    }
  }
  if (j.contains("temperatures")) {
    size_t i = 0;
    for (const json& t : j["temperatures"]) {
      std::string path = "temperatures[" + std::to_string(i++) + "]";
      std::vector<model::Label> l;
      for (const char* label : schema::kTemperatureLabels) l.push_back({label, Str(t, label)});
      RETURN_IF_ERROR(b.Add(t, path, schema::kTemperature, std::move(l)));
    }
  }
  return r;
}

}  // namespace server
