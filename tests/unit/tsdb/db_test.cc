#include <atomic>
#include <cmath>
#include <thread>

#include "common/clock.h"
#include "model/value.h"
#include "test_util.h"
#include "tsdb/db.h"

namespace tsdb {
namespace {

using model::Labels;
using testing::Bits;
using testing::Drain;
using testing::Eq;
using testing::Query;
using testing::SameSamples;
using testing::Samples;
using testing::TempDir;
using testing::TestOptions;

class tsdb_DB : public ::testing::Test {
 protected:
  void Open(Options o = TestOptions()) {
    db_.reset();
    auto r = DB::Open(dir_.path(), o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  void SetUp() override { Open(); }

  AppendResult Append(const Labels& l, const Samples& s) {
    auto app = db_->NewAppender();
    for (auto [t, v] : s) app->Add(l, t, v);
    return app->Commit();
  }
  Samples Read(const Labels& l, int64_t mint, int64_t maxt) {
    std::vector<Matcher> ms;
    for (const auto& x : l) ms.push_back(Eq(x.name, x.value));
    auto res = Query(db_.get(), ms, mint, maxt);
    for (auto& [name, samples] : res) {
      if (name == l.ToString()) return samples;
    }
    return {};
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
};

Samples Range(int64_t from, int n, int64_t step, double v0 = 0) {
  Samples s;
  for (int i = 0; i < n; ++i) s.push_back({from + i * step, v0 + i * 0.25});
  return s;
}

Samples Slice(const Samples& s, int64_t mint, int64_t maxt) {
  Samples out;
  for (auto x : s) {
    if (x.first >= mint && x.first <= maxt) out.push_back(x);
  }
  return out;
}

TEST_F(tsdb_DB, QueriesAcrossSealedChunksAndHeadAreExact) {
  Labels l{{"__name__", "m"}, {"job", "a"}};
  Samples s = Range(1000, 500, 15000);  // 4 sealed chunks of 120 + 20 in the head
  AppendResult r = Append(l, s);
  EXPECT_EQ(r.accepted, 500u);
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(SameSamples(s, Read(l, INT64_MIN, INT64_MAX)));
  // Ranges that start/end inside sealed chunks, at their edges and in the head.
  for (auto [a, b] :
       std::vector<std::pair<int64_t, int64_t>>{{1000, 1000},
                                                {1000 + 119 * 15000, 1000 + 120 * 15000},
                                                {50000, 4000000},
                                                {1000 + 470 * 15000, 1000 + 490 * 15000},
                                                {1000 + 300 * 15000 + 1, INT64_MAX},
                                                {-5, 999},
                                                {1000 + 499 * 15000 + 1, INT64_MAX}}) {
    EXPECT_TRUE(SameSamples(Slice(s, a, b), Read(l, a, b))) << a << ".." << b;
  }
  // Series without samples in range are not returned.
  EXPECT_TRUE(Query(db_.get(), {Eq("job", "a")}, 0, 999).empty());
}

// Queries find a range's first chunk by seeking to (mint - longest chunk span
// ever written): the span bound must survive reopening with a shorter span,
// or chunks that start long before mint would be skipped.
TEST_F(tsdb_DB, ChunkSpanBoundOutlivesTheOptionThatRaisedIt) {
  Options wide = TestOptions();
  wide.max_chunk_span_ms = 30LL * 24 * 3600 * 1000;
  Open(wide);
  Labels l{{"__name__", "m"}};
  const int64_t hour = 3600 * 1000;
  Samples s = Range(0, 500, hour);  // chunks of 120 h each
  ASSERT_EQ(Append(l, s).accepted, 500u);
  Open();  // default span: 2 h
  for (auto [a, b] : std::vector<std::pair<int64_t, int64_t>>{
           {60 * hour, 61 * hour}, {119 * hour, 125 * hour}, {200 * hour + 1, 400 * hour}}) {
    EXPECT_TRUE(SameSamples(Slice(s, a, b), Read(l, a, b))) << a << ".." << b;
  }
  // New chunks are still bounded by the option in force when they are cut.
  Samples more = Range(500 * hour, 10, hour / 2);
  ASSERT_EQ(Append(l, more).accepted, 10u);
  Open();
  Samples all = s;
  all.insert(all.end(), more.begin(), more.end());
  EXPECT_TRUE(SameSamples(Slice(all, 450 * hour, 600 * hour), Read(l, 450 * hour, 600 * hour)));
}

TEST_F(tsdb_DB, IteratorSeekAcrossChunks) {
  Labels l{{"__name__", "m"}};
  Samples s = Range(0, 300, 10);
  ASSERT_EQ(Append(l, s).accepted, 300u);
  auto set = db_->NewQuerier(0, 10000)->Select({Eq("__name__", "m")});
  ASSERT_TRUE(set->Next());
  auto it = set->NewIterator();
  ASSERT_TRUE(it->Seek(1995));
  EXPECT_EQ(it->At().first, 2000);
  ASSERT_TRUE(it->Seek(100));  // no-op: already past
  EXPECT_EQ(it->At().first, 2000);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().first, 2010);
  ASSERT_TRUE(it->Seek(2990));
  EXPECT_EQ(it->At().first, 2990);
  EXPECT_FALSE(it->Next());
  EXPECT_TRUE(it->status().ok());
}

TEST_F(tsdb_DB, SelectShardsSplitSelectInOrderAndReadConcurrently) {
  // 100 series, each with sealed chunks and an open head chunk.
  for (int k = 0; k < 100; ++k) {
    Labels l{{"__name__", "m"}, {"k", std::to_string(1000 + k)}};
    ASSERT_EQ(Append(l, Range(0, 250, 1000, k)).accepted, 250u);
  }
  auto q = db_->NewQuerier(10000, 200000);
  std::vector<std::pair<std::string, Samples>> want;
  auto set = q->Select({Eq("__name__", "m")});
  while (set->Next()) {
    auto it = set->NewIterator();
    want.push_back({set->labels().ToString(), Drain(it.get())});
  }
  ASSERT_EQ(want.size(), 100u);
  for (int max_shards : {1, 3, 8, 64}) {
    auto shards = q->SelectShards({Eq("__name__", "m")}, max_shards);
    // At least 16 series per shard, never more shards than asked for.
    ASSERT_EQ(shards.size(), std::min<size_t>(max_shards, 100 / 16)) << max_shards;
    std::vector<std::vector<std::pair<std::string, Samples>>> got(shards.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < shards.size(); ++i) {
      threads.emplace_back([&, i] {
        while (shards[i]->Next()) {
          auto it = shards[i]->NewIterator();
          got[i].push_back({shards[i]->labels().ToString(), Drain(it.get())});
        }
      });
    }
    for (auto& t : threads) t.join();
    std::vector<std::pair<std::string, Samples>> all;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_TRUE(shards[i]->status().ok());
      EXPECT_FALSE(got[i].empty());
      all.insert(all.end(), got[i].begin(), got[i].end());
    }
    ASSERT_EQ(all.size(), want.size());
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all[i].first, want[i].first);
      EXPECT_TRUE(SameSamples(want[i].second, all[i].second)) << all[i].first;
    }
  }
  // No match: one empty shard.
  auto none = q->SelectShards({Eq("__name__", "absent")}, 4);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_FALSE(none[0]->Next());
}

TEST_F(tsdb_DB, OutOfOrderAndDuplicateAccounting) {
  Labels l{{"__name__", "m"}};
  ASSERT_EQ(Append(l, {{100, 1}, {200, 2}}).accepted, 2u);
  auto app = db_->NewAppender();
  app->Add(l, 150, 9);  // out of order
  app->Add(l, 200, 2);  // duplicate, same value: ignored
  app->Add(l, 200, 3);  // duplicate, different value: rejected
  app->Add(l, 300, 4);  // ok
  app->Add(l, 250, 5);  // out of order within the batch
  app->Add(l, 300, 4);  // duplicate of a sample from this batch
  AppendResult r = app->Commit();
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.out_of_order, 2u);
  EXPECT_EQ(r.duplicate_ignored, 2u);
  EXPECT_EQ(r.duplicate_conflict, 1u);
  EXPECT_EQ(r.rejected(), 3u);
  EXPECT_TRUE(r.status.IsInvalidArgument());
  EXPECT_NE(r.status.message().find("out of order"), std::string::npos) << r.status.message();
  EXPECT_TRUE(SameSamples({{100, 1}, {200, 2}, {300, 4}}, Read(l, 0, 1000)));
  // Staleness NaN: a different bit pattern from the previous value, then the
  // same NaN again at the same timestamp is a duplicate to ignore.
  r = Append(l, {{400, model::kStaleNaN}, {400, model::kStaleNaN}});
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.duplicate_ignored, 1u);
  Samples got = Read(l, 400, 400);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Bits(got[0].second), 0x7ff0000000000002u);
}

