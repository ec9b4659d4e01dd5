// Differential tests against Debian's prometheus-node-exporter 1.5.0, the
// program our exporter replaces:
//  - FixtureTree: both exporters read the same fixture tree (tests/fixtures,
//    same --path.* flags), one collector at a time; for every collector both
//    have, the families, HELP, TYPE, label sets and values must be equal.
//  - DefaultCollectors: every collector node_exporter enables by default is
//    one of ours and enabled by default too.
//  - LiveHost: both with their defaults on this machine; every family
//    node_exporter emits, ours emits.
// Each allowed difference is listed below with its reason.
// NE_DIFF_COLLECTORS=a,b restricts FixtureTree to those collectors.
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "common/http_client.h"
#include "common/text_parser.h"
#include "model/number.h"
#include "tests/integration/test_util.h"

namespace {

using namespace std::chrono_literals;
using testutil::Subprocess;
using testutil::TempDir;

const char* kNodeExporter = "/usr/bin/prometheus-node-exporter";
const std::string kFixtures = MS_SOURCE_DIR "/tests/fixtures";

// How a family may differ between the two exporters.
enum class Allow {
  kAbsent,      // either side may lack it, or both differ in everything
  kLabelsOnly,  // same HELP, TYPE and label sets; values may differ
};
struct Exception {
  const char* family_regex;
  Allow allow;
  const char* reason;
};

// Differences allowed everywhere.
const std::vector<Exception> kExceptions = {
    {"go_.*", Allow::kAbsent, "Go runtime metrics: our exporter has no Go runtime"},
    {"process_.*", Allow::kLabelsOnly, "the exporter process's own CPU, memory and fds"},
    {"promhttp_metric_handler_requests_.*", Allow::kLabelsOnly,
     "counts of scrapes served so far, which differ between two processes"},
    {"node_exporter_build_info", Allow::kAbsent,
     "label values name our version and build, not node_exporter's (HELP and label names "
     "are node_exporter's: checked in BuildInfoAsNodeExporter)"},
    {"node_scrape_collector_duration_seconds", Allow::kLabelsOnly, "time taken by each collector"},
    {"node_time_seconds", Allow::kLabelsOnly, "the clock moves between the two scrapes"},
    {"node_timex_(offset_seconds|frequency_adjustment_ratio|maxerror_seconds|estimated_error_"
     "seconds|loop_time_constant|tick_seconds|pps_.*)",
     Allow::kLabelsOnly, "adjtimex(2) of the live kernel clock moves between the two scrapes"},
    {"node_filesystem_(avail|free)_bytes|node_filesystem_files_free", Allow::kLabelsOnly,
     "statfs(2) of the live filesystem holding the fixture tree, which other processes write to"},
};

// Collectors of ours that node_exporter 1.5 does not have.
const std::set<std::string> kOursOnly = {
    "cgroup",  // per-container CPU/memory from cgroup v2 (node_exporter has no such collector)
};

// Single series that may differ, by their canonical text (regex).
const std::vector<Exception> kSeriesExceptions = {
    {R"re(node_scrape_collector_success\{collector="hwmon"\})re", Allow::kLabelsOnly,
     "the fixture has a dangling /sys/class/hwmon link (a chip removed mid-scrape): "
     "node_exporter fails the whole collector on it, ours skips that chip"},
};

bool SeriesMatches(const std::string& series, Allow allow) {
  for (const auto& e : kSeriesExceptions) {
    if (e.allow == allow && std::regex_match(series, std::regex(e.family_regex))) return true;
  }
  return false;
}

bool Matches(const std::string& family, Allow allow) {
  for (const auto& e : kExceptions) {
    if (e.allow == allow && std::regex_match(family, std::regex(e.family_regex))) return true;
  }
  return false;
}

struct Family {
  std::string help, type;
  std::map<std::string, double> samples;  // canonical series text -> value
};
using Exposition = std::map<std::string, Family>;

Exposition Parse(const std::string& text) {
  Exposition out;
  common::TextParser p(text);
  std::string current;  // the family of the last HELP/TYPE line
  for (;;) {
    auto e = p.Next();
    if (e == common::TextParser::Entry::kEnd) break;
    if (e == common::TextParser::Entry::kError) {
      ADD_FAILURE() << "unparsable exposition: " << p.status().ToString();
      break;
    }
    if (e == common::TextParser::Entry::kHelp) {
      current = std::string(p.meta_name());
      out[current].help = std::string(p.meta_text());
    } else if (e == common::TextParser::Entry::kType) {
      current = std::string(p.meta_name());
      out[current].type = std::string(p.meta_text());
    } else {
      std::string name(p.metric_name());
      std::string family = !current.empty() && name.rfind(current, 0) == 0 ? current : name;
      // The series as written: label order must match too (Go sorts names).
      out[family].samples[std::string(p.series())] = p.value();
    }
  }
  return out;
}

bool SameValue(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// A running exporter on a free loopback port, scraped once.
class Exporter {
 public:
  Exporter(const std::string& binary, std::vector<std::string> args, const std::string& log)
      : port_(testutil::FreePort()) {
    std::vector<std::string> argv = {binary,
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    proc_ = std::make_unique<Subprocess>(argv, log);
  }
  // The /metrics body, "" if it never answered.
  std::string Scrape(const std::string& query = "") {
    common::HttpClient client;
    std::string body;
    testutil::WaitUntil(
        [&] {
          auto r = client.Get("http://127.0.0.1:" + std::to_string(port_) + "/metrics" + query, 5);
          if (!r.ok() || r->status != 200) return false;
          body = r->body;
          return true;
        },
        15s, 50ms);
    return body;
  }

 private:
  int port_;
  std::unique_ptr<Subprocess> proc_;
};

// Debian patches two of node_exporter's defaults (its filesystem exclusions
// add /run, /mnt and /media; netdev excludes lo). Ours keeps upstream's; the
// comparison passes upstream's values to both explicitly. netlink is turned
// off because it reads the live host's interfaces, not the fixture tree.
std::vector<std::string> FixtureFlags() {
  return {"--path.procfs=" + kFixtures + "/proc",
          "--path.sysfs=" + kFixtures + "/sys",
          "--path.rootfs=" + kFixtures + "/rootfs",
          "--path.udev.data=" + kFixtures + "/rootfs/run/udev/data",
          "--collector.textfile.directory=" + kFixtures + "/textfile",
          "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/"
          "docker/.+|var/lib/containers/storage/.+)($|/)",
          "--collector.netdev.device-exclude=^$",
          "--no-collector.netdev.netlink"};
}

std::string Ours() { return testutil::BinaryPath("exporter/system-stats-service"); }

// Our collectors, and whether each is on by default (from --list-collectors).
std::map<std::string, bool> OurCollectors() {
  std::string out;
  EXPECT_EQ(testutil::RunCommand(Ours() + " --list-collectors", &out), 0) << out;
  std::map<std::string, bool> collectors;
  std::istringstream lines(out);
  std::string name, flag;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    words >> name;
    flag.clear();
    words >> flag;
    collectors[name] = flag == "(default)";
  }
  return collectors;
}

// The collectors a node_exporter run reported in node_scrape_collector_success.
std::set<std::string> ReportedCollectors(const Exposition& e) {
  std::set<std::string> out;
  auto it = e.find("node_scrape_collector_success");
  if (it == e.end()) return out;
  std::regex re(R"re(collector="([^"]+)")re");
  for (const auto& [series, _] : it->second.samples) {
    std::smatch m;
    if (std::regex_search(series, m, re)) out.insert(m[1]);
  }
  return out;
}

// Every difference between node_exporter's and our exposition, one per line.
std::vector<std::string> Differences(const Exposition& theirs, const Exposition& ours) {
  std::vector<std::string> diffs;
  std::set<std::string> names;
  for (const auto& [n, _] : theirs) names.insert(n);
  for (const auto& [n, _] : ours) names.insert(n);
  for (const auto& name : names) {
    if (Matches(name, Allow::kAbsent)) continue;
    auto t = theirs.find(name);
    auto o = ours.find(name);
    if (t == theirs.end() || t->second.samples.empty()) {
      if (o != ours.end() && !o->second.samples.empty()) {
        diffs.push_back("only ours has " + name);
      }
      continue;
    }
    if (o == ours.end() || o->second.samples.empty()) {
      diffs.push_back("ours lacks " + name + " (e.g. " + t->second.samples.begin()->first + ")");
      continue;
    }
    if (t->second.help != o->second.help) {
      diffs.push_back(name + " HELP: node_exporter \"" + t->second.help + "\", ours \"" +
                      o->second.help + "\"");
    }
    if (t->second.type != o->second.type) {
      diffs.push_back(name + " TYPE: node_exporter " + t->second.type + ", ours " + o->second.type);
    }
    bool labels_only = Matches(name, Allow::kLabelsOnly);
    for (const auto& [series, v] : t->second.samples) {
      if (SeriesMatches(series, Allow::kAbsent)) continue;
      auto s = o->second.samples.find(series);
      if (s == o->second.samples.end()) {
        diffs.push_back("ours lacks " + series + " " + model::FormatGoFloat(v));
      } else if (!labels_only && !SeriesMatches(series, Allow::kLabelsOnly) &&
                 !SameValue(v, s->second)) {
        diffs.push_back(series + ": node_exporter " + model::FormatGoFloat(v) + ", ours " +
                        model::FormatGoFloat(s->second));
      }
    }
    for (const auto& [series, v] : o->second.samples) {
      if (!t->second.samples.count(series) && !SeriesMatches(series, Allow::kAbsent)) {
        diffs.push_back("only ours has " + series + " " + model::FormatGoFloat(v));
      }
    }
  }
  return diffs;
}

std::set<std::string> RestrictTo() {
  std::set<std::string> out;
  const char* env = std::getenv("NE_DIFF_COLLECTORS");
  if (!env) return out;
  std::stringstream ss(env);
  for (std::string c; std::getline(ss, c, ',');) {
    if (!c.empty()) out.insert(c);
  }
  return out;
}

// Collectors that Debian's build enables by default and upstream 1.5 (and
// ours) leaves opt-in.
const std::map<std::string, const char*> kDebianDefaults = {
    {"systemd", "Debian's package turns the systemd collector on by default"},
};

TEST(NodeExporterDiffTest, DefaultCollectors) {
  TempDir dir;
  Exporter theirs(kNodeExporter, FixtureFlags(), dir.File("node_exporter.log"));
  std::string body = theirs.Scrape();
  ASSERT_FALSE(body.empty()) << testutil::ReadFile(dir.File("node_exporter.log"));
  auto defaults = ReportedCollectors(Parse(body));
  ASSERT_GT(defaults.size(), 30u) << body;
  auto ours = OurCollectors();
  for (const auto& name : defaults) {
    auto it = ours.find(name);
    if (it == ours.end()) {
      ADD_FAILURE() << "node_exporter's default collector " << name << " is not one of ours";
    } else if (!kDebianDefaults.count(name)) {
      EXPECT_TRUE(it->second) << name << " is on by default in node_exporter, not in ours";
    }
  }
}

// Runs every collector of ours alone, in both exporters with the given
// --path.* flags, and checks the outputs are equal.
// skip: collectors node_exporter cannot start with there, with the reason.
void CompareEachCollector(const std::vector<std::string>& path_flags,
                          const std::map<std::string, const char*>& skip = {}) {
  auto only = RestrictTo();
  TempDir dir;
  int compared = 0;
  for (const auto& [name, by_default] : OurCollectors()) {
    if (kOursOnly.count(name) || skip.count(name) || (!only.empty() && !only.count(name))) {
      continue;
    }
    SCOPED_TRACE("collector " + name);
    std::vector<std::string> args = path_flags;
    args.push_back("--collector.disable-defaults");
    args.push_back("--collector." + name);
    std::string theirs_body, ours_body;
    {
      Exporter theirs(kNodeExporter, args, dir.File(name + ".node_exporter.log"));
      theirs_body = theirs.Scrape();
    }
    {
      Exporter ours(Ours(), args, dir.File(name + ".ours.log"));
      ours_body = ours.Scrape();
    }
    if (theirs_body.empty() || ours_body.empty()) {
      ADD_FAILURE() << "no scrape; node_exporter: "
                    << testutil::ReadFile(dir.File(name + ".node_exporter.log"))
                    << "\nours: " << testutil::ReadFile(dir.File(name + ".ours.log"));
      continue;
    }
    auto diffs = Differences(Parse(theirs_body), Parse(ours_body));
    std::string report;
    for (size_t i = 0; i < diffs.size() && i < 40; ++i) report += "  " + diffs[i] + "\n";
    if (diffs.size() > 40) report += "  ... " + std::to_string(diffs.size() - 40) + " more\n";
    EXPECT_TRUE(diffs.empty()) << diffs.size() << " differences from node_exporter:\n" << report;
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

TEST(NodeExporterDiffTest, FixtureTree) { CompareEachCollector(FixtureFlags()); }

// A host where no collector finds its source: what each reports (success 0
// or 1, and which families) must be node_exporter's.
TEST(NodeExporterDiffTest, EmptyTree) {
  TempDir empty;
  for (const char* d : {"proc", "sys", "rootfs", "udev", "textfile"}) {
    ASSERT_EQ(mkdir(empty.File(d).c_str(), 0755), 0);
  }
  CompareEachCollector(
      {"--path.procfs=" + empty.File("proc"), "--path.sysfs=" + empty.File("sys"),
       "--path.rootfs=" + empty.File("rootfs"), "--path.udev.data=" + empty.File("udev"),
       "--collector.textfile.directory=" + empty.File("textfile"), "--no-collector.netdev.netlink"},
      {{"mountstats",
        "node_exporter panics at start-up without <procfs>/self; ours starts "
        "and reports the collector failed"}});
}

// One scrape of each exporter with its defaults on this host, one after the
// other (node_exporter's body first).
std::pair<std::string, std::string> ScrapeLiveWithDefaults() {
  TempDir dir;
  std::pair<std::string, std::string> bodies;
  {
    Exporter theirs(kNodeExporter, {}, dir.File("node_exporter.log"));
    bodies.first = theirs.Scrape();
  }
  {
    Exporter ours(Ours(), {}, dir.File("ours.log"));
    bodies.second = ours.Scrape();
  }
  return bodies;
}

// Families that node_exporter emits on a live host and ours may not.
const std::map<std::string, const char*> kLiveAbsent = {};

TEST(NodeExporterDiffTest, LiveHost) {
  auto [theirs_body, ours_body] = ScrapeLiveWithDefaults();
  ASSERT_FALSE(theirs_body.empty());
  ASSERT_FALSE(ours_body.empty());
  Exposition theirs = Parse(theirs_body), ours = Parse(ours_body);
  int families = 0;
  for (const auto& [name, f] : theirs) {
    if (f.samples.empty() || Matches(name, Allow::kAbsent) || kLiveAbsent.count(name)) continue;
    ++families;
    auto o = ours.find(name);
    EXPECT_TRUE(o != ours.end() && !o->second.samples.empty())
        << "node_exporter emits " << name << " here, ours does not";
  }
  EXPECT_GT(families, 100);
}

// The series of a scrape, in the order written (label sets as printed).
std::vector<std::string> SeriesInOrder(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line.substr(0, line.rfind(' ')));
  }
  return out;
}

// client_golang's registry writes families sorted by name and each family's
// series by label values; a diff of two scrapes, or a consumer that relies on
// the order, sees ours as node_exporter's. On the live host with the
// defaults, every series both write comes in the same order.
TEST(NodeExporterDiffTest, SeriesOrderAsNodeExporter) {
  auto [theirs_body, ours_body] = ScrapeLiveWithDefaults();
  std::vector<std::string> theirs = SeriesInOrder(theirs_body), ours = SeriesInOrder(ours_body);
  std::set<std::string> in_theirs(theirs.begin(), theirs.end());
  std::set<std::string> in_both;
  for (const auto& s : ours) {
    if (in_theirs.count(s)) in_both.insert(s);
  }
  std::erase_if(theirs, [&](const std::string& s) { return !in_both.count(s); });
  std::erase_if(ours, [&](const std::string& s) { return !in_both.count(s); });
  ASSERT_GT(in_both.size(), 200u);
  for (size_t i = 0; i < ours.size() && i < theirs.size(); ++i) {
    ASSERT_EQ(ours[i], theirs[i]) << "series " << i << " of those both write";
  }
}

TEST(NodeExporterDiffTest, BuildInfoAsNodeExporter) {
  TempDir dir;
  Exporter theirs(kNodeExporter, FixtureFlags(), dir.File("node_exporter.log"));
  Exporter ours(Ours(), FixtureFlags(), dir.File("ours.log"));
  auto t = Parse(theirs.Scrape("?collect[]=loadavg"))["node_exporter_build_info"];
  auto o = Parse(ours.Scrape("?collect[]=loadavg"))["node_exporter_build_info"];
  EXPECT_EQ(o.help, t.help);
  EXPECT_EQ(o.type, t.type);
  auto label_names = [](const Family& f) {
    std::string names;
    if (f.samples.empty()) return names;
    std::regex re(R"re(([a-z_]+)=")re");
    const std::string& s = f.samples.begin()->first;
    for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it) {
      names += (*it)[1].str() + ",";
    }
    return names;
  };
  EXPECT_EQ(label_names(o), label_names(t));
  EXPECT_EQ(label_names(t), "branch,goarch,goos,goversion,revision,version,");
}

TEST(NodeExporterDiffTest, CollectFilterAsNodeExporter) {
  TempDir dir;
  Exporter theirs(kNodeExporter, FixtureFlags(), dir.File("node_exporter.log"));
  Exporter ours(Ours(), FixtureFlags(), dir.File("ours.log"));
  auto t = ReportedCollectors(Parse(theirs.Scrape("?collect[]=cpu&collect[]=loadavg")));
  auto o = ReportedCollectors(Parse(ours.Scrape("?collect[]=cpu&collect[]=loadavg")));
  EXPECT_EQ(t, (std::set<std::string>{"cpu", "loadavg"}));
  EXPECT_EQ(o, t);
}

}  // namespace
