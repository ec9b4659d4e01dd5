// cpu collector (macOS): node_cpu_seconds_total from host_processor_info's
// per-CPU tick counts, as node_exporter 1.5's cpu_darwin.go.
#include <mach/mach.h>
#include <unistd.h>

#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

class CpuCollector : public Collector {
 public:
  // The host port is taken once: each mach_host_self() adds a send right.
  explicit CpuCollector(const CollectorConfig&) : host_(mach_host_self()) {}

  common::Status Update(MetricSink& sink) override {
    natural_t ncpu = 0;
    processor_info_array_t info = nullptr;
    mach_msg_type_number_t count = 0;
    kern_return_t kr = host_processor_info(host_, PROCESSOR_CPU_LOAD_INFO, &ncpu, &info, &count);
    if (kr != KERN_SUCCESS) {
      return common::Status::IOError("host_processor_info: error " + std::to_string(kr));
    }
    std::vector<darwin::CpuLoadInfo> cpus(ncpu);
    const auto* load = reinterpret_cast<const processor_cpu_load_info*>(info);
    for (natural_t i = 0; i < ncpu; ++i) {
      cpus[i].cpu_ticks[darwin::kCpuStateUser] = load[i].cpu_ticks[CPU_STATE_USER];
      cpus[i].cpu_ticks[darwin::kCpuStateSystem] = load[i].cpu_ticks[CPU_STATE_SYSTEM];
      cpus[i].cpu_ticks[darwin::kCpuStateIdle] = load[i].cpu_ticks[CPU_STATE_IDLE];
      cpus[i].cpu_ticks[darwin::kCpuStateNice] = load[i].cpu_ticks[CPU_STATE_NICE];
    }
    // The array is ours (out-of-line memory of the reply): count integers.
    vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(info),
                  static_cast<vm_size_t>(count) * sizeof(integer_t));
    long hz = sysconf(_SC_CLK_TCK);  // CLK_TCK, 100 on macOS
    darwin::ConvertCpu(cpus, hz > 0 ? static_cast<double>(hz) : 100.0, sink);
    return common::Status::OK();
  }

 private:
  host_t host_;
};

REGISTER_COLLECTOR("cpu", true, CpuCollector);

}  // namespace
}  // namespace exporter
