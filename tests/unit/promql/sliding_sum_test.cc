// sum_over_time / avg_over_time fast path (double-double prefix sums, see
// SlidingSum in promql/eval_range_functions.cc) against the exact per-window
// kernels (Prometheus's Kahan/incremental-mean algorithms) on adversarial
// data, and hand-computed cases through the engine.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "model/number.h"
#include "promql/engine.h"
#include "promql/memory_storage.h"
#include "promql/range_kernels.h"
#include "promql/value.h"
#include "tests/unit/promql/test_util.h"

namespace promql {
namespace {

using internal::SlidingSumForTest;
using testing::L;
using testing::Render;

using Windows = std::vector<std::pair<size_t, size_t>>;

// Windows as the step loop makes them: grid t = first + i*step, window
// (t - range, t], empty ones skipped.
Windows GridWindows(const std::vector<Point>& pts, int64_t step, int64_t range) {
  Windows w;
  if (pts.empty()) return w;
  size_t lo = 0, hi = 0;
  for (int64_t t = pts.front().t; t <= pts.back().t + range; t += step) {
    while (hi < pts.size() && pts[hi].t <= t) ++hi;
    while (lo < hi && pts[lo].t <= t - range) ++lo;
    if (lo < hi) w.emplace_back(lo, hi);
  }
  return w;
}

bool Close(double a, double b, double rel) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

struct Stats {
  size_t windows = 0, fast = 0;
  double max_rel = 0;
};

// Every window: the fast value (where taken) within `rel` of the kernel's.
Stats Check(const std::vector<Point>& pts, const Windows& w, bool mean, double rel,
            const std::string& what) {
  std::vector<double> fast, exact;
  std::vector<uint8_t> used;
  SlidingSumForTest(pts, w, mean, &fast, &used, &exact);
  Stats st;
  st.windows = w.size();
  for (size_t i = 0; i < w.size(); ++i) {
    if (!used[i]) continue;
    ++st.fast;
    EXPECT_TRUE(Close(fast[i], exact[i], rel))
        << what << (mean ? " avg" : " sum") << " window [" << w[i].first << "," << w[i].second
        << "): fast " << fast[i] << " exact " << exact[i];
    if (std::isfinite(exact[i]) && exact[i] != 0) {
      st.max_rel = std::max(st.max_rel, std::fabs(fast[i] - exact[i]) / std::fabs(exact[i]));
    }
    // Windows holding NaN/Inf never take the fast path.
    for (size_t k = w[i].first; k < w[i].second; ++k) {
      EXPECT_TRUE(std::isfinite(pts[k].v)) << what << " window " << i << " has " << pts[k].v;
    }
  }
  return st;
}

// Timestamps every ~30 s with jitter and occasional long gaps (stale/absent).
std::vector<Point> Times(std::mt19937_64& rng, size_t n) {
  std::vector<Point> pts;
  int64_t t = 1700000000000;
  std::uniform_int_distribution<int> jitter(-2000, 2000), gap(0, 199);
  for (size_t i = 0; i < n; ++i) {
    t += 30000 + jitter(rng);
    if (gap(rng) == 0) t += 3600000;  // an hour without samples
    pts.push_back({t, 0});
  }
  return pts;
}

using Gen = double (*)(std::mt19937_64&, size_t);

double U(std::mt19937_64& r) { return std::uniform_real_distribution<double>(0, 1)(r); }
double Sign(std::mt19937_64& r) { return (r() & 1) ? 1 : -1; }

const std::pair<const char*, Gen> kGens[] = {
    {"load", [](std::mt19937_64& r, size_t) { return U(r) * 4; }},
    {"counter", [](std::mt19937_64& r, size_t i) { return 1e9 + i * 1234.5 + U(r); }},
    {"integers", [](std::mt19937_64& r, size_t) { return std::floor(U(r) * 1000); }},
    {"constant", [](std::mt19937_64&, size_t) { return 0.1; }},
    {"zeros", [](std::mt19937_64& r, size_t) { return (r() % 50 == 0) ? U(r) : 0.0; }},
    {"signed", [](std::mt19937_64& r, size_t) { return U(r) - 0.5; }},
    {"cancel",
     [](std::mt19937_64& r, size_t i) {
       const double v[] = {1e10, -1e10, 1};
       return v[i % 3] + (r() % 4 == 0 ? U(r) * 1e-6 : 0);
     }},
    {"offset_noise", [](std::mt19937_64& r, size_t) { return 1e12 + U(r) * 1e-3; }},
    {"huge", [](std::mt19937_64& r, size_t) { return Sign(r) * 1e307 * (1 + U(r)); }},
    {"huge_pos", [](std::mt19937_64& r, size_t) { return 1.7e308 * (0.5 + U(r) / 2); }},
    {"exponents",
     [](std::mt19937_64& r, size_t) { return Sign(r) * std::pow(10.0, U(r) * 600 - 300); }},
    {"tiny", [](std::mt19937_64& r, size_t) { return Sign(r) * 4.9e-324 * (r() % 1000); }},
    {"spikes", [](std::mt19937_64& r, size_t) { return r() % 100 == 0 ? Sign(r) * 1e15 : U(r); }},
    {"nonfinite",
     [](std::mt19937_64& r, size_t) {
       switch (r() % 100) {
         case 0:
           return std::numeric_limits<double>::quiet_NaN();
         case 1:
           return std::numeric_limits<double>::infinity();
         case 2:
           return -std::numeric_limits<double>::infinity();
         default:
           return U(r) * 100;
       }
     }},
};

// The fast path's guarantee (the differential test against Prometheus allows
// 1e-9); observed differences are below 2e-12 (signed data, avg), mostly
// below 1e-14.
constexpr double kTolerance = 1e-10;

TEST(PromqlSlidingSumTest, FastPathMatchesKernelOnAdversarialData) {
  std::mt19937_64 rng(7);
  for (const auto& [name, gen] : kGens) {
    Stats total[2];
    for (int rep = 0; rep < 4; ++rep) {
      std::vector<Point> pts = Times(rng, 3000);
      for (size_t i = 0; i < pts.size(); ++i) pts[i].v = gen(rng, i);
      const int64_t ranges[] = {60000, 300000, 3600000, 6 * 3600000};
      const int64_t steps[] = {15000, 60000, 3600000};
      for (int64_t range : ranges) {
        for (int64_t step : steps) {
          Windows w = GridWindows(pts, step, range);
          for (int mean = 0; mean < 2; ++mean) {
            Stats s = Check(pts, w, mean, kTolerance, name);
            total[mean].windows += s.windows;
            total[mean].fast += s.fast;
            total[mean].max_rel = std::max(total[mean].max_rel, s.max_rel);
          }
        }
      }
    }
    for (int mean = 0; mean < 2; ++mean) {
      std::printf("%-13s %s: %zu windows, %5.1f%% fast, max rel diff %.3g\n", name,
                  mean ? "avg" : "sum", total[mean].windows,
                  100.0 * total[mean].fast / total[mean].windows, total[mean].max_rel);
      const std::string n = name;
      // Well-conditioned data must take the fast path (the point of it).
      if (n == "load" || n == "counter" || n == "integers" || n == "constant" ||
          n == "offset_noise") {
        EXPECT_EQ(total[mean].fast, total[mean].windows) << name;
      }
      if (n == "nonfinite") {
        EXPECT_GT(total[mean].fast, 0u) << name;
      }
    }
  }
}

// Integer-valued and constant windows: bit-identical to the kernels.
TEST(PromqlSlidingSumTest, ExactForIntegersAndConstants) {
  std::mt19937_64 rng(11);
  for (double c : {0.1, 1.0 / 3, -2.7, 1e300, 1e-200, 123456789.125}) {
    std::vector<Point> pts = Times(rng, 500);
    for (Point& p : pts) p.v = c;
    Windows w = GridWindows(pts, 60000, 3600000);
    std::vector<double> fast, exact;
    std::vector<uint8_t> used;
    SlidingSumForTest(pts, w, true, &fast, &used, &exact);
    for (size_t i = 0; i < w.size(); ++i) {
      ASSERT_TRUE(used[i]) << c;
      EXPECT_EQ(fast[i], c) << "avg of constant " << c;
      EXPECT_EQ(exact[i], c);
    }
  }
  std::vector<Point> pts = Times(rng, 2000);
  for (Point& p : pts) p.v = static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000);
  Windows w = GridWindows(pts, 60000, 3600000);
  std::vector<double> fast, exact;
  std::vector<uint8_t> used;
  SlidingSumForTest(pts, w, false, &fast, &used, &exact);
  for (size_t i = 0; i < w.size(); ++i) {
    if (used[i]) {
      EXPECT_EQ(fast[i], exact[i]);
    }
  }
}

// Hand-computed windows of 3: +1e10, -1e10, +1 cycles.
TEST(PromqlSlidingSumTest, Cancellation) {
  std::vector<Point> pts;
  const double v[] = {1e10, -1e10, 1};
  for (int i = 0; i < 30; ++i) pts.push_back({i * 1000, v[i % 3]});
  Windows w;
  for (size_t lo = 0; lo + 3 <= pts.size(); ++lo) w.emplace_back(lo, lo + 3);
  std::vector<double> fast, exact;
  std::vector<uint8_t> used;
  SlidingSumForTest(pts, w, false, &fast, &used, &exact);
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(exact[i], 1);
    if (used[i]) {
      EXPECT_EQ(fast[i], 1);
    }
  }
  // avg: Prometheus's incremental mean is itself inexact here (its
  // 1e10/k steps), so the fast path must decline and the kernel decides.
  SlidingSumForTest(pts, w, true, &fast, &used, &exact);
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_FALSE(used[i]) << i;
    EXPECT_NEAR(exact[i], 1.0 / 3, 1e-5);
  }
}

