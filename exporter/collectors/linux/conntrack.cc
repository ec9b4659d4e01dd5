// conntrack collector: connection tracking table size and per-CPU statistics
// (summed) from <procfs>/sys/net/netfilter/nf_conntrack_{count,max} and
// <procfs>/net/stat/nf_conntrack, as node_exporter 1.5's conntrack_linux.go.
// A missing file means nf_conntrack is not loaded: NotFound (ErrNoData).
#include <cerrno>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// Columns of net/stat/nf_conntrack used, by position.
enum StatColumn : size_t {
  kFound = 2,
  kInvalid = 4,
  kIgnore = 5,
  kInsert = 8,
  kInsertFailed = 9,
  kDrop = 10,
  kEarlyDrop = 11,
  kSearchRestart = 16,
};
constexpr size_t kStatColumns = 17;

std::optional<uint64_t> ParseHex64(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

class ConntrackCollector : public Collector {
 public:
  explicit ConntrackCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    uint64_t count = 0, max = 0;
    if (auto s = ReadUint(paths_.Proc("sys/net/netfilter/nf_conntrack_count"), count); !s.ok()) {
      return s;
    }
    sink.Gauge("node_nf_conntrack_entries",
               "Number of currently allocated flow entries for connection tracking.", {},
               static_cast<double>(count));
    if (auto s = ReadUint(paths_.Proc("sys/net/netfilter/nf_conntrack_max"), max); !s.ok()) {
      return s;
    }
    sink.Gauge("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", {},
               static_cast<double>(max));

    std::string path = paths_.Proc("net/stat/nf_conntrack");
    std::string text;
    errno = 0;
    if (!common::ReadFileToString(path, &text)) {
      if (errno == ENOENT) return common::Status::NotFound("conntrack probably not loaded");
      return common::Status::IOError("failed to retrieve conntrack stats: cannot read " + path);
    }
    uint64_t sum[kStatColumns] = {};
    auto lines = parse::Lines(text);
    for (size_t i = 1; i < lines.size(); ++i) {  // line 0 is the header
      auto f = parse::Fields(lines[i]);
      if (f.size() != kStatColumns) {
        return common::Status::Corruption(
            "failed to retrieve conntrack stats: invalid conntrackstat entry, missing fields");
      }
      for (size_t j = 0; j < kStatColumns; ++j) {
        auto v = ParseHex64(f[j]);
        if (!v) return common::Status::Corruption("failed to retrieve conntrack stats: " + path);
        sum[j] += *v;
      }
    }
    auto emit = [&](const char* name, const char* help, StatColumn col) {
      sink.Gauge(std::string("node_nf_conntrack_stat_") + name, help, {},
                 static_cast<double>(sum[col]));
    };
    emit("found", "Number of searched entries which were successful.", kFound);
    emit("invalid", "Number of packets seen which can not be tracked.", kInvalid);
    emit("ignore", "Number of packets seen which are already connected to a conntrack entry.",
         kIgnore);
    emit("insert", "Number of entries inserted into the list.", kInsert);
    emit("insert_failed", "Number of entries for which list insertion was attempted but failed.",
         kInsertFailed);
    emit("drop", "Number of packets dropped due to conntrack failure.", kDrop);
    emit("early_drop",
         "Number of dropped conntrack entries to make room for new ones, if maximum table size "
         "was reached.",
         kEarlyDrop);
    emit("search_restart",
         "Number of conntrack table lookups which had to be restarted due to hashtable resizes.",
         kSearchRestart);
    return common::Status::OK();
  }

 private:
  static common::Status ReadUint(const std::string& path, uint64_t& out) {
    std::string text;
    errno = 0;
    if (!common::ReadFileToString(path, &text)) {
      if (errno == ENOENT) return common::Status::NotFound("conntrack probably not loaded");
      return common::Status::IOError("failed to retrieve conntrack stats: cannot read " + path);
    }
    auto v = parse::ToUint(parse::Trim(text));
    if (!v) return common::Status::Corruption("failed to retrieve conntrack stats: " + path);
    out = *v;
    return common::Status::OK();
  }

  common::HostPaths paths_;
};

REGISTER_COLLECTOR("conntrack", true, ConntrackCollector);

}  // namespace
}  // namespace exporter