TEST_F(tsdb_DB, AppendByRefAndUnknownRef) {
  Labels l{{"__name__", "m"}, {"i", "1"}};
  auto ref = db_->GetOrCreateSeries(l);
  ASSERT_TRUE(ref.ok());
  auto again = db_->GetOrCreateSeries(l);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*ref, *again);
  auto app = db_->NewAppender();
  app->AddRef(*ref, 10, 1);
  app->AddRef(*ref, 20, 2);
  app->AddRef(*ref + 1000, 30, 3);
  AppendResult r = app->Commit();
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.invalid, 1u);
  EXPECT_TRUE(SameSamples({{10, 1}, {20, 2}}, Read(l, 0, 100)));
  EXPECT_FALSE(db_->GetOrCreateSeries(Labels{}).ok());
}

TEST_F(tsdb_DB, SeriesLimit) {
  Options o = TestOptions();
  o.max_series = 2;
  Open(o);
  auto app = db_->NewAppender();
  for (int i = 0; i < 4; ++i) app->Add(Labels{{"__name__", "m"}, {"i", std::to_string(i)}}, 1, 1);
  AppendResult r = app->Commit();
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.series_limit, 2u);
  EXPECT_TRUE(r.status.IsResourceExhausted());
  EXPECT_EQ(db_->GetStats().num_series, 2u);
}

