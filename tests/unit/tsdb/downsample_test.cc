// Downsampling: buckets built from raw samples (fixture values worked out by
// hand), coarse buckets equal to merged fine ones, the block encoding, and
// the DB's tiers: the background job's blocks equal buckets built from the
// raw samples, queries past the watermark are completed from finer data,
// progress survives a reopen, tier retention, series kept for their tiers.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <random>
#include <thread>

#include "common/clock.h"
#include "model/value.h"
#include "tests/unit/tsdb/test_util.h"
#include "tsdb/db.h"
#include "tsdb/downsample.h"

namespace tsdb {
namespace {

using testing::TempDir;

constexpr int64_t kMin5 = 5 * 60 * 1000;
constexpr int64_t kHour = 3600 * 1000;

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

::testing::AssertionResult SameBuckets(const std::vector<Bucket>& want,
                                       const std::vector<Bucket>& got) {
  if (want.size() != got.size()) {
    return ::testing::AssertionFailure() << got.size() << " buckets, want " << want.size();
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const Bucket &w = want[i], &g = got[i];
    if (w.end != g.end || Bits(w.count) != Bits(g.count) || Bits(w.min) != Bits(g.min) ||
        Bits(w.max) != Bits(g.max) || Bits(w.last) != Bits(g.last)) {
      return ::testing::AssertionFailure()
             << "bucket " << i << ": end " << g.end << " (want " << w.end << ") count " << g.count
             << " (" << w.count << ") min " << g.min << " (" << w.min << ") max " << g.max << " ("
             << w.max << ") last " << g.last << " (" << w.last << ")";
    }
    // Sums may be added in another order.
    auto close = [](double a, double b) {
      return a == b || (std::isnan(a) && std::isnan(b)) ||
             std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
    };
    if (!close(w.sum, g.sum) || !close(w.increase, g.increase)) {
      return ::testing::AssertionFailure()
             << "bucket " << i << " (end " << w.end << "): sum " << g.sum << " (want " << w.sum
             << ") increase " << g.increase << " (want " << w.increase << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<Bucket> Build(const std::vector<std::pair<int64_t, double>>& s, int64_t res) {
  BucketBuilder bb(res);
  std::vector<Bucket> out;
  for (auto [t, v] : s) bb.Add(t, v, &out);
  bb.Finish(&out);
  return out;
}

TEST(tsdb_BucketBuilder, WorkedExample) {
  // A counter every minute over 10 minutes, reset at 7 min; buckets of
  // 5 minutes cover (0, 5m] and (5m, 10m].
  const int64_t m = 60 * 1000;
  auto b = Build({{1 * m, 10},
                  {2 * m, 12},
                  {3 * m, 15},
                  {5 * m, 20},  // the end of the first bucket belongs to it
                  {6 * m, 21},
                  {7 * m, 3},  // reset: counts 3
                  {8 * m, 5}},
                 5 * m);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].end, 5 * m);
  EXPECT_EQ(b[0].count, 4);
  EXPECT_EQ(b[0].min, 10);
  EXPECT_EQ(b[0].max, 20);
  EXPECT_EQ(b[0].sum, 57);
  EXPECT_EQ(b[0].last, 20);
  EXPECT_EQ(b[0].increase, 10);  // 2 + 3 + 5; the first sample has no previous
  EXPECT_EQ(b[1].end, 10 * m);
  EXPECT_EQ(b[1].count, 3);
  EXPECT_EQ(b[1].min, 3);
  EXPECT_EQ(b[1].max, 21);
  EXPECT_EQ(b[1].increase, 1 + 3 + 2);  // 20 -> 21 crosses the bucket boundary
}

TEST(tsdb_BucketBuilder, GapsAndStalenessStartNewRuns) {
  const int64_t m = 60 * 1000;
  auto b = Build({{1 * m, 100},
                  {2 * m, 110},
                  {3 * m, model::kStaleNaN},  // the series ended
                  {4 * m, 120},               // a new run: no increase
                  {5 * m, 125},
                  {20 * m, 200}},  // 15 minutes later: no increase either
                 5 * m);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].count, 4);  // the marker is not a sample
  EXPECT_EQ(b[0].sum, 455);
  EXPECT_EQ(b[0].increase, 10 + 5);
  EXPECT_EQ(b[0].last, 125);
  EXPECT_EQ(b[1].end, 20 * m);
  EXPECT_EQ(b[1].increase, 0);

