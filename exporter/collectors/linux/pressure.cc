// pressure collector: pressure stall information (PSI) from
// <procfs>/pressure/{cpu,io,memory}, as node_exporter 1.5's pressure_linux.go
// (node_pressure_*_seconds_total). A kernel without PSI (before 4.20, or built
// without CONFIG_PSI) has no <procfs>/pressure: like node_exporter, which
// returns ErrNoData there, the collector then reports failure
// (node_scrape_collector_success 0) with no pressure metrics.
#include <sys/stat.h>

#include <cerrno>
#include <optional>
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// The total= of the "some" and "full" lines, in microseconds.
struct Psi {
  std::optional<uint64_t> some_total;
  std::optional<uint64_t> full_total;
};

// Lines look like "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345"; lines
// with other prefixes are ignored, as the kernel may add some.
common::Result<Psi> ParsePsi(std::string_view text) {
  Psi psi;
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.empty() || (f[0] != "some" && f[0] != "full")) continue;
    if (f.size() != 5) return common::Status::Corruption("malformed line: " + std::string(line));
    static const char* kKeys[] = {"avg10=", "avg60=", "avg300=", "total="};
    std::optional<uint64_t> total;
    for (size_t i = 0; i < 4; ++i) {
      std::string_view key = kKeys[i];
      if (f[1 + i].substr(0, key.size()) != key) {
        return common::Status::Corruption("malformed line: " + std::string(line));
      }
      std::string_view value = f[1 + i].substr(key.size());
      bool ok =
          i < 3 ? parse::ToDouble(value).has_value() : (total = parse::ToUint(value)).has_value();
      if (!ok) return common::Status::Corruption("malformed line: " + std::string(line));
    }
    (f[0] == "some" ? psi.some_total : psi.full_total) = total;
  }
  return psi;
}

class PressureCollector : public Collector {
 public:
  explicit PressureCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    static const struct {
      const char* resource;
      const char* waiting_help;
      const char* stalled_help;  // nullptr: no "full" metric
    } kResources[] = {
        {"cpu", "Total time in seconds that processes have waited for CPU time", nullptr},
        {"io", "Total time in seconds that processes have waited due to IO congestion",
         "Total time in seconds no process could make progress due to IO congestion"},
        {"memory", "Total time in seconds that processes have waited for memory",
         "Total time in seconds no process could make progress due to memory congestion"},
    };
    for (const auto& r : kResources) {
      std::string path = paths_.Proc(std::string("pressure/") + r.resource);
      std::string text;
      if (!common::ReadFileToString(path, &text)) {
        struct stat st;
        if (stat(path.c_str(), &st) != 0 && errno == ENOENT) {
          return common::Status::NotFound("no data: pressure information is unavailable (" + path +
                                          " missing), it needs Linux >= 4.20 with CONFIG_PSI");
        }
        return common::Status::IOError("cannot read " + path);
      }
      auto psi = ParsePsi(text);
      if (!psi.ok()) return psi.status().WithContext(path);
      if (!psi->some_total || (r.stalled_help && !psi->full_total)) {
        return common::Status::Corruption(path + ": missing some/full line");
      }
      // Microseconds to seconds in two steps, as node_exporter, so values match
      // to the last bit.
      std::string prefix = std::string("node_pressure_") + r.resource;
      sink.Counter(prefix + "_waiting_seconds_total", r.waiting_help, {},
                   static_cast<double>(*psi->some_total) / 1000.0 / 1000.0);
      if (r.stalled_help) {
        sink.Counter(prefix + "_stalled_seconds_total", r.stalled_help, {},
                     static_cast<double>(*psi->full_total) / 1000.0 / 1000.0);
      }
    }
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
};

REGISTER_COLLECTOR("pressure", true, PressureCollector);

}  // namespace
}  // namespace exporter