TEST_F(tsdb_DB, ReopenAfterCleanCloseKeepsHeadAndSealedData) {
  Labels a{{"__name__", "a"}}, b{{"__name__", "b"}, {"x", "y"}};
  Samples sa = Range(-50000, 250, 1000);  // negative timestamps too
  Samples sb = Range(0, 7, 15000);        // head only
  sb.push_back({200000, model::kStaleNaN});
  ASSERT_EQ(Append(a, sa).accepted, 250u);
  ASSERT_EQ(Append(b, sb).accepted, 8u);
  ASSERT_TRUE(db_->Flush().ok());
  for (int round = 0; round < 2; ++round) {
    Open();
    EXPECT_TRUE(SameSamples(sa, Read(a, INT64_MIN, INT64_MAX))) << round;
    Samples got = Read(b, INT64_MIN, INT64_MAX);
    ASSERT_TRUE(SameSamples(sb, got)) << round;
    EXPECT_EQ(Bits(got.back().second), 0x7ff0000000000002u);
    // Appending continues seamlessly; old rules still apply after reopen.
    AppendResult r = Append(a, {{sa.back().first, sa.back().second}, {sa.back().first - 1, 0}});
    EXPECT_EQ(r.duplicate_ignored, 1u);
    EXPECT_EQ(r.out_of_order, 1u);
  }
  Samples more = Range(sa.back().first + 1000, 100, 1000, 7);
  ASSERT_EQ(Append(a, more).accepted, 100u);
  Open();
  Samples all = sa;
  all.insert(all.end(), more.begin(), more.end());
  EXPECT_TRUE(SameSamples(all, Read(a, INT64_MIN, INT64_MAX)));
  EXPECT_EQ(db_->GetStats().num_series, 2u);
}

