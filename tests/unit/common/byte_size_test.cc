// Size flags and the memory the server derives its storage budgets from.
#include "common/byte_size.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace common {
namespace {

TEST(ByteSizeTest, ParsesBase2UnitsAsPrometheusSizeFlags) {
  struct Case {
    const char* in;
    uint64_t want;
  } cases[] = {{"0", 0},           {"512", 512},           {"1B", 1},
               {"4k", 4096},       {"4KB", 4096},          {"4KiB", 4096},
               {"256MiB", 256ull << 20}, {"512MB", 512ull << 20}, {"1gb", 1ull << 30},
               {"2GiB", 2ull << 30}, {"1TiB", 1ull << 40}};
  for (const auto& c : cases) {
    auto v = ParseByteSize(c.in);
    ASSERT_TRUE(v.ok()) << c.in << ": " << v.status().ToString();
    EXPECT_EQ(*v, c.want) << c.in;
  }
  for (const char* bad : {"", "MiB", "-1", "1.5GiB", "12 MiB", "1PiB", "99999999999999999999",
                          "20000000TiB"}) {
    auto v = ParseByteSize(bad);
    EXPECT_FALSE(v.ok()) << bad;
    if (!v.ok()) {
      EXPECT_TRUE(v.status().IsInvalidArgument()) << bad;
    }
  }
  EXPECT_EQ(FormatByteSize(256ull << 20), "256 MiB");
  EXPECT_EQ(FormatByteSize(3ull << 29), "1.5 GiB");
}

TEST(ByteSizeTest, UsableMemoryIsTheLowestOfMachineAndCgroupLimits) {
  char tmpl[] = "/tmp/cgroup_test_XXXXXX";
  const std::string root = mkdtemp(tmpl);
  const uint64_t machine = UsableMemoryBytes(root.c_str(), "/nonexistent");
  ASSERT_GT(machine, 0u);
  auto write = [](const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
  };
  // v2 without a limit at the root, a limit on the process's own cgroup.
  write(root + "/memory.max", "max\n");
  write(root + "/cg", "0::/system.slice/ms.service\n");
  write(root + "/system.slice/ms.service/memory.max", "536870912\n");
  EXPECT_EQ(UsableMemoryBytes(root.c_str(), (root + "/cg").c_str()), 512ull << 20);
  // A limit above the machine's memory changes nothing.
  write(root + "/system.slice/ms.service/memory.max", std::to_string(machine * 2) + "\n");
  EXPECT_EQ(UsableMemoryBytes(root.c_str(), (root + "/cg").c_str()), machine);
  // cgroup v1.
  write(root + "/memory/memory.limit_in_bytes", "1073741824\n");
  EXPECT_EQ(UsableMemoryBytes(root.c_str(), "/nonexistent"), std::min<uint64_t>(machine, 1ull << 30));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace common
