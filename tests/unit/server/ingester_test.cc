// Ingester: every sample is stored or counted under a named reason, also
// when the store removed a series whose ref the ingester had cached.
#include "server/ingest/ingester.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "common/clock.h"
#include "server/ingest/import.h"
#include "server/ingest/text_ingest.h"

namespace server {
namespace {

constexpr int64_t kHour = 3600 * 1000;

class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/server_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class IngesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tsdb::Options o;
    o.retention_ms = kHour;
    o.maintenance_interval_ms = 0;  // retention runs when the test says
    auto db = tsdb::DB::Open(dir_.path(), o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ingester_ = std::make_unique<Ingester>(db_.get(), Limits());
  }

  // Pushes one text sample for host as POST /metrics does.
  tsdb::AppendResult Push(const std::string& host, int64_t t, double v) {
    TextIngestOptions opts;
    opts.target_labels = model::Labels{{"job", "push"}, {"instance", host}};
    opts.default_timestamp_ms = t;
    auto r = IngestText(*ingester_, "node_load1 " + std::to_string(v) + "\n", opts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->append : tsdb::AppendResult();
  }

  // Samples of node_load1{instance=host} in [mint, maxt].
  size_t Count(const std::string& host, int64_t mint, int64_t maxt) {
    auto q = db_->NewQuerier(mint, maxt);
    auto set = q->Select({tsdb::Matcher::MustMake(tsdb::Matcher::Type::kEqual, "instance", host)});
    size_t n = 0;
    while (set->Next()) {
      auto it = set->NewIterator();
      while (it->Next()) ++n;
    }
    return n;
  }

  ScratchDir dir_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<Ingester> ingester_;
};

// Regression: a host silent for longer than the retention came back, its
// series had been removed, the cached ref was dead and the sample vanished
// with every counter at 0.
TEST_F(IngesterTest, HostReturningAfterRetentionIsStored) {
  EXPECT_EQ(Push("a", 1000, 1).accepted, 1u);
  EXPECT_EQ(Push("b", 10 * kHour, 2).accepted, 1u);
  ASSERT_TRUE(db_->ApplyRetention().ok());
  ASSERT_EQ(Count("a", 0, 20 * kHour), 0u) << "retention should have removed host a";
  tsdb::AppendResult r = Push("a", 10 * kHour + 1000, 3);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected(), 0u) << r.status.ToString();
  EXPECT_EQ(Count("a", 0, 20 * kHour), 1u);
  EXPECT_EQ(ingester_->counters().accepted.load(), 3u);
}

TEST_F(IngesterTest, HostReturningAfterDeletionIsStored) {
  EXPECT_EQ(Push("a", 1000, 1).accepted, 1u);
  auto n =
      db_->DeleteSeries({tsdb::Matcher::MustMake(tsdb::Matcher::Type::kEqual, "instance", "a")});
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(*n, 1u);
  tsdb::AppendResult r = Push("a", 2000, 2);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(Count("a", 0, kHour), 1u);
}

TEST_F(IngesterTest, ImportAfterRetentionIsStoredAndCounted) {
  EXPECT_EQ(Push("a", 1000, 1).accepted, 1u);
  EXPECT_EQ(Push("b", 10 * kHour, 2).accepted, 1u);
  ASSERT_TRUE(db_->ApplyRetention().ok());
  std::string body =
      "node_load1{job=\"push\",instance=\"a\"} 5 " + std::to_string(10 * kHour + 5) + "\n";
  size_t pos = 0;
  ImportResult r = ImportText(
      *ingester_,
      [&](char* buf, size_t n) -> long {
        size_t k = std::min(n, body.size() - pos);
        std::memcpy(buf, body.data() + pos, k);
        pos += k;
        return static_cast<long>(k);
      },
      0, 1 << 20);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples, 1u);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(Count("a", 0, 20 * kHour), 1u);
}

// A removal between resolving and appending (the race the generation check
// cannot close) is counted under its own reason, and a retry stores the
// sample.
TEST_F(IngesterTest, RemovalInFlightIsCountedAndRetrySucceeds) {
  auto make = [] {
    return common::Result<model::Labels>(model::Labels{{"__name__", "x"}, {"instance", "a"}});
  };
  auto ref = ingester_->Resolve("x-a", make);
  ASSERT_TRUE(ref.ok());
  std::vector<tsdb::RefSample> batch{{*ref, 1000, 1}};
  EXPECT_EQ(ingester_->Commit(batch).accepted, 1u);
  ref = ingester_->Resolve("x-a", make);
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(
      db_->DeleteSeries({tsdb::Matcher::MustMake(tsdb::Matcher::Type::kEqual, "instance", "a")})
          .ok());
  batch = {{*ref, 2000, 2}};
  tsdb::AppendResult r = ingester_->Commit(batch);
  EXPECT_EQ(r.accepted, 0u);
  EXPECT_EQ(r.series_removed, 1u);
  EXPECT_EQ(r.invalid, 0u);
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(ingester_->counters().series_removed.load(), 1u);
  EXPECT_NE(DescribeRejections(r).find("removed"), std::string::npos) << DescribeRejections(r);
  // The retry resolves anew.
  ref = ingester_->Resolve("x-a", make);
  ASSERT_TRUE(ref.ok());
  batch = {{*ref, 2000, 2}};
  EXPECT_EQ(ingester_->Commit(batch).accepted, 1u);
}

// A ref that the store never handed out stays "invalid", not "removed".
TEST_F(IngesterTest, UnknownRefIsInvalid) {
  std::vector<tsdb::RefSample> batch{{987654321, 1000, 1}};
  tsdb::AppendResult r = ingester_->Commit(batch);
  EXPECT_EQ(r.invalid, 1u);
  EXPECT_EQ(r.series_removed, 0u);
  EXPECT_EQ(ingester_->counters().invalid.load(), 1u);
}

}  // namespace
}  // namespace server

namespace server {
namespace {

// A sample stamped ahead of --limits.max-future is refused, counted under its
// own reason and named in the 400's message.
TEST(IngesterFutureTest, FarFutureSampleIsCountedAndDescribed) {
  ScratchDir dir;
  tsdb::Options o;
  o.maintenance_interval_ms = 0;
  o.max_future_ms = Limits().max_future_ms;
  auto db = tsdb::DB::Open(dir.path(), o);
  ASSERT_TRUE(db.ok());
  Ingester ingester(db->get(), Limits());
  TextIngestOptions opts;
  opts.target_labels = model::Labels{{"job", "push"}, {"instance", "a"}};
  opts.default_timestamp_ms = common::NowMs() + 2 * kHour;
  auto r = IngestText(ingester, "node_load1 1\n", opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->append.too_far_in_future, 1u);
  EXPECT_EQ(ingester.counters().too_far_in_future.load(), 1u);
  EXPECT_NE(DescribeRejections(r->append).find("too far in the future"), std::string::npos);
}

}  // namespace
}  // namespace server
