// Ingest limits (server/ingest/limits.h), each enforced before anything of
// the request is stored and refused with a message naming the limit; the
// series limit is counted under its reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <snappy.h>

#include "server/ingest/ingester.h"
#include "server/ingest/remote_write.h"
#include "server/ingest/remote_write.pb.h"
#include "server/ingest/text_ingest.h"

namespace server {
namespace {

class IngestLimitsTest : public ::testing::Test {
 protected:
  void Open(Limits limits, size_t max_series = 0) {
    char tmpl[] = "/tmp/ingest_limits_XXXXXX";
    dir_ = mkdtemp(tmpl);
    tsdb::Options o;
    o.max_series = max_series;
    auto db = tsdb::DB::Open(dir_, o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ingester_ = std::make_unique<Ingester>(db_.get(), limits);
  }
  void TearDown() override {
    ingester_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  common::Result<TextIngestResult> Ingest(const std::string& text) {
    TextIngestOptions opts;
    opts.target_labels = model::Labels{{"job", "j"}, {"instance", "i"}};
    opts.default_timestamp_ms = 1000;
    return IngestText(*ingester_, text, opts);
  }
  size_t SeriesInStore() { return db_->GetStats().num_series; }

  std::string dir_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<Ingester> ingester_;
};

TEST_F(IngestLimitsTest, LabelLimitsRefuseTheWholeRequestNamingTheLimit) {
  Limits l;
  l.max_labels_per_series = 4;  // job and instance count too
  l.max_label_name_length = 8;
  l.max_label_value_length = 10;
  Open(l);
  const struct {
    const char* text;
    const char* want;
  } cases[] = {
      {"ok 1\nm{a=\"1\",b=\"2\",c=\"3\"} 1\n", "limit of 4"},
      {"ok 1\nm{abcdefghi=\"1\"} 1\n", "8"},
      {"ok 1\nm{a=\"01234567890\"} 1\n", "10"},
  };
  for (const auto& tc : cases) {
    auto r = Ingest(tc.text);
    ASSERT_FALSE(r.ok()) << tc.text;
    EXPECT_NE(r.status().message().find(tc.want), std::string::npos) << r.status().message();
  }
  // Nothing of the refused requests was stored: not even the valid "ok".
  EXPECT_EQ(SeriesInStore(), 0u);
  auto ok = Ingest("m{a=\"0123456789\"} 1\n");  // 4 labels with job and instance
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->append.accepted, 1u);
}

TEST_F(IngestLimitsTest, RefusedRemoteWriteLeavesNoSeries) {
  Limits l;
  l.max_label_value_length = 10;
  Open(l);
  ms::remote::WriteRequest req;
  for (const char* v : {"short", "much too long a value"}) {
    auto* ts = req.add_timeseries();
    auto* name = ts->add_labels();
    name->set_name("__name__");
    name->set_value("rw");
    auto* a = ts->add_labels();
    a->set_name("a");
    a->set_value(v);
    auto* smp = ts->add_samples();
    smp->set_value(1);
    smp->set_timestamp(1000);
  }
  std::string raw = req.SerializeAsString(), body;
  snappy::Compress(raw.data(), raw.size(), &body);
  auto r = IngestRemoteWrite(*ingester_, body, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("limit of 10"), std::string::npos) << r.status().message();
  EXPECT_EQ(SeriesInStore(), 0u);  // not even the valid first series
}

TEST_F(IngestLimitsTest, SamplesPerRequestLimit) {
  Limits l;
  l.max_samples_per_request = 3;
  Open(l);
  auto r = Ingest("a 1\nb 1\nc 1\nd 1\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(SeriesInStore(), 0u);
  EXPECT_TRUE(Ingest("a 1\nb 1\nc 1\n").ok());
}

TEST_F(IngestLimitsTest, SeriesLimitRefusesTheRequestAndIsCounted) {
  Open(Limits(), /*max_series=*/2);
  ASSERT_TRUE(Ingest("a 1\n").ok());
  // Two new series where one fits: the request is refused whole (429), its
  // samples are not stored, and the refusal is counted under series_limit.
  auto r = Ingest("a 2\nb 1\nc 1\n");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsResourceExhausted()) << r.status().ToString();
  EXPECT_EQ(ingester_->counters().series_limit.load(), 1u);
  // b fit and was created before c hit the limit (the documented exception
  // to "a refused request leaves nothing": only at the series limit); none
  // of the request's samples were stored.
  EXPECT_EQ(SeriesInStore(), 2u);
  auto q = db_->NewQuerier(0, 10'000);
  auto set = q->Select({tsdb::Matcher::MustMake(tsdb::Matcher::Type::kEqual, "__name__", "b")});
  while (set->Next()) EXPECT_FALSE(set->NewIterator()->Next());
  // Known series keep being written.
  auto known = Ingest("a 3\n");
  ASSERT_TRUE(known.ok()) << known.status().ToString();
}

}  // namespace
}  // namespace server
