// mountstats collector: NFS client statistics from <procfs>/self/mountstats,
// with each mount's server address from <procfs>/self/mountinfo, as
// node_exporter 1.5's mountstats_linux.go over prometheus/procfs
// (node_mountstats_nfs_*{export,protocol,mountaddr}; disabled by default).
//
// "self" is resolved the way procfs does (readlink of <procfs>/self, a PID), so
// a fixture tree can name the process whose mounts it describes. Only mounts
// with a statistics block (NFS v3/v4: "statvers=" on the device line) are
// reported; the n-th device entry of mountstats is the n-th line of mountinfo,
// whose "addr" super option is the mountaddr label. A mount of an export
// already reported (same device, protocol and address) is skipped. Any parse
// error in either file fails the collector before anything is emitted, as
// procfs returns no mounts at all then.
#include <unistd.h>

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// Counters the kernel keeps as u64 can exceed a float64's exact range; like
// node_exporter, they wrap at 2^53 instead of losing low-order precision.
constexpr uint64_t kFloat64Mantissa = 9007199254740992ULL;

struct NfsOp {
  std::string name;
  std::vector<uint64_t> v;  // requests, transmissions, major timeouts, bytes sent,
                            // bytes received, queue ms, response ms, request ms, ...
};

struct NfsTransport {
  std::string protocol;
  // port bind connect connect_idle idle sends receives bad_xids active backlog
  // max_slots sending_queue pending_queue
  std::array<uint64_t, 13> v{};
};

struct NfsStats {
  double age_seconds = 0;
  std::array<uint64_t, 8> bytes{};
  std::array<uint64_t, 27> events{};
  NfsTransport transport;
  std::vector<NfsOp> ops;
};

struct Mount {
  std::string device;
  std::optional<NfsStats> nfs;
};

using common::Status;

bool ParseUints(const std::vector<std::string_view>& f, size_t from, uint64_t* out) {
  for (size_t i = from; i < f.size(); ++i) {
    auto v = parse::ToUint(f[i]);
    if (!v) return false;
    out[i - from] = *v;
  }
  return true;
}

