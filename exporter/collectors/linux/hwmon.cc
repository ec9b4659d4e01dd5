// hwmon collector: hardware sensors from <sysfs>/class/hwmon/hwmon*, as
// node_exporter 1.5's hwmon_linux.go (node_hwmon_*{chip,sensor}). Each chip is
// named after its device (e.g. "platform_coretemp_0"), else its name file, else
// its hwmonN directory; sensor files <type><n>_<property> become one metric per
// property with the unit node_exporter gives that sensor type.
//
// Without <sysfs>/class/hwmon node_exporter returns ErrNoData, which its runner
// reports as node_scrape_collector_success 0; so does this collector (NotFound).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSensorTypes[] = {
    "vrm",  "beep_enable", "update_interval", "in",     "cpu",      "fan",       "pwm",
    "temp", "curr",        "power",           "energy", "humidity", "intrusion",
};

// Lower-cases name, turns every character outside [a-z0-9:_] into '_' (one per
// UTF-8 character) and trims leading and trailing '_'.
std::string CleanName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    out.push_back('_');
    if (c >= 0xC0) {  // UTF-8 lead byte: skip its continuation bytes
      while (i + 1 < name.size() && (static_cast<unsigned char>(name[i + 1]) & 0xC0) == 0x80) ++i;
    }
  }
  size_t b = out.find_first_not_of('_');
  if (b == std::string::npos) return "";
  size_t e = out.find_last_not_of('_');
  return out.substr(b, e - b + 1);
}

// Reads a sysfs attribute with a single read(2) of at most 128 bytes: some
// broken drivers return EAGAIN forever, and a retrying reader would spin.
// Surrounding newlines are trimmed. nullopt when it cannot be read.
std::optional<std::string> ReadAttribute(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  if (n < 0) return std::nullopt;
  std::string_view s(buf, static_cast<size_t>(n));
  while (!s.empty() && s.front() == '\n') s.remove_prefix(1);
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (!realpath(path.c_str(), buf)) return std::nullopt;
  return std::string(buf);
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash));
}

struct SensorFile {
  std::string type;
  int64_t num = 0;
  std::string property;  // "" for a bare "<type><n>" file
};

// Splits "<type><n>_<property>" (e.g. "temp1_crit_alarm"), where type has no
// digits and n and "_<property>" are optional.
std::optional<SensorFile> SplitSensorFile(std::string_view name) {
  size_t digit = name.find_first_of("0123456789");
  if (digit == 0) return std::nullopt;
  SensorFile f;
  if (digit == std::string_view::npos) {
    f.type = std::string(name);
    return f;
  }
  f.type = std::string(name.substr(0, digit));
  size_t end = name.find_first_not_of("0123456789", digit);
  auto num = parse::ToInt(name.substr(digit, end == std::string_view::npos ? end : end - digit));
  if (!num) return std::nullopt;
  f.num = *num;
  if (end == std::string_view::npos) return f;
  if (name[end] != '_' || end + 1 == name.size()) return std::nullopt;
  f.property = std::string(name.substr(end + 1));
  return f;
}

bool IsSensorType(std::string_view type) {
  return std::find(std::begin(kSensorTypes), std::end(kSensorTypes), type) !=
         std::end(kSensorTypes);
}

// sensor ("temp1") -> property ("input", "label", "" for bare) -> raw value.
using SensorData = std::map<std::string, std::map<std::string, std::string>>;

common::Status CollectSensorData(const std::string& dir, SensorData& data) {
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return common::Status::IOError("cannot list " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    auto f = SplitSensorFile(name);
    if (!f || !IsSensorType(f->type)) continue;
    auto value = ReadAttribute(dir + "/" + name);
    if (!value) continue;
    data[f->type + std::to_string(f->num)][f->property] = *value;
  }
  return common::Status::OK();
}

// A stable name for the chip: "<bus>_<device>" from the device symlink (e.g.
// "platform_coretemp_0"), else its name file, else its hwmonN directory.
common::Result<std::string> ChipName(const std::string& dir) {
  if (auto device = RealPath(dir + "/device")) {
    std::string dev_name = CleanName(BaseName(*device));
    std::string dev_type = CleanName(BaseName(DirName(*device)));
    if (!dev_type.empty() && !dev_name.empty()) return dev_type + "_" + dev_name;
    if (!dev_name.empty()) return dev_name;
  }
  std::string raw;
  if (common::ReadFileToString(dir + "/name", &raw)) {
    if (std::string name = CleanName(raw); !name.empty()) return name;
  }
  auto real = RealPath(dir);
  if (!real) return common::Status::IOError("cannot resolve " + dir);
  if (std::string name = CleanName(BaseName(*real)); !name.empty()) return name;
  return common::Status::Corruption("cannot derive a chip name for " + dir);
}

