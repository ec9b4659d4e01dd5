// nfsd collector: NFS server statistics from <procfs>/net/rpc/nfsd, as
// node_exporter 1.5's nfsd_linux.go. Per-operation counts are
// node_nfsd_requests_total{proto,method} for the procedures node_exporter
// lists. No such file (no NFS server module) is NotFound (ErrNoData).
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// Exported procedures: {method label, column after the count column}.
struct Proc {
  const char* method;
  size_t column;
};
const Proc kV2[] = {
    {"GetAttr", 2},  {"SetAttr", 3}, {"Root", 4},    {"Lookup", 5},   {"ReadLink", 6}, {"Read", 7},
    {"WrCache", 8},  {"Write", 9},   {"Create", 10}, {"Remove", 11},  {"Rename", 12},  {"Link", 13},
    {"SymLink", 14}, {"MkDir", 15},  {"RmDir", 16},  {"ReadDir", 17}, {"FsStat", 18}};
const Proc kV3[] = {{"GetAttr", 2},      {"SetAttr", 3},  {"Lookup", 4},  {"Access", 5},
                    {"ReadLink", 6},     {"Read", 7},     {"Write", 8},   {"Create", 9},
                    {"MkDir", 10},       {"SymLink", 11}, {"MkNod", 12},  {"Remove", 13},
                    {"RmDir", 14},       {"Rename", 15},  {"Link", 16},   {"ReadDir", 17},
                    {"ReadDirPlus", 18}, {"FsStat", 19},  {"FsInfo", 20}, {"PathConf", 21},
                    {"Commit", 22}};
// proc4ops columns, as procfs 0.8 (node_exporter 1.5) maps them: it skips
// the SetClientID and SetClientIDConfirm columns, so Verify, Write and
// RelLockOwner read the columns of the operations two before them.
const Proc kV4[] = {{"Access", 4},       {"Close", 5},        {"Commit", 6},     {"Create", 7},
                    {"DelegPurge", 8},   {"DelegReturn", 9},  {"GetAttr", 10},   {"GetFH", 11},
                    {"Link", 12},        {"Lock", 13},        {"Lockt", 14},     {"Locku", 15},
                    {"Lookup", 16},      {"LookupRoot", 17},  {"Nverify", 18},   {"Open", 19},
                    {"OpenAttr", 20},    {"OpenConfirm", 21}, {"OpenDgrd", 22},  {"PutFH", 23},
                    {"Read", 26},        {"ReadDir", 27},     {"ReadLink", 28},  {"Remove", 29},
                    {"Rename", 30},      {"Renew", 31},       {"RestoreFH", 32}, {"SaveFH", 33},
                    {"SecInfo", 34},     {"SetAttr", 35},     {"Verify", 36},    {"Write", 37},
                    {"RelLockOwner", 38}};

