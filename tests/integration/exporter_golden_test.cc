// Golden end-to-end test, as node_exporter's end-to-end test: the exporter
// binary with every collector that reads files (default and opt-in) pointed
// at the fixture tree (tests/fixtures, --path.* flags), its whole /metrics
// output compared with tests/golden/exporter_fixture.prom.
//
// Families whose values come from the live machine rather than the fixture
// tree (clocks, the kernel's adjtimex, statfs of the checkout's filesystem,
// the exporter process itself, file mtimes of the checkout) are left out of
// both, by name, below.
//
// After an intended change of the output, regenerate the golden file and
// review its diff:
//   UPDATE_GOLDEN=1 build/tests/integration/exporter_golden_test
#include <cstdlib>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "common/http_client.h"
#include "tests/integration/test_util.h"

namespace {

using namespace std::chrono_literals;

const std::string kFixtures = MS_SOURCE_DIR "/tests/fixtures";
const std::string kGolden = MS_SOURCE_DIR "/tests/golden/exporter_fixture.prom";

// Collectors run: every one that reads the fixture tree.
const char* kCollectors[] = {
    "arp",          "bcache",           "bonding",    "btrfs",     "cgroup",       "conntrack",
    "cpu",          "cpufreq",          "diskstats",  "dmi",       "edac",         "entropy",
    "fibrechannel", "filefd",           "filesystem", "hwmon",     "infiniband",   "interrupts",
    "ipvs",         "loadavg",          "mdadm",      "meminfo",   "meminfo_numa", "mountstats",
    "netclass",     "netdev",           "netstat",    "nfs",       "nfsd",         "nvme",
    "os",           "powersupplyclass", "pressure",   "processes", "rapl",         "schedstat",
    "sockstat",     "softirqs",         "softnet",    "stat",      "tapestats",    "textfile",
    "thermal_zone", "udp_queues",       "vmstat",     "xfs",       "zfs",
};

// Families with live values, by name (regex).
const std::regex kLive(
    "(process_.*|promhttp_.*|node_exporter_build_info|node_scrape_collector_duration_seconds|"
    "node_time_.*|node_timex_.*|node_uname_info|node_textfile_mtime_seconds|container_last_seen|"
    "node_filesystem_(avail|free)_bytes|node_filesystem_files_free|node_selinux_.*)");

std::string Filter(const std::string& body) {
  std::istringstream in(body);
  std::string out;
  std::regex name_re(R"(^(?:# (?:HELP|TYPE) )?([a-zA-Z_:][a-zA-Z0-9_:]*))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, name_re)) {
      std::string name = m[1];
      // Samples of summaries and histograms carry a suffix.
      std::string base = std::regex_replace(name, std::regex("_(sum|count|bucket)$"), "");
      if (std::regex_match(name, kLive) || std::regex_match(base, kLive)) continue;
    }
    // The checkout's location (textfile HELP names its files) is not output.
    for (size_t at; (at = line.find(kFixtures)) != std::string::npos;) {
      line.replace(at, kFixtures.size(), "<fixtures>");
    }
    out += line + "\n";
  }
  return out;
}

TEST(ExporterGoldenTest, FixtureTreeOutput) {
  std::string ours = testutil::BinaryPath("exporter/system-stats-service");
  // Only the collectors compiled in (the list covers the whole drop-in set).
  std::string listed;
  ASSERT_EQ(testutil::RunCommand(ours + " --list-collectors", &listed), 0);
  int port = testutil::FreePort();
  std::vector<std::string> argv = {ours,
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                   "--path.procfs=" + kFixtures + "/proc",
                                   "--path.sysfs=" + kFixtures + "/sys",
                                   "--path.rootfs=" + kFixtures + "/rootfs",
                                   "--path.udev.data=" + kFixtures + "/rootfs/run/udev/data",
                                   "--collector.textfile.directory=" + kFixtures + "/textfile",
                                   "--collector.disable-defaults"};
  for (const char* c : kCollectors) {
    if (std::regex_search(listed, std::regex(std::string("(^|\n)") + c + "( |\n|$)"))) {
      argv.push_back(std::string("--collector.") + c);
    }
  }
  testutil::TempDir dir;
  testutil::Subprocess proc(argv, dir.File("exporter.log"));
  common::HttpClient client;
  std::string body;
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        auto r = client.Get("http://127.0.0.1:" + std::to_string(port) + "/metrics", 5);
        if (!r.ok() || r->status != 200) return false;
        body = r->body;
        return true;
      },
      15s))
      << testutil::ReadFile(dir.File("exporter.log"));
  std::string got = Filter(body);
  if (std::getenv("UPDATE_GOLDEN")) {
    testutil::WriteFile(kGolden, got);
    GTEST_SKIP() << "wrote " << kGolden;
  }
  std::string want = testutil::ReadFile(kGolden);
  ASSERT_FALSE(want.empty()) << kGolden << " missing: run with UPDATE_GOLDEN=1";
  if (got != want) {
    testutil::WriteFile(dir.File("got.prom"), got);
    std::string diff;
    testutil::RunCommand("diff -u " + kGolden + " " + dir.File("got.prom") + " | head -80", &diff);
    ADD_FAILURE() << "output differs from " << kGolden << " (UPDATE_GOLDEN=1 regenerates it):\n"
                  << diff;
  }
}

}  // namespace
