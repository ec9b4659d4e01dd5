// interrupts collector: per-CPU interrupt counts from <procfs>/interrupts, as
// node_exporter 1.5's interrupts_linux.go (node_interrupts_total{cpu,type,info,
// devices}; disabled by default).
//
// The header line gives the number of CPU columns. A row needs a name, one
// value per CPU and at least one detail field, so the single-column ERR/MIS rows
// are skipped. Numbered IRQs split their details into the controller ("info")
// and the rest ("devices"); named rows (NMI, LOC...) keep all details in "info".
// Like node_exporter 1.5, a row is split on whitespace, not on its ':'.
#include <map>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

struct Interrupt {
  std::string info;
  std::string devices;
  std::vector<std::string_view> values;
};

std::string Join(const std::vector<std::string_view>& parts, size_t from) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    if (i > from) out.push_back(' ');
    out.append(parts[i]);
  }
  return out;
}

// Go's strconv.Atoi: an optional sign, then decimal digits.
bool IsDecimalInt(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class InterruptsCollector : public Collector {
 public:
  explicit InterruptsCollector(const CollectorConfig& c) : path_(c.paths.Proc("interrupts")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("couldn't get interrupts: cannot read " + path_);
    }
    auto lines = parse::Lines(text);
    if (lines.empty())
      return common::Status::Corruption("couldn't get interrupts: interrupts empty");
    const size_t ncpu = parse::Fields(lines[0]).size();

    // Keyed by name: a repeated name keeps its last row, as node_exporter's map.
    std::map<std::string, Interrupt> interrupts;
    for (size_t i = 1; i < lines.size(); ++i) {
      auto parts = parse::Fields(lines[i]);
      if (parts.size() < ncpu + 2) continue;
      std::string name(parts[0].substr(0, parts[0].size() - 1));  // drop the ':'
      Interrupt intr;
      intr.values.assign(parts.begin() + 1, parts.begin() + 1 + ncpu);
      if (IsDecimalInt(name)) {
        intr.info = std::string(parts[ncpu + 1]);
        intr.devices = Join(parts, ncpu + 2);
      } else {
        intr.info = Join(parts, ncpu + 1);
      }
      interrupts[name] = std::move(intr);
    }
    // Like node_exporter, values are parsed while emitting: a bad one fails the
    // collector after the samples before it. (node_exporter walks the rows in
    // Go map order, so which samples precede a bad value varies there.)
    for (const auto& [name, intr] : interrupts) {
      for (size_t c = 0; c < intr.values.size(); ++c) {
        auto v = parse::ToDouble(intr.values[c]);
        if (!v) {
          return common::Status::Corruption("couldn't get interrupts: invalid value " +
                                            std::string(intr.values[c]) + " in interrupts");
        }
        sink.Counter("node_interrupts_total", "Interrupt details.",
                     {{"cpu", std::to_string(c)},
                      {"devices", intr.devices},
                      {"info", intr.info},
                      {"type", name}},
                     *v);
      }
    }
    return common::Status::OK();
  }

 private:
  std::string path_;
};

REGISTER_COLLECTOR("interrupts", false, InterruptsCollector);

}  // namespace
}  // namespace exporter