TEST_F(tsdb_DB, ReopenWithoutTrimOrFlushReplaysExactlyOnce) {
  Labels l{{"__name__", "m"}};
  Samples s;
  Options o = TestOptions();
  for (int batch = 0; batch < 30; ++batch) {
    Samples part = Range(batch * 10 * 1000, 10, 1000, batch);
    ASSERT_EQ(Append(l, part).accepted, 10u);
    s.insert(s.end(), part.begin(), part.end());
  }
  Open(o);
  EXPECT_TRUE(SameSamples(s, Read(l, INT64_MIN, INT64_MAX)));
  Open(o);
  EXPECT_TRUE(SameSamples(s, Read(l, INT64_MIN, INT64_MAX)));
}

TEST_F(tsdb_DB, RetentionDropsOldChunksAndEmptySeries) {
  Options o = TestOptions();
  o.retention_ms = 3600 * 1000;  // 1h
  Open(o);
  const int64_t step = 15000;
  Labels old_only{{"__name__", "old"}}, live{{"__name__", "live"}};
  Samples s_old = Range(0, 240, step);    // 0 .. 1h
  Samples s_live = Range(0, 1000, step);  // 0 .. ~4.2h
  ASSERT_EQ(Append(old_only, s_old).accepted, 240u);
  ASSERT_EQ(Append(live, s_live).accepted, 1000u);
  const int64_t newest = s_live.back().first;
  const int64_t cutoff = newest - o.retention_ms;
  // Too old for the window now.
  AppendResult r = Append(Labels{{"__name__", "new"}}, {{cutoff - 1, 1}, {cutoff, 2}});
  EXPECT_EQ(r.too_old, 1u);
  EXPECT_EQ(r.accepted, 1u);

  ASSERT_TRUE(db_->ApplyRetention().ok());
  EXPECT_EQ(db_->GetStats().num_series, 2u);  // "old" is gone
  EXPECT_TRUE(Query(db_.get(), {Eq("__name__", "old")}, INT64_MIN, INT64_MAX).empty());
  auto names = db_->NewQuerier(INT64_MIN, INT64_MAX)->LabelValues("__name__", {});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"live", "new"}));
  // Whole chunks (120 samples each) that end before the cutoff are gone; the
  // chunk straddling the cutoff stays complete.
  Samples got = Read(live, INT64_MIN, INT64_MAX);
  ASSERT_FALSE(got.empty());
  int64_t first_kept_index = got.front().first / step;
  EXPECT_EQ(first_kept_index % 120, 0);
  EXPECT_LE(got.front().first, cutoff);
  EXPECT_GT(got.front().first + 120 * step, cutoff);
  EXPECT_TRUE(SameSamples(Slice(s_live, got.front().first, INT64_MAX), got));
  // Survives reopen, and "old" does not come back.
  Open(o);
  EXPECT_TRUE(SameSamples(got, Read(live, INT64_MIN, INT64_MAX)));
  EXPECT_TRUE(Query(db_.get(), {Eq("__name__", "old")}, INT64_MIN, INT64_MAX).empty());
  EXPECT_EQ(db_->GetStats().num_series, 2u);
}

