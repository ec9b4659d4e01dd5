// Tests of the filesystem collector on tests/fixtures/proc/1/mounts, whose mount
// points exist (or, for /mnt/backup, deliberately do not) under
// tests/fixtures/rootfs, so statfs() runs on real directories.
#include <sys/statvfs.h>

#include <set>

#include "exporter/collectors/parse_util.h"
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

const char* const kFamilies[] = {
    "node_filesystem_device_error", "node_filesystem_size_bytes", "node_filesystem_free_bytes",
    "node_filesystem_avail_bytes",  "node_filesystem_files",      "node_filesystem_files_free",
    "node_filesystem_readonly",
};

std::string RootfsDir(const std::string& mount_point) {
  return std::string(MS_SOURCE_DIR "/tests/fixtures/rootfs") + mount_point;
}

// The (device, fstype, mountpoint) label sets of a family.
std::set<std::tuple<std::string, std::string, std::string>> LabelSets(const MetricSink& s,
                                                                      const std::string& name) {
  std::set<std::tuple<std::string, std::string, std::string>> out;
  const auto* f = s.Find(name);
  if (!f) return out;
  for (const auto& m : f->metric) {
    EXPECT_EQ(m.label.size(), 3u);
    out.emplace(LabelValue(m, "device"), LabelValue(m, "fstype"), LabelValue(m, "mountpoint"));
  }
  return out;
}

TEST(FilesystemCollectorTest, ExcludesAndDeduplicatesMounts) {
  MetricSink s = RunCollector("filesystem");
  using Set = std::set<std::tuple<std::string, std::string, std::string>>;
  const Set all = {
      {"tmpfs", "tmpfs", "/run"},
      {"/dev/mapper/vg0-root", "ext4", "/"},
      {"/dev/nvme0n1p1", "ext4", "/boot"},
      {"/dev/sdb1", "xfs", "/srv/My Data"},
      {"/dev/sdc1", "ext4", "/var/lib/docker"},
      {"nas:/export/backup", "nfs4", "/mnt/backup"},
  };
  Set ok = all;
  ok.erase({"nas:/export/backup", "nfs4", "/mnt/backup"});
  EXPECT_EQ(LabelSets(s, "node_filesystem_device_error"), all);
  for (const char* name : kFamilies) {
    SCOPED_TRACE(name);
    const auto* f = s.Find(name);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->type, prometheus::MetricType::Gauge);
    if (std::string(name) != "node_filesystem_device_error") {
      EXPECT_EQ(LabelSets(s, name), ok);
    }
  }
  EXPECT_EQ(s.families().size(), std::size(kFamilies));
}

TEST(FilesystemCollectorTest, MissingMountPointIsDeviceErrorOnly) {
  MetricSink s = RunCollector("filesystem");
  EXPECT_EQ(MustValue(s, "node_filesystem_device_error", {{"mountpoint", "/mnt/backup"}}), 1);
  for (const char* name : kFamilies) {
    if (std::string(name) == "node_filesystem_device_error") continue;
    EXPECT_FALSE(Value(s, name, {{"mountpoint", "/mnt/backup"}}).has_value()) << name;
  }
  EXPECT_EQ(MustValue(s, "node_filesystem_device_error", {{"mountpoint", "/"}}), 0);
}

TEST(FilesystemCollectorTest, ValuesAreStatfsOfRootfsJoinedPath) {
  for (const std::string mp : {"/", "/boot", "/srv/My Data", "/var/lib/docker"}) {
    SCOPED_TRACE(mp);
    // Free space on the real filesystem under the fixtures can move while the
    // test runs (parallel builds): retry until it held still across the scrape.
    bool stable = false;
    for (int attempt = 0; attempt < 20 && !stable; ++attempt) {
      struct statvfs before, after;
      ASSERT_EQ(statvfs(RootfsDir(mp).c_str(), &before), 0);
      MetricSink s = RunCollector("filesystem");
      ASSERT_EQ(statvfs(RootfsDir(mp).c_str(), &after), 0);
      if (before.f_bavail != after.f_bavail || before.f_bfree != after.f_bfree ||
          before.f_ffree != after.f_ffree) {
        continue;
      }
      stable = true;
      LabelPairs at = {{"mountpoint", mp}};
      double bsize = static_cast<double>(before.f_bsize);
      EXPECT_DOUBLE_EQ(MustValue(s, "node_filesystem_size_bytes", at),
                       static_cast<double>(before.f_blocks) * bsize);
      EXPECT_DOUBLE_EQ(MustValue(s, "node_filesystem_free_bytes", at),
                       static_cast<double>(before.f_bfree) * bsize);
      EXPECT_DOUBLE_EQ(MustValue(s, "node_filesystem_avail_bytes", at),
                       static_cast<double>(before.f_bavail) * bsize);
      EXPECT_DOUBLE_EQ(MustValue(s, "node_filesystem_files", at),
                       static_cast<double>(before.f_files));
      EXPECT_DOUBLE_EQ(MustValue(s, "node_filesystem_files_free", at),
                       static_cast<double>(before.f_ffree));
    }
    EXPECT_TRUE(stable);
  }
}

