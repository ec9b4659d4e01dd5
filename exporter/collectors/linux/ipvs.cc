// ipvs collector: IP Virtual Server totals from <procfs>/net/ip_vs_stats and
// per-backend state from <procfs>/net/ip_vs, as node_exporter 1.5's
// ipvs_linux.go. Backends are summed per value of the labels chosen with
// --collector.ipvs.backend-labels. No ip_vs_stats (no IPVS module) is NotFound.
#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

const char* const kAllLabels[] = {"local_address", "local_port", "remote_address",
                                  "remote_port",   "proto",      "local_mark"};

REGISTER_COLLECTOR_FLAG(ipvs_backend_labels, "collector.ipvs.backend-labels",
                        "local_address,local_port,remote_address,remote_port,proto,local_mark",
                        "Comma separated list for IPVS backend stats labels.");

std::optional<uint64_t> ParseHex(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Formats a 16-byte address as Go's net.IP.String() does: IPv4-mapped
// addresses as dotted quads, others in RFC 5952 form.
std::string FormatIPv6(const unsigned char b[16]) {
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char buf[INET6_ADDRSTRLEN];
  if (std::equal(kMapped, kMapped + 12, b)) {
    return std::to_string(b[12]) + "." + std::to_string(b[13]) + "." + std::to_string(b[14]) + "." +
           std::to_string(b[15]);
  }
  if (!inet_ntop(AF_INET6, b, buf, sizeof(buf))) return "";
  return buf;
}

// "C0A80016:0CEA" (IPv4 in hex) or "[2001:0db8:...:0001]:0050" (IPv6).
common::Status ParseIPPort(std::string_view s, std::string& ip, uint16_t& port) {
  if (s.size() == 13) {
    auto a = ParseHex(s.substr(0, 8));
    if (!a) return common::Status::Corruption("invalid IPv4 address in ip_vs: " + std::string(s));
    ip = std::to_string((*a >> 24) & 0xff) + "." + std::to_string((*a >> 16) & 0xff) + "." +
         std::to_string((*a >> 8) & 0xff) + "." + std::to_string(*a & 0xff);
  } else if (s.size() == 46) {
    unsigned char b[16];
    std::string addr(s.substr(1, 39));
    if (inet_pton(AF_INET6, addr.c_str(), b) != 1) {
      return common::Status::Corruption("invalid IPv6 address: " + addr);
    }
    ip = FormatIPv6(b);
  } else {
    return common::Status::Corruption("unexpected IP:Port: " + std::string(s));
  }
  auto p = ParseHex(s.substr(s.size() - 4));
  if (!p || *p > 0xffff) return common::Status::Corruption("bad port in " + std::string(s));
  port = static_cast<uint16_t>(*p);
  return common::Status::OK();
}

struct Backend {
  std::map<std::string, std::string> labels;
  uint64_t weight = 0, active = 0, inactive = 0;
};

common::Status ParseBackends(const std::string& text, std::vector<Backend>& out) {
  std::string proto, mark, local_ip;
  uint16_t local_port = 0;
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.empty()) continue;
    if (f[0] == "IP" || f[0] == "Prot" || (f.size() > 1 && f[1] == "RemoteAddress:Port")) {
      continue;
    }
    if (f[0] == "TCP" || f[0] == "UDP") {
      if (f.size() < 2) continue;
      proto = std::string(f[0]);
      mark.clear();
      if (auto s = ParseIPPort(f[1], local_ip, local_port); !s.ok()) return s;
    } else if (f[0] == "FWM") {
      if (f.size() < 2) continue;
      proto = "FWM";
      mark = std::string(f[1]);
      local_ip.clear();  // no address: an empty label
      local_port = 0;
    } else if (f[0] == "->") {
      if (f.size() < 6) continue;
      Backend b;
      std::string remote_ip;
      uint16_t remote_port = 0;
      if (auto s = ParseIPPort(f[1], remote_ip, remote_port); !s.ok()) return s;
      auto w = parse::ToUint(f[3]), a = parse::ToUint(f[4]), i = parse::ToUint(f[5]);
      if (!w || !a || !i) return common::Status::Corruption("bad backend line in ip_vs");
      b.weight = *w;
      b.active = *a;
      b.inactive = *i;
      b.labels = {{"local_address", local_ip},
                  {"local_port", std::to_string(local_port)},
                  {"remote_address", remote_ip},
                  {"remote_port", std::to_string(remote_port)},
                  {"proto", proto},
                  {"local_mark", mark}};
      out.push_back(std::move(b));
    }
  }
  return common::Status::OK();
}

