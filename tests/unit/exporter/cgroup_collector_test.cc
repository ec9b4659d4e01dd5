// Tests of the cgroup (container) collector on the cgroup v2 tree under
// tests/fixtures/sys/fs/cgroup, with scratch trees for docker names, network
// namespaces, limits and malformed files.
#include <stdio.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "common/text_writer.h"

#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

const std::string kDockerId = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
const std::string kPodmanId = "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";
const std::string kCriId = "2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6";
const std::string kCgroupfsId = "18ac3e7343f016890c510e93f935261169d9e3f565436429830faf0934f4f8e4";

const std::string kDockerScope = "/system.slice/docker-" + kDockerId + ".scope";
const std::string kPodmanScope =
    "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kPodmanId + ".scope";
const std::string kCriScope =
    "/kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/cri-containerd-" +
    kCriId + ".scope";
const std::string kCgroupfsDocker = "/docker/" + kCgroupfsId;

// id -> name of every container reported (by container_last_seen).
std::map<std::string, std::string> Containers(const MetricSink& s) {
  std::map<std::string, std::string> out;
  if (const auto* f = s.Find("container_last_seen")) {
    for (const auto& m : f->metric) {
      out[std::string(LabelValue(m, "id"))] = std::string(LabelValue(m, "name"));
    }
  }
  return out;
}

TEST(CgroupCollectorTest, FindsContainersAndServicesOnly) {
  MetricSink s = RunCollector("cgroup");
  const std::map<std::string, std::string> want = {
      {kDockerScope, "ca978112ca1b"},
      {kPodmanScope, "3e23e8160039"},
      {kCriScope, "2e7d2c03a950"},
      {kCgroupfsDocker, "18ac3e7343f0"},
      {"/machine.slice/machine-box.scope", "machine-box.scope"},
      {"/system.slice/docker.service", "docker.service"},
      {"/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service"},
  };
  EXPECT_EQ(Containers(s), want);
  // Not containers: the root, init.scope, slices, user@.service, podman's conmon.
  for (const auto& f : s.families()) {
    for (const auto& m : f.metric) {
      std::string id(LabelValue(m, "id"));
      EXPECT_EQ(want.count(id), 1u) << f.name << " id=" << id;
      EXPECT_EQ(LabelValue(m, "image"), "") << f.name;
      EXPECT_EQ(m.label[0].name, "id");
      EXPECT_EQ(m.label[1].name, "image");
      EXPECT_EQ(m.label[2].name, "name");
    }
  }
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(MustValue(s, "container_last_seen", {{"id", kDockerScope}}), now, 60);
}