  // A bucket holding only the marker exists, with count 0, last = marker.
  auto s = Build({{1 * m, 1}, {6 * m, model::kStaleNaN}}, 5 * m);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].count, 0);
  EXPECT_TRUE(model::IsStaleNaN(s[1].last));
}

TEST(tsdb_BucketBuilder, NaNAsMinMaxOverTime) {
  // max_over_time's rule: NaN only if every value is NaN.
  const double nan = std::nan("");
  auto b = Build({{1, nan}, {2, 3}, {3, nan}, {4, 1}}, 10);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].max, 3);
  EXPECT_EQ(b[0].min, 1);
  auto all = Build({{1, nan}, {2, nan}}, 10);
  EXPECT_TRUE(std::isnan(all[0].max));
}

TEST(tsdb_BucketBuilder, BucketEndIsRightClosed) {
  EXPECT_EQ(BucketEnd(1, 10), 10);
  EXPECT_EQ(BucketEnd(10, 10), 10);
  EXPECT_EQ(BucketEnd(11, 10), 20);
  EXPECT_EQ(BucketEnd(0, 10), 0);
  EXPECT_EQ(BucketEnd(-1, 10), 0);
  EXPECT_EQ(BucketEnd(-10, 10), -10);
  EXPECT_EQ(BlockStart(10, 10), 0);
  EXPECT_EQ(BlockStart(10 * kBucketsPerBlock, 10), 0);
  EXPECT_EQ(BlockStart(10 * kBucketsPerBlock + 10, 10), 10 * kBucketsPerBlock);
}

// Random series with resets, gaps, NaN and staleness markers.
std::vector<std::pair<int64_t, double>> RandomSeries(std::mt19937_64& rng, int n) {
  std::vector<std::pair<int64_t, double>> s;
  int64_t t = -3 * kHour + static_cast<int64_t>(rng() % 100000);
  double v = 1000;
  for (int i = 0; i < n; ++i) {
    const int r = static_cast<int>(rng() % 100);
    t += r < 3 ? static_cast<int64_t>(rng() % (20 * 60 * 1000)) : 15000;
    if (r == 3) {
      s.push_back({t, model::kStaleNaN});
      continue;
    }
    if (r == 4) v = static_cast<double>(rng() % 10);  // reset
    if (r == 5) {
      s.push_back({t, std::nan("")});
      continue;
    }
    v += static_cast<double>(rng() % 1000) / 8;
    s.push_back({t, v});
  }
  return s;
}

TEST(tsdb_Rebucket, CoarseBucketsEqualMergedFineOnes) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    auto s = RandomSeries(rng, 3000);
    auto fine = Build(s, kMin5);
    std::vector<Bucket> merged;
    Rebucket(fine, kHour, &merged);
    EXPECT_TRUE(SameBuckets(Build(s, kHour), merged)) << "round " << round;
  }
}

TEST(tsdb_BlockCodec, RoundTripsBitExactly) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 50; ++round) {
    auto s = RandomSeries(rng, 2000);
    auto all = Build(s, kMin5);
    // Every block of the series, encoded and decoded.
    size_t i = 0;
    while (i < all.size()) {
      const int64_t start = BlockStart(all[i].end, kMin5);
      size_t j = i;
      while (j < all.size() && BlockStart(all[j].end, kMin5) == start) ++j;
      std::vector<Bucket> want(all.begin() + i, all.begin() + j);
      // Special values where the generator does not put them.
      if (round % 5 == 0) want.front().sum = -0.0;
      const std::string enc = EncodeBlock(want.data(), want.size(), start, kMin5);
      std::vector<Bucket> got;
      ASSERT_TRUE(
          DecodeBlock(enc, start, kMin5, start, start + kBucketsPerBlock * kMin5, &got).ok());
      ASSERT_TRUE(SameBuckets(want, got));
      for (size_t k = 0; k < want.size(); ++k) {
        ASSERT_EQ(Bits(want[k].sum), Bits(got[k].sum));
        ASSERT_EQ(Bits(want[k].increase), Bits(got[k].increase));
      }
      // Truncations are refused, never read past the end.
      for (size_t cut = 0; cut < enc.size(); cut += 7) {
        std::vector<Bucket> part;
        (void)DecodeBlock(std::string_view(enc).substr(0, cut), start, kMin5, start,
                          start + kBucketsPerBlock * kMin5, &part);
      }
      i = j;
    }
  }
}