TEST_F(tsdb_DB, DeleteSeries) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(
        Append(Labels{{"__name__", "m"}, {"i", std::to_string(i)}}, Range(0, 130, 10)).accepted,
        130u);
  }
  auto n = db_->DeleteSeries({Eq("__name__", "m"), testing::Re("i", "[13]")});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
  auto res = Query(db_.get(), {Eq("__name__", "m")}, INT64_MIN, INT64_MAX);
  ASSERT_EQ(res.size(), 3u);
  EXPECT_EQ(res[0].first, R"(m{i="0"})");
  EXPECT_EQ(res[1].first, R"(m{i="2"})");
  EXPECT_EQ(res[2].first, R"(m{i="4"})");
  Open();
  EXPECT_EQ(Query(db_.get(), {Eq("__name__", "m")}, INT64_MIN, INT64_MAX).size(), 3u);
  // Re-creating a deleted series starts empty.
  Labels one{{"__name__", "m"}, {"i", "1"}};
  ASSERT_EQ(Append(one, {{5, 5}}).accepted, 1u);
  EXPECT_TRUE(SameSamples({{5, 5}}, Read(one, INT64_MIN, INT64_MAX)));
}

TEST_F(tsdb_DB, LabelNamesAndValues) {
  ASSERT_TRUE(
      Append(Labels{{"__name__", "up"}, {"job", "node"}, {"instance", "a"}}, {{1, 1}}).status.ok());
  ASSERT_TRUE(Append(Labels{{"__name__", "up"}, {"job", "prom"}}, {{1, 1}}).status.ok());
  ASSERT_TRUE(Append(Labels{{"__name__", "load"}, {"zone", "z"}}, {{1, 1}}).status.ok());
  auto q = db_->NewQuerier(INT64_MIN, INT64_MAX);
  auto names = q->LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "instance", "job", "zone"}));
  auto up_names = q->LabelNames({Eq("__name__", "up")});
  EXPECT_EQ(*up_names, (std::vector<std::string>{"__name__", "instance", "job"}));
  auto jobs = q->LabelValues("job", {});
  EXPECT_EQ(*jobs, (std::vector<std::string>{"node", "prom"}));
  auto jobs2 = q->LabelValues("job", {Eq("instance", "a")});
  EXPECT_EQ(*jobs2, (std::vector<std::string>{"node"}));
  auto metrics = q->LabelValues("__name__", {});
  EXPECT_EQ(*metrics, (std::vector<std::string>{"load", "up"}));
}

TEST_F(tsdb_DB, LabelNamesAndValuesRestrictedByTime) {
  ASSERT_TRUE(
      Append(Labels{{"__name__", "up"}, {"job", "early"}, {"old", "x"}}, {{100, 1}, {200, 1}})
          .status.ok());
  ASSERT_TRUE(Append(Labels{{"__name__", "up"}, {"job", "late"}}, {{1000, 1}}).status.ok());
  ASSERT_TRUE(Append(Labels{{"__name__", "load"}}, {{150, 1}, {1100, 2}}).status.ok());
  auto early = db_->NewQuerier(0, 500);
  EXPECT_EQ(*early->LabelValues("job", {}), (std::vector<std::string>{"early"}));
  EXPECT_EQ(*early->LabelNames({}), (std::vector<std::string>{"__name__", "job", "old"}));
  EXPECT_EQ(*early->LabelValues("__name__", {}), (std::vector<std::string>{"load", "up"}));
  auto late = db_->NewQuerier(900, 2000);
  EXPECT_EQ(*late->LabelValues("job", {Eq("__name__", "up")}), (std::vector<std::string>{"late"}));
  EXPECT_EQ(*late->LabelNames({}), (std::vector<std::string>{"__name__", "job"}));
  auto none = db_->NewQuerier(300, 800);
  EXPECT_TRUE(none->LabelValues("job", {})->empty());
  // An open range answers from the index: every series counts.
  auto open = db_->NewQuerier(-(int64_t{1} << 62), int64_t{1} << 62);
  EXPECT_EQ(*open->LabelValues("job", {}), (std::vector<std::string>{"early", "late"}));
}