TEST(CgroupCollectorTest, DockerScopeExactValues) {
  MetricSink s = RunCollector("cgroup");
  const LabelPairs c = {{"id", kDockerScope}, {"name", "ca978112ca1b"}, {"image", ""}};
  auto v = [&](const std::string& name, LabelPairs extra = {}) {
    LabelPairs l = c;
    l.insert(l.end(), extra.begin(), extra.end());
    auto x = Value(s, name, l);
    EXPECT_TRUE(x.has_value()) << name;
    return x.value_or(-1);
  };
  EXPECT_EQ(v("container_cpu_usage_seconds_total", {{"cpu", "total"}}), 123.456789);
  EXPECT_EQ(v("container_cpu_user_seconds_total"), 100.0);
  EXPECT_EQ(v("container_cpu_system_seconds_total"), 23.456789);
  EXPECT_EQ(v("container_cpu_cfs_periods_total"), 500);
  EXPECT_EQ(v("container_cpu_cfs_throttled_periods_total"), 20);
  EXPECT_EQ(v("container_cpu_cfs_throttled_seconds_total"), 1.5);
  EXPECT_EQ(v("container_spec_cpu_period"), 100000);
  EXPECT_EQ(v("container_spec_cpu_quota"), 50000);
  EXPECT_EQ(v("container_memory_usage_bytes"), 104857600);
  EXPECT_EQ(v("container_memory_working_set_bytes"), 104857600 - 20971520);
  EXPECT_EQ(v("container_memory_rss"), 52428800);
  EXPECT_EQ(v("container_memory_cache"), 41943040);
  EXPECT_EQ(v("container_memory_mapped_file"), 4194304);
  EXPECT_EQ(v("container_memory_swap"), 1048576);
  EXPECT_EQ(v("container_spec_memory_limit_bytes"), 536870912);
  EXPECT_EQ(v("container_threads"), 7);
  EXPECT_EQ(v("container_threads_max"), 4096);
  EXPECT_EQ(v("container_processes"), 2);
  // io.stat devices resolved through <procfs>/diskstats (8:0 sda, 259:0 nvme0n1).
  EXPECT_EQ(v("container_fs_reads_bytes_total", {{"device", "/dev/sda"}}), 1048576);
  EXPECT_EQ(v("container_fs_writes_bytes_total", {{"device", "/dev/sda"}}), 2097152);
  EXPECT_EQ(v("container_fs_reads_total", {{"device", "/dev/sda"}}), 256);
  EXPECT_EQ(v("container_fs_writes_total", {{"device", "/dev/sda"}}), 512);
  EXPECT_EQ(v("container_fs_reads_bytes_total", {{"device", "/dev/nvme0n1"}}), 4096);
  EXPECT_EQ(v("container_fs_writes_total", {{"device", "/dev/nvme0n1"}}), 0);
  // The fixture procfs has no /proc/<pid>/ns: no network metrics.
  EXPECT_EQ(s.Find("container_network_receive_bytes_total"), nullptr);

  for (const char* counter :
       {"container_cpu_usage_seconds_total", "container_cpu_cfs_throttled_seconds_total",
        "container_fs_reads_bytes_total", "container_fs_writes_total"}) {
    EXPECT_EQ(s.Find(counter)->type, prometheus::MetricType::Counter) << counter;
  }
  for (const char* gauge : {"container_memory_usage_bytes", "container_spec_memory_limit_bytes",
                            "container_last_seen", "container_threads"}) {
    EXPECT_EQ(s.Find(gauge)->type, prometheus::MetricType::Gauge) << gauge;
  }
  EXPECT_EQ(s.Find("container_memory_working_set_bytes")->help, "Current working set in bytes.");
}

TEST(CgroupCollectorTest, OnlyWhatTheCgroupHas) {
  MetricSink s = RunCollector("cgroup");
  const LabelPairs svc = {{"id", "/system.slice/docker.service"}};
  EXPECT_EQ(MustValue(s, "container_cpu_usage_seconds_total", svc), 98.765432);
  EXPECT_EQ(MustValue(s, "container_cpu_system_seconds_total", svc), 38.765432);
  // No cpu controller fields: no cfs metrics, no cpu.max, no io.stat, no swap.
  for (const char* absent :
       {"container_cpu_cfs_periods_total", "container_cpu_cfs_throttled_seconds_total",
        "container_spec_cpu_period", "container_fs_reads_bytes_total", "container_memory_swap"}) {
    EXPECT_FALSE(Value(s, absent, svc).has_value()) << absent;
  }
  // inactive_file above usage: the working set is 0, not negative (cAdvisor).
  EXPECT_EQ(MustValue(s, "container_memory_working_set_bytes", svc), 0);
  EXPECT_EQ(MustValue(s, "container_memory_usage_bytes", svc), 73400320);
  // "max" is reported as 0.
  EXPECT_EQ(MustValue(s, "container_spec_memory_limit_bytes", svc), 0);
  EXPECT_EQ(MustValue(s, "container_threads_max", svc), 0);
  EXPECT_EQ(MustValue(s, "container_threads", svc), 23);
  EXPECT_EQ(MustValue(s, "container_processes", svc), 1);

  const LabelPairs cri = {{"id", kCriScope}};
  EXPECT_EQ(MustValue(s, "container_cpu_usage_seconds_total", cri), 5);
  EXPECT_EQ(MustValue(s, "container_cpu_cfs_throttled_periods_total", cri), 0);
  EXPECT_EQ(MustValue(s, "container_spec_cpu_period", cri), 100000);
  EXPECT_FALSE(Value(s, "container_spec_cpu_quota", cri).has_value());  // "max"
  // A device not in diskstats keeps its maj:min.
  EXPECT_EQ(
      MustValue(s, "container_fs_writes_bytes_total", {{"id", kCriScope}, {"device", "252:16"}}),
      20);
  EXPECT_EQ(MustValue(s, "container_fs_reads_total", {{"id", kCriScope}, {"device", "252:16"}}), 1);

  const LabelPairs podman = {{"id", kPodmanScope}};
  EXPECT_EQ(MustValue(s, "container_memory_working_set_bytes", podman), 1900000);
  EXPECT_FALSE(Value(s, "container_cpu_usage_seconds_total", podman).has_value());

  // Series counts: 4 containers + 2 services + getty have cpu.stat; machine-box has memory only.
  EXPECT_EQ(SeriesCount(s, "container_cpu_usage_seconds_total"), 5u);
  EXPECT_EQ(SeriesCount(s, "container_memory_usage_bytes"), 4u);
  EXPECT_EQ(SeriesCount(s, "container_fs_reads_bytes_total"), 3u);
  EXPECT_EQ(SeriesCount(s, "container_last_seen"), 7u);
}