TEST(tsdb_BlockCodec, EqualColumnsAreStoredOnce) {
  // A counter: max == last in every bucket; a constant: everything equal.
  std::vector<Bucket> b;
  for (int i = 0; i < kBucketsPerBlock; ++i) {
    Bucket x;
    x.end = (i + 1) * kMin5;
    x.count = 20;
    x.min = 5;
    x.max = 5;
    x.sum = 100;
    x.last = 5;
    x.increase = 0;
    b.push_back(x);
  }
  const std::string enc = EncodeBlock(b.data(), b.size(), 0, kMin5);
  // n, bitmap, 6 tags; count, min, sum, increase stored (a length byte, 8
  // bytes, 95 zero bits each); max and last refer to min.
  EXPECT_LE(enc.size(), 1 + kBucketsPerBlock / 8 + 6 + 4 * (1 + 8 + 12));
  std::vector<Bucket> got;
  ASSERT_TRUE(DecodeBlock(enc, 0, kMin5, 0, kBucketsPerBlock * kMin5, &got).ok());
  EXPECT_TRUE(SameBuckets(b, got));
}

// --- the DB's tiers ---

Options TierOptions() {
  Options o;
  o.maintenance_interval_ms = 0;  // Downsample() is called by the tests
  o.retention_ms = 30LL * 24 * kHour;
  o.downsample_tiers = {{kMin5, 60LL * 24 * kHour}, {kHour, 90LL * 24 * kHour}};
  o.downsample_delay_ms = kHour;
  return o;
}

// Raw samples kept 2 days, the 5-minute tier 4 days, the hourly one 20.
Options ShortRawOptions() {
  Options o = TierOptions();
  o.retention_ms = 2 * 24 * kHour;
  o.downsample_tiers = {{kMin5, 4 * 24 * kHour}, {kHour, 20 * 24 * kHour}};
  return o;
}

model::Labels Series(int i) {
  return model::Labels{{"__name__", i % 2 ? "gauge" : "counter"},
                       {"instance", "host" + std::to_string(i)}};
}

// Writes `hours` of samples every 15 s (with a few irregularities) for 5
// series, starting at `from`; returns them per series.
std::vector<std::vector<std::pair<int64_t, double>>> Write(DB* db, int64_t from, int hours,
                                                           uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::pair<int64_t, double>>> out(5);
  std::vector<double> v(5, 100);
  auto app = db->NewAppender();
  for (int64_t t = from; t < from + hours * kHour; t += 15000) {
    for (int i = 0; i < 5; ++i) {
      if (rng() % 50 == 0) continue;  // a missed scrape
      double x;
      if (i % 2 == 0) {
        v[i] = rng() % 500 == 0 ? 1 : v[i] + static_cast<double>(rng() % 100);
        x = v[i];
      } else {
        x = static_cast<double>(rng() % 10000) / 100;
      }
      const int64_t ts = t + 7 * i + 3;  // not on bucket boundaries
      app->Add(Series(i), ts, x);
      out[i].push_back({ts, x});
    }
    if ((t / 15000) % 200 == 0) {
      EXPECT_TRUE(app->Commit().status.ok());
    }
  }
  EXPECT_TRUE(app->Commit().status.ok());
  return out;
}

std::vector<std::vector<Bucket>> Select(DB* db, size_t tier, int64_t mint, int64_t maxt) {
  auto sets = db->SelectBuckets(
      tier, mint, maxt, {Matcher::MustMake(Matcher::Type::kRegexMatch, "instance", ".+")}, 3);
  EXPECT_TRUE(sets.ok());
  std::vector<std::vector<Bucket>> out;
  for (auto& set : *sets) {
    while (set->Next()) out.push_back(set->buckets());
    EXPECT_TRUE(set->status().ok()) << set->status().ToString();
  }
  return out;
}

