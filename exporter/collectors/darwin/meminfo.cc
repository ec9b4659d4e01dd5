// meminfo collector (macOS): node_memory_* from host_statistics64
// (HOST_VM_INFO64), sysctl hw.memsize and vm.swapusage, as node_exporter
// 1.5's meminfo_darwin.go.
#include <mach/mach.h>
#include <sys/sysctl.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(const CollectorConfig&) : host_(mach_host_self()) {}

  common::Status Update(MetricSink& sink) override {
    vm_statistics64_data_t vm{};
    mach_msg_type_number_t count = HOST_VM_INFO64_COUNT;
    kern_return_t kr =
        host_statistics64(host_, HOST_VM_INFO64, reinterpret_cast<host_info64_t>(&vm), &count);
    if (kr != KERN_SUCCESS) {
      return common::Status::IOError("host_statistics64: error " + std::to_string(kr));
    }
    vm_size_t page_size = 0;  // the unit of vm_statistics64's counts
    if (host_page_size(host_, &page_size) != KERN_SUCCESS) {
      return common::Status::IOError("host_page_size failed");
    }
    uint64_t memsize = 0;
    size_t len = sizeof(memsize);
    if (sysctlbyname("hw.memsize", &memsize, &len, nullptr, 0) != 0) {
      return common::Status::IOError(std::string("sysctl hw.memsize: ") + strerror(errno));
    }
    struct xsw_usage swap {};
    len = sizeof(swap);
    if (sysctlbyname("vm.swapusage", &swap, &len, nullptr, 0) != 0) {
      return common::Status::IOError(std::string("sysctl vm.swapusage: ") + strerror(errno));
    }
    darwin::VmStatistics64 raw;
    raw.free_count = vm.free_count;
    raw.active_count = vm.active_count;
    raw.inactive_count = vm.inactive_count;
    raw.wire_count = vm.wire_count;
    raw.compressor_page_count = vm.compressor_page_count;
    raw.internal_page_count = vm.internal_page_count;
    raw.purgeable_count = vm.purgeable_count;
    raw.pageins = vm.pageins;
    raw.pageouts = vm.pageouts;
    darwin::ConvertMeminfo(
        raw, page_size, memsize,
        {.xsu_total = swap.xsu_total, .xsu_avail = swap.xsu_avail, .xsu_used = swap.xsu_used},
        sink);
    return common::Status::OK();
  }

 private:
  host_t host_;
};

REGISTER_COLLECTOR("meminfo", true, MeminfoCollector);

}  // namespace
}  // namespace exporter