TEST(CgroupCollectorTest, MaxContainersKeepsRuntimeContainersFirst) {
  {
    CollectorConfig c = FixtureConfig();
    c.flags["collector.cgroup.max-containers"] = "3";
    MetricSink s = RunCollector("cgroup", c);
    const std::map<std::string, std::string> want = {{kCgroupfsDocker, "18ac3e7343f0"},
                                                     {kCriScope, "2e7d2c03a950"},
                                                     {kDockerScope, "ca978112ca1b"}};
    EXPECT_EQ(Containers(s), want);
    EXPECT_EQ(SeriesCount(s, "container_cpu_usage_seconds_total"), 3u);
  }
  {
    CollectorConfig c = FixtureConfig();
    c.flags["collector.cgroup.max-containers"] = "5";
    EXPECT_EQ(Containers(RunCollector("cgroup", c)).count("/machine.slice/machine-box.scope"), 1u);
  }
  {
    CollectorConfig c = FixtureConfig();
    c.flags["collector.cgroup.max-containers"] = "0";
    EXPECT_TRUE(RunCollector("cgroup", c).families().empty());
  }
}

TEST(CgroupCollectorTest, DockerNameAndImageFromConfig) {
  ScratchDir rootfs;
  rootfs.Write("var/lib/docker/containers/" + kDockerId + "/config.v2.json",
               R"({"ID":")" + kDockerId +
                   R"(","Name":"/web","Config":{"Image":"nginx:1.25","Hostname":"x"}})");
  rootfs.Write("var/lib/docker/containers/" + kCgroupfsId + "/config.v2.json", "{not json");
  CollectorConfig c = FixtureConfig();
  c.paths.rootfs = rootfs.path();
  MetricSink s = RunCollector("cgroup", c);
  auto containers = Containers(s);
  EXPECT_EQ(containers[kDockerScope], "web");
  EXPECT_EQ(containers[kCgroupfsDocker], "18ac3e7343f0");  // unreadable config: short id
  EXPECT_EQ(
      MustValue(s, "container_memory_usage_bytes", {{"name", "web"}, {"image", "nginx:1.25"}}),
      104857600);
  // podman and containerd ids are not looked up in docker's directory.
  EXPECT_EQ(containers[kPodmanScope], "3e23e8160039");
}