TEST_F(tsdb_DB, StatsCountSamplesAndDisk) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(
        Append(Labels{{"__name__", "m"}, {"i", std::to_string(i)}}, Range(0, 300, 15000)).accepted,
        300u);
  }
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Compact().ok());
  Stats st = db_->GetStats();
  EXPECT_EQ(st.num_series, 10u);
  EXPECT_EQ(st.samples_appended, 3000u);
  EXPECT_GT(st.sst_bytes, 0u);
  EXPECT_EQ(st.max_time, 299 * 15000);
}

TEST_F(tsdb_DB, ConcurrentAppendersAndReaders) {
  constexpr int kThreads = 4, kSeries = 50, kSteps = 300;
  std::atomic<bool> done{false};
  std::atomic<int> reader_errors{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kThreads; ++w) {
    writers.emplace_back([&, w] {
      for (int step = 0; step < kSteps; ++step) {
        auto app = db_->NewAppender();
        for (int s = 0; s < kSeries; ++s) {
          // Every writer writes the same series: overlapping timestamps are
          // duplicates (same value) and must be accounted for, not stored twice.
          app->Add(Labels{{"__name__", "c"}, {"s", std::to_string(s)}}, step * 1000,
                   step * 2.0 + s);
        }
        AppendResult r = app->Commit();
        if (r.accepted + r.duplicate_ignored + r.out_of_order != kSeries) ++reader_errors;
        (void)w;
      }
    });
  }
  std::thread reader([&] {
    while (!done) {
      auto res = Query(db_.get(), {Eq("__name__", "c")}, INT64_MIN, INT64_MAX);
      for (auto& [name, samples] : res) {
        for (size_t i = 1; i < samples.size(); ++i) {
          if (samples[i].first <= samples[i - 1].first) ++reader_errors;
        }
      }
    }
  });
  for (auto& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(reader_errors, 0);
  auto res = Query(db_.get(), {Eq("__name__", "c")}, INT64_MIN, INT64_MAX);
  ASSERT_EQ(res.size(), static_cast<size_t>(kSeries));
  for (auto& [name, samples] : res) {
    // Timestamps strictly increase and the last one is always present.
    ASSERT_FALSE(samples.empty());
    EXPECT_EQ(samples.back().first, (kSteps - 1) * 1000) << name;
    for (size_t i = 1; i < samples.size(); ++i) ASSERT_LT(samples[i - 1].first, samples[i].first);
  }
  // Re-open reproduces exactly what was visible.
  Open();
  EXPECT_EQ(Query(db_.get(), {Eq("__name__", "c")}, INT64_MIN, INT64_MAX), res);
}

TEST_F(tsdb_DB, DisjointConcurrentWritersLoseNothing) {
  constexpr int kThreads = 3, kSteps = 400;
  std::vector<std::thread> writers;
  for (int w = 0; w < kThreads; ++w) {
    writers.emplace_back([&, w] {
      auto app = db_->NewAppender();
      for (int step = 0; step < kSteps; ++step) {
        for (int s = 0; s < 10; ++s) {
          app->Add(Labels{{"__name__", "d"}, {"w", std::to_string(w)}, {"s", std::to_string(s)}},
                   step, step);
        }
        AppendResult r = app->Commit();
        EXPECT_EQ(r.accepted, 10u);
      }
    });
  }
  for (auto& t : writers) t.join();
  Open();
  auto res = Query(db_.get(), {Eq("__name__", "d")}, INT64_MIN, INT64_MAX);
  ASSERT_EQ(res.size(), 30u);
  for (auto& [name, samples] : res) EXPECT_EQ(samples.size(), static_cast<size_t>(kSteps)) << name;
}

// Series created together seal their first chunks spread over
// first_chunk_jitter_samples samples, not all in the same write; without the
// jitter they all seal at the same sample.
TEST_F(tsdb_DB, FirstChunkJitterSpreadsSeals) {
  constexpr int kSeries = 64, kMax = 120, kJitter = 30;
  for (int jitter : {0, kJitter}) {
    Options o = TestOptions();
    o.max_samples_per_chunk = kMax;
    o.first_chunk_jitter_samples = jitter;
    const std::string dir = dir_.path() + "/jitter" + std::to_string(jitter);
    auto db = DB::Open(dir, o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto app = (*db)->NewAppender();
    uint64_t sealed_before = 0;
    int ticks_with_seals = 0, first_tick = -1;
    size_t most_in_one_tick = 0;
    for (int t = 0; t < kMax; ++t) {
      for (int s = 0; s < kSeries; ++s) {
        app->Add(Labels{{"__name__", "j"}, {"s", std::to_string(s)}}, t * 1000, t);
      }
      ASSERT_EQ(app->Commit().accepted, static_cast<size_t>(kSeries));
      const uint64_t sealed = (*db)->GetStats().chunks_sealed;
      if (sealed > sealed_before) {
        ++ticks_with_seals;
        if (first_tick < 0) first_tick = t;
        most_in_one_tick = std::max<size_t>(most_in_one_tick, sealed - sealed_before);
      }
      sealed_before = sealed;
    }
    EXPECT_EQ(sealed_before, static_cast<uint64_t>(kSeries)) << "jitter " << jitter;
    if (jitter == 0) {
      EXPECT_EQ(ticks_with_seals, 1);
      EXPECT_EQ(most_in_one_tick, static_cast<size_t>(kSeries));
    } else {
      EXPECT_GE(first_tick, kMax - 1 - kJitter);
      EXPECT_GE(ticks_with_seals, 10) << "seals bunched in few writes";
      EXPECT_LE(most_in_one_tick, static_cast<size_t>(kSeries / 4));
    }
    // Every sample is still there, whatever the chunk boundaries.
    auto res = Query(db->get(), {Eq("__name__", "j")}, INT64_MIN, INT64_MAX);
    ASSERT_EQ(res.size(), static_cast<size_t>(kSeries));
    for (auto& [name, samples] : res) EXPECT_EQ(samples.size(), static_cast<size_t>(kMax));
  }
  Options bad = TestOptions();
  bad.max_samples_per_chunk = 10;
  bad.first_chunk_jitter_samples = 10;
  EXPECT_FALSE(DB::Open(dir_.path() + "/bad", bad).ok());
}

}  // namespace
}  // namespace tsdb

