// textfile collector: metrics written by other programs (cron jobs, scripts)
// into *.prom files under --collector.textfile.directory, with node_exporter
// 1.5's semantics (collector/textfile.go):
//  - the flag names a directory or a glob of directories; files are read in
//    name order, only those ending in ".prom";
//  - a file that does not parse, or that has any sample with a timestamp, is
//    skipped whole and sets node_textfile_scrape_error to 1;
//  - a family without HELP gets "Metric read from <path>, <path>..." naming
//    every file it appears in; within a family every metric carries every
//    label name used in it (absent ones as "");
//  - node_textfile_mtime_seconds{file="<path>"} for each file read successfully;
//  - a sample whose family already exists with another HELP or TYPE, or that
//    repeats a series already collected, is dropped and counted as a
//    gathering error (promhttp_metric_handler_errors_total{cause="gathering"}),
//    as the Go registry does; the rest of the scrape is served.
// The parsing rules are those of Go's expfmt.TextParser: one TYPE and one HELP
// per name, TYPE before the name's samples, _sum/_count (and _bucket) samples
// joining a declared summary or histogram.
#include <glob.h>
#include <sys/stat.h>

#include <dirent.h>
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/text_parser.h"
#include "exporter/collector.h"
#include "model/number.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(directory, "collector.textfile.directory", "",
                        "Directory to read text files with metrics from.");

using prometheus::MetricType;

