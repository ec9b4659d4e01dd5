// bcache collector: bcache cache sets from <sysfs>/fs/bcache/<uuid>/ (and its
// bdevN / cacheN members), as node_exporter 1.5's bcache_linux.go over
// procfs' bcache package (node_bcache_*{uuid[,backing_device|cache_device]}).
// Values are in bcache's "human" units (e.g. "1.8G"), decoded as procfs does.
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_BOOL_FLAG(bcache_priority, "collector.bcache.priorityStats", false,
                             "Expose expensive priority stats.");

std::optional<double> GoParseFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s[0] == '+') s.remove_prefix(1);
  return parse::ToDouble(s);
}

// bch_hprint prints the fraction as (remainder * 100 / 1024), so ".9" is
// smaller than ".10"; procfs maps it back by dividing by 10.24.
std::optional<double> ParsePseudoFloat(std::string_view s) {
  size_t dot = s.find('.');
  auto int_part = GoParseFloat(s.substr(0, dot));
  if (!int_part) return std::nullopt;
  if (dot == std::string_view::npos) return int_part;
  std::string_view frac = s.substr(dot + 1);
  if (frac.find('.') != std::string_view::npos) frac = frac.substr(0, frac.find('.'));
  auto f = GoParseFloat(frac);
  if (!f) return std::nullopt;
  return *int_part + *f / 10.24;
}

// A bcache "human" number: digits, or a pseudo-float with a k/M/G/... suffix.
std::optional<uint64_t> Dehumanize(std::string_view s) {
  if (s.empty()) return std::nullopt;
  unsigned char last = static_cast<unsigned char>(s.back());
  double mul = 1, mant;
  if (last > '9') {
    s.remove_suffix(1);
    static const std::map<char, double> kMul = {{'k', 0x1p10}, {'M', 0x1p20}, {'G', 0x1p30},
                                                {'T', 0x1p40}, {'P', 0x1p50}, {'E', 0x1p60},
                                                {'Z', 0x1p70}, {'Y', 0x1p80}};
    auto it = kMul.find(static_cast<char>(last));
    mul = it == kMul.end() ? 0 : it->second;  // an unknown suffix zeroes the value
    auto v = ParsePseudoFloat(s);
    if (!v) return std::nullopt;
    mant = *v;
  } else {
    auto v = GoParseFloat(s);
    if (!v) return std::nullopt;
    mant = *v;
  }
  double r = mant * mul;
  if (!(r >= 0)) return 0;
  if (r >= 18446744073709551616.0) return UINT64_MAX;
  return static_cast<uint64_t>(r);
}

std::optional<int64_t> DehumanizeSigned(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  auto v = Dehumanize(s);
  if (!v) return std::nullopt;
  return neg ? -static_cast<int64_t>(*v) : static_cast<int64_t>(*v);
}

std::string LastField(std::string_view line) {
  auto f = parse::Fields(line);
  return f.empty() ? std::string() : std::string(f.back());
}

std::string_view TrimSuffix(std::string_view s, std::string_view suffix) {
  if (s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
    s.remove_suffix(suffix.size());
  }
  return s;
}

struct Metric {
  std::string name, help;
  double value;
  bool counter;
  std::string extra_label, extra_value;
};

// Reads one value file; the first failure sticks, as procfs' parser does.
class Reader {
 public:
  uint64_t Value(const std::string& path) {
    if (!err_.empty()) return 0;
    sysfs::Attr a = sysfs::ReadWhole(path);
    if (!a.ok()) {
      err_ = "failed to read: " + path;
      return 0;
    }
    std::string_view v = a.value;
    if (!v.empty()) v.remove_suffix(1);  // the trailing newline
    auto r = Dehumanize(v);
    if (!r) {
      err_ = "failed to parse: " + path;
      return 0;
    }
    return *r;
  }
  // Lines of a multi-line stats file, or nullopt (recording the error).
  std::optional<std::vector<std::string>> Lines(const std::string& path) {
    if (!err_.empty()) return std::nullopt;
    sysfs::Attr a = sysfs::ReadWhole(path);
    if (!a.ok()) {
      err_ = "failed to read: " + path;
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::string_view l : parse::Lines(a.value)) {
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      out.emplace_back(l);
    }
    return out;
  }
  void Fail(const std::string& msg) {
    if (err_.empty()) err_ = msg;
  }
  const std::string& err() const { return err_; }

 private:
  std::string err_;
};

