// udp_queues collector: bytes queued in UDP sockets, summed over the sockets of
// <procfs>/net/udp and net/udp6, as node_exporter 1.5's udp_queues_linux.go
// (node_udp_queues{ip,queue}). A missing table (IP version disabled) is
// skipped; both missing is NotFound (ErrNoData).
#include <cctype>
#include <cerrno>
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

std::optional<uint64_t> ParseHex(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "ADDR:PORT" in hex, ADDR being 8 (IPv4) or 32 (IPv6) hex digits.
bool ValidAddress(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view ip = s.substr(0, colon), port = s.substr(colon + 1);
  if (ip.size() != 8 && ip.size() != 32) return false;
  for (char ch : ip) {
    if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
  }
  return ParseHex(port).has_value();
}

struct QueueSums {
  uint64_t tx = 0;
  uint64_t rx = 0;
};

// Sums tx_queue and rx_queue (column 5, "TX:RX" in hex) over the socket lines
// after the header; a malformed line fails the whole table.
common::Status ParseTable(const std::string& path, const std::string& text, QueueSums& out) {
  auto lines = parse::Lines(text);
  for (size_t i = 1; i < lines.size(); ++i) {
    auto f = parse::Fields(lines[i]);
    if (f.size() < 10) {
      return common::Status::Corruption(
          "cannot parse net socket line as it has less then 10 "
          "columns in " +
          path);
    }
    size_t c = f[0].find(':');
    if (c == std::string_view::npos || !parse::ToUint(f[0].substr(0, c))) {
      return common::Status::Corruption("cannot parse sl in " + path);
    }
    if (!ValidAddress(f[1]) || !ValidAddress(f[2])) {
      return common::Status::Corruption("cannot parse address in " + path);
    }
    if (!ParseHex(f[3])) return common::Status::Corruption("cannot parse st in " + path);
    size_t q = f[4].find(':');
    if (q == std::string_view::npos) {
      return common::Status::Corruption("cannot parse tx/rx queues in " + path);
    }
    auto tx = ParseHex(f[4].substr(0, q)), rx = ParseHex(f[4].substr(q + 1));
    if (!tx || !rx) return common::Status::Corruption("cannot parse tx/rx queues in " + path);
    if (!parse::ToUint(f[7]) || !parse::ToUint(f[9])) {
      return common::Status::Corruption("cannot parse uid or inode in " + path);
    }
    out.tx += *tx;
    out.rx += *rx;
  }
  return common::Status::OK();
}

class UdpQueuesCollector : public Collector {
 public:
  explicit UdpQueuesCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    int missing = 0;
    for (auto [file, ip] : {std::pair{"net/udp", "v4"}, std::pair{"net/udp6", "v6"}}) {
      std::string path = paths_.Proc(file);
      std::string text;
      errno = 0;
      if (!common::ReadFileToString(path, &text)) {
        if (errno == ENOENT) {
          ++missing;
          continue;
        }
        return common::Status::IOError("couldn't get udp queued bytes: cannot read " + path);
      }
      QueueSums sums;
      if (auto s = ParseTable(path, text, sums); !s.ok()) return s;
      const char* help = "Number of allocated memory in the kernel for UDP datagrams in bytes.";
      sink.Gauge("node_udp_queues", help, {{"ip", ip}, {"queue", "tx"}},
                 static_cast<double>(sums.tx));
      sink.Gauge("node_udp_queues", help, {{"ip", ip}, {"queue", "rx"}},
                 static_cast<double>(sums.rx));
    }
    if (missing == 2) return common::Status::NotFound("no udp or udp6 socket table");
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
};

REGISTER_COLLECTOR("udp_queues", true, UdpQueuesCollector);

}  // namespace
}  // namespace exporter