struct ParsedFamily {
  std::string help;
  bool has_help = false;
  MetricType type = MetricType::Untyped;
  bool has_type = false;
  bool has_samples = false;
  // Metrics in the order first seen. Summaries and histograms group their
  // lines by label set (without quantile / le); other types keep every line.
  std::vector<prometheus::ClientMetric> metrics;
  std::map<std::string, size_t> by_labels;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string LabelKey(const LabelPairs& labels) {
  std::string key;
  for (const auto& l : labels) {
    key += l.name;
    key.push_back('\0');
    key += l.value;
    key.push_back('\0');
  }
  return key;
}

// Parses one file into families (by name, in name order as the Go registry
// outputs them). Fails like expfmt.TextParser plus the timestamp rule.
common::Status ParseTextfile(std::string_view text, std::map<std::string, ParsedFamily>* out) {
  auto& families = *out;
  common::TextParser parser(text);
  for (;;) {
    auto entry = parser.Next();
    if (entry == common::TextParser::Entry::kEnd) break;
    if (entry == common::TextParser::Entry::kError) return parser.status();
    if (entry == common::TextParser::Entry::kHelp) {
      ParsedFamily& f = families[std::string(parser.meta_name())];
      if (f.has_help) {
        return common::Status::InvalidArgument("second HELP line for metric name \"" +
                                               std::string(parser.meta_name()) + "\"");
      }
      f.has_help = true;
      f.help = std::string(parser.meta_text());
      continue;
    }
    if (entry == common::TextParser::Entry::kType) {
      ParsedFamily& f = families[std::string(parser.meta_name())];
      if (f.has_type || f.has_samples) {
        return common::Status::InvalidArgument("second TYPE line for metric name \"" +
                                               std::string(parser.meta_name()) +
                                               "\", or TYPE reported after samples");
      }
      std::string_view t = parser.meta_text();
      if (t == "counter")
        f.type = MetricType::Counter;
      else if (t == "gauge")
        f.type = MetricType::Gauge;
      else if (t == "summary")
        f.type = MetricType::Summary;
      else if (t == "histogram")
        f.type = MetricType::Histogram;
      else if (t == "untyped")
        f.type = MetricType::Untyped;
      else
        return common::Status::InvalidArgument("unknown metric type \"" + std::string(t) + "\"");
      f.has_type = true;
      continue;
    }
    // A sample.
    if (parser.timestamp_ms()) {
      return common::Status::InvalidArgument("contains unsupported client-side timestamps");
    }
    std::string name(parser.metric_name());
    ParsedFamily* family = nullptr;
    enum class Part { kValue, kSum, kCount, kBucket } part = Part::kValue;
    if (auto it = families.find(name); it != families.end()) {
      family = &it->second;
    } else {
      for (auto [suffix, p] : {std::pair{std::string_view("_sum"), Part::kSum},
                               std::pair{std::string_view("_count"), Part::kCount},
                               std::pair{std::string_view("_bucket"), Part::kBucket}}) {
        if (!EndsWith(name, suffix)) continue;
        auto base = families.find(name.substr(0, name.size() - suffix.size()));
        if (base == families.end()) continue;
        MetricType t = base->second.type;
        if (t == MetricType::Histogram || (t == MetricType::Summary && p != Part::kBucket)) {
          family = &base->second;
          part = p;
        }
      }
      if (!family) family = &families[name];
    }
    family->has_samples = true;

    model::Labels labels;
    if (auto s = common::ParseSeriesLabels(parser.series(), &labels); !s.ok()) return s;
    LabelPairs pairs;
    std::string special;  // quantile or le
    bool has_special = false;
    for (const auto& l : labels) {
      if (l.name == "__name__") continue;
      if ((family->type == MetricType::Summary && part == Part::kValue && l.name == "quantile") ||
          (family->type == MetricType::Histogram && part == Part::kBucket && l.name == "le")) {
        special = l.value;
        has_special = true;
        continue;
      }
      pairs.push_back({l.name, l.value});
    }
    double v = parser.value();
    if (family->type != MetricType::Summary && family->type != MetricType::Histogram) {
      prometheus::ClientMetric m;
      m.label = std::move(pairs);
      m.counter.value = m.gauge.value = m.untyped.value = v;
      family->metrics.push_back(std::move(m));
      continue;
    }
    std::string key = LabelKey(pairs);
    auto [slot, inserted] = family->by_labels.emplace(key, family->metrics.size());
    if (inserted) {
      prometheus::ClientMetric m;
      m.label = std::move(pairs);
      family->metrics.push_back(std::move(m));
    }
    prometheus::ClientMetric& m = family->metrics[slot->second];
    bool summary = family->type == MetricType::Summary;
    switch (part) {
      case Part::kSum:
        (summary ? m.summary.sample_sum : m.histogram.sample_sum) = v;
        break;
      case Part::kCount:
        (summary ? m.summary.sample_count : m.histogram.sample_count) =
            v >= 0 ? static_cast<uint64_t>(v) : 0;
        break;
      case Part::kBucket:
      case Part::kValue: {
        const char* want = summary ? "quantile" : "le";
        if (!has_special) {
          return common::Status::InvalidArgument("expected " + std::string(want) + " label on " +
                                                 name);
        }
        auto bound = model::ParseFloat(special);
        if (!bound) {
          return common::Status::InvalidArgument("expected float as value for '" +
                                                 std::string(want) + "' label, got \"" + special +
                                                 "\"");
        }
        if (summary) {
          prometheus::ClientMetric::Quantile q;
          q.quantile = *bound;
          q.value = v;
          m.summary.quantile.push_back(q);
        } else {
          prometheus::ClientMetric::Bucket b;
          b.upper_bound = *bound;
          b.cumulative_count = v >= 0 ? static_cast<uint64_t>(v) : 0;
          m.histogram.bucket.push_back(b);
        }
        break;
      }
    }
  }
  return common::Status::OK();
}

// Every metric of a family carries every label name used in the family, as
// the Go collector builds one Desc per family; labels sorted by name.
void FillLabels(ParsedFamily* f) {
  std::set<std::string> names;
  for (const auto& m : f->metrics) {
    for (const auto& l : m.label) names.insert(l.name);
  }
  for (auto& m : f->metrics) {
    for (const auto& n : names) {
      bool present =
          std::any_of(m.label.begin(), m.label.end(), [&](const auto& l) { return l.name == n; });
      if (!present) m.label.push_back({n, ""});
    }
    std::sort(m.label.begin(), m.label.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  }
}

bool AlreadyCollected(const MetricSink& sink, const std::string& name,
                      const prometheus::ClientMetric& m) {
  const prometheus::MetricFamily* f = sink.Find(name);
  if (!f) return false;
  std::string key = LabelKey(m.label);
  return std::any_of(f->metric.begin(), f->metric.end(), [&](const auto& other) {
    LabelPairs sorted = other.label;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return LabelKey(sorted) == key;
  });
}

class TextfileCollector : public Collector {
 public:
  explicit TextfileCollector(const CollectorConfig& c)
      : pattern_(c.Flag("collector.textfile.directory")) {}

  common::Status Update(MetricSink& sink) override {
    bool errored = false;
    std::vector<std::string> dirs;
    glob_t g{};
    if (!pattern_.empty() && glob(pattern_.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) dirs.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (dirs.empty()) dirs.push_back(pattern_);  // not a glob: one directory

    // Parse every file first: a family without HELP is described by every
    // file it appears in ("Metric read from a.prom, b.prom").
    struct File {
      std::string path;
      std::map<std::string, ParsedFamily> families;
    };
    std::vector<File> files;
    std::map<std::string, std::vector<std::string>> files_of_family;
    std::map<std::string, double> mtimes;
    for (const auto& dir : dirs) {
      std::vector<std::string> names;
      if (!ListDir(dir, &names)) {
        if (!dir.empty()) {
          errored = true;
          spdlog::error("failed to read textfile collector directory {}", dir);
        }
        continue;
      }
      for (const auto& name : names) {
        if (!EndsWith(name, ".prom")) continue;
        File f{JoinPath(dir, name), {}};
        double mtime = 0;
        if (auto s = ProcessFile(f.path, &f.families, &mtime); !s.ok()) {
          errored = true;
          spdlog::error("failed to collect textfile data from {}: {}", name, s.message());
          continue;
        }
        for (const auto& [family, _] : f.families) files_of_family[family].push_back(f.path);
        mtimes[f.path] = mtime;
        files.push_back(std::move(f));
      }
    }
    for (auto& file : files) {
      for (auto& [name, f] : file.families) {
        if (f.metrics.empty()) continue;
        FillLabels(&f);
        std::string help = f.help;
        if (!f.has_help) {
          help = "Metric read from ";
          const auto& paths = files_of_family[name];
          for (size_t i = 0; i < paths.size(); ++i) help += (i ? ", " : "") + paths[i];
        }
        for (auto& m : f.metrics) {
          if (AlreadyCollected(sink, name, m)) {
            sink.CountError();
            continue;
          }
          sink.Add(name, help, f.type, std::move(m));
        }
      }
    }
    for (const auto& [path, mtime] : mtimes) {
      sink.Gauge("node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.",
                 {{"file", path}}, mtime);
    }
    sink.Gauge("node_textfile_scrape_error",
               "1 if there was an error opening or reading a file, 0 otherwise", {},
               errored ? 1 : 0);
    return common::Status::OK();
  }

 private:
  // Go's filepath.Join for a directory and a file name.
  static std::string JoinPath(const std::string& dir, const std::string& name) {
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    return d == "/" ? "/" + name : d + "/" + name;
  }

  // Entry names in byte order, as Go's os.ReadDir; false if unreadable.
  static bool ListDir(const std::string& dir, std::vector<std::string>* names) {
    if (dir.empty()) return false;
    DIR* d = opendir(dir.c_str());
    if (!d) return false;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names->push_back(std::move(n));
    }
    closedir(d);
    std::sort(names->begin(), names->end());
    return true;
  }

  static common::Status ProcessFile(const std::string& path,
                                    std::map<std::string, ParsedFamily>* families, double* mtime) {
    std::string text;
    if (!common::ReadFileToString(path, &text)) {
      return common::Status::IOError("failed to open textfile data file \"" + path + "\"");
    }
    if (auto s = ParseTextfile(text, families); !s.ok()) {
      families->clear();
      return common::Status::InvalidArgument("failed to parse textfile data from \"" + path +
                                             "\": " + s.message());
    }
    // Stat only after the file parsed, so that a failure does not look fresh.
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      families->clear();
      return common::Status::IOError("failed to stat \"" + path + "\"");
    }
    *mtime = static_cast<double>(st.st_mtim.tv_sec);
    return common::Status::OK();
  }

  std::string pattern_;
};

REGISTER_COLLECTOR("textfile", true, TextfileCollector);

}  // namespace
}  // namespace exporter