// What SelectBuckets must return for a series: its buckets of res ending in
// [BucketEnd(mint), BucketEnd(maxt)].
std::vector<Bucket> Expected(const std::vector<std::pair<int64_t, double>>& s, int64_t res,
                             int64_t mint, int64_t maxt) {
  std::vector<Bucket> out;
  for (const Bucket& b : Build(s, res)) {
    if (b.end >= BucketEnd(mint, res) && b.end <= BucketEnd(maxt, res)) out.push_back(b);
  }
  return out;
}

TEST(tsdb_DownsampleDB, TiersEqualBucketsOfTheRawSamplesBeforeDuringAndAfterTheJob) {
  TempDir dir;
  auto db = DB::Open(dir.path(), TierOptions());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const int64_t t0 = 1700000000000;
  auto raw = Write(db->get(), t0, 5 * 24, 1);
  // Sorted by labels: counter host0, host2, host4, then gauge host1, host3.
  const int order[] = {0, 2, 4, 1, 3};
  auto check = [&](const char* when) {
    for (size_t tier = 0; tier < 2; ++tier) {
      const int64_t res = tier == 0 ? kMin5 : kHour;
      for (auto [mint, maxt] : {std::pair<int64_t, int64_t>{t0, t0 + 5 * 24 * kHour},
                                {t0 + 26 * kHour + 1234, t0 + 100 * kHour + 17},
                                {t0 + 119 * kHour, t0 + 121 * kHour}}) {
        auto got = Select(db->get(), tier, mint, maxt);
        ASSERT_EQ(got.size(), 5u) << when;
        for (int k = 0; k < 5; ++k) {
          EXPECT_TRUE(SameBuckets(Expected(raw[order[k]], res, mint, maxt), got[k]))
              << when << " tier " << tier << " series " << order[k] << " [" << mint - t0 << ", "
              << maxt - t0 << "]";
        }
      }
    }
  };
  check("before the job");
  ASSERT_TRUE((*db)->Downsample().ok());
  auto prog = (*db)->DownsampleProgress();
  ASSERT_EQ(prog.size(), 2u);
  // Tier 0 follows the newest sample minus the delay, in whole blocks.
  const int64_t newest = (*db)->MaxTime();
  EXPECT_LE(prog[0].watermark, newest - kHour);
  EXPECT_GT(prog[0].watermark, newest - kHour - kBucketsPerBlock * kMin5);
  EXPECT_GT(prog[0].blocks_written, 5u * 12);
  // Tier 1 follows tier 0 in its own (4-day) blocks.
  EXPECT_LE(prog[1].watermark, prog[0].watermark);
  EXPECT_GT(prog[1].watermark, t0);
  check("after the job");
  // Reopen: the watermarks were persisted; more data; the job resumes.
  const int64_t wm0 = prog[0].watermark;
  db->reset();
  db = DB::Open(dir.path(), TierOptions());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->DownsampleProgress()[0].watermark, wm0);
  auto more = Write(db->get(), t0 + 5 * 24 * kHour, 24, 2);
  for (int i = 0; i < 5; ++i) raw[i].insert(raw[i].end(), more[i].begin(), more[i].end());
  ASSERT_TRUE((*db)->Downsample().ok());
  prog = (*db)->DownsampleProgress();
  EXPECT_GT(prog[0].watermark, wm0);
  // Only the new day's blocks were written after the reopen.
  EXPECT_LE(prog[0].blocks_written, 5u * 4);
  check("after reopening and resuming");
}

TEST(tsdb_DownsampleDB, TiersOutliveTheRawDataAndTheirOwnRetention) {
  TempDir dir;
  const Options o = ShortRawOptions();
  auto db = DB::Open(dir.path(), o);
  ASSERT_TRUE(db.ok());
  const int64_t t0 = 1700000000000;
  auto raw = Write(db->get(), t0, 24, 1);  // one day for all five
  ASSERT_TRUE((*db)->Downsample().ok());
  // Ten days later only host0 still reports.
  auto app = (*db)->NewAppender();
  for (int64_t t = t0 + 10 * 24 * kHour; t < t0 + 11 * 24 * kHour; t += 15000) {
    app->Add(Series(0), t, 1);
  }
  ASSERT_TRUE(app->Commit().status.ok());
  ASSERT_TRUE((*db)->Downsample().ok());  // the first day's blocks
  ASSERT_TRUE((*db)->ApplyRetention().ok());
  ASSERT_TRUE((*db)->Downsample().ok());  // the tiers' retention
  // Raw samples of the first day are gone (2-day retention)...
  auto q = (*db)->NewQuerier(t0, t0 + 24 * kHour);
  auto set = q->Select({Matcher::MustMake(Matcher::Type::kEqual, "instance", "host3")});
  EXPECT_FALSE(set->Next());
  // ... the 5-minute tier (4 days) too; the hourly tier keeps them.
  EXPECT_TRUE(Select(db->get(), 0, t0, t0 + 24 * kHour).empty());
  auto hourly = Select(db->get(), 1, t0, t0 + 24 * kHour);
  ASSERT_EQ(hourly.size(), 5u);
  EXPECT_TRUE(SameBuckets(Expected(raw[3], kHour, t0, t0 + 24 * kHour), hourly[4]));
}

