// Conversions of the host-wide darwin readings: cpu, meminfo, loadavg,
// boottime, uname, time, thermal (see convert.h).
#include <string>

#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter::darwin {

void ConvertCpu(const std::vector<CpuLoadInfo>& cpus, double ticks_per_second, MetricSink& sink) {
  struct Mode {
    const char* name;
    int state;
  };
  // node_exporter's modes for darwin; the order only fixes insertion order,
  // the text writer sorts series by labels.
  static constexpr Mode kModes[] = {{"user", kCpuStateUser},
                                    {"system", kCpuStateSystem},
                                    {"nice", kCpuStateNice},
                                    {"idle", kCpuStateIdle}};
  for (size_t i = 0; i < cpus.size(); ++i) {
    std::string cpu = std::to_string(i);
    for (const Mode& m : kModes) {
      sink.Counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                   {{"cpu", cpu}, {"mode", m.name}},
                   static_cast<double>(cpus[i].cpu_ticks[m.state]) / ticks_per_second);
    }
  }
}

void ConvertMeminfo(const VmStatistics64& vm, uint64_t page_size, uint64_t memsize,
                    const XswUsage& swap, MetricSink& sink) {
  const double ps = static_cast<double>(page_size);
  auto pages = [ps](uint64_t n) { return static_cast<double>(n) * ps; };
  struct Field {
    const char* name;
    double value;
  };
  const Field fields[] = {
      {"active_bytes", pages(vm.active_count)},
      {"compressed_bytes", pages(vm.compressor_page_count)},
      {"inactive_bytes", pages(vm.inactive_count)},
      {"wired_bytes", pages(vm.wire_count)},
      {"free_bytes", pages(vm.free_count)},
      {"swapped_in_bytes_total", pages(vm.pageins)},
      {"swapped_out_bytes_total", pages(vm.pageouts)},
      {"internal_bytes", pages(vm.internal_page_count)},
      {"purgeable_bytes", pages(vm.purgeable_count)},
      {"total_bytes", static_cast<double>(memsize)},
      {"swap_used_bytes", static_cast<double>(swap.xsu_used)},
      {"swap_total_bytes", static_cast<double>(swap.xsu_total)},
  };
  for (const Field& f : fields) {
    std::string key = f.name;
    std::string name = "node_memory_" + key;
    std::string help = "Memory information field " + key + ".";
    // meminfo.go: a field named *_total is a counter.
    if (key.ends_with("_total")) {
      sink.Counter(name, help, {}, f.value);
    } else {
      sink.Gauge(name, help, {}, f.value);
    }
  }
}

void ConvertLoadavg(const std::array<double, 3>& load, MetricSink& sink) {
  sink.Gauge("node_load1", "1m load average.", {}, load[0]);
  sink.Gauge("node_load5", "5m load average.", {}, load[1]);
  sink.Gauge("node_load15", "15m load average.", {}, load[2]);
}

void ConvertBootTime(const Timeval& boottime, MetricSink& sink) {
  sink.Gauge("node_boot_time_seconds", "Unix time of last boot, including microseconds.", {},
             static_cast<double>(boottime.tv_sec) + static_cast<double>(boottime.tv_usec) / 1e6);
}

void ConvertUname(const Utsname& u, MetricSink& sink) {
  std::string nodename = u.nodename, domainname = "(none)";
  if (size_t dot = nodename.find('.'); dot != std::string::npos) {
    domainname = nodename.substr(dot + 1);
    nodename.resize(dot);
  }
  sink.Gauge("node_uname_info", "Labeled system information as provided by the uname system call.",
             {{"domainname", domainname},
              {"machine", u.machine},
              {"nodename", nodename},
              {"release", u.release},
              {"sysname", u.sysname},
              {"version", u.version}},
             1);
}

void ConvertTime(double now_seconds, const std::string& zone, int64_t gmt_offset_seconds,
                 MetricSink& sink) {
  sink.Gauge("node_time_seconds", "System time in seconds since epoch (1970).", {}, now_seconds);
  sink.Gauge("node_time_zone_offset_seconds", "System time zone offset in seconds.",
             {{"time_zone", zone.empty() ? "UTC" : zone}}, static_cast<double>(gmt_offset_seconds));
}

void ConvertThermal(const std::map<std::string, int64_t>& power_status, MetricSink& sink) {
  if (auto it = power_status.find(kCpuSchedulerLimitKey); it != power_status.end()) {
    sink.Gauge("node_thermal_cpu_scheduler_limit_ratio",
               "Represents the percentage (0-100) of CPU time available. 100% at normal "
               "operation. The OS may limit this time for a percentage less than 100%.",
               {}, static_cast<double>(it->second) / 100.0);
  }
  if (auto it = power_status.find(kCpuAvailableCpusKey); it != power_status.end()) {
    sink.Gauge("node_thermal_cpu_available_cpu",
               "Reflects how many, if any, CPUs have been taken offline. Represented as an "
               "integer number of CPUs (0 - Max CPUs).",
               {}, static_cast<double>(it->second));
  }
  if (auto it = power_status.find(kCpuSpeedLimitKey); it != power_status.end()) {
    sink.Gauge("node_thermal_cpu_speed_limit_ratio",
               "Defines the speed & voltage limits placed on the CPU. Represented as a "
               "percentage (0-100) of maximum CPU speed.",
               {}, static_cast<double>(it->second) / 100.0);
  }
}

}  // namespace exporter::darwin
