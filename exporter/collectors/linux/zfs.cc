// zfs collector: ZFS kstats from <procfs>/spl/kstat/zfs, as node_exporter 1.5's
// zfs_linux.go: each named uint64 kstat of the module-wide files becomes
// node_<subsystem>_<name> (untyped, HELP the kstat path), and per pool the io
// counters, objset (dataset) counters and state. No spl/kstat/zfs (no ZFS
// module) is NotFound (ErrNoData); a missing kstat file is skipped, since they
// come and go with ZFS versions.
#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

namespace fs = std::filesystem;

// {subsystem, kstat file}. "dbuf_stats" is node_exporter 1.5's name for the
// file the kernel calls dbufstats, so that subsystem is never found there.
const std::pair<const char*, const char*> kFiles[] = {
    {"zfs_abd", "abdstats"},
    {"zfs_arc", "arcstats"},
    {"zfs_dbuf", "dbuf_stats"},
    {"zfs_dmu_tx", "dmu_tx"},
    {"zfs_dnode", "dnodestats"},
    {"zfs_fm", "fm"},
    {"zfs_vdev_cache", "vdev_cache_stats"},
    {"zfs_vdev_mirror", "vdev_mirror_stats"},
    {"zfs_xuio", "xuio_stats"},
    {"zfs_zfetch", "zfetchstats"},
    {"zfs_zil", "zil"},
};

// node_exporter 1.5 knows no "suspended" state.
const char* const kPoolStates[] = {"online",  "degraded", "faulted",
                                   "offline", "removed",  "unavail"};

// The only kstat type node_exporter 1.5 exports: KSTAT_DATA_UINT64.
constexpr std::string_view kUint64 = "4";

std::string MetricName(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

bool IsHeader(const std::vector<std::string_view>& f) {
  return f.size() == 3 && f[0] == "name" && f[1] == "type" && f[2] == "data";
}

// Sorted entries of dir matching <dir>/*/<file_prefix>[*] (file_prefix exact
// when !prefix), as Go's filepath.Glob lists them.
std::vector<std::pair<std::string, std::string>> GlobPools(const std::string& dir,
                                                           std::string_view file, bool prefix) {
  std::vector<std::pair<std::string, std::string>> out;  // {pool, path}
  std::error_code ec;
  std::vector<std::string> pools;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    pools.push_back(it->path().filename().string());
  }
  std::sort(pools.begin(), pools.end());
  for (const std::string& pool : pools) {
    std::string pdir = dir + "/" + pool;
    if (!prefix) {
      if (fs::exists(pdir + "/" + std::string(file), ec)) {
        out.push_back({pool, pdir + "/" + std::string(file)});
      }
      continue;
    }
    std::vector<std::string> names;
    std::error_code ec2;
    for (fs::directory_iterator it(pdir, ec2), end; !ec2 && it != end; it.increment(ec2)) {
      std::string n = it->path().filename().string();
      if (n.compare(0, file.size(), file) == 0) names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) out.push_back({pool, pdir + "/" + n});
  }
  return out;
}

class ZfsCollector : public Collector {
 public:
  explicit ZfsCollector(const CollectorConfig& c) : base_(c.paths.Proc("spl/kstat/zfs")) {}

