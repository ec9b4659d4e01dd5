// softnet collector: per-CPU packet processing counters from
// <procfs>/net/softnet_stat, as node_exporter 1.5's softnet_linux.go. The cpu
// label is the line's position in the file, as node_exporter 1.5 numbers it.
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

constexpr size_t kMinColumns = 9;

std::optional<uint32_t> ParseHex32(std::string_view s) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

class SoftnetCollector : public Collector {
 public:
  explicit SoftnetCollector(const CollectorConfig& c) : path_(c.paths.Proc("net/softnet_stat")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("could not get softnet statistics: cannot read " + path_);
    }
    struct Row {
      uint32_t processed, dropped, squeezed;
    };
    std::vector<Row> rows;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (f.size() < kMinColumns) {
        return common::Status::Corruption(std::to_string(f.size()) +
                                          " columns were detected, but at least 9 were expected");
      }
      auto p = ParseHex32(f[0]), d = ParseHex32(f[1]), t = ParseHex32(f[2]);
      if (!p || !d || !t) return common::Status::Corruption("bad hex value in " + path_);
      rows.push_back({*p, *d, *t});
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      LabelPairs cpu = {{"cpu", std::to_string(i)}};
      sink.Counter("node_softnet_processed_total", "Number of processed packets", cpu,
                   rows[i].processed);
      sink.Counter("node_softnet_dropped_total", "Number of dropped packets", cpu, rows[i].dropped);
      sink.Counter("node_softnet_times_squeezed_total",
                   "Number of times processing packets ran out of quota", cpu, rows[i].squeezed);
    }
    return common::Status::OK();
  }

 private:
  std::string path_;
};

REGISTER_COLLECTOR("softnet", true, SoftnetCollector);

}  // namespace
}  // namespace exporter
