// Range queries answered from the downsampling tiers against the same
// queries over raw samples (max_source_resolution=raw), on 10 days of
// counters and gauges every 15 s with missed scrapes and counter resets:
// max/min/last/plain selectors equal bit for bit, sum_over_time to rounding,
// rate/increase/avg_over_time within 0.5 % over 6 h windows (1 % over 1 h); the tier is chosen only
// where its buckets tile every window; other functions and unaligned grids read raw samples.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "promql/engine.h"
#include "server/api/tsdb_queryable.h"
#include "tests/unit/tsdb/test_util.h"
#include "tsdb/db.h"

namespace server {
namespace {

constexpr int64_t kMin = 60 * 1000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;

class DownsampledQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tsdb::Options o;
    o.maintenance_interval_ms = 0;
    o.retention_ms = 30 * kDay;
    o.downsample_tiers = {{5 * kMin, 60 * kDay}, {kHour, 90 * kDay}};
    auto db = tsdb::DB::Open(dir_.path(), o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    std::mt19937_64 rng(42);
    std::vector<double> counters(3, 1000);
    auto app = db_->NewAppender();
    int batch = 0;
    for (int64_t t = t0_; t < t0_ + 10 * kDay; t += 15000) {
      for (int i = 0; i < 3; ++i) {
        const std::string host = "host" + std::to_string(i);
        // Scrapes land a few seconds after the minute, as a scraper's offset.
        const int64_t ts = t + 3000 + 1100 * i;
        if (rng() % 50 != 0) {
          counters[i] = rng() % 2000 == 0 ? 3 : counters[i] + static_cast<double>(rng() % 100);
          app->Add(model::Labels{{"__name__", "bytes_total"}, {"host", host}}, ts, counters[i]);
        }
        if (rng() % 50 != 0) {
          app->Add(model::Labels{{"__name__", "load"}, {"host", host}}, ts,
                   static_cast<double>(rng() % 10000) / 100 + 50 * i);
        }
      }
      if (++batch % 500 == 0) {
        ASSERT_TRUE(app->Commit().status.ok());
      }
    }
    ASSERT_TRUE(app->Commit().status.ok());
    // A counter that lived ten minutes (inside one hourly bucket).
    for (int64_t t = t0_ + 5 * kDay + 2 * kHour + 10 * kMin;
         t < t0_ + 5 * kDay + 2 * kHour + 20 * kMin; t += 15000) {
      app->Add(model::Labels{{"__name__", "young_total"}}, t, static_cast<double>(t - t0_) / 1000);
    }
    ASSERT_TRUE(app->Commit().status.ok());
    ASSERT_TRUE(db_->Downsample().ok());
  }

  // (result, coarsest resolution read) with the given max_source_resolution.
  std::pair<promql::StepMatrix, int64_t> Run(const std::string& q, int64_t start, int64_t end,
                                             int64_t step, int64_t max_source_resolution) {
    TsdbQueryable storage(db_.get(), max_source_resolution);
    auto r = engine_.RangeQuerySteps(storage, q, start, end, step);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    if (!r.ok()) return {};
    return {std::move(r).value(), storage.coarsest_resolution_used()};
  }

  // Compares the tier's answer with the raw one; returns the largest
  // relative difference. `exact`: bit-identical values required.
  double Compare(const std::string& q, int64_t start, int64_t end, int64_t step,
                 int64_t want_resolution, bool exact) {
    auto [tier, used] = Run(q, start, end, step, -1);
    auto [raw, raw_used] = Run(q, start, end, step, 0);
    EXPECT_EQ(used, want_resolution) << q;
    EXPECT_EQ(raw_used, 0) << q;
    EXPECT_EQ(tier.series.size(), raw.series.size()) << q;
    double worst = 0;
    for (size_t s = 0; s < std::min(tier.series.size(), raw.series.size()); ++s) {
      EXPECT_EQ(tier.series[s].metric, raw.series[s].metric) << q;
      for (int64_t i = 0; i < raw.n; ++i) {
        const double a = tier.series[s].v[i], b = raw.series[s].v[i];
        EXPECT_EQ(promql::StepMatrix::HasValue(a), promql::StepMatrix::HasValue(b))
            << q << " step " << i;
        if (!promql::StepMatrix::HasValue(a) || !promql::StepMatrix::HasValue(b)) continue;
        if (exact) {
          EXPECT_EQ(std::bit_cast<uint64_t>(a), std::bit_cast<uint64_t>(b))
              << q << " series " << s << " step " << i << ": " << a << " vs raw " << b;
        }
        const double rel = a == b ? 0 : std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b));
        worst = std::max(worst, rel);
      }
    }
    return worst;
  }

  tsdb::testing::TempDir dir_;
  std::unique_ptr<tsdb::DB> db_;
  promql::Engine engine_;
  // A Monday 00:00 UTC; the queries start a day later on the hour.
  const int64_t t0_ = 1700438400000;
  const int64_t start_ = t0_ + kDay;
  const int64_t end_ = t0_ + 9 * kDay;
};

