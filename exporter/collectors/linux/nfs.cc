// nfs collector: NFS client RPC statistics from <procfs>/net/rpc/nfs, as
// node_exporter 1.5's nfs_linux.go. Per-procedure counts are
// node_nfs_requests_total{proto,method}, method being the name procfs gives the
// procedure. No such file (no NFS client module) is NotFound (ErrNoData).
#include <cerrno>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// Procedure names in the kernel's column order (after the count column).
const char* const kV2[] = {"Null", "GetAttr", "SetAttr", "Root",   "Lookup",  "ReadLink",
                           "Read", "WrCache", "Write",   "Create", "Remove",  "Rename",
                           "Link", "SymLink", "MkDir",   "RmDir",  "ReadDir", "FsStat"};
const char* const kV3[] = {"Null",   "GetAttr", "SetAttr",  "Lookup", "Access",  "ReadLink",
                           "Read",   "Write",   "Create",   "MkDir",  "SymLink", "MkNod",
                           "Remove", "RmDir",   "Rename",   "Link",   "ReadDir", "ReadDirPlus",
                           "FsStat", "FsInfo",  "PathConf", "Commit"};
const char* const kV4[] = {"Null",
                           "Read",
                           "Write",
                           "Commit",
                           "Open",
                           "OpenConfirm",
                           "OpenNoattr",
                           "OpenDowngrade",
                           "Close",
                           "Setattr",
                           "FsInfo",
                           "Renew",
                           "SetClientID",
                           "SetClientIDConfirm",
                           "Lock",
                           "Lockt",
                           "Locku",
                           "Access",
                           "Getattr",
                           "Lookup",
                           "LookupRoot",
                           "Remove",
                           "Rename",
                           "Link",
                           "Symlink",
                           "Create",
                           "Pathconf",
                           "StatFs",
                           "ReadLink",
                           "ReadDir",
                           "ServerCaps",
                           "DelegReturn",
                           "GetACL",
                           "SetACL",
                           "FsLocations",
                           "ReleaseLockowner",
                           "Secinfo",
                           "FsidPresent",
                           "ExchangeID",
                           "CreateSession",
                           "DestroySession",
                           "Sequence",
                           "GetLeaseTime",
                           "ReclaimComplete",
                           "LayoutGet",
                           "GetDeviceInfo",
                           "LayoutCommit",
                           "LayoutReturn",
                           "SecinfoNoName",
                           "TestStateID",
                           "FreeStateID",
                           "GetDeviceList",
                           "BindConnToSession",
                           "DestroyClientID",
                           "Seek",
                           "Allocate",
                           "DeAllocate",
                           "LayoutStats",
                           "Clone"};

struct ClientStats {
  uint64_t net[4] = {};  // netcount, udpcount, tcpcount, tcpconnect
  uint64_t rpc[3] = {};  // calls, retransmissions, authrefresh
  std::vector<uint64_t> v2 = std::vector<uint64_t>(std::size(kV2));
  std::vector<uint64_t> v3 = std::vector<uint64_t>(std::size(kV3));
  std::vector<uint64_t> v4 = std::vector<uint64_t>(std::size(kV4));
};

// "procN <count> v1 ... v<count>": the count must match, and be at least min
// (older kernels' shorter v4 lines are padded with zeros).
bool ParseProcLine(const std::vector<uint64_t>& v, size_t min, std::vector<uint64_t>& out) {
  if (v.empty() || v[0] != v.size() - 1 || v[0] < min) return false;
  for (size_t i = 0; i < out.size(); ++i) out[i] = i + 1 < v.size() ? v[i + 1] : 0;
  return true;
}

common::Status Parse(const std::string& text, ClientStats& st) {
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.size() < 2) {
      return common::Status::Corruption("invalid NFS metric line \"" + std::string(line) + "\"");
    }
    std::vector<uint64_t> v;
    for (size_t i = 1; i < f.size(); ++i) {
      auto x = parse::ToUint(f[i]);
      if (!x) return common::Status::Corruption("unable to read NFS metric line");
      v.push_back(*x);
    }
    bool ok = true;
    if (f[0] == "net") {
      ok = v.size() == 4;
      if (ok) std::copy(v.begin(), v.end(), st.net);
    } else if (f[0] == "rpc") {
      ok = v.size() == 3;
      if (ok) std::copy(v.begin(), v.end(), st.rpc);
    } else if (f[0] == "proc2") {
      ok = ParseProcLine(v, 18, st.v2);
    } else if (f[0] == "proc3") {
      ok = ParseProcLine(v, 22, st.v3);
    } else if (f[0] == "proc4") {
      ok = ParseProcLine(v, 0, st.v4);
    } else {
      return common::Status::Corruption("unknown NFS metric line \"" + std::string(f[0]) + "\"");
    }
    if (!ok) {
      return common::Status::Corruption("errors parsing NFS metric line \"" + std::string(line) +
                                        "\"");
    }
  }
  return common::Status::OK();
}

class NfsCollector : public Collector {
 public:
  explicit NfsCollector(const CollectorConfig& c) : path_(c.paths.Proc("net/rpc/nfs")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    errno = 0;
    if (!common::ReadFileToString(path_, &text)) {
      if (errno == ENOENT) return common::Status::NotFound("not collecting NFS metrics");
      return common::Status::IOError("failed to retrieve nfs stats: cannot read " + path_);
    }
    ClientStats st;
    if (auto s = Parse(text, st); !s.ok()) {
      return s.WithContext("failed to retrieve nfs stats");
    }
    const char* packets_help = "Total NFSd network packets (sent+received) by protocol type.";
    sink.Counter("node_nfs_packets_total", packets_help, {{"protocol", "udp"}},
                 static_cast<double>(st.net[1]));
    sink.Counter("node_nfs_packets_total", packets_help, {{"protocol", "tcp"}},
                 static_cast<double>(st.net[2]));
    sink.Counter("node_nfs_connections_total", "Total number of NFSd TCP connections.", {},
                 static_cast<double>(st.net[3]));
    sink.Counter("node_nfs_rpcs_total", "Total number of RPCs performed.", {},
                 static_cast<double>(st.rpc[0]));
    sink.Counter("node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.", {},
                 static_cast<double>(st.rpc[1]));
    sink.Counter("node_nfs_rpc_authentication_refreshes_total",
                 "Number of RPC authentication refreshes performed.", {},
                 static_cast<double>(st.rpc[2]));
    auto emit = [&](const char* proto, const char* const* names, const std::vector<uint64_t>& v) {
      for (size_t i = 0; i < v.size(); ++i) {
        sink.Counter("node_nfs_requests_total", "Number of NFS procedures invoked.",
                     {{"method", names[i]}, {"proto", proto}}, static_cast<double>(v[i]));
      }
    };
    emit("2", kV2, st.v2);
    emit("3", kV3, st.v3);
    emit("4", kV4, st.v4);
    return common::Status::OK();
  }

 private:
  std::string path_;
};

REGISTER_COLLECTOR("nfs", true, NfsCollector);

}  // namespace
}  // namespace exporter