class NfsdCollector : public Collector {
 public:
  explicit NfsdCollector(const CollectorConfig& c) : path_(c.paths.Proc("net/rpc/nfsd")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    errno = 0;
    if (!common::ReadFileToString(path_, &text)) {
      if (errno == ENOENT) return common::Status::NotFound("not collecting NFSd metrics");
      return common::Status::IOError("failed to retrieve nfsd stats: cannot read " + path_);
    }
    // Every known line, checked as procfs checks it; all are optional.
    std::map<std::string, std::vector<uint64_t>> lines;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (f.size() < 2) return Bad(line);
      // th: threads and fullcnt; the rest are deprecated floats.
      size_t end = f[0] == "th" ? 3 : f.size();
      if (end > f.size()) return Bad(line);
      std::vector<uint64_t> v;
      for (size_t i = 1; i < end; ++i) {
        auto x = parse::ToUint(f[i]);
        if (!x) return Bad(line);
        v.push_back(*x);
      }
      static const std::map<std::string_view, size_t> kExactSize = {
          {"rc", 3}, {"fh", 5}, {"io", 2}, {"th", 2}, {"ra", 12}, {"net", 4}, {"rpc", 5}};
      static const std::map<std::string_view, size_t> kMinCount = {
          {"proc2", 18}, {"proc3", 22}, {"proc4", 2}, {"proc4ops", 39}};
      if (auto it = kExactSize.find(f[0]); it != kExactSize.end()) {
        if (v.size() != it->second) return Bad(line);
      } else if (auto mc = kMinCount.find(f[0]); mc != kMinCount.end()) {
        if (v[0] != v.size() - 1 || v[0] < mc->second) return Bad(line);
        if (f[0] == "proc4" && v[0] != 2) return Bad(line);
      } else {
        return common::Status::Corruption(
            "failed to retrieve nfsd stats: unknown NFSd metric "
            "line \"" +
            std::string(f[0]) + "\"");
      }
      lines[std::string(f[0])] = std::move(v);
    }
    auto get = [&](const char* key, size_t i) -> double {
      auto it = lines.find(key);
      if (it == lines.end() || i >= it->second.size()) return 0;
      return static_cast<double>(it->second[i]);
    };
    sink.Counter("node_nfsd_reply_cache_hits_total",
                 "Total number of NFSd Reply Cache hits (client lost server response).", {},
                 get("rc", 0));
    sink.Counter("node_nfsd_reply_cache_misses_total",
                 "Total number of NFSd Reply Cache an operation that requires caching "
                 "(idempotent).",
                 {}, get("rc", 1));
    sink.Counter("node_nfsd_reply_cache_nocache_total",
                 "Total number of NFSd Reply Cache non-idempotent operations "
                 "(rename/delete/\xe2\x80\xa6).",
                 {}, get("rc", 2));
    sink.Counter("node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles",
                 {}, get("fh", 0));
    sink.Counter("node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", {}, get("io", 0));
    sink.Counter("node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.", {},
                 get("io", 1));
    sink.Gauge("node_nfsd_server_threads", "Total number of NFSd kernel threads that are running.",
               {}, get("th", 0));
    sink.Gauge("node_nfsd_read_ahead_cache_size_blocks",
               "How large the read ahead cache is in blocks.", {}, get("ra", 0));
    sink.Counter("node_nfsd_read_ahead_cache_not_found_total",
                 "Total number of NFSd read ahead cache not found.", {}, get("ra", 11));
    const char* packets = "Total NFSd network packets (sent+received) by protocol type.";
    sink.Counter("node_nfsd_packets_total", packets, {{"proto", "udp"}}, get("net", 1));
    sink.Counter("node_nfsd_packets_total", packets, {{"proto", "tcp"}}, get("net", 2));
    sink.Counter("node_nfsd_connections_total", "Total number of NFSd TCP connections.", {},
                 get("net", 3));
    const char* errors = "Total number of NFSd RPC errors by error type.";
    sink.Counter("node_nfsd_rpc_errors_total", errors, {{"error", "fmt"}}, get("rpc", 2));
    sink.Counter("node_nfsd_rpc_errors_total", errors, {{"error", "auth"}}, get("rpc", 3));
    sink.Counter("node_nfsd_rpc_errors_total", errors, {{"error", "cInt"}}, get("rpc", 4));
    sink.Counter("node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", {}, get("rpc", 0));
    auto emit = [&](const char* proto, const char* key, const Proc* procs, size_t n) {
      for (size_t i = 0; i < n; ++i) {
        sink.Counter("node_nfsd_requests_total",
                     "Total number NFSd Requests by method and protocol.",
                     {{"method", procs[i].method}, {"proto", proto}}, get(key, procs[i].column));
      }
    };
    emit("2", "proc2", kV2, std::size(kV2));
    emit("3", "proc3", kV3, std::size(kV3));
    emit("4", "proc4ops", kV4, std::size(kV4));
    return common::Status::OK();
  }

 private:
  static common::Status Bad(std::string_view line) {
    return common::Status::Corruption("failed to retrieve nfsd stats: invalid NFSd metric line \"" +
                                      std::string(line) + "\"");
  }

  std::string path_;
};

REGISTER_COLLECTOR("nfsd", true, NfsdCollector);

}  // namespace
}  // namespace exporter
