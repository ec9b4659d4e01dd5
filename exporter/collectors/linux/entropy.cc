// entropy collector: the kernel entropy pool from
// <procfs>/sys/kernel/random/{entropy_avail,poolsize}, as node_exporter 1.5's
// entropy_linux.go. A missing file fails the collector; entropy_avail is still
// exported when only poolsize is missing, as node_exporter does.
#include <cerrno>
#include <optional>
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

class EntropyCollector : public Collector {
 public:
  explicit EntropyCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    // Every file of the directory that exists must parse; absent ones are
    // skipped (procfs's KernelRandom).
    std::optional<uint64_t> avail, pool;
    struct File {
      const char* name;
      std::optional<uint64_t>* dst;
    };
    std::optional<uint64_t> ignored;
    const File files[] = {{"entropy_avail", &avail},
                          {"poolsize", &pool},
                          {"urandom_min_reseed_secs", &ignored},
                          {"write_wakeup_threshold", &ignored},
                          {"read_wakeup_threshold", &ignored}};
    for (const File& f : files) {
      std::string path = paths_.Proc(std::string("sys/kernel/random/") + f.name);
      std::string text;
      errno = 0;
      if (!common::ReadFileToString(path, &text)) {
        if (errno == ENOENT) continue;
        return common::Status::IOError("failed to get kernel random stats: cannot read " + path);
      }
      auto v = parse::ToUint(parse::Trim(text));
      if (!v) return common::Status::Corruption("failed to get kernel random stats: " + path);
      *f.dst = *v;
    }
    if (!avail) return common::Status::IOError("couldn't get entropy_avail");
    sink.Gauge("node_entropy_available_bits", "Bits of available entropy.", {},
               static_cast<double>(*avail));
    if (!pool) return common::Status::IOError("couldn't get entropy poolsize");
    sink.Gauge("node_entropy_pool_size_bits", "Bits of entropy pool.", {},
               static_cast<double>(*pool));
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
};

REGISTER_COLLECTOR("entropy", true, EntropyCollector);

}  // namespace
}  // namespace exporter