  common::Status Update(MetricSink& sink) override {
    std::error_code ec;
    if (!fs::exists(base_, ec)) {
      return common::Status::NotFound("ZFS / ZFS statistics are not available");
    }
    for (const auto& [subsystem, file] : kFiles) {
      std::string text;
      if (!common::ReadFileToString(base_ + "/" + file, &text)) continue;
      if (auto s = ParseKstat(sink, subsystem, file, text); !s.ok()) return s;
    }
    for (const auto& [pool, path] : GlobPools(base_, "io", false)) {
      std::string text;
      if (!common::ReadFileToString(path, &text)) {
        return common::Status::NotFound("ZFS / ZFS statistics are not available");
      }
      if (auto s = ParsePoolIo(sink, pool, text); !s.ok()) return s;
    }
    for (const auto& [pool, path] : GlobPools(base_, "objset-", true)) {
      std::string text;
      if (!common::ReadFileToString(path, &text)) {
        return common::Status::NotFound("ZFS / ZFS statistics are not available");
      }
      if (auto s = ParseObjset(sink, path, text); !s.ok()) return s;
    }
    for (const auto& [pool, path] : GlobPools(base_, "state", false)) {
      std::string text;
      if (!common::ReadFileToString(path, &text)) {
        return common::Status::NotFound("ZFS / ZFS statistics are not available");
      }
      std::string state(text.substr(0, text.find('\n')));
      std::transform(state.begin(), state.end(), state.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      for (const char* name : kPoolStates) {
        sink.Gauge("node_zfs_zpool_state", "kstat.zfs.misc.state",
                   {{"state", name}, {"zpool", pool}}, state == name ? 1 : 0);
      }
    }
    return common::Status::OK();
  }

 private:
  // A named kstat file: "name type data" then one "<name> <type> <value>" line
  // per kstat.
  static common::Status ParseKstat(MetricSink& sink, const std::string& subsystem,
                                   const std::string& file, const std::string& text) {
    bool started = false;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (!started && IsHeader(f)) {
        started = true;
        continue;
      }
      if (!started || f.size() < 3) continue;
      if (f[1] != kUint64) continue;
      std::string key = "kstat.zfs.misc." + file + "." + std::string(f[0]);
      auto v = parse::ToUint(f[2]);
      if (!v) {
        return common::Status::Corruption("could not parse expected integer value for \"" + key +
                                          "\"");
      }
      sink.Untyped("node_" + subsystem + "_" + MetricName(f[0]), key, {}, static_cast<double>(*v));
    }
    if (!started) {
      return common::Status::Corruption("did not parse a single \"" + file + "\" metric");
    }
    return common::Status::OK();
  }

  // <pool>/io: a header line of at least 12 names starting with "nread", then
  // a line of values under them.
  static common::Status ParsePoolIo(MetricSink& sink, const std::string& pool,
                                    const std::string& text) {
    std::vector<std::string> names;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (names.empty()) {
        if (f.size() >= 12 && f[0] == "nread") names.assign(f.begin(), f.end());
        continue;
      }
      if (f.size() < names.size()) {
        return common::Status::Corruption("too few values in zpool io stats of " + pool);
      }
      for (size_t i = 0; i < names.size(); ++i) {
        std::string key = "kstat.zfs.misc.io." + names[i];
        auto v = parse::ToUint(f[i]);
        if (!v) {
          return common::Status::Corruption("could not parse expected integer value for \"" + key +
                                            "\"");
        }
        sink.Untyped("node_zfs_zpool_" + MetricName(names[i]), key, {{"zpool", pool}},
                     static_cast<double>(*v));
      }
    }
    return common::Status::OK();
  }

  // <pool>/objset-<id>: named kstats of one dataset, whose name is the
  // dataset_name kstat.
  static common::Status ParseObjset(MetricSink& sink, const std::string& path,
                                    const std::string& text) {
    bool started = false;
    std::string pool, dataset;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (!started && IsHeader(f)) {
        started = true;
        continue;
      }
      if (!started || f.size() < 3) continue;
      if (f[0] == "dataset_name") {
        std::string_view p = path;
        p = p.substr(0, p.rfind('/'));
        pool = std::string(p.substr(p.rfind('/') + 1));
        dataset = std::string(f[2]);
        continue;
      }
      if (f[1] != kUint64) continue;
      std::string key = "kstat.zfs.misc.objset." + std::string(f[0]);
      auto v = parse::ToUint(f[2]);
      if (!v) {
        return common::Status::Corruption("could not parse expected integer value for \"" + key +
                                          "\"");
      }
      sink.Untyped("node_zfs_zpool_dataset_" + MetricName(f[0]), key,
                   {{"dataset", dataset}, {"zpool", pool}}, static_cast<double>(*v));
    }
    if (!started) {
      return common::Status::Corruption("did not parse a single " + pool + " " + dataset +
                                        " metric");
    }
    return common::Status::OK();
  }

  std::string base_;
};

REGISTER_COLLECTOR("zfs", true, ZfsCollector);

}  // namespace
}  // namespace exporter
