// The numeric kernels of PromQL's functions over range vectors (internal to
// promql/): pure functions of one series' samples, with no storage, sharding
// or step grid in sight. eval_range_functions.cc slides the windows and
// shards the series; functions.cc's table names the kernel of each function.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/sample.h"
#include "promql/value.h"

namespace promql::internal {

struct KernelCtx {
  int64_t range_start;  // window start (inclusive)
  int64_t range_end;    // window end (inclusive)
  int64_t range_ms;
  int64_t eval_ts;            // the step's evaluation time
  double arg1 = 0, arg2 = 0;  // scalar arguments at this step
  std::string* err;
  // drops[k]: number of counter resets (v[j] < v[j-1]) at j <= k, indexed
  // from `base`; set for counter functions only.
  const Point* base = nullptr;
  const int32_t* drops = nullptr;
  int32_t DropsIn(const Point* b, const Point* e) const {
    return drops[e - 1 - base] - drops[b - base];
  }
};

// Returns false if the function yields no sample for this window.
using Kernel = bool (*)(const Point* b, const Point* e, const KernelCtx& c, double* out);

// The window kernels, as functions.cc's table names them (Prometheus's
// functions.go names in brackets).
bool KIrate(const Point* b, const Point* e, const KernelCtx& c, double* o);   // irate
bool KIdelta(const Point* b, const Point* e, const KernelCtx& c, double* o);  // idelta
bool KDeriv(const Point* b, const Point* e, const KernelCtx& c, double* o);   // deriv
bool KPredictLinear(const Point* b, const Point* e, const KernelCtx& c, double* o);
bool KResets(const Point* b, const Point* e, const KernelCtx& c, double* o);   // resets
bool KChanges(const Point* b, const Point* e, const KernelCtx& c, double* o);  // changes
bool KAvg(const Point* b, const Point* e, const KernelCtx& c, double* o);      // avg_over_time
bool KCount(const Point* b, const Point* e, const KernelCtx& c, double* o);    // count_over_time
bool KMax(const Point* b, const Point* e, const KernelCtx& c, double* o);      // max_over_time
bool KMin(const Point* b, const Point* e, const KernelCtx& c, double* o);      // min_over_time
bool KSum(const Point* b, const Point* e, const KernelCtx& c, double* o);      // sum_over_time
bool KStddev(const Point* b, const Point* e, const KernelCtx& c, double* o);   // stddev_over_time
bool KStdvar(const Point* b, const Point* e, const KernelCtx& c, double* o);   // stdvar_over_time
bool KLast(const Point* b, const Point* e, const KernelCtx& c, double* o);     // last_over_time
// present_over_time, and absent_over_time's "some window has a sample".
bool KPresent(const Point* b, const Point* e, const KernelCtx& c, double* o);
bool KQuantile(const Point* b, const Point* e, const KernelCtx& c,
               double* o);  // quantile_over_time
bool KHoltWinters(const Point* b, const Point* e, const KernelCtx& c, double* o);  // holt_winters

// The windows of a range query's steps: step i's window is
// (first_end + i * end_step - range_ms, first_end + i * end_step].
struct StepWindows {
  int64_t first_end;
  int64_t end_step;  // 0 under @: every step sees the same window
  int64_t steps;
  int64_t range_ms;
};

// rate/increase/delta at every step of one series (samples p[0, n), in
// time order): out[i] is the step's value, or StepMatrix::NoValue() where its window
// holds fewer than two samples; returns the number of values. Window bounds,
// values and gaps in one pass. drops: as KernelCtx::drops, or null when the
// series has no counter reset at all.
//
// Same bits as Prometheus, cheaper: for counters the duration-to-zero
// division is skipped when a product comparison shows it cannot win (a
// counter's first value is usually far above its increase); then the result
// is result * factor, where factor depends only on the window's timing
// (first/last sample offsets, sample count), and regularly spaced samples
// repeat the same timing step after step: factors are memoised per timing
// (the memo computes them with Extrapolate itself, so the bits are the same).
// Irregular timing only costs the memo probe.
int64_t ExtrapolatedSteps(const Point* p, size_t n, const int32_t* drops, const StepWindows& w,
                          bool is_counter, bool is_rate, double* out);

// (*drops)[k]: the number of counter resets (v[j] < v[j-1]) at j <= k, as
// KernelCtx::drops. REQUIRES: !pts.empty().
void CountDrops(const model::SampleVector& pts, std::vector<int32_t>* drops);

// sum_over_time and avg_over_time in O(1) per window: per series, prefix
// sums in double-double (hi + lo, error ~2^-106 per addition), so a window's
// sum is P[hi] - P[lo]. KSum/KAvg (Prometheus's algorithms) stay the
// reference: Window() falls back to them for every window where the fast
// result could differ from theirs by more than 1e-10 relative, namely
//  - the window holds NaN or +-Inf (Prometheus's special cases);
//  - the values could overflow (n * max|v| > 2^1020) or a prefix did;
//  - the window sum is small against the magnitudes summed (cancellation):
//    a bound on Prometheus's own rounding error (its incremental mean uses
//    the uncompensated running mean, error <= u*max|v|*n*(n/2+5) in sum
//    units; Neumaier's sum errs by <= u^2*n^2*sum|v|) plus the error of the
//    prefix sums must stay below 1e-10 * |sum|.
// max|v| is bounded by the series' largest finite |v| (one pass in Reset, no
// per-window work; a window of values far smaller than the series' largest
// merely goes to the kernel), and windows of zeros are found by a prefix
// count of non-zero values. Per-series scratch only: one instance per thread.
class SlidingSum {
 public:
  explicit SlidingSum(bool mean) : mean_(mean) {}