// The job, queries of the tiers and retention running while samples are
// appended (also under ThreadSanitizer: `make tsan`); afterwards the tiers
// hold exactly the buckets of what was written.
TEST(tsdb_DownsampleDB, JobQueriesAndRetentionWhileAppending) {
  TempDir dir;
  auto db = DB::Open(dir.path(), TierOptions());
  ASSERT_TRUE(db.ok());
  const int64_t t0 = 1700000000000;
  constexpr int kSeries = 40;
  std::vector<std::vector<std::pair<int64_t, double>>> raw(kSeries);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    auto app = (*db)->NewAppender();
    std::mt19937_64 rng(3);
    for (int64_t t = t0; t < t0 + 3 * 24 * kHour; t += 15000) {
      for (int i = 0; i < kSeries; ++i) {
        const double v = static_cast<double>(t / 15000 % 1000 + static_cast<int64_t>(rng() % 7));
        app->Add(model::Labels{{"__name__", "m"}, {"i", std::to_string(i)}}, t + i, v);
        raw[i].push_back({t + i, v});
      }
      EXPECT_TRUE(app->Commit().status.ok());
    }
    done = true;
  });
  std::thread job([&] {
    for (int n = 0; n < 100000 && !done; ++n) EXPECT_TRUE((*db)->Downsample().ok());
  });
  std::thread retention([&] {
    for (int n = 0; n < 100000 && !done; ++n) EXPECT_TRUE((*db)->ApplyRetention().ok());
  });
  int reads = 0;
  for (; reads < 100000 && !done; ++reads) {
    auto sets =
        (*db)->SelectBuckets(reads % 2, t0, t0 + 3 * 24 * kHour,
                             {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "m")}, 2);
    ASSERT_TRUE(sets.ok());
    for (auto& set : *sets) {
      while (set->Next()) {
        const auto& b = set->buckets();
        ASSERT_FALSE(b.empty());
        for (size_t k = 1; k < b.size(); ++k) ASSERT_LT(b[k - 1].end, b[k].end);
      }
      ASSERT_TRUE(set->status().ok());
    }
  }
  writer.join();
  job.join();
  retention.join();
  ASSERT_TRUE((*db)->Downsample().ok());
  EXPECT_GT((*db)->DownsampleProgress()[0].blocks_written, 0u);
  for (size_t tier = 0; tier < 2; ++tier) {
    const int64_t res = tier == 0 ? kMin5 : kHour;
    auto sets =
        (*db)->SelectBuckets(tier, t0, t0 + 3 * 24 * kHour,
                             {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "m")}, 1);
    ASSERT_TRUE(sets.ok());
    std::vector<std::vector<Bucket>> got;
    while ((*sets)[0]->Next()) got.push_back((*sets)[0]->buckets());
    ASSERT_EQ(got.size(), static_cast<size_t>(kSeries));
    // Sorted by label value: "0", "1", "10", "11", ...
    std::vector<int> order(kSeries);
    for (int i = 0; i < kSeries; ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [](int a, int b) { return std::to_string(a) < std::to_string(b); });
    for (int k = 0; k < kSeries; ++k) {
      EXPECT_TRUE(SameBuckets(Expected(raw[order[k]], res, t0, t0 + 3 * 24 * kHour), got[k]))
          << "tier " << tier << " series " << order[k];
    }
  }
  EXPECT_GT(reads, 0);
}