// Near-overflow: sums that overflow mid-window in Prometheus (but not in the
// prefix sums) must come from the kernel. After 1e308 in the prefix, the
// prefix sums' error bound exceeds small windows' sums: the kernel again.
TEST(PromqlSlidingSumTest, Overflow) {
  std::vector<Point> pts = {{0, -1e308}, {1, 1e308}, {2, 1e308}, {3, -1e308}, {4, 1}};
  Windows w = {{0, 1}, {1, 4}, {1, 5}, {4, 5}};
  std::vector<double> fast, exact;
  std::vector<uint8_t> used;
  SlidingSumForTest(pts, w, false, &fast, &used, &exact);
  EXPECT_EQ(exact[1], INFINITY);
  EXPECT_EQ(exact[3], 1);
  EXPECT_FALSE(used[0]);  // n * max|v| > 2^1020
  EXPECT_EQ(exact[0], -1e308);
  EXPECT_FALSE(used[1]);
  EXPECT_FALSE(used[2]);
  EXPECT_FALSE(used[3]);
  SlidingSumForTest(pts, w, true, &fast, &used, &exact);
  EXPECT_FALSE(used[1]);
  EXPECT_DOUBLE_EQ(exact[1], 1e308 / 3);
  EXPECT_FALSE(used[3]);
  EXPECT_EQ(exact[3], 1);
}

