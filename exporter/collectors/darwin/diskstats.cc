// diskstats collector (macOS): per-disk I/O counters from IOKit. Every
// IOBlockStorageDriver publishes a "Statistics" dictionary (operations,
// bytes and total times, read and write); its child IOMedia (the whole
// disk) gives the BSD name ("disk0") and preferred block size. Names and
// labels as node_exporter 1.5's diskstats_darwin.go, with its device flags.
#include <IOKit/IOBSD.h>
#include <IOKit/IOKitLib.h>
#include <IOKit/storage/IOBlockStorageDriver.h>
#include <IOKit/storage/IOMedia.h>

#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/darwin/cf_util.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(device_include, "collector.diskstats.device-include", "",
                        "Regexp of diskstats devices to include (mutually exclusive to "
                        "device-exclude).");
REGISTER_COLLECTOR_FLAG(device_exclude, "collector.diskstats.device-exclude",
                        "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$",
                        "Regexp of diskstats devices to exclude (mutually exclusive to "
                        "device-include).");

// The registry properties of an entry (nullptr on failure); the caller releases.
CFMutableDictionaryRef Properties(io_registry_entry_t entry) {
  CFMutableDictionaryRef props = nullptr;
  if (IORegistryEntryCreateCFProperties(entry, &props, kCFAllocatorDefault, 0) !=
      kIOReturnSuccess) {
    return nullptr;
  }
  return props;
}

// One driver's statistics and its media's name; false when it has none
// (a driver without media: an empty card reader, an ejected disk image).
bool ReadDrive(io_registry_entry_t driver, darwin::DriveStats* out) {
  io_registry_entry_t media = 0;
  if (IORegistryEntryGetChildEntry(driver, kIOServicePlane, &media) != kIOReturnSuccess) {
    return false;
  }
  CFMutableDictionaryRef media_props = Properties(media);
  IOObjectRelease(media);
  darwin::CFReleaser release_media(media_props);
  if (media_props == nullptr) return false;
  CFMutableDictionaryRef driver_props = Properties(driver);
  darwin::CFReleaser release_driver(driver_props);
  if (driver_props == nullptr) return false;

  auto name = darwin::CFToString(CFDictionaryGetValue(media_props, CFSTR(kIOBSDNameKey)));
  const void* stats_ref =
      CFDictionaryGetValue(driver_props, CFSTR(kIOBlockStorageDriverStatisticsKey));
  if (!name || stats_ref == nullptr || CFGetTypeID(stats_ref) != CFDictionaryGetTypeID()) {
    return false;
  }
  auto stats = static_cast<CFDictionaryRef>(stats_ref);
  out->name = *name;
  out->block_size = darwin::CFDictUint(media_props, kIOMediaPreferredBlockSizeKey);
  out->reads = darwin::CFDictUint(stats, kIOBlockStorageDriverStatisticsReadsKey);
  out->writes = darwin::CFDictUint(stats, kIOBlockStorageDriverStatisticsWritesKey);
  out->bytes_read = darwin::CFDictUint(stats, kIOBlockStorageDriverStatisticsBytesReadKey);
  out->bytes_written = darwin::CFDictUint(stats, kIOBlockStorageDriverStatisticsBytesWrittenKey);
  out->total_read_time_ns =
      darwin::CFDictUint(stats, kIOBlockStorageDriverStatisticsTotalReadTimeKey);
  out->total_write_time_ns =
      darwin::CFDictUint(stats, kIOBlockStorageDriverStatisticsTotalWriteTimeKey);
  return true;
}

class DiskstatsCollector : public Collector {
 public:
  explicit DiskstatsCollector(const CollectorConfig& c)
      : devices_(c.Flag("collector.diskstats.device-include"),
                 c.Flag("collector.diskstats.device-exclude"),
                 DeviceFilter::Mode::kIncludeReplacesExclude) {}

  common::Status Check() const override { return devices_.Check("diskstats"); }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    io_iterator_t drivers = 0;
    // MACH_PORT_NULL: the default main port on every macOS version
    // (kIOMainPortDefault is macOS 12+, kIOMasterPortDefault deprecated there).
    // IOServiceGetMatchingServices consumes the matching dictionary.
    if (IOServiceGetMatchingServices(MACH_PORT_NULL, IOServiceMatching(kIOBlockStorageDriverClass),
                                     &drivers) != kIOReturnSuccess) {
      return common::Status::IOError("IOServiceGetMatchingServices(IOBlockStorageDriver) failed");
    }
    std::vector<darwin::DriveStats> drives;
    while (io_registry_entry_t driver = IOIteratorNext(drivers)) {
      darwin::DriveStats d;
      if (ReadDrive(driver, &d)) drives.push_back(std::move(d));
      IOObjectRelease(driver);
    }
    IOObjectRelease(drivers);
    // node_exporter applies include only when set, else exclude.
    darwin::ConvertDiskstats(drives, devices_, sink);
    return common::Status::OK();
  }

 private:
  DeviceFilter devices_;
};

REGISTER_COLLECTOR("diskstats", true, DiskstatsCollector);

}  // namespace
}  // namespace exporter