// Series kept only for their tiers leave memory (churn does not grow it for
// the tiers' retention), are still queried through the tiers, stay out of
// memory across a reopen, come back with their id when appended again, can
// be deleted, and go entirely when no tier holds data of them.
TEST(tsdb_DownsampleDB, SeriesKeptForTheirTiersLeaveMemory) {
  TempDir dir;
  const Options o = ShortRawOptions();
  auto db = DB::Open(dir.path(), o);
  ASSERT_TRUE(db.ok());
  const int64_t t0 = 1700000000000;
  auto ref3 = (*db)->GetOrCreateSeries(Series(3));
  ASSERT_TRUE(ref3.ok());
  auto raw = Write(db->get(), t0, 24, 1);
  auto keep_host0 = [&](int64_t from, int64_t to) {
    auto app = (*db)->NewAppender();
    for (int64_t t = from; t < to; t += 15000) app->Add(Series(0), t, 1);
    ASSERT_TRUE(app->Commit().status.ok());
  };
  keep_host0(t0 + 10 * 24 * kHour, t0 + 11 * 24 * kHour);
  ASSERT_TRUE((*db)->Downsample().ok());
  ASSERT_TRUE((*db)->ApplyRetention().ok());
  EXPECT_EQ((*db)->GetStats().num_series, 1u);  // host0 only
  EXPECT_EQ((*db)->GetStats().cold_series, 4u);
  EXPECT_FALSE((*db)->HasSeries(*ref3));
  auto hourly = Select(db->get(), 1, t0, t0 + 24 * kHour);
  ASSERT_EQ(hourly.size(), 5u);
  EXPECT_TRUE(SameBuckets(Expected(raw[3], kHour, t0, t0 + 24 * kHour), hourly[4]));
  // Reopened: still cold, still queried.
  db->reset();
  db = DB::Open(dir.path(), o);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->GetStats().num_series, 1u);
  EXPECT_EQ((*db)->GetStats().cold_series, 4u);
  EXPECT_EQ(Select(db->get(), 1, t0, t0 + 24 * kHour).size(), 5u);
  // host3 reports again: the same series.
  auto again = (*db)->GetOrCreateSeries(Series(3));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *ref3);
  EXPECT_EQ((*db)->GetStats().cold_series, 3u);
  // host4 is deleted although it is not in memory.
  auto n = (*db)->DeleteSeries({Matcher::MustMake(Matcher::Type::kEqual, "instance", "host4")});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(Select(db->get(), 1, t0, t0 + 24 * kHour).size(), 4u);
  EXPECT_EQ((*db)->GetStats().cold_series, 2u);
  // Past the hourly tier's retention the cold series go entirely.
  keep_host0(t0 + 30 * 24 * kHour, t0 + 30 * 24 * kHour + kHour);
  ASSERT_TRUE((*db)->ApplyRetention().ok());
  ASSERT_TRUE((*db)->Downsample().ok());
  EXPECT_EQ((*db)->GetStats().cold_series, 0u);
  // Unbounded: answered from the index.
  auto q = (*db)->NewQuerier(-(int64_t{1} << 62), int64_t{1} << 62);
  auto values = q->LabelValues("instance", {});
  ASSERT_TRUE(values.ok());
  // host3 is in memory (revived, no samples); host1, host2 are gone.
  EXPECT_EQ(*values, (std::vector<std::string>{"host0", "host3"}));
}