  void Reset(const Point* pts, size_t n) {
    pts_ = pts;
    prefix_.resize(n + 1);
    max_abs_ = 0;
    double hi = 0, lo = 0, err = 0;
    int32_t bad = 0, nonzero = 0;
    prefix_[0] = Prefix{0, 0, 0, 0, 0};
    for (size_t k = 0; k < n; ++k) {
      double x = pts[k].v;
      if (std::isfinite(x)) {
        max_abs_ = std::max(max_abs_, std::fabs(x));
        nonzero += x != 0 ? 1 : 0;
        // hi + lo += x: s + e = hi + x exactly (TwoSum), e += lo, then
        // renormalize with TwoSum (|e| may exceed |s| after cancellation).
        // The only rounding is e + lo, |e| <= u|s|, |lo| <= u|hi|.
        const double old_hi = hi;
        double s, e;
        TwoSum(hi, x, &s, &e);
        e += lo;
        TwoSum(s, e, &hi, &lo);
        err += kU * kU * 2 * (std::fabs(old_hi) + std::fabs(s));
      } else {
        ++bad;
      }
      prefix_[k + 1] = Prefix{hi, lo, err, bad, nonzero};
    }
  }

  // The value for window [lo, hi) (lo < hi), bit-compatible with the
  // Prometheus algorithm where it matters, within ~1e-15 relative elsewhere.
  double Window(size_t lo, size_t hi) {
    double v;
    if (Fast(lo, hi, &v)) return v;
    KernelCtx c{};
    (mean_ ? KAvg : KSum)(pts_ + lo, pts_ + hi, c, &v);
    return v;
  }

  // The fast path alone: false if the exact kernel must be used.
  bool Fast(size_t lo, size_t hi, double* out) {
    const Prefix& a = prefix_[hi];
    const Prefix& b = prefix_[lo];
    if (a.bad != b.bad) return false;
    if (a.nonzero == b.nonzero) {  // all zeros: both algorithms give +0
      *out = 0;
      return true;
    }
    const double maxabs = max_abs_;  // >= the window's max |v|
    const double n = static_cast<double>(hi - lo);
    if (!(maxabs * n <= 0x1p1020) || !std::isfinite(a.hi) || !std::isfinite(a.err)) return false;
    // S = a - b in double-double, then rounded.
    double s, e, sh, sl;
    TwoSum(a.hi, -b.hi, &s, &e);
    e += a.lo - b.lo;
    TwoSum(s, e, &sh, &sl);
    // a.err >= b.err; the lo parts add two roundings of <= 2u^2*|hi|.
    const double err_dd = 2 * a.err + kU * kU * 4 * (std::fabs(a.hi) + std::fabs(b.hi));
    // Sums near the subnormal range (absolute rounding errors) go to the
    // kernel; so no subnormal arithmetic (slow) happens below.
    if (!(std::fabs(sh) >= 0x1p-900)) return false;
    double bound;
    if (mean_) {
      bound = kU * maxabs * n * (n / 2 + 5);
    } else {
      bound = kU * kU * 2 * n * n * n * maxabs;
    }
    if (!(bound + err_dd <= 1e-10 * std::fabs(sh))) return false;
    if (!mean_) {
      *out = sh;
      return true;
    }
    // (sh + sl) / n with one correction step: exact for constant windows.
    const double q = sh / n;
    const double r = std::fma(-q, n, sh);
    *out = q + (r + sl) / n;
    return true;
  }

 private:
  static constexpr double kU = 0x1p-53;  // unit roundoff
  struct Prefix {
    double hi, lo;    // sum of the finite values before this index
    double err;       // bound on |error of hi + lo|
    int32_t bad;      // number of non-finite values before this index
    int32_t nonzero;  // number of finite non-zero values before this index
  };
  static void TwoSum(double a, double b, double* s, double* e) {
    *s = a + b;
    double bb = *s - a;
    *e = (a - (*s - bb)) + (b - bb);
  }
  bool mean_;
  const Point* pts_ = nullptr;
  std::vector<Prefix> prefix_;
  double max_abs_ = 0;  // largest finite |v| of the series
};

// Test hook: the windows [lo, hi) of `windows` (non-decreasing, non-empty)
// through SlidingSum's fast path (fast[i], NaN where it declines) and through
// the exact kernel (exact[i]).
void SlidingSumForTest(const std::vector<Point>& pts,
                       const std::vector<std::pair<size_t, size_t>>& windows, bool mean,
                       std::vector<double>* fast, std::vector<uint8_t>* used_fast,
                       std::vector<double>* exact);

}  // namespace promql::internal