TEST(FilesystemCollectorTest, ReadonlyFromMountOptions) {
  MetricSink s = RunCollector("filesystem");
  EXPECT_EQ(MustValue(s, "node_filesystem_readonly", {{"mountpoint", "/srv/My Data"}}), 1);
  EXPECT_EQ(MustValue(s, "node_filesystem_readonly", {{"mountpoint", "/"}}), 0);
  EXPECT_EQ(MustValue(s, "node_filesystem_readonly", {{"mountpoint", "/run"}}), 0);
}

TEST(FilesystemCollectorTest, FallsBackToProcMountsWithoutPid1) {
  ScratchDir proc;
  proc.Write("mounts", "/dev/sda2 /boot ext4 rw 0 0\n");
  MetricSink s = RunCollector("filesystem", ProcAt(proc));
  EXPECT_EQ(SeriesCount(s, "node_filesystem_device_error"), 1u);
  EXPECT_TRUE(Value(s, "node_filesystem_size_bytes", {{"device", "/dev/sda2"}}).has_value());
}

TEST(FilesystemCollectorTest, RootfsPrefixIsStrippedFromMountpointLabel) {
  ScratchDir proc;
  std::string root = MS_SOURCE_DIR "/tests/fixtures/rootfs";
  proc.Write("1/mounts",
             "/dev/sda2 " + root + "/boot ext4 rw 0 0\n" + "/dev/sda1 " + root + " ext4 rw 0 0\n");
  MetricSink s = RunCollector("filesystem", ProcAt(proc));
  EXPECT_EQ(MustValue(s, "node_filesystem_device_error", {{"mountpoint", "/boot"}}), 0);
  EXPECT_EQ(MustValue(s, "node_filesystem_device_error", {{"mountpoint", "/"}}), 0);
}

TEST(FilesystemCollectorTest, MalformedMountsFailTheCollector) {
  const char* const kBad[] = {
      "/dev/sda1 / ext4\n",
      "/dev/sda1 / ext4 rw 0 0\n/dev/sda2 /boot\n",
      "onlyonefield\n",
  };
  for (const char* text : kBad) {
    SCOPED_TRACE(text);
    ScratchDir proc;
    proc.Write("1/mounts", text);
    MetricSink s;
    auto st = RegisteredCollectors().at("filesystem").factory(ProcAt(proc))->Update(s);
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  }
}

TEST(FilesystemCollectorTest, MissingMountsFileFails) {
  ScratchDir proc;
  MetricSink s;
  auto st = RegisteredCollectors().at("filesystem").factory(ProcAt(proc))->Update(s);
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
}

TEST(FilesystemCollectorTest, InvalidExcludePatternFails) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.filesystem.fs-types-exclude"] = "(unclosed";
  MetricSink s;
  auto st = RegisteredCollectors().at("filesystem").factory(c)->Update(s);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
}

TEST(ParseUtilTest, UnescapeOctal) {
  EXPECT_EQ(parse::UnescapeOctal("/srv/My\\040Data"), "/srv/My Data");
  EXPECT_EQ(parse::UnescapeOctal("a\\011b\\134c\\012"), "a\tb\\c\n");
  EXPECT_EQ(parse::UnescapeOctal("trail\\04"), "trail\\04");
  EXPECT_EQ(parse::UnescapeOctal("\\999"), "\\999");
}

}  // namespace
}  // namespace exporter::testing