void PeriodStats(Reader& r, const std::string& dir, const std::string& bdev,
                 std::vector<Metric>* out) {
  struct {
    const char* file;
    const char* name;
    const char* help;
  } kStats[] = {
      {"bypassed", "bypassed_bytes_total",
       "Amount of IO (both reads and writes) that has bypassed the cache."},
      {"cache_hits", "cache_hits_total", "Hits counted per individual IO as bcache sees them."},
      {"cache_misses", "cache_misses_total",
       "Misses counted per individual IO as bcache sees them."},
      {"cache_bypass_hits", "cache_bypass_hits_total", "Hits for IO intended to skip the cache."},
      {"cache_bypass_misses", "cache_bypass_misses_total",
       "Misses for IO intended to skip the cache."},
      {"cache_miss_collisions", "cache_miss_collisions_total",
       "Instances where data insertion from cache miss raced with write (data already present)."},
      {"cache_readaheads", "cache_readaheads_total", "Count of times readahead occurred."},
  };
  // procfs reads them in this file order; only the values matter here.
  std::map<std::string, uint64_t> v;
  for (const char* f : {"bypassed", "cache_bypass_hits", "cache_bypass_misses", "cache_hits",
                        "cache_miss_collisions", "cache_misses", "cache_readaheads"}) {
    v[f] = r.Value(dir + "/" + f);
  }
  for (const auto& s : kStats) {
    out->push_back({s.name, s.help, static_cast<double>(v[s.file]), true, "backing_device", bdev});
  }
}

class BcacheCollector : public Collector {
 public:
  explicit BcacheCollector(const CollectorConfig& c)
      : dir_(c.paths.Sys("fs/bcache")), priority_(c.BoolFlag("collector.bcache.priorityStats")) {}

  common::Status Update(MetricSink& sink) override {
    std::vector<std::pair<std::string, std::vector<Metric>>> sets;
    auto names = sysfs::ListDir(dir_);
    if (names.ok()) {
      for (const std::string& uuid : *names) {
        if (uuid.find('-') == std::string::npos) continue;  // the "*-*" glob: cache set UUIDs
        std::vector<Metric> m;
        if (auto s = ReadSet(dir_ + "/" + uuid, &m); !s.ok()) return s;
        sets.emplace_back(uuid, std::move(m));
      }
    }
    for (const auto& [uuid, metrics] : sets) {
      for (const Metric& m : metrics) {
        LabelPairs labels;
        if (!m.extra_value.empty()) labels.push_back({m.extra_label, m.extra_value});
        labels.push_back({"uuid", uuid});
        std::string name = "node_bcache_" + m.name;
        if (m.counter) {
          sink.Counter(name, m.help, labels, m.value);
        } else {
          sink.Gauge(name, m.help, labels, m.value);
        }
      }
    }
    return common::Status::OK();
  }