// Churn: every 10 minutes 50 new series start and the previous 50 stop, for
// two days with a 2-hour raw retention and tiers kept for a year. Series in
// memory stay bounded by what the raw retention (plus the tiers' delay)
// holds, while the departed ones stay queryable from disk.
TEST(tsdb_DownsampleDB, ChurnDoesNotGrowTheSeriesInMemory) {
  TempDir dir;
  Options o = TierOptions();
  o.retention_ms = 2 * kHour;
  o.downsample_delay_ms = 10 * 60 * 1000;
  o.downsample_tiers = {{kMin5, 365 * 24 * kHour}, {kHour, 365 * 24 * kHour}};
  auto db = DB::Open(dir.path(), o);
  ASSERT_TRUE(db.ok());
  const int64_t t0 = 1700000000000;
  constexpr int kPerGeneration = 50;
  const int64_t generation = 10 * 60 * 1000;
  size_t most_in_memory = 0;
  int gens = 0;
  for (int64_t g0 = t0; g0 < t0 + 48 * kHour; g0 += generation, ++gens) {
    auto app = (*db)->NewAppender();
    for (int64_t t = g0; t < g0 + generation; t += 15000) {
      for (int i = 0; i < kPerGeneration; ++i) {
        app->Add(model::Labels{{"__name__", "pod_cpu"}, {"pod", std::to_string(gens * 1000 + i)}},
                 t, static_cast<double>(t / 1000));
      }
    }
    ASSERT_TRUE(app->Commit().status.ok());
    ASSERT_TRUE((*db)->Downsample().ok());
    ASSERT_TRUE((*db)->ApplyRetention().ok());
    most_in_memory = std::max(most_in_memory, (*db)->GetStats().num_series);
  }
  // 2 h retention + the tiers' delay and an 8 h block: at most ~10 h of
  // generations (60) in memory, never the 288 ever created.
  EXPECT_LE(most_in_memory, 62u * kPerGeneration) << most_in_memory;
  EXPECT_GE((*db)->GetStats().cold_series, 200u * kPerGeneration);
  // A pod of the first hour is still answered from the hourly tier.
  auto sets = (*db)->SelectBuckets(1, t0, t0 + kHour,
                                   {Matcher::MustMake(Matcher::Type::kEqual, "pod", "3")}, 1);
  ASSERT_TRUE(sets.ok());
  ASSERT_TRUE((*sets)[0]->Next());
  EXPECT_EQ((*sets)[0]->buckets().back().count, 40);  // 10 minutes every 15 s
}

TEST(tsdb_DownsampleDB, ColdSeriesGoWhenTheTiersAreTurnedOff) {
  TempDir dir;
  Options o = TierOptions();
  o.retention_ms = 2 * 24 * kHour;
  {
    auto db = DB::Open(dir.path(), o);
    ASSERT_TRUE(db.ok());
    const int64_t t0 = 1700000000000;
    Write(db->get(), t0, 24, 1);
    auto app = (*db)->NewAppender();
    app->Add(Series(0), t0 + 10 * 24 * kHour, 1);
    ASSERT_TRUE(app->Commit().status.ok());
    ASSERT_TRUE((*db)->Downsample().ok());
    ASSERT_TRUE((*db)->ApplyRetention().ok());
    ASSERT_EQ((*db)->GetStats().cold_series, 4u);
  }
  o.downsample_tiers.clear();
  auto db = DB::Open(dir.path(), o);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->ApplyRetention().ok());
  EXPECT_EQ((*db)->GetStats().cold_series, 0u);
  auto q = (*db)->NewQuerier(-(int64_t{1} << 62), int64_t{1} << 62);
  auto values = q->LabelValues("instance", {});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"host0"}));
}

// A sample stamped decades ahead (a client's broken clock) does not send the
// job through decades of empty windows: tier 0 stops at tomorrow.
TEST(tsdb_DownsampleDB, AFarFutureSampleDoesNotRunTheJobAhead) {
  TempDir dir;
  Options o = TierOptions();
  o.retention_ms = 100LL * 365 * 24 * kHour;
  auto db = DB::Open(dir.path(), o);
  ASSERT_TRUE(db.ok());
  const int64_t now = common::NowMs();
  auto app = (*db)->NewAppender();
  app->Add(Series(0), now - kHour, 1);
  app->Add(Series(1), now + 50LL * 365 * 24 * kHour, 1);
  ASSERT_TRUE(app->Commit().status.ok());
  ASSERT_TRUE((*db)->Downsample().ok());
  EXPECT_LE((*db)->DownsampleProgress()[0].watermark, now + 24 * kHour);
}

TEST(tsdb_DownsampleDB, RefusesInconsistentTiers) {
  TempDir dir;
  Options o = TierOptions();
  o.downsample_tiers = {{kHour, 10 * kHour}, {kMin5, 20 * kHour}};
  EXPECT_FALSE(DB::Open(dir.path(), o).ok());
  o.downsample_tiers = {{kMin5, 10 * kHour}, {7 * 60 * 1000, 20 * kHour}};
  EXPECT_FALSE(DB::Open(dir.path(), o).ok());
  o.downsample_tiers = {{kMin5, 10 * kHour}, {kHour, 5 * kHour}};
  EXPECT_FALSE(DB::Open(dir.path(), o).ok());
}

}  // namespace
}  // namespace tsdb