class IpvsCollector : public Collector {
 public:
  explicit IpvsCollector(const CollectorConfig& c) : paths_(c.paths) {
    std::set<std::string> wanted;
    const std::string flag_value = c.Flag("collector.ipvs.backend-labels");
    std::string_view flag = flag_value;
    while (true) {
      size_t comma = flag.find(',');
      std::string_view l = flag.substr(0, comma);
      if (!l.empty()) wanted.emplace(l);
      if (comma == std::string_view::npos) break;
      flag.remove_prefix(comma + 1);
    }
    for (const char* l : kAllLabels) {
      if (wanted.erase(l)) labels_.push_back(l);
    }
    for (const auto& l : wanted) unknown_ += (unknown_.empty() ? "" : ", ") + l;
  }

  common::Status Update(MetricSink& sink) override {
    if (!unknown_.empty()) {
      return common::Status::InvalidArgument("unknown IPVS backend labels: \"" + unknown_ + "\"");
    }
    std::string path = paths_.Proc("net/ip_vs_stats");
    std::string text;
    errno = 0;
    if (!common::ReadFileToString(path, &text)) {
      if (errno == ENOENT) {
        return common::Status::NotFound("ipvs collector metrics are not available for this system");
      }
      return common::Status::IOError("could not get IPVS stats: cannot read " + path);
    }
    // The third line holds the five totals, in hex.
    auto lines = parse::Lines(text);
    size_t newlines = std::count(text.begin(), text.end(), '\n');
    if (newlines < 3) return common::Status::Corruption("ip_vs_stats corrupt: too short");
    auto f = parse::Fields(lines[2]);
    if (f.size() != 5) {
      return common::Status::Corruption("ip_vs_stats corrupt: unexpected number of fields");
    }
    uint64_t totals[5];
    for (size_t i = 0; i < 5; ++i) {
      auto v = ParseHex(f[i]);
      if (!v) return common::Status::Corruption("could not get IPVS stats: bad value");
      totals[i] = *v;
    }
    sink.Counter("node_ipvs_connections_total", "The total number of connections made.", {},
                 static_cast<double>(totals[0]));
    sink.Counter("node_ipvs_incoming_packets_total", "The total number of incoming packets.", {},
                 static_cast<double>(totals[1]));
    sink.Counter("node_ipvs_outgoing_packets_total", "The total number of outgoing packets.", {},
                 static_cast<double>(totals[2]));
    sink.Counter("node_ipvs_incoming_bytes_total", "The total amount of incoming data.", {},
                 static_cast<double>(totals[3]));
    sink.Counter("node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", {},
                 static_cast<double>(totals[4]));

    path = paths_.Proc("net/ip_vs");
    if (!common::ReadFileToString(path, &text)) {
      return common::Status::IOError("could not get backend status: cannot read " + path);
    }
    std::vector<Backend> backends;
    if (auto s = ParseBackends(text, backends); !s.ok()) {
      return s.WithContext("could not get backend status");
    }
    // Summed per combination of the chosen labels' values.
    std::map<std::vector<std::string>, Backend> sums;
    for (const Backend& b : backends) {
      std::vector<std::string> key;
      for (const std::string& l : labels_) key.push_back(b.labels.at(l));
      Backend& s = sums[key];
      s.active += b.active;
      s.inactive += b.inactive;
      s.weight += b.weight;
    }
    for (const auto& [key, s] : sums) {
      LabelPairs lp;
      for (size_t i = 0; i < labels_.size(); ++i) lp.push_back({labels_[i], key[i]});
      // Exposed in label-name order, as client_golang writes them.
      std::sort(lp.begin(), lp.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
      sink.Gauge("node_ipvs_backend_connections_active",
                 "The current active connections by local and remote address.", lp,
                 static_cast<double>(s.active));
      sink.Gauge("node_ipvs_backend_connections_inactive",
                 "The current inactive connections by local and remote address.", lp,
                 static_cast<double>(s.inactive));
      sink.Gauge("node_ipvs_backend_weight",
                 "The current backend weight by local and remote address.", lp,
                 static_cast<double>(s.weight));
    }
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
  std::vector<std::string> labels_;
  std::string unknown_;
};

REGISTER_COLLECTOR("ipvs", true, IpvsCollector);

}  // namespace
}  // namespace exporter
