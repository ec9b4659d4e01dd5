// netstat collector: protocol counters from <procfs>/net/netstat, net/snmp and
// net/snmp6, as node_exporter 1.5's netstat_linux.go. Every "<Proto>_<Name>"
// matching --collector.netstat.fields becomes node_netstat_<Proto>_<Name>,
// untyped, since these tables mix counters and gauges.
//
// netstat and snmp are required (their absence fails the collector); snmp6 is
// absent on hosts without IPv6 and is then skipped.
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/field_filter.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(
    netstat_fields, "collector.netstat.fields",
    "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
    "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|"
    "OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|"
    "RcvbufErrors|SndbufErrors))$",
    "Regexp of fields to return for netstat collector.");

// protocol -> field -> raw value.
using ProtoStats = std::map<std::string, std::map<std::string, std::string>>;

// Splits on single spaces, as the kernel writes these tables; empty fields
// count, so a stray double space shows up as a column mismatch.
std::vector<std::string_view> SplitSpace(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    size_t sp = line.find(' ');
    out.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  return out;
}

// net/netstat and net/snmp: pairs of lines "Proto: A B C" / "Proto: 1 2 3".
// A later table of the same protocol replaces the earlier one.
common::Status ParsePairedTable(const std::string& path, const std::string& text,
                                ProtoStats& stats) {
  std::vector<std::string_view> lines = parse::Lines(text);
  for (size_t i = 0; i < lines.size(); i += 2) {
    auto names = SplitSpace(lines[i]);
    auto values = SplitSpace(i + 1 < lines.size() ? lines[i + 1] : std::string_view());
    std::string protocol(names[0].empty() ? names[0] : names[0].substr(0, names[0].size() - 1));
    auto& m = stats[protocol];
    m.clear();
    if (names.size() != values.size()) {
      return common::Status::Corruption("mismatch field count mismatch in " + path + ": " +
                                        protocol);
    }
    for (size_t j = 1; j < names.size(); ++j) m[std::string(names[j])] = std::string(values[j]);
  }
  return common::Status::OK();
}

// net/snmp6: "Ip6InReceives   4" lines; the protocol is the name up to and
// including its first '6'. Lines without a '6' in the name are skipped.
void ParseSnmp6(const std::string& text, ProtoStats& stats) {
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.size() < 2) continue;
    size_t six = f[0].find('6');
    if (six == std::string_view::npos) continue;
    stats[std::string(f[0].substr(0, six + 1))][std::string(f[0].substr(six + 1))] =
        std::string(f[1]);
  }
}

class NetstatCollector : public Collector {
 public:
  explicit NetstatCollector(const CollectorConfig& c)
      : paths_(c.paths), fields_(c.Flag("collector.netstat.fields")) {}

  common::Status Check() const override {
    if (!fields_.ok()) return common::Status::InvalidArgument("invalid netstat fields regexp");
    return common::Status::OK();
  }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    ProtoStats netstat, snmp, snmp6;
    std::string text;
    std::string path = paths_.Proc("net/netstat");
    if (!common::ReadFileToString(path, &text)) {
      return common::Status::IOError("couldn't get netstats: cannot read " + path);
    }
    if (auto s = ParsePairedTable(path, text, netstat); !s.ok()) return s;
    path = paths_.Proc("net/snmp");
    if (!common::ReadFileToString(path, &text)) {
      return common::Status::IOError("couldn't get SNMP stats: cannot read " + path);
    }
    if (auto s = ParsePairedTable(path, text, snmp); !s.ok()) return s;
    path = paths_.Proc("net/snmp6");
    errno = 0;
    if (common::ReadFileToString(path, &text)) {
      ParseSnmp6(text, snmp6);
    } else if (errno != ENOENT) {
      return common::Status::IOError("couldn't get SNMP6 stats: cannot read " + path);
    }
    // Merged per protocol, as node_exporter does: a protocol's table from a
    // later file replaces the earlier one as a whole.
    for (auto& [proto, m] : snmp) netstat[proto] = std::move(m);
    for (auto& [proto, m] : snmp6) netstat[proto] = std::move(m);

    for (const auto& [proto, m] : netstat) {
      for (const auto& [name, raw] : m) {
        auto v = parse::ToDouble(raw);
        if (!v) return common::Status::Corruption("invalid value " + raw + " in netstats");
        std::string key = proto + "_" + name;
        if (!fields_.Wanted(key)) continue;
        sink.Untyped("node_netstat_" + key, "Statistic " + proto + name + ".", {}, *v);
      }
    }
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
  FieldFilter fields_;
};

REGISTER_COLLECTOR("netstat", true, NetstatCollector);

}  // namespace
}  // namespace exporter