 private:
  common::Status ReadSet(const std::string& dir, std::vector<Metric>* out) {
    Reader r;
    auto g = [&](const char* name, const char* help, double v) {
      out->push_back({name, help, v, false, "", ""});
    };
    double avg_key = static_cast<double>(r.Value(dir + "/average_key_size"));
    double btree_cache = static_cast<double>(r.Value(dir + "/btree_cache_size"));
    double available = static_cast<double>(r.Value(dir + "/cache_available_percent"));
    double congested = static_cast<double>(r.Value(dir + "/congested"));
    double root_usage = static_cast<double>(r.Value(dir + "/root_usage_percent"));
    double depth = static_cast<double>(r.Value(dir + "/tree_depth"));
    double journal = static_cast<double>(r.Value(dir + "/internal/active_journal_entries"));
    double nodes = static_cast<double>(r.Value(dir + "/internal/btree_nodes"));
    double read_avg =
        static_cast<double>(r.Value(dir + "/internal/btree_read_average_duration_us"));
    double races = static_cast<double>(r.Value(dir + "/internal/cache_read_races"));
    for (const char* sub : {"stats_five_minute", "stats_total"}) {
      for (const char* f :
           {"bypassed", "cache_hits", "bypassed", "cache_bypass_hits", "cache_bypass_misses",
            "cache_hits", "cache_miss_collisions", "cache_misses", "cache_readaheads"}) {
        r.Value(dir + "/" + sub + "/" + f);
      }
    }
    if (!r.err().empty())
      return common::Status::IOError("failed to retrieve bcache stats: " + r.err());
    g("average_key_size_sectors", "Average data per key in the btree (sectors).", avg_key);
    g("btree_cache_size_bytes", "Amount of memory currently used by the btree cache.", btree_cache);
    g("cache_available_percent",
      "Percentage of cache device without dirty data, usable for writeback (may contain clean "
      "cached data).",
      available);
    g("congested", "Congestion.", congested);
    g("root_usage_percent",
      "Percentage of the root btree node in use (tree depth increases if too high).", root_usage);
    g("tree_depth", "Depth of the btree.", depth);
    g("active_journal_entries", "Number of journal entries that are newer than the index.",
      journal);
    g("btree_nodes", "Total nodes in the btree.", nodes);
    // The file is in microseconds; node_exporter 1.5 scales it as nanoseconds.
    g("btree_read_average_duration_seconds", "Average btree read duration.", read_avg * 1e-9);
    out->push_back({"cache_read_races_total",
                    "Counts instances where while data was being read from the cache, the bucket "
                    "was reused and invalidated - i.e. where the pointer was stale after the read "
                    "completed.",
                    races, true, "", ""});

    for (const std::string& bdev : sysfs::GlobDigits(dir, "bdev")) {
      std::string bdir = dir + "/" + bdev;
      double dirty = static_cast<double>(r.Value(bdir + "/dirty_data"));
      uint64_t rate = 0, target = 0;
      int64_t proportional = 0, integral = 0, change = 0;
      if (auto lines = r.Lines(bdir + "/writeback_rate_debug")) {
        for (const std::string& line : *lines) {
          std::string_view l = line;
          std::string last = LastField(l);
          bool ok = true;
          if (l.substr(0, 5) == "rate:") {
            auto v = Dehumanize(TrimSuffix(last, "/sec"));
            ok = v.has_value();
            rate = v.value_or(0);
          } else if (l.substr(0, 6) == "dirty:") {
            ok = Dehumanize(last).has_value();
          } else if (l.substr(0, 7) == "target:") {
            auto v = Dehumanize(last);
            ok = v.has_value();
            target = v.value_or(0);
          } else if (l.substr(0, 13) == "proportional:") {
            auto v = DehumanizeSigned(last);
            ok = v.has_value();
            proportional = v.value_or(0);
          } else if (l.substr(0, 9) == "integral:") {
            auto v = DehumanizeSigned(last);
            ok = v.has_value();
            integral = v.value_or(0);
          } else if (l.substr(0, 7) == "change:") {
            auto v = DehumanizeSigned(TrimSuffix(last, "/sec"));
            ok = v.has_value();
            change = v.value_or(0);
          } else if (l.substr(0, 8) == "next io:") {
            ok = parse::ToInt(TrimSuffix(last, "ms")).has_value();
          }
          if (!ok) {
            r.Fail("failed to parse: " + bdir + "/writeback_rate_debug");
            break;
          }
        }
      }
      for (const char* f : {"bypassed", "cache_bypass_hits", "cache_bypass_misses", "cache_hits",
                            "cache_miss_collisions", "cache_misses", "cache_readaheads"}) {
        r.Value(bdir + "/stats_five_minute/" + f);
      }
      auto b = [&](const char* name, const char* help, double v) {
        out->push_back({name, help, v, false, "backing_device", bdev});
      };
      b("dirty_data_bytes", "Amount of dirty data for this backing device in the cache.", dirty);
      b("dirty_target_bytes",
        "Current dirty data target threshold for this backing device in bytes.",
        static_cast<double>(target));
      b("writeback_rate", "Current writeback rate for this backing device in bytes.",
        static_cast<double>(rate));
      b("writeback_rate_proportional_term",
        "Current result of proportional controller, part of writeback rate",
        static_cast<double>(proportional));
      b("writeback_rate_integral_term",
        "Current result of integral controller, part of writeback rate",
        static_cast<double>(integral));
      b("writeback_change", "Last writeback rate change step for this backing device.",
        static_cast<double>(change));
      PeriodStats(r, bdir + "/stats_total", bdev, out);
    }
    if (!r.err().empty())
      return common::Status::IOError("failed to retrieve bcache stats: " + r.err());

    for (const std::string& cache : sysfs::GlobDigits(dir, "cache")) {
      std::string cdir = dir + "/" + cache;
      double io_errors = static_cast<double>(r.Value(cdir + "/io_errors"));
      double metadata = static_cast<double>(r.Value(cdir + "/metadata_written"));
      double written = static_cast<double>(r.Value(cdir + "/written"));
      uint64_t unused = 0, meta_pct = 0;
      if (priority_) {
        if (auto lines = r.Lines(cdir + "/priority_stats")) {
          for (const std::string& line : *lines) {
            bool is_unused = line.rfind("Unused:", 0) == 0;
            bool is_meta = line.rfind("Metadata:", 0) == 0;
            if (!is_unused && !is_meta) continue;
            auto v = parse::ToUint(TrimSuffix(LastField(line), "%"));
            if (!v) {
              r.Fail("failed to parse: " + cdir + "/priority_stats");
              break;
            }
            (is_unused ? unused : meta_pct) = *v;
          }
        }
      }
      auto cm = [&](const char* name, const char* help, double v, bool counter) {
        out->push_back({name, help, v, counter, "cache_device", cache});
      };
      cm("io_errors", "Number of errors that have occurred, decayed by io_error_halflife.",
         io_errors, false);
      cm("metadata_written_bytes_total",
         "Sum of all non data writes (btree writes and all other metadata).", metadata, true);
      cm("written_bytes_total", "Sum of all data that has been written to the cache.", written,
         true);
      if (priority_) {
        cm("priority_stats_unused_percent",
           "The percentage of the cache that doesn't contain any data.",
           static_cast<double>(unused), false);
        cm("priority_stats_metadata_percent", "Bcache's metadata overhead.",
           static_cast<double>(meta_pct), false);
      }
    }
    if (!r.err().empty())
      return common::Status::IOError("failed to retrieve bcache stats: " + r.err());
    return common::Status::OK();
  }

  std::string dir_;
  bool priority_;
};

REGISTER_COLLECTOR("bcache", true, BcacheCollector);

}  // namespace
}  // namespace exporter