TEST(CgroupCollectorTest, NetworkFromTheContainersOwnNamespace) {
  ScratchDir proc;
  const std::string header =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n";
  proc.Symlink("net:[4026531840]", "1/ns/net");
  // 4242: the docker container, in its own netns.
  proc.Symlink("net:[4026532301]", "4242/ns/net");
  proc.Write("4242/net/dev", header +
                                 "    lo:     100       2    0    0    0     0          0         0"
                                 "      100       2    0    0    0     0       0          0\n"
                                 "  eth0: 5000000    4000    1    2    0     0          0         0"
                                 "   300000    2500    3    4    0     0       0          0\n");
  // 812: docker.service, in the host's netns: no container network metrics.
  proc.Symlink("net:[4026531840]", "812/ns/net");
  proc.Write("812/net/dev", header + "  eth0: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n");
  MetricSink s = RunCollector("cgroup", ProcAt(proc));
  const LabelPairs eth0 = {{"id", kDockerScope}, {"interface", "eth0"}};
  EXPECT_EQ(MustValue(s, "container_network_receive_bytes_total", eth0), 5000000);
  EXPECT_EQ(MustValue(s, "container_network_receive_packets_total", eth0), 4000);
  EXPECT_EQ(MustValue(s, "container_network_receive_errors_total", eth0), 1);
  EXPECT_EQ(MustValue(s, "container_network_receive_packets_dropped_total", eth0), 2);
  EXPECT_EQ(MustValue(s, "container_network_transmit_bytes_total", eth0), 300000);
  EXPECT_EQ(MustValue(s, "container_network_transmit_packets_total", eth0), 2500);
  EXPECT_EQ(MustValue(s, "container_network_transmit_errors_total", eth0), 3);
  EXPECT_EQ(MustValue(s, "container_network_transmit_packets_dropped_total", eth0), 4);
  EXPECT_EQ(SeriesCount(s, "container_network_receive_bytes_total"), 1u);  // no lo, no service
  // Without diskstats in this procfs the devices keep maj:min.
  EXPECT_TRUE(
      Value(s, "container_fs_reads_total", {{"id", kDockerScope}, {"device", "8:0"}}).has_value());
}

TEST(CgroupCollectorTest, NoCgroupHierarchyIsNoData) {
  ScratchDir sys;  // no fs/cgroup at all
  EXPECT_TRUE(UpdateStatus("cgroup", SysAt(sys)).IsNotFound());
  // Only a v1 controller that containers are not found by: still no data.
  sys.Write("fs/cgroup/freezer/tasks", "1\n");
  EXPECT_TRUE(UpdateStatus("cgroup", SysAt(sys)).IsNotFound());
  // Hybrid with only the memory controller and no containers: success, empty.
  sys.Write("fs/cgroup/memory/memory.usage_in_bytes", "1\n");
  sys.Write("fs/cgroup/unified/cgroup.controllers", "\n");
  auto st = UpdateStatus("cgroup", SysAt(sys));
  EXPECT_TRUE(st.ok()) << st.ToString();
  // v2 with no containers: success, nothing emitted.
  ScratchDir empty;
  empty.Write("fs/cgroup/cgroup.controllers", "cpu memory\n");
  empty.Write("fs/cgroup/init.scope/cpu.stat", "usage_usec 1\n");
  EXPECT_TRUE(RunCollector("cgroup", SysAt(empty)).families().empty());
}

