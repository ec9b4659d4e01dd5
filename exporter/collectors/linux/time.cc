// time collector: the system clock and time zone offset, and the kernel's
// clocksources from <sysfs>/devices/system/clocksource/clocksourceN, as
// node_exporter 1.5's time.go and time_linux.go (node_time_seconds,
// node_time_zone_offset_seconds, node_time_clocksource_{available,current}_info).
#include <time.h>

#include <chrono>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

struct ClockSource {
  std::vector<std::string> available;
  std::string current;
};

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(const CollectorConfig& c)
      : dir_(c.paths.Sys("devices/system/clocksource")) {}

  common::Status Update(MetricSink& sink) override {
    auto now = std::chrono::system_clock::now();
    double secs = std::chrono::duration<double>(now.time_since_epoch()).count();
    time_t t = std::chrono::system_clock::to_time_t(now);
    struct tm local;
    localtime_r(&t, &local);
    sink.Gauge("node_time_seconds", "System time in seconds since epoch (1970).", {}, secs);
    sink.Gauge("node_time_zone_offset_seconds", "System time zone offset in seconds.",
               {{"time_zone", local.tm_zone ? local.tm_zone : "UTC"}},
               static_cast<double>(local.tm_gmtoff));

    // All clocksources are read before any is reported: one unreadable file
    // fails the collector without a partial list, as in procfs.
    std::vector<ClockSource> sources;
    for (const std::string& name : sysfs::GlobDigits(dir_, "clocksource")) {
      std::string dir = dir_ + "/" + name;
      sysfs::Attr avail = sysfs::ReadWhole(dir + "/available_clocksource");
      if (!avail.ok()) return common::Status::IOError("couldn't get clocksources: " + dir);
      sysfs::Attr cur = sysfs::ReadWhole(dir + "/current_clocksource");
      if (!cur.ok()) return common::Status::IOError("couldn't get clocksources: " + dir);
      ClockSource cs;
      for (std::string_view f : parse::Fields(sysfs::TrimSpace(avail.value))) {
        cs.available.emplace_back(f);
      }
      cs.current = std::string(sysfs::TrimSpace(cur.value));
      sources.push_back(std::move(cs));
    }
    // node_exporter labels each clocksource by its position in the listing,
    // not by its directory name.
    for (size_t i = 0; i < sources.size(); ++i) {
      std::string device = std::to_string(i);
      for (const std::string& a : sources[i].available) {
        sink.Gauge("node_time_clocksource_available_info",
                   "Available clocksources read from '/sys/devices/system/clocksource'.",
                   {{"clocksource", a}, {"device", device}}, 1);
      }
      sink.Gauge("node_time_clocksource_current_info",
                 "Current clocksource read from '/sys/devices/system/clocksource'.",
                 {{"clocksource", sources[i].current}, {"device", device}}, 1);
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("time", true, TimeCollector);

}  // namespace
}  // namespace exporter