namespace tsdb {
namespace {

// Regression: retention follows the newest sample, so one sample stamped ten
// years ahead (a client's broken clock) made every stored sample "too old"
// and the next retention pass deleted them all. With max_future_ms it is
// refused and counted instead.
TEST(tsdb_FutureSamples, AreRefusedInsteadOfExpiringEverything) {
  for (bool limited : {false, true}) {
    testing::TempDir dir;
    Options o;
    o.retention_ms = 15LL * 24 * 3600 * 1000;
    o.maintenance_interval_ms = 0;
    o.max_future_ms = limited ? 3600 * 1000 : 0;
    auto db = DB::Open(dir.path(), o);
    ASSERT_TRUE(db.ok());
    const int64_t now = common::NowMs();
    const model::Labels l{{"__name__", "m"}};
    auto app = (*db)->NewAppender();
    for (int i = 0; i < 100; ++i) app->Add(l, now - 86400000 + i * 15000, i);
    ASSERT_TRUE(app->Commit().status.ok());
    app->Add(l, now + 10LL * 365 * 86400000, 1);
    AppendResult r = app->Commit();
    ASSERT_TRUE((*db)->ApplyRetention().ok());
    const auto got =
        testing::Query(db->get(), {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "m")},
                       now - 2 * 86400000LL, now);
    if (limited) {
      EXPECT_EQ(r.too_far_in_future, 1u);
      EXPECT_TRUE(r.status.IsInvalidArgument());
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].second.size(), 100u);
    } else {
      EXPECT_EQ(r.accepted, 1u);
      EXPECT_TRUE(got.empty());  // the hazard the limit exists for
    }
  }
}

}  // namespace
}  // namespace tsdb