TEST_F(DownsampledQueryTest, MaxMinLastAndPlainSelectorsAreExact) {
  // Step 1 h reads the 5-minute tier (1 h < 5 x 1 h), 6 h the hourly one.
  for (auto [step, res] : {std::pair<int64_t, int64_t>{kHour, 5 * kMin}, {6 * kHour, kHour}}) {
    Compare("max_over_time(load[6h])", start_, end_, step, res, true);
    Compare("min_over_time(load[6h])", start_, end_, step, res, true);
    Compare("last_over_time(bytes_total[6h])", start_, end_, step, res, true);
    Compare("load", start_, end_, step, res, true);
    Compare("max by (host) (max_over_time(load[1d]))", start_, end_, step, res, true);
    Compare("max_over_time(load[6h] offset 1d)", start_, end_, step, res, true);
  }
  EXPECT_LE(Compare("sum_over_time(load[6h])", start_, end_, 6 * kHour, kHour, false), 1e-12);
}

TEST_F(DownsampledQueryTest, RateIncreaseAndAvgAreClose) {
  for (auto [step, res] : {std::pair<int64_t, int64_t>{kHour, 5 * kMin}, {6 * kHour, kHour}}) {
    const std::string range = step == kHour ? "1h" : "6h";
    const double rate = Compare("rate(bytes_total[" + range + "])", start_, end_, step, res, false);
    const double inc =
        Compare("increase(bytes_total[" + range + "])", start_, end_, step, res, false);
    const double avg =
        Compare("avg_over_time(load[" + range + "])", start_, end_, step, res, false);
    // Measured: 1 h windows (12 buckets) 0.49 % / 0.44 %, 6 h windows
    // 0.08 % / 0.03 % (rate / avg): the edges of a window are where raw
    // extrapolation and whole buckets differ; avg weights buckets with a
    // missed scrape as full ones.
    const double bound = step == kHour ? 0.01 : 0.005;
    EXPECT_LT(rate, bound) << "step " << step;
    EXPECT_LT(inc, bound) << "step " << step;
    EXPECT_LT(avg, bound) << "step " << step;
    // Grafana's $__rate_interval: the step plus a scrape interval.
    const double grafana =
        Compare("rate(bytes_total[" + range + "15s])", start_, end_, step, res, false);
    EXPECT_LT(grafana, bound) << "step " << step;
    // A series shorter than a bucket still has a rate where raw data has one
    // (Compare checks that values are present at the same steps).
    Compare("rate(young_total[" + range + "])", start_, end_, step, res, false);
    // Not all equal by accident: the answers do come from other data.
    EXPECT_GT(rate + avg, 0) << "step " << step;
  }
}

TEST_F(DownsampledQueryTest, RawSamplesWhereBucketsDoNotTileTheWindows) {
  // An unaligned start, a range that is not whole buckets, a step under 5
  // buckets, other functions, and max_source_resolution=raw.
  EXPECT_EQ(Run("max_over_time(load[1h])", start_ + kMin, end_, kHour, -1).second, 0);
  EXPECT_EQ(Run("max_over_time(load[7m])", start_, end_, kHour, -1).second, 0);
  EXPECT_EQ(Run("rate(bytes_total[7m])", start_, end_, kHour, -1).second, 0);
  EXPECT_EQ(Run("max_over_time(load[1h])", start_, end_, 20 * kMin, -1).second, 0);
  EXPECT_EQ(Run("count_over_time(load[1h])", start_, end_, kHour, -1).second, 0);
  EXPECT_EQ(Run("deriv(load[1h])", start_, end_, kHour, -1).second, 0);
  EXPECT_EQ(Run("timestamp(load)", start_, end_, kHour, -1).second, 0);
  EXPECT_EQ(Run("max_over_time(load[1h])", start_, end_, kHour, 0).second, 0);
  EXPECT_EQ(Run("max_over_time(load[1h] offset 7m)", start_, end_, kHour, -1).second, 0);
  EXPECT_EQ(Run("max_over_time(load[1h] @ 1700500000)", start_, end_, kHour, -1).second, 0);
  // A cap on the resolution picks the finer tier.
  EXPECT_EQ(Run("max_over_time(load[6h])", start_, end_, 6 * kHour, 5 * kMin).second, 5 * kMin);
  // A mixed query reads each selector at its own resolution.
  EXPECT_EQ(
      Run("max_over_time(load[1h]) / count_over_time(load[1h])", start_, end_, kHour, -1).second,
      5 * kMin);
}

}  // namespace
}  // namespace server