// cgroup v1 (a hybrid Docker host, cgroupfs driver): tests/fixtures/cgroupv1,
// one hierarchy per controller, cpu and cpuacct sharing "cpu,cpuacct".
TEST(CgroupCollectorTest, ReadsCgroupV1Hierarchies) {
  CollectorConfig c = FixtureConfig();
  c.paths.sysfs = MS_SOURCE_DIR "/tests/fixtures/cgroupv1/sys";
  MetricSink s = RunCollector("cgroup", c);
  const std::string id = "/docker/5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9";
  EXPECT_EQ(Containers(s), (std::map<std::string, std::string>{
                               {id, "5feceb66ffc8"},
                               {"/system.slice/ssh.service", "ssh.service"},
                           }));
  const LabelPairs d = {{"id", id}};
  EXPECT_DOUBLE_EQ(
      MustValue(s, "container_cpu_usage_seconds_total", {{"id", id}, {"cpu", "total"}}),
      482.913645511);  // cpuacct.usage, ns
  EXPECT_DOUBLE_EQ(MustValue(s, "container_cpu_user_seconds_total", d), 312.5);  // USER_HZ ticks
  EXPECT_DOUBLE_EQ(MustValue(s, "container_cpu_system_seconds_total", d), 128.75);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_cpu_cfs_periods_total", d), 5120);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_cpu_cfs_throttled_periods_total", d), 37);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_cpu_cfs_throttled_seconds_total", d), 2.5);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_spec_cpu_period", d), 100000);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_spec_cpu_quota", d), 150000);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_memory_usage_bytes", d), 268435456);
  // Hierarchical total_* counters, not the cgroup-local ones.
  EXPECT_DOUBLE_EQ(MustValue(s, "container_memory_working_set_bytes", d), 268435456 - 44040192);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_memory_rss", d), 153092096);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_memory_cache", d), 109051904);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_memory_mapped_file", d), 9437184);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_memory_swap", d), 279969792 - 268435456);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_spec_memory_limit_bytes", d), 536870912);
  const LabelPairs sda = {{"id", id}, {"device", "/dev/sda"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "container_fs_reads_bytes_total", sda), 73400320);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_fs_writes_bytes_total", sda), 20971520);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_fs_reads_total", sda), 1790);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_fs_writes_total", sda), 512);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_fs_reads_total", {{"id", id}, {"device", "8:16"}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_threads", d), 23);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_threads_max", d), 0);  // "max"
  EXPECT_DOUBLE_EQ(MustValue(s, "container_processes", d), 3);
  // The service: no quota (-1), the kernel's "unlimited" limit as is (cAdvisor).
  const LabelPairs ssh = {{"id", "/system.slice/ssh.service"}};
  EXPECT_FALSE(Value(s, "container_spec_cpu_quota", ssh).has_value());
  EXPECT_DOUBLE_EQ(MustValue(s, "container_spec_memory_limit_bytes", ssh), 9223372036854771712.0);
  EXPECT_DOUBLE_EQ(MustValue(s, "container_cpu_user_seconds_total", ssh), 0.61);
  EXPECT_FALSE(Value(s, "container_memory_swap", ssh).has_value());
  EXPECT_FALSE(Value(s, "container_threads", ssh).has_value());  // no pids cgroup
}

TEST(CgroupCollectorTest, MalformedFilesFailTheCollector) {
  const std::pair<std::string, std::string> kBad[] = {
      {"cpu.stat", "usage_usec x\n"}, {"cpu.stat", "usage_usec 1 2\n"},
      {"cpu.max", "50000\n"},         {"cpu.max", "lots 100000\n"},
      {"memory.current", "many\n"},   {"memory.stat", "anon -1\n"},
      {"memory.max", "unlimited\n"},  {"memory.swap.current", "\n"},
      {"io.stat", "8:0 rbytes=x\n"},  {"io.stat", "sda rbytes=1\n"},
      {"io.stat", "8:0 rbytes\n"},    {"pids.current", "-3\n"},
      {"pids.max", "none\n"},
  };
  for (const auto& [file, text] : kBad) {
    SCOPED_TRACE(file + ": " + text);
    ScratchDir sys;
    sys.Write("fs/cgroup/cgroup.controllers", "cpu io memory pids\n");
    sys.Write("fs/cgroup/system.slice/cron.service/" + file, text);
    auto st = UpdateStatus("cgroup", SysAt(sys));
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    EXPECT_NE(st.message().find(file), std::string::npos) << st.message();
  }
}

TEST(CgroupCollectorTest, OutputPassesPromtoolLint) {
  // promtool comes with Debian's prometheus package, which setup installs.
  ASSERT_EQ(system("command -v promtool > /dev/null 2>&1"), 0) << "promtool missing";
  ScratchDir proc;
  proc.Symlink("net:[1]", "1/ns/net");
  proc.Symlink("net:[2]", "4242/ns/net");
  proc.Write("4242/net/dev", "h1\nh2\n  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
  MetricSink s = RunCollector("cgroup", ProcAt(proc));
  ASSERT_NE(s.Find("container_network_transmit_bytes_total"), nullptr);
  std::string text;
  common::AppendTextFormat(s.families(), &text);
  ScratchDir out;
  out.Write("metrics.txt", text);
  std::string cmd = "promtool check metrics < " + out.path() + "/metrics.txt 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string findings;
  char buf[512];
  while (fgets(buf, sizeof(buf), p)) findings += buf;
  int rc = pclose(p);
  EXPECT_EQ(rc, 0) << findings;
  EXPECT_EQ(findings, "");
}

}  // namespace
}  // namespace exporter::testing
