// mdadm collector: md RAID array state from <procfs>/mdstat, as node_exporter
// 1.5's mdadm_linux.go (node_md_*{device}). No mdstat (md driver not loaded)
// is NotFound (ErrNoData); an unparsable one fails the collector.
#include <cerrno>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

struct MdStat {
  std::string name;
  std::string state;  // active, inactive, recovering, resyncing, checking
  int64_t active = 0, total = 0, failed = 0, spare = 0;
  int64_t blocks = 0, synced = 0;
};

size_t Count(std::string_view s, std::string_view sub) {
  size_t n = 0;
  for (size_t p = s.find(sub); p != std::string_view::npos; p = s.find(sub, p + sub.size())) ++n;
  return n;
}

bool Contains(std::string_view s, std::string_view sub) {
  return s.find(sub) != std::string_view::npos;
}

// The line under the device line: "<blocks> blocks ... [total/active] [UU_]".
common::Status EvalStatusLine(std::string_view device_line, std::string_view status_line,
                              MdStat& md) {
  auto f = parse::Fields(status_line);
  if (f.empty())
    return common::Status::Corruption("unexpected statusLine " + std::string(status_line));
  auto size = parse::ToInt(f[0]);
  if (!size) return common::Status::Corruption("unexpected statusLine " + std::string(status_line));
  md.blocks = *size;
  if (Contains(device_line, "raid0") || Contains(device_line, "linear")) {
    // Only member disks carry a "[n]" on the device line.
    md.total = md.active = static_cast<int64_t>(Count(device_line, "["));
    return common::Status::OK();
  }
  if (Contains(device_line, "inactive")) return common::Status::OK();
  static const RE2 kStatus(R"((\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\])");
  std::string blocks, total, active, disks;
  if (!RE2::PartialMatch(status_line, kStatus, &blocks, &total, &active, &disks)) {
    return common::Status::Corruption("couldn't find all the substring matches: " +
                                      std::string(status_line));
  }
  auto t = parse::ToInt(total), a = parse::ToInt(active);
  if (!t || !a)
    return common::Status::Corruption("unexpected statusLine " + std::string(status_line));
  md.total = *t;
  md.active = *a;
  return common::Status::OK();
}

// "[==>...]  recovery = 12.6% (1234/5678) finish=12.3min speed=1234K/sec":
// synced blocks; percentage, finish time and speed must be present too.
common::Status EvalRecoveryLine(std::string_view line, int64_t& synced) {
  static const RE2 kBlocks(R"(\((\d+)/\d+\))");
  static const RE2 kPct(R"(= (.+)%)");
  static const RE2 kFinish(R"(finish=(.+)min)");
  static const RE2 kSpeed(R"(speed=(.+)[A-Z])");
  std::string blocks, pct, finish, speed;
  if (!RE2::PartialMatch(line, kBlocks, &blocks)) {
    return common::Status::Corruption("unexpected recoveryLine: " + std::string(line));
  }
  auto b = parse::ToInt(blocks);
  if (!b) return common::Status::Corruption("error parsing int from recoveryLine");
  if (!RE2::PartialMatch(line, kPct, &pct) || !parse::ToDouble(parse::Trim(pct)) ||
      !RE2::PartialMatch(line, kFinish, &finish) || !parse::ToDouble(finish) ||
      !RE2::PartialMatch(line, kSpeed, &speed) || !parse::ToDouble(speed)) {
    return common::Status::Corruption("unexpected recoveryLine: " + std::string(line));
  }
  synced = *b;
  return common::Status::OK();
}

common::Status ParseMdstat(const std::string& text, std::vector<MdStat>& out) {
  // Split on '\n' keeping a trailing empty line, as a line count matters.
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (true) {
    size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (parse::Trim(line).empty() || line[0] == ' ' || line.substr(0, 13) == "Personalities" ||
        line.substr(0, 6) == "unused") {
      continue;
    }
    auto f = parse::Fields(line);
    if (f.size() < 3) {
      return common::Status::Corruption("not enough fields in mdline (expected at least 3): " +
                                        std::string(line));
    }
    MdStat md;
    md.name = std::string(f[0]);
    md.state = std::string(f[2]);
    if (lines.size() <= i + 3) {
      return common::Status::Corruption("error parsing \"" + md.name +
                                        "\": too few lines for md device");
    }
    md.failed = static_cast<int64_t>(Count(line, "(F)"));
    md.spare = static_cast<int64_t>(Count(line, "(S)"));
    if (auto s = EvalStatusLine(line, lines[i + 1], md); !s.ok()) return s;
    size_t sync_idx = i + 2;
    if (Contains(lines[i + 2], "bitmap")) ++sync_idx;
    std::string_view sync = lines[sync_idx];
    md.synced = md.blocks;
    bool recovering = Contains(sync, "recovery");
    bool resyncing = Contains(sync, "resync");
    bool checking = Contains(sync, "check");
    if (recovering || resyncing || checking) {
      md.state = recovering ? "recovering" : checking ? "checking" : "resyncing";
      if (Contains(sync, "PENDING") || Contains(sync, "DELAYED")) {
        md.synced = 0;
      } else if (auto s = EvalRecoveryLine(sync, md.synced); !s.ok()) {
        return s.WithContext("error parsing sync line in md device \"" + md.name + "\"");
      }
    }
    out.push_back(std::move(md));
  }
  return common::Status::OK();
}

class MdadmCollector : public Collector {
 public:
  explicit MdadmCollector(const CollectorConfig& c) : path_(c.paths.Proc("mdstat")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    errno = 0;
    if (!common::ReadFileToString(path_, &text)) {
      if (errno == ENOENT) {
        return common::Status::NotFound("Not collecting mdstat, file does not exist");
      }
      return common::Status::IOError("error parsing mdstatus: cannot read " + path_);
    }
    std::vector<MdStat> mds;
    if (auto s = ParseMdstat(text, mds); !s.ok()) return s.WithContext("error parsing mdstatus");
    const char* state_help = "Indicates the state of md-device.";
    const char* disks_help = "Number of active/failed/spare disks of device.";
    for (const MdStat& md : mds) {
      sink.Gauge("node_md_disks_required", "Total number of disks of device.",
                 {{"device", md.name}}, static_cast<double>(md.total));
      sink.Gauge("node_md_disks", disks_help, {{"device", md.name}, {"state", "active"}},
                 static_cast<double>(md.active));
      sink.Gauge("node_md_disks", disks_help, {{"device", md.name}, {"state", "failed"}},
                 static_cast<double>(md.failed));
      sink.Gauge("node_md_disks", disks_help, {{"device", md.name}, {"state", "spare"}},
                 static_cast<double>(md.spare));
      // One series per state node_exporter knows, 1 for the array's state.
      const std::pair<const char*, const char*> kStates[] = {{"active", "active"},
                                                             {"inactive", "inactive"},
                                                             {"recovering", "recovering"},
                                                             {"resync", "resyncing"},
                                                             {"check", "checking"}};
      for (const auto& [label, state] : kStates) {
        sink.Gauge("node_md_state", state_help, {{"device", md.name}, {"state", label}},
                   md.state == state ? 1 : 0);
      }
      sink.Gauge("node_md_blocks", "Total number of blocks on device.", {{"device", md.name}},
                 static_cast<double>(md.blocks));
      sink.Gauge("node_md_blocks_synced", "Number of blocks synced on device.",
                 {{"device", md.name}}, static_cast<double>(md.synced));
    }
    return common::Status::OK();
  }

 private:
  std::string path_;
};

REGISTER_COLLECTOR("mdadm", true, MdadmCollector);

}  // namespace
}  // namespace exporter
