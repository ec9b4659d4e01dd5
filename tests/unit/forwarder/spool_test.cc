#include "exporter/forwarder/spool.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/integration/test_util.h"

namespace forwarder {
namespace {

std::vector<std::string> DrainAll(Spool& s) {
  std::vector<std::string> out;
  while (auto e = s.Front()) {
    out.push_back(*s.Read(*e));
    EXPECT_TRUE(s.PopFront().ok());
  }
  return out;
}

TEST(SpoolTest, FifoAcrossReopen) {
  testutil::TempDir dir;
  Spool::Options o;
  o.dir = dir.File("spool");
  {
    auto s = Spool::Open(o);
    ASSERT_TRUE(s.ok());
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(s->Append("r" + std::to_string(i)).ok());
    EXPECT_EQ(s->size(), 12u);
    ASSERT_TRUE(s->PopFront().ok());
  }
  // A crash mid-append leaves a .tmp file: it is ignored and removed.
  testutil::WriteFile(o.dir + "/00000000000000000099.reading.tmp", "partial");
  auto s = Spool::Open(o);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->Append("r12").ok());
  auto got = DrainAll(*s);
  ASSERT_EQ(got.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(got[i], "r" + std::to_string(i + 1));
  EXPECT_FALSE(std::filesystem::exists(o.dir + "/00000000000000000099.reading.tmp"));
}

TEST(SpoolTest, BoundsDropOldestAndCount) {
  testutil::TempDir dir;
  Spool::Options o;
  o.dir = dir.path();
  o.max_entries = 3;
  o.max_bytes = 1000;
  auto s = Spool::Open(o);
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(s->Append("x" + std::to_string(i)).ok());
  EXPECT_EQ(s->dropped(), 2u);
  EXPECT_EQ(DrainAll(*s), (std::vector<std::string>{"x2", "x3", "x4"}));

  o.max_entries = 100;
  o.max_bytes = 10;
  auto b = Spool::Open(o);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->Append("aaaa").ok());
  ASSERT_TRUE(b->Append("bbbb").ok());
  ASSERT_TRUE(b->Append("cccc").ok());  // 12 bytes > 10: "aaaa" goes
  EXPECT_EQ(b->bytes(), 8u);
  EXPECT_EQ(DrainAll(*b), (std::vector<std::string>{"bbbb", "cccc"}));
}

TEST(SpoolTest, StrayFilesDoNotStopTheForwarder) {
  testutil::TempDir dir;
  Spool::Options o;
  o.dir = dir.path();
  {
    auto s = Spool::Open(o);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s->Append("kept").ok());
  }
  // Names of a reading's length that this spool never writes: std::stoull
  // used to throw on both (not digits; beyond uint64), ending the process.
  testutil::WriteFile(o.dir + "/0000000000000000000x.reading", "stray");
  testutil::WriteFile(o.dir + "/99999999999999999999.reading", "stray");
  testutil::WriteFile(o.dir + "/notes.txt", "stray");
  auto s = Spool::Open(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->Append("next").ok());
  EXPECT_EQ(DrainAll(*s), (std::vector<std::string>{"kept", "next"}));
  EXPECT_TRUE(std::filesystem::exists(o.dir + "/notes.txt"));
}

}  // namespace
}  // namespace forwarder