// [+-]digits[.digits], as a Go duration's number.
bool IsDecimal(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool digits = false, dot = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

// A line cursor over the file, as procfs's bufio.Scanner.
struct Lines {
  std::vector<std::string_view> lines;
  size_t next = 0;
  bool Scan(std::vector<std::string_view>* fields) {
    if (next >= lines.size()) return false;
    *fields = parse::Fields(lines[next++]);
    return true;
  }
};

Status ParseTransport(const std::vector<std::string_view>& f, const std::string& version,
                      NfsTransport* t) {
  // f[0] is "xprt:", f[1] the protocol.
  const std::string_view proto = f[1];
  size_t want = 0;
  if (version == "1.0" || version == "1.1") {
    if (proto == "tcp") {
      want = version == "1.0" ? 10 : 13;
    } else if (proto == "udp") {
      want = version == "1.0" ? 7 : 10;
    } else {
      return Status::Corruption("invalid NFS protocol \"" + std::string(proto) + "\" in stats " +
                                version + " statement");
    }
  } else {
    return Status::Corruption("unrecognized NFS transport stats version: \"" + version + "\"");
  }
  if (f.size() - 2 != want) {
    return Status::Corruption("invalid NFS transport stats " + version + " statement");
  }
  std::array<uint64_t, 13> ns{};
  if (!ParseUints(f, 2, ns.data())) return Status::Corruption("invalid NFS transport value");
  if (proto == "udp") {
    // udp has no connect count, connect idle time or idle time: shift the
    // rest past those three, leaving them zero.
    std::array<uint64_t, 13> shifted{};
    shifted[0] = ns[0];
    shifted[1] = ns[1];
    for (size_t i = 2; i + 3 < shifted.size(); ++i) shifted[i + 3] = ns[i];
    ns = shifted;
  }
  t->protocol = std::string(proto);
  t->v = ns;
  return Status::OK();
}

Status ParseNfsStats(Lines& in, const std::string& version, NfsStats* st) {
  std::vector<std::string_view> f;
  while (in.Scan(&f)) {
    if (f.empty()) break;
    const std::string_view key = f[0];
    if (key == "opts:" || key == "age:" || key == "bytes:" || key == "events:") {
      if (f.size() < 2) return Status::Corruption("not enough information for NFS stats");
    }
    if (key == "age:") {
      // procfs reads it as a Go duration "<age>s": a decimal number, no exponent.
      std::string_view age = f[1];
      if (!age.empty() && age[0] == '+') age.remove_prefix(1);
      auto v = IsDecimal(f[1]) ? parse::ToDouble(age) : std::nullopt;
      if (!v) return Status::Corruption("invalid NFS age " + std::string(f[1]));
      st->age_seconds = *v;
    } else if (key == "bytes:") {
      if (f.size() - 1 != st->bytes.size() || !ParseUints(f, 1, st->bytes.data())) {
        return Status::Corruption("invalid NFS bytes stats");
      }
    } else if (key == "events:") {
      if (f.size() - 1 != st->events.size() || !ParseUints(f, 1, st->events.data())) {
        return Status::Corruption("invalid NFS events stats");
      }
    } else if (key == "xprt:") {
      if (f.size() < 3) return Status::Corruption("not enough information for NFS transport stats");
      Status s = ParseTransport(f, version, &st->transport);
      if (!s.ok()) return s;
    }
    // The per-operation table comes last, up to the blank line that ends the
    // mount's block.
    if (key == "per-op") break;
  }
  while (in.Scan(&f)) {
    if (f.empty()) break;
    if (f.size() < 9) return Status::Corruption("invalid NFS per-operations stats");
    NfsOp op;
    op.name = std::string(f[0]);
    if (!op.name.empty() && op.name.back() == ':') op.name.pop_back();
    op.v.resize(f.size() - 1);
    if (!ParseUints(f, 1, op.v.data())) return Status::Corruption("invalid NFS operation value");
    st->ops.push_back(std::move(op));
  }
  return Status::OK();
}

Status ParseMountStats(const std::string& text, std::vector<Mount>* mounts) {
  Lines in{parse::Lines(text)};
  std::vector<std::string_view> f;
  while (in.Scan(&f)) {
    if (f.empty() || f[0] != "device") continue;
    if (f.size() < 8 || f[2] != "mounted" || f[3] != "on" || f[5] != "with" || f[6] != "fstype") {
      return Status::Corruption("invalid device entry");
    }
    Mount m;
    m.device = std::string(f[1]);
    if (f.size() > 8) {
      if (f[7] != "nfs" && f[7] != "nfs4") {
        return Status::Corruption("cannot parse MountStats for fstype " + std::string(f[7]));
      }
      std::string_view version = f[8];
      if (version.substr(0, 9) == "statvers=") version.remove_prefix(9);
      NfsStats st;
      Status s = ParseNfsStats(in, std::string(version), &st);
      if (!s.ok()) return s;
      m.nfs = std::move(st);
    }
    mounts->push_back(std::move(m));
  }
  return Status::OK();
}

// The "addr" super option of each mountinfo line, in order.
Status ParseMountInfoAddrs(const std::string& text, std::vector<std::string>* addrs) {
  for (std::string_view line : parse::Lines(text)) {
    // Split on single spaces, as procfs does.
    std::vector<std::string_view> f;
    size_t start = 0;
    while (true) {
      size_t sp = line.find(' ', start);
      f.push_back(line.substr(start, sp == std::string_view::npos ? sp : sp - start));
      if (sp == std::string_view::npos) break;
      start = sp + 1;
    }
    const size_t n = f.size();
    if (n < 10) return Status::Corruption("couldn't find enough fields in mount string");
    if (f[n - 4] != "-") return Status::Corruption("couldn't find separator in expected field");
    if (!parse::ToInt(f[0])) return Status::Corruption("failed to parse mount ID");
    if (!parse::ToInt(f[1])) return Status::Corruption("failed to parse parent ID");
    std::string addr;
    std::string_view opts = f[n - 1];
    while (true) {
      size_t comma = opts.find(',');
      std::string_view opt = opts.substr(0, comma);
      size_t eq = opt.find('=');
      if (eq != std::string_view::npos && opt.substr(0, eq) == "addr") {
        std::string_view value = opt.substr(eq + 1);
        addr = std::string(value.substr(0, value.find('=')));
      } else if (eq == std::string_view::npos && opt == "addr") {
        addr.clear();
      }
      if (comma == std::string_view::npos) break;
      opts.remove_prefix(comma + 1);
    }
    addrs->push_back(std::move(addr));
  }
  return Status::OK();
}

struct Desc {
  const char* name;
  const char* help;
};

constexpr Desc kBytes[] = {
    {"node_mountstats_nfs_read_bytes_total", "Number of bytes read using the read() syscall."},
    {"node_mountstats_nfs_write_bytes_total", "Number of bytes written using the write() syscall."},
    {"node_mountstats_nfs_direct_read_bytes_total",
     "Number of bytes read using the read() syscall in O_DIRECT mode."},
    {"node_mountstats_nfs_direct_write_bytes_total",
     "Number of bytes written using the write() syscall in O_DIRECT mode."},
    {"node_mountstats_nfs_total_read_bytes_total",
     "Number of bytes read from the NFS server, in total."},
    {"node_mountstats_nfs_total_write_bytes_total",
     "Number of bytes written to the NFS server, in total."},
    {"node_mountstats_nfs_read_pages_total", "Number of pages read directly via mmap()'d files."},
    {"node_mountstats_nfs_write_pages_total",
     "Number of pages written directly via mmap()'d files."},
};

// Event counters by their position in the "events:" line; position 18
// (congestion wait) is not exported.
struct EventDesc {
  size_t index;
  Desc desc;
};
constexpr EventDesc kEvents[] = {
    {0,
     {"node_mountstats_nfs_event_inode_revalidate_total",
      "Number of times cached inode attributes are re-validated from the server."}},
    {1,
     {"node_mountstats_nfs_event_dnode_revalidate_total",
      "Number of times cached dentry nodes are re-validated from the server."}},
    {2,
     {"node_mountstats_nfs_event_data_invalidate_total",
      "Number of times an inode cache is cleared."}},
    {3,
     {"node_mountstats_nfs_event_attribute_invalidate_total",
      "Number of times cached inode attributes are invalidated."}},
    {4,
     {"node_mountstats_nfs_event_vfs_open_total",
      "Number of times cached inode attributes are invalidated."}},
    {5,
     {"node_mountstats_nfs_event_vfs_lookup_total",
      "Number of times a directory lookup has occurred."}},
    {6,
     {"node_mountstats_nfs_event_vfs_access_total",
      "Number of times permissions have been checked."}},
    {7,
     {"node_mountstats_nfs_event_vfs_update_page_total",
      "Number of updates (and potential writes) to pages."}},
    {8,
     {"node_mountstats_nfs_event_vfs_read_page_total",
      "Number of pages read directly via mmap()'d files."}},
    {9,
     {"node_mountstats_nfs_event_vfs_read_pages_total",
      "Number of times a group of pages have been read."}},
    {10,
     {"node_mountstats_nfs_event_vfs_write_page_total",
      "Number of pages written directly via mmap()'d files."}},
    {11,
     {"node_mountstats_nfs_event_vfs_write_pages_total",
      "Number of times a group of pages have been written."}},
    {12,
     {"node_mountstats_nfs_event_vfs_getdents_total",
      "Number of times directory entries have been read with getdents()."}},
    {13,
     {"node_mountstats_nfs_event_vfs_setattr_total",
      "Number of times directory entries have been read with getdents()."}},
    {14,
     {"node_mountstats_nfs_event_vfs_flush_total",
      "Number of pending writes that have been forcefully flushed to the server."}},
    {15,
     {"node_mountstats_nfs_event_vfs_fsync_total",
      "Number of times fsync() has been called on directories and files."}},
    {16,
     {"node_mountstats_nfs_event_vfs_lock_total",
      "Number of times locking has been attempted on a file."}},
    {17,
     {"node_mountstats_nfs_event_vfs_file_release_total",
      "Number of times files have been closed and released."}},
    {19,
     {"node_mountstats_nfs_event_truncation_total", "Number of times files have been truncated."}},
    {20,
     {"node_mountstats_nfs_event_write_extension_total",
      "Number of times a file has been grown due to writes beyond its existing end."}},
    {21,
     {"node_mountstats_nfs_event_silly_rename_total",
      "Number of times a file was removed while still open by another process."}},
    {22,
     {"node_mountstats_nfs_event_short_read_total",
      "Number of times the NFS server gave less data than expected while reading."}},
    {23,
     {"node_mountstats_nfs_event_short_write_total",
      "Number of times the NFS server wrote less data than expected while writing."}},
    {24,
     {"node_mountstats_nfs_event_jukebox_delay_total",
      "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline storage."}},
    {25, {"node_mountstats_nfs_event_pnfs_read_total", "Number of NFS v4.1+ pNFS reads."}},
    {26, {"node_mountstats_nfs_event_pnfs_write_total", "Number of NFS v4.1+ pNFS writes."}},
};

class MountStatsCollector : public Collector {
 public:
  explicit MountStatsCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    std::string pid_dir;
    Status s = SelfDir(&pid_dir);
    if (!s.ok()) return s;

    std::string text;
    const std::string stats_path = pid_dir + "/mountstats";
    if (!common::ReadFileToString(stats_path, &text)) {
      return Status::IOError("failed to parse mountstats: cannot read " + stats_path);
    }
    std::vector<Mount> mounts;
    s = ParseMountStats(text, &mounts);
    if (!s.ok()) return s.WithContext("failed to parse mountstats");

    const std::string info_path = pid_dir + "/mountinfo";
    if (!common::ReadFileToString(info_path, &text)) {
      return Status::IOError("failed to parse mountinfo: cannot read " + info_path);
    }
    std::vector<std::string> addrs;
    s = ParseMountInfoAddrs(text, &addrs);
    if (!s.ok()) return s.WithContext("failed to parse mountinfo");

    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (size_t i = 0; i < mounts.size(); ++i) {
      if (!mounts[i].nfs) continue;
      const NfsStats& st = *mounts[i].nfs;
      const std::string addr = i < addrs.size() ? addrs[i] : "";
      if (!seen.insert({mounts[i].device, st.transport.protocol, addr}).second) continue;
      Emit(sink, st, mounts[i].device, addr);
    }
    return Status::OK();
  }

 private:
  // <procfs>/<pid> for the PID <procfs>/self links to.
  Status SelfDir(std::string* dir) const {
    const std::string self = paths_.Proc("self");
    char buf[256];
    ssize_t n = readlink(self.c_str(), buf, sizeof(buf) - 1);
    if (n < 0) return Status::IOError("failed to open /proc/self: cannot readlink " + self);
    std::string target(buf, static_cast<size_t>(n));
    // procfs strips the procfs root from an absolute link target.
    for (size_t p;
         !paths_.procfs.empty() && (p = target.find(paths_.procfs)) != std::string::npos;) {
      target.erase(p, paths_.procfs.size());
    }
    auto pid = parse::ToInt(target);
    if (!pid) return Status::IOError("failed to open /proc/self: bad link target " + target);
    *dir = paths_.Proc(std::to_string(*pid));
    return Status::OK();
  }

  static void Emit(MetricSink& sink, const NfsStats& st, const std::string& device,
                   const std::string& addr) {
    // In name order, as node_exporter writes them.
    const LabelPairs labels = {
        {"export", device}, {"mountaddr", addr}, {"protocol", st.transport.protocol}};
    sink.Counter("node_mountstats_nfs_age_seconds_total", "The age of the NFS mount in seconds.",
                 labels, st.age_seconds);
    for (size_t i = 0; i < st.bytes.size(); ++i) {
      sink.Counter(kBytes[i].name, kBytes[i].help, labels, static_cast<double>(st.bytes[i]));
    }

    const auto& t = st.transport.v;
    auto counter = [&](const char* name, const char* help, uint64_t v) {
      sink.Counter(name, help, labels, static_cast<double>(v));
    };
    counter("node_mountstats_nfs_transport_bind_total",
            "Number of times the client has had to establish a connection from scratch to the NFS "
            "server.",
            t[1]);
    counter("node_mountstats_nfs_transport_connect_total",
            "Number of times the client has made a TCP connection to the NFS server.", t[2]);
    sink.Gauge("node_mountstats_nfs_transport_idle_time_seconds",
               "Duration since the NFS mount last saw any RPC traffic, in seconds.", labels,
               static_cast<double>(t[4] % kFloat64Mantissa));
    counter("node_mountstats_nfs_transport_sends_total",
            "Number of RPC requests for this mount sent to the NFS server.", t[5]);
    counter("node_mountstats_nfs_transport_receives_total",
            "Number of RPC responses for this mount received from the NFS server.", t[6]);
    counter("node_mountstats_nfs_transport_bad_transaction_ids_total",
            "Number of times the NFS server sent a response with a transaction ID unknown to this "
            "client.",
            t[7]);
    counter("node_mountstats_nfs_transport_backlog_queue_total",
            "Total number of items added to the RPC backlog queue.", t[9]);
    sink.Gauge("node_mountstats_nfs_transport_maximum_rpc_slots",
               "Maximum number of simultaneously active RPC requests ever used.", labels,
               static_cast<double>(t[10]));
    counter("node_mountstats_nfs_transport_sending_queue_total",
            "Total number of items added to the RPC transmission sending queue.", t[11]);
    counter("node_mountstats_nfs_transport_pending_queue_total",
            "Total number of items added to the RPC transmission pending queue.", t[12]);

    for (const NfsOp& op : st.ops) {
      LabelPairs ol = labels;
      ol.insert(ol.begin() + 2, {"operation", op.name});
      auto opc = [&](const char* name, const char* help, double v) {
        sink.Counter(name, help, ol, v);
      };
      const auto& v = op.v;
      opc("node_mountstats_nfs_operations_requests_total",
          "Number of requests performed for a given operation.", static_cast<double>(v[0]));
      opc("node_mountstats_nfs_operations_transmissions_total",
          "Number of times an actual RPC request has been transmitted for a given operation.",
          static_cast<double>(v[1]));
      opc("node_mountstats_nfs_operations_major_timeouts_total",
          "Number of times a request has had a major timeout for a given operation.",
          static_cast<double>(v[2]));
      opc("node_mountstats_nfs_operations_sent_bytes_total",
          "Number of bytes sent for a given operation, including RPC headers and payload.",
          static_cast<double>(v[3]));
      opc("node_mountstats_nfs_operations_received_bytes_total",
          "Number of bytes received for a given operation, including RPC headers and payload.",
          static_cast<double>(v[4]));
      opc("node_mountstats_nfs_operations_queue_time_seconds_total",
          "Duration all requests spent queued for transmission for a given operation before they "
          "were sent, in seconds.",
          static_cast<double>(v[5] % kFloat64Mantissa) / 1000.0);
      opc("node_mountstats_nfs_operations_response_time_seconds_total",
          "Duration all requests took to get a reply back after a request for a given operation "
          "was transmitted, in seconds.",
          static_cast<double>(v[6] % kFloat64Mantissa) / 1000.0);
      opc("node_mountstats_nfs_operations_request_time_seconds_total",
          "Duration all requests took from when a request was enqueued to when it was completely "
          "handled for a given operation, in seconds.",
          static_cast<double>(v[7] % kFloat64Mantissa) / 1000.0);
    }

    for (const EventDesc& e : kEvents) {
      sink.Counter(e.desc.name, e.desc.help, labels, static_cast<double>(st.events[e.index]));
    }
  }

  common::HostPaths paths_;
};

REGISTER_COLLECTOR("mountstats", false, MountStatsCollector);

}  // namespace
}  // namespace exporter