class PromqlSlidingSumEngineTest : public ::testing::Test {
 protected:
  std::string Range(const std::string& q, int64_t start_s, int64_t end_s, int64_t step_s) {
    auto r = engine_.RangeQuery(st_, q, start_s * 1000, end_s * 1000, step_s * 1000);
    if (!r.ok()) return "error: " + r.status().ToString();
    return Render(*r);
  }
  MemoryStorage st_;
  Engine engine_;
};

TEST_F(PromqlSlidingSumEngineTest, HandComputed) {
  // x: 1, 2, NaN, 4, +Inf, 6, then a gap, then 1e308 twice, at 60 s spacing.
  const std::pair<int64_t, double> x[] = {{0, 1},          {60, 2},  {120, NAN},   {180, 4},
                                          {240, INFINITY}, {300, 6}, {900, 1e308}, {960, 1e308}};
  for (const auto& [t, v] : x) st_.Add(L({{"__name__", "x"}}), t * 1000, v);
  const std::string big = model::FormatFloat(1e308);
  // Windows [t - 1m, t]: two samples (one at 360 and 900).
  EXPECT_EQ(Range("sum_over_time(x[1m])", 60, 960, 60),
            "{} => 3@60 NaN@120 NaN@180 +Inf@240 +Inf@300 6@360 " + big + "@900 +Inf@960");
  EXPECT_EQ(Range("avg_over_time(x[1m])", 60, 960, 60),
            "{} => 1.5@60 NaN@120 NaN@180 +Inf@240 +Inf@300 6@360 " + big + "@900 " + big + "@960");
  EXPECT_EQ(Range("count_over_time(x[1m])", 60, 960, 60),
            "{} => 2@60 2@120 2@180 2@240 2@300 1@360 1@900 2@960");
  EXPECT_EQ(Range("avg_over_time(x[5m])", 300, 300, 60), "{} => NaN@300");
  EXPECT_EQ(Range("avg_over_time(x[2m])", 300, 300, 60), "{} => +Inf@300");
}

TEST_F(PromqlSlidingSumEngineTest, CancellationThroughEngine) {
  const double v[] = {1e10, -1e10, 1};
  for (int i = 0; i < 9; ++i) st_.Add(L({{"__name__", "c"}}), i * 60000, v[i % 3]);
  // Windows [t - 2m, t] hold exactly three samples.
  EXPECT_EQ(Range("sum_over_time(c[2m])", 120, 480, 60),
            "{} => 1@120 1@180 1@240 1@300 1@360 1@420 1@480");
  EXPECT_EQ(Range("avg_over_time(c[2m])", 120, 120, 60), "{} => 0.3333333333333333@120");
}

}  // namespace
}  // namespace promql
