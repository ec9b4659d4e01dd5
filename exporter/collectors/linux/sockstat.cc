// sockstat collector: socket counts per protocol from <procfs>/net/sockstat and
// net/sockstat6, as node_exporter 1.5's sockstat_linux.go
// (node_sockstat_<PROTO>_<key>). Either file may be missing (IPv4 or IPv6
// disabled): it is then skipped, and the collector still succeeds.
#include <unistd.h>

#include <cerrno>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

struct SockstatProtocol {
  std::string name;
  std::map<std::string, int64_t> kv;
};

struct Sockstat {
  std::optional<int64_t> used;  // only IPv4's "sockets: used N"
  std::vector<SockstatProtocol> protocols;
};

// Each line is "PROTO: key value [key value...]", split on single spaces.
common::Status ParseSockstat(const std::string& path, const std::string& text, Sockstat& out) {
  for (std::string_view line : parse::Lines(text)) {
    std::vector<std::string_view> f;
    for (std::string_view rest = line;;) {
      size_t sp = rest.find(' ');
      f.push_back(rest.substr(0, sp));
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
    if (f.size() < 3) {
      return common::Status::Corruption("malformed sockstat line in " + path + ": " +
                                        std::string(line));
    }
    if ((f.size() - 1) % 2 != 0) {
      return common::Status::Corruption("odd number of fields in sockstat line in " + path);
    }
    std::map<std::string, int64_t> kv;
    for (size_t i = 1; i < f.size(); i += 2) {
      auto v = parse::ToInt(f[i + 1]);
      if (!v) return common::Status::Corruption("bad sockstat value in " + path);
      kv[std::string(f[i])] = *v;
    }
    std::string_view proto = f[0];
    if (!proto.empty() && proto.back() == ':') proto.remove_suffix(1);
    if (proto == "sockets") {
      out.used = kv.count("used") ? kv["used"] : 0;
    } else {
      out.protocols.push_back({std::string(proto), std::move(kv)});
    }
  }
  return common::Status::OK();
}

class SockstatCollector : public Collector {
 public:
  explicit SockstatCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    for (const char* file : {"net/sockstat", "net/sockstat6"}) {
      std::string path = paths_.Proc(file);
      std::string text;
      errno = 0;
      if (!common::ReadFileToString(path, &text)) {
        if (errno == ENOENT) continue;  // that IP version is disabled
        return common::Status::IOError("cannot read " + path);
      }
      Sockstat st;
      if (auto s = ParseSockstat(path, text, st); !s.ok()) return s;
      Emit(sink, st, std::string(file) == "net/sockstat6");
    }
    return common::Status::OK();
  }

 private:
  static void Emit(MetricSink& sink, const Sockstat& st, bool ipv6) {
    if (!ipv6 && st.used) {
      sink.Gauge("node_sockstat_sockets_used", "Number of IPv4 sockets in use.", {},
                 static_cast<double>(*st.used));
    }
    static const long page_size = sysconf(_SC_PAGESIZE);
    for (const SockstatProtocol& p : st.protocols) {
      auto emit = [&](const std::string& key, double v) {
        sink.Gauge("node_sockstat_" + p.name + "_" + key,
                   "Number of " + p.name + " sockets in state " + key + ".", {}, v);
      };
      // inuse is always exported (0 when the line lacks it); the rest only
      // when the kernel reports them for this protocol.
      auto inuse = p.kv.find("inuse");
      emit("inuse", inuse == p.kv.end() ? 0 : static_cast<double>(inuse->second));
      for (const char* key : {"orphan", "tw", "alloc", "mem", "memory"}) {
        auto it = p.kv.find(key);
        if (it != p.kv.end()) emit(key, static_cast<double>(it->second));
      }
      // mem is in pages; also export it in bytes.
      if (auto it = p.kv.find("mem"); it != p.kv.end()) {
        emit("mem_bytes", static_cast<double>(it->second * page_size));
      }
    }
  }

  common::HostPaths paths_;
};

REGISTER_COLLECTOR("sockstat", true, SockstatCollector);

}  // namespace
}  // namespace exporter