void EmitSensor(MetricSink& sink, const std::string& chip, const std::string& sensor,
                const std::map<std::string, std::string>& props) {
  auto type = SplitSensorFile(sensor)->type;
  LabelPairs labels = {{"chip", chip}, {"sensor", sensor}};
  if (auto it = props.find("label"); it != props.end()) {
    sink.Gauge("node_hwmon_sensor_label", "Label for given chip and sensor",
               {{"chip", chip}, {"sensor", sensor}, {"label", it->second}}, 1);
  }
  auto bare = props.find("");
  auto bare_value = [&]() -> std::optional<double> {
    return bare == props.end() ? std::nullopt : parse::ToDouble(bare->second);
  };
  if (type == "beep_enable") {
    sink.Gauge("node_hwmon_beep_enabled", "Hardware beep enabled", labels,
               bare != props.end() && bare->second == "1" ? 1 : 0);
    return;
  }
  if (type == "vrm") {
    if (auto v = bare_value()) {
      sink.Gauge("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", labels, *v);
    }
    return;
  }
  if (type == "update_interval") {
    if (auto v = bare_value()) {
      sink.Gauge("node_hwmon_update_interval_seconds", "Hardware monitor update interval", labels,
                 *v * 0.001);
    }
    return;
  }
  const std::string prefix = "node_hwmon_" + type;
  for (const auto& [element, raw] : props) {
    if (element == "label") continue;
    std::string name = prefix;
    if (element == "input") {
      // A bare "<type><n>" file already holds the value: then _input is its own metric.
      if (bare != props.end()) name += "_input";
    } else if (!element.empty()) {
      name += "_" + CleanName(element);
    }
    auto parsed = parse::ToDouble(raw);
    if (!parsed) continue;
    double v = *parsed;
    const std::string paren = "(" + element + ")";
    if (element == "fault" || element == "alarm") {
      sink.Gauge(name, "Hardware sensor " + element + " status (" + type + ")", labels, v);
    } else if (element == "beep") {
      sink.Gauge(name + "_enabled", "Hardware monitor sensor has beeping enabled", labels, v);
    } else if (type == "in" || type == "cpu") {
      sink.Gauge(name + "_volts", "Hardware monitor for voltage " + paren, labels, v * 0.001);
    } else if (type == "temp" && element != "type") {
      sink.Gauge(name + "_celsius",
                 "Hardware monitor for temperature (" + (element.empty() ? "input" : element) + ")",
                 labels, v * 0.001);
    } else if (type == "curr") {
      sink.Gauge(name + "_amps", "Hardware monitor for current " + paren, labels, v * 0.001);
    } else if (type == "energy") {
      sink.Counter(name + "_joule_total", "Hardware monitor for joules used so far " + paren,
                   labels, v / 1000000.0);
    } else if (type == "power" && element == "accuracy") {
      sink.Gauge(name, "Hardware monitor power meter accuracy, as a ratio", labels, v / 1000000.0);
    } else if (type == "power" &&
               (element == "average_interval" || element == "average_interval_min" ||
                element == "average_interval_max")) {
      sink.Gauge(name + "_seconds", "Hardware monitor power usage update interval " + paren, labels,
                 v * 0.001);
    } else if (type == "power") {
      sink.Gauge(name + "_watt", "Hardware monitor for power usage in watts " + paren, labels,
                 v / 1000000.0);
    } else if (type == "humidity") {
      sink.Gauge(name,
                 "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the "
                 "humidity as a percentage) " +
                     paren,
                 labels, v / 1000000.0);
    } else if (type == "fan" && (element == "input" || element == "min" || element == "max" ||
                                 element == "target")) {
      sink.Gauge(name + "_rpm", "Hardware monitor for fan revolutions per minute " + paren, labels,
                 v);
    } else {
      sink.Gauge(name, "Hardware monitor " + type + " element " + element, labels, v);
    }
  }
}

common::Status UpdateChip(MetricSink& sink, const std::string& dir) {
  auto chip = ChipName(dir);
  if (!chip.ok()) return chip.status();
  SensorData data;
  if (auto s = CollectSensorData(dir, data); !s.ok()) return s;
  // Older drivers keep their sensor files in the device directory.
  std::error_code ec;
  if (fs::exists(dir + "/device", ec)) {
    if (auto s = CollectSensorData(dir + "/device", data); !s.ok()) return s;
  }
  std::string raw;
  if (common::ReadFileToString(dir + "/name", &raw)) {
    if (std::string chip_name = CleanName(raw); !chip_name.empty()) {
      sink.Gauge("node_hwmon_chip_names", "Annotation metric for human-readable chip names",
                 {{"chip", *chip}, {"chip_name", chip_name}}, 1);
    }
  }
  for (const auto& [sensor, props] : data) EmitSensor(sink, *chip, sensor, props);
  return common::Status::OK();
}

class HwmonCollector : public Collector {
 public:
  explicit HwmonCollector(const CollectorConfig& c) : dir_(c.paths.Sys("class/hwmon")) {}

  common::Status Update(MetricSink& sink) override {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(dir_, ec))) {
      return common::Status::NotFound("no data: hwmon metrics are not available (" + dir_ +
                                      " missing)");
    }
    std::vector<std::string> names;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) return common::Status::IOError("cannot list " + dir_ + ": " + ec.message());
    std::sort(names.begin(), names.end());
    // Like node_exporter: a chip that fails does not stop the others, and the
    // last failure is the collector's.
    common::Status last = common::Status::OK();
    for (const std::string& name : names) {
      std::string path = dir_ + "/" + name;
      if (!fs::is_directory(path, ec)) continue;  // follows the hwmonN symlinks
      if (auto s = UpdateChip(sink, path); !s.ok()) last = s;
    }
    return last;
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("hwmon", true, HwmonCollector);

}  // namespace
}  // namespace exporter
