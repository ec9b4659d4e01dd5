// Functions over range vectors (rate, *_over_time, ...): each series is read
// once and a window slides over its samples, one step at a time.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "promql/errors.h"
#include "promql/evaluator.h"
#include "promql/functions.h"
#include "promql/quantile.h"

namespace promql::internal {

using common::Labels;
using common::Result;
using common::Status;

namespace {

// Window samples a range function goes through between two checks of the
// timeout and cancel flag (about a millisecond of work for the cheapest
// kernels; a check costs a clock read).
constexpr int64_t kInterruptWork = int64_t{1} << 20;

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

inline void KahanInc(double inc, double* sum, double* c) {
  double t = *sum + inc;
  if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

// Prometheus's extrapolatedRate once the window's raw increase `result` is
// known (n >= 2 samples from first to last). Shared by the kernel and the
// batched step loop, so both give the same bits.
inline double Extrapolate(const Point& first, const Point& last, size_t n, double result,
                          int64_t range_start, int64_t range_end, int64_t range_ms, bool is_counter,
                          bool is_rate) {
  double duration_to_start = static_cast<double>(first.t - range_start) / 1000;
  double duration_to_end = static_cast<double>(range_end - last.t) / 1000;
  double sampled = static_cast<double>(last.t - first.t) / 1000;
  double avg = sampled / static_cast<double>(n - 1);
  if (is_counter && result > 0 && first.v >= 0) {
    double duration_to_zero = sampled * (first.v / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  double threshold = avg * 1.1;
  double interval = sampled;
  interval += duration_to_start < threshold ? duration_to_start : avg / 2;
  interval += duration_to_end < threshold ? duration_to_end : avg / 2;
  // The factor first, then one multiplication: the same float operations as
  // Prometheus's extrapolatedRate, so results agree to the last bit (an
  // integration test compares them exactly).
  double factor = interval / sampled;
  if (is_rate) factor /= static_cast<double>(range_ms) / 1000;
  return result * factor;
}

// The window's increase with counter resets added back, as Prometheus sums it.
inline double CounterIncrease(const Point* b, const Point* e) {
  double result = e[-1].v - b[0].v;
  double prev = b[0].v;
  for (const Point* p = b + 1; p < e; ++p) {
    if (p->v < prev) result += prev;
    prev = p->v;
  }
  return result;
}

// rate/increase/delta at every step of one series (samples p[0, n), in
// time order): out[i] is the step's value, or Absent() where its window
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
int64_t ExtrapolatedSteps(const Point* p, size_t n, const int32_t* drops, const Grid& g,
                          const RangeArg& ra, bool is_counter, bool is_rate, double* out) {
  struct Memo {
    int64_t to_start = -1, to_end = -1, sampled = -1;
    size_t n = 0;
    double factor = 0;
  };
  Memo memo[4];
  const int64_t end_step = ra.has_at ? 0 : g.step;
  int64_t end = ra.WindowEnd(g.start);
  size_t l = 0, h = 0;
  int64_t values = 0;
  for (int64_t i = 0; i < g.n; ++i, end += end_step) {
    const int64_t start = end - ra.range_ms;
    while (h < n && p[h].t <= end) ++h;
    while (l < h && p[l].t < start) ++l;
    if (h - l < 2) {
      out[i] = Absent();
      continue;
    }
    ++values;
    const Point& first = p[l];
    const Point& last = p[h - 1];
    double result = last.v - first.v;
    if (drops != nullptr && drops[h - 1] != drops[l]) result = CounterIncrease(p + l, p + h);
    const int64_t to_start = first.t - start, to_end = end - last.t, sampled = last.t - first.t;
    // Extrapolate replaces the start gap by sampled * (first.v / result) when
    // that is smaller; it is not when first.v * sampled clearly exceeds
    // to_start * result (margin far above the rounding of either side).
    if (is_counter && result > 0 && first.v >= 0 &&
        !(first.v * static_cast<double>(sampled) >=
          static_cast<double>(to_start) * result * (1 + 1e-6))) {
      out[i] =
          Extrapolate(first, last, h - l, result, start, end, ra.range_ms, is_counter, is_rate);
      continue;
    }
    Memo& m =
        memo[static_cast<uint64_t>(to_start ^ (to_end << 1) ^ static_cast<int64_t>(h - l)) & 3];
    if (m.to_start != to_start || m.to_end != to_end || m.sampled != sampled || m.n != h - l) {
      // The factor alone: Extrapolate of an increase of 1 with the same
      // timing and no duration-to-zero (non-counter form).
      m = {to_start, to_end, sampled, h - l,
           Extrapolate(first, last, h - l, 1.0, start, end, ra.range_ms, false, is_rate)};
    }
    out[i] = result * m.factor;
  }
  return values;
}

bool InstantValue(const Point* b, const Point* e, bool is_rate, double* out) {
  if (e - b < 2) return false;
  const Point& last = e[-1];
  const Point& prev = e[-2];
  double r = (is_rate && last.v < prev.v) ? last.v : last.v - prev.v;
  int64_t dt = last.t - prev.t;
  if (dt == 0) return false;
  if (is_rate) r /= static_cast<double>(dt) / 1000;
  *out = r;
  return true;
}
bool KIrate(const Point* b, const Point* e, const KernelCtx&, double* o) {
  return InstantValue(b, e, true, o);
}
bool KIdelta(const Point* b, const Point* e, const KernelCtx&, double* o) {
  return InstantValue(b, e, false, o);
}

void LinearRegression(const Point* b, const Point* e, int64_t intercept_time, double* slope,
                      double* intercept) {
  double n = 0, sum_x = 0, cx = 0, sum_y = 0, cy = 0, sum_xy = 0, cxy = 0, sum_x2 = 0, cx2 = 0;
  double init_y = b[0].v;
  bool const_y = true;
  for (const Point* p = b; p < e; ++p) {
    if (const_y && p > b && p->v != init_y) const_y = false;
    n += 1;
    double x = static_cast<double>(p->t - intercept_time) / 1e3;
    KahanInc(x, &sum_x, &cx);
    KahanInc(p->v, &sum_y, &cy);
    KahanInc(x * p->v, &sum_xy, &cxy);
    KahanInc(x * x, &sum_x2, &cx2);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      *slope = NAN;
      *intercept = NAN;
      return;
    }
    *slope = 0;
    *intercept = init_y;
    return;
  }
  sum_x += cx;
  sum_y += cy;
  sum_xy += cxy;
  sum_x2 += cx2;
  double cov_xy = sum_xy - sum_x * sum_y / n;
  double var_x = sum_x2 - sum_x * sum_x / n;
  *slope = cov_xy / var_x;
  *intercept = sum_y / n - *slope * sum_x / n;
}

bool KDeriv(const Point* b, const Point* e, const KernelCtx&, double* o) {
  if (e - b < 2) return false;
  double slope, intercept;
  LinearRegression(b, e, b[0].t, &slope, &intercept);
  *o = slope;
  return true;
}

bool KPredictLinear(const Point* b, const Point* e, const KernelCtx& c, double* o) {
  if (e - b < 2) return false;
  double slope, intercept;
  LinearRegression(b, e, c.eval_ts, &slope, &intercept);
  *o = slope * c.arg1 + intercept;
  return true;
}

// (*drops)[k]: the number of counter resets (v[j] < v[j-1]) at j <= k, as
// KernelCtx::drops. REQUIRES: !pts.empty().
void CountDrops(const common::SampleVector& pts, std::vector<int32_t>* drops) {
  drops->resize(pts.size());
  int32_t n = 0;
  (*drops)[0] = 0;
  for (size_t j = 1; j < pts.size(); ++j) {
    n += pts[j].v < pts[j - 1].v ? 1 : 0;
    (*drops)[j] = n;
  }
}

bool KResets(const Point* b, const Point* e, const KernelCtx& c, double* o) {
  if (c.drops != nullptr) {
    *o = c.DropsIn(b, e);
    return true;
  }
  int n = 0;
  for (const Point* p = b + 1; p < e; ++p) n += p->v < p[-1].v ? 1 : 0;
  *o = n;
  return true;
}

bool KChanges(const Point* b, const Point* e, const KernelCtx&, double* o) {
  int n = 0;
  for (const Point* p = b + 1; p < e; ++p) {
    double cur = p->v, prev = p[-1].v;
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++n;
  }
  *o = n;
  return true;
}

bool KAvg(const Point* b, const Point* e, const KernelCtx&, double* o) {
  double mean = 0, count = 0, c = 0;
  for (const Point* p = b; p < e; ++p) {
    count += 1;
    if (std::isinf(mean)) {
      if (std::isinf(p->v) && (mean > 0) == (p->v > 0)) continue;
      if (!std::isinf(p->v) && !std::isnan(p->v)) continue;
    }
    KahanInc(p->v / count - mean / count, &mean, &c);
  }
  *o = std::isinf(mean) ? mean : mean + c;
  return true;
}

bool KCount(const Point* b, const Point* e, const KernelCtx&, double* o) {
  *o = static_cast<double>(e - b);
  return true;
}

bool KMax(const Point* b, const Point* e, const KernelCtx&, double* o) {
  double m = b[0].v;
  for (const Point* p = b; p < e; ++p) {
    if (p->v > m || std::isnan(m)) m = p->v;
  }
  *o = m;
  return true;
}

bool KMin(const Point* b, const Point* e, const KernelCtx&, double* o) {
  double m = b[0].v;
  for (const Point* p = b; p < e; ++p) {
    if (p->v < m || std::isnan(m)) m = p->v;
  }
  *o = m;
  return true;
}

bool KSum(const Point* b, const Point* e, const KernelCtx&, double* o) {
  double sum = 0, c = 0;
  for (const Point* p = b; p < e; ++p) KahanInc(p->v, &sum, &c);
  *o = std::isinf(sum) ? sum : sum + c;
  return true;
}

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

double StdVar(const Point* b, const Point* e) {
  double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
  for (const Point* p = b; p < e; ++p) {
    count += 1;
    double delta = p->v - (mean + cmean);
    KahanInc(delta / count, &mean, &cmean);
    KahanInc(delta * (p->v - (mean + cmean)), &aux, &caux);
  }
  return (aux + caux) / count;
}
bool KStddev(const Point* b, const Point* e, const KernelCtx&, double* o) {
  *o = std::sqrt(StdVar(b, e));
  return true;
}
bool KStdvar(const Point* b, const Point* e, const KernelCtx&, double* o) {
  *o = StdVar(b, e);
  return true;
}

bool KLast(const Point*, const Point* e, const KernelCtx&, double* o) {
  *o = e[-1].v;
  return true;
}
bool KPresent(const Point*, const Point*, const KernelCtx&, double* o) {
  *o = 1;
  return true;
}

bool KQuantile(const Point* b, const Point* e, const KernelCtx& c, double* o) {
  std::vector<double> vals;
  vals.reserve(e - b);
  for (const Point* p = b; p < e; ++p) vals.push_back(p->v);
  *o = Quantile(c.arg1, &vals);
  return true;
}

bool KHoltWinters(const Point* b, const Point* e, const KernelCtx& c, double* o) {
  double sf = c.arg1, tf = c.arg2;
  char buf[128];
  if (sf <= 0 || sf >= 1) {
    std::snprintf(buf, sizeof buf, "invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf);
    *c.err = buf;
    return false;
  }
  if (tf <= 0 || tf >= 1) {
    std::snprintf(buf, sizeof buf, "invalid trend factor. Expected: 0 < tf < 1, got: %f", tf);
    *c.err = buf;
    return false;
  }
  size_t l = e - b;
  if (l < 2) return false;
  double s0 = 0, s1 = b[0].v, trend = b[1].v - b[0].v;
  for (size_t i = 1; i < l; ++i) {
    double x = sf * b[i].v;
    if (i > 1) trend = tf * (s1 - s0) + (1 - tf) * trend;
    double y = (1 - sf) * (s1 + trend);
    s0 = s1;
    s1 = x + y;
  }
  *o = s1;
  return true;
}

// A function over a range vector: its per-window kernel, or null for rate,
// increase and delta, which are computed for all steps of a series at once
// (ExtrapolatedSteps).
struct RangeFunction {
  std::string_view name;
  Kernel kernel;
};

const RangeFunction* FindRangeFunction(std::string_view name) {
  static const RangeFunction kTable[] = {
      {"rate", nullptr},
      {"increase", nullptr},
      {"delta", nullptr},
      {"irate", KIrate},
      {"idelta", KIdelta},
      {"deriv", KDeriv},
      {"predict_linear", KPredictLinear},
      {"resets", KResets},
      {"changes", KChanges},
      {"avg_over_time", KAvg},
      {"count_over_time", KCount},
      {"max_over_time", KMax},
      {"min_over_time", KMin},
      {"sum_over_time", KSum},
      {"stddev_over_time", KStddev},
      {"stdvar_over_time", KStdvar},
      {"last_over_time", KLast},
      {"present_over_time", KPresent},
      {"absent_over_time", KPresent},
      {"quantile_over_time", KQuantile},
      {"holt_winters", KHoltWinters},
  };
  for (const RangeFunction& f : kTable) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// Labels for absent()/absent_over_time() from a selector's equality matchers.
Labels AbsentLabels(const Expr* arg) {
  arg = UnwrapParens(arg);
  const VectorSelector* vs = nullptr;
  if (arg->kind == ExprKind::kVectorSelector) vs = static_cast<const VectorSelector*>(arg);
  if (arg->kind == ExprKind::kMatrixSelector)
    vs = static_cast<const MatrixSelector*>(arg)->vs.get();
  if (vs == nullptr) return {};
  Labels m;
  std::vector<std::string> empty;
  for (const LabelMatcher& lm : vs->matchers) {
    if (lm.name() == common::kMetricNameLabel) continue;
    if (lm.type() == LabelMatcher::Type::kEqual && !m.Has(lm.name())) {
      m = m.With(lm.name(), lm.value());
    } else {
      empty.push_back(lm.name());
    }
  }
  for (const std::string& n : empty) m = m.Without(n);
  return m;
}

}  // namespace

Labels AbsentLabelsFor(const Expr* arg) { return AbsentLabels(arg); }

// Test hook (declared in tests/unit/promql/sliding_sum_test.cc): the windows
// [lo, hi) of `windows` (non-decreasing, non-empty) through the fast path
// (fast[i], NaN where it declines) and through the exact kernel (exact[i]).
void SlidingSumForTest(const std::vector<Point>& pts,
                       const std::vector<std::pair<size_t, size_t>>& windows, bool mean,
                       std::vector<double>* fast, std::vector<uint8_t>* used_fast,
                       std::vector<double>* exact) {
  SlidingSum ss(mean);
  ss.Reset(pts.data(), pts.size());
  fast->assign(windows.size(), NAN);
  used_fast->assign(windows.size(), 0);
  exact->assign(windows.size(), NAN);
  KernelCtx c{};
  for (size_t i = 0; i < windows.size(); ++i) {
    auto [lo, hi] = windows[i];
    double v;
    if (ss.Fast(lo, hi, &v)) {
      (*fast)[i] = v;
      (*used_fast)[i] = 1;
    }
    (mean ? KAvg : KSum)(pts.data() + lo, pts.data() + hi, c, &v);
    (*exact)[i] = v;
  }
}

int StreamableRangeCall(const Expr& expr) {
  const Expr* e = UnwrapParens(&expr);
  if (e->kind != ExprKind::kCall) return -1;
  const auto& call = static_cast<const Call&>(*e);
  if (call.func->name == "absent_over_time" || FindRangeFunction(call.func->name) == nullptr) {
    return -1;
  }
  for (size_t i = 0; i < call.args.size(); ++i) {
    const Expr* a = UnwrapParens(call.args[i].get());
    if (a->kind != ExprKind::kMatrixSelector) continue;
    for (const LabelMatcher& m : static_cast<const MatrixSelector*>(a)->vs->matchers) {
      if (m.name() == common::kMetricNameLabel && m.type() == LabelMatcher::Type::kEqual) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  return -1;
}

Result<Value> Evaluator::EvalRangeFunction(const Call& call, size_t matrix_arg, const Grid& g,
                                           const std::function<void(StepSeries&&)>* sink) {
  const std::string_view name = call.func->name;
  const RangeFunction* fn = FindRangeFunction(name);
  if (fn == nullptr) return ExecutionError("unsupported function " + std::string(name));
  const Kernel kernel = fn->kernel;
  // Scalar arguments, evaluated over the grid.
  std::vector<std::vector<double>> scalars;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i == matrix_arg) continue;
    auto v = Eval(*call.args[i], g);
    if (!v.ok()) return v;
    scalars.push_back(std::move(v->scalar));
  }
  auto ra_r = OpenRange(*call.args[matrix_arg], g);
  if (!ra_r.ok()) return ra_r.status();
  RangeArg& ra = *ra_r;
  const bool keep_name = name == "last_over_time";
  const bool absent_ot = name == "absent_over_time";
  const bool counter_fn = name == "rate" || name == "increase" || name == "resets";
  const bool sum_fn = name == "sum_over_time" || name == "avg_over_time";
  // rate, increase, delta: batched (ExtrapolatedSteps).
  const bool extrap_fn = kernel == nullptr;

  // Each shard of the argument is read and computed on its own thread with
  // its own scratch; results are concatenated in shard (= label) order.
  const size_t nshards = ra.shards.size();
  std::vector<std::vector<StepSeries>> parts(nshards);
  std::vector<std::vector<uint8_t>> any_window(nshards);
  std::atomic<int64_t> out_points_total{0};
  // Per shard: the first series' metric name, and whether others differ.
  std::vector<std::string> first_name(nshards);
  std::vector<uint8_t> mixed_names(nshards, 0), seen_name(nshards, 0);
  // The sink takes series in shard order, on this thread only: a shard this
  // thread runs when every earlier one has been drained feeds it directly;
  // the others are held in parts[k] until drain() reaches them.
  std::vector<std::atomic<uint8_t>> done(nshards);
  size_t next_drain = 0;  // this thread only
  auto drain = [&] {
    while (next_drain < nshards && done[next_drain].load(std::memory_order_acquire) != 0) {
      for (StepSeries& s : parts[next_drain]) (*sink)(std::move(s));
      std::vector<StepSeries>().swap(parts[next_drain]);
      ++next_drain;
    }
  };
  auto run_shard = [&](size_t k, bool direct) -> Status {
    auto emit = [&](StepSeries&& s) {
      if (direct) {
        (*sink)(std::move(s));
      } else {
        parts[k].push_back(std::move(s));
      }
    };
    RangeSource& src = *ra.shards[k];
    if (absent_ot) any_window[k].assign(g.n, 0);
    Labels labels;
    common::SampleVector pts;
    std::string err;
    KernelCtx ctx{};
    ctx.range_ms = ra.range_ms;
    ctx.err = &err;
    std::vector<int32_t> drops;
    SlidingSum sliding(name == "avg_over_time");
    // Reused from series to series while the sink (which only reads it)
    // takes the series; moved out otherwise.
    StepSeries s;
    while (src.Next(&labels, &pts)) {
      if (Status st = CheckInterrupt(); !st.ok()) return st;
      if (pts.empty()) continue;
      const std::string_view metric_name = labels.Get(common::kMetricNameLabel);
      if (!seen_name[k]) {
        seen_name[k] = 1;
        first_name[k] = metric_name;
      } else if (metric_name != first_name[k]) {
        mixed_names[k] = 1;
      }
      const int64_t before = out_points_total.load(std::memory_order_relaxed);
      int64_t out_points = 0;
      if (extrap_fn) {
        // No counter reset in the whole series (the usual case): no drops.
        bool any_reset = false;
        if (counter_fn && !src.KnownNonDecreasing()) {
          for (size_t j = 1; j < pts.size(); ++j) any_reset |= pts[j].v < pts[j - 1].v;
        }
        const int32_t* drops_or_null = nullptr;
        if (any_reset) {
          CountDrops(pts, &drops);
          drops_or_null = drops.data();
        }
        // The sample limit, checked as the generic loop below does, only if
        // this series could reach it (windows hold at most all samples).
        if (current_samples_ + before + g.n + static_cast<int64_t>(pts.size()) >
            opts_.max_samples) {
          size_t lo = 0, hi = 0;
          for (int64_t i = 0; i < g.n; ++i) {
            const int64_t end = ra.WindowEnd(g.At(i));
            while (hi < pts.size() && pts[hi].t <= end) ++hi;
            while (lo < hi && pts[lo].t < end - ra.range_ms) ++lo;
            if (lo == hi) continue;
            if (hi - lo >= 2) ++out_points;
            if (current_samples_ + before + out_points + static_cast<int64_t>(hi - lo) >
                opts_.max_samples) {
              return TooManySamplesError();
            }
          }
        }
        s.v.resize(g.n);
        out_points = ExtrapolatedSteps(pts.data(), pts.size(), drops_or_null, g, ra, counter_fn,
                                       name == "rate", s.v.data());
        if (out_points == 0) continue;
        out_points_total.fetch_add(out_points, std::memory_order_relaxed);
        s.metric = DropMetricName(labels);
        emit(std::move(s));
        if (s.v.size() != static_cast<size_t>(g.n)) s.v.clear();
        continue;
      }
      if (counter_fn) {
        CountDrops(pts, &drops);
        ctx.base = pts.data();
        ctx.drops = drops.data();
      }
      if (sum_fn) sliding.Reset(pts.data(), pts.size());
      s.v.assign(g.n, Absent());
      size_t lo = 0, hi = 0;
      // One series can be minutes of work (a quantile over a million-sample
      // window at each of 11,000 steps): the timeout and a client that went
      // away are honoured inside the series too, every kInterruptWork samples.
      int64_t work = 0;
      for (int64_t i = 0; i < g.n; ++i) {
        int64_t t = g.At(i);
        int64_t end = ra.WindowEnd(t);
        int64_t start = end - ra.range_ms;
        while (hi < pts.size() && pts[hi].t <= end) ++hi;
        while (lo < hi && pts[lo].t < start) ++lo;
        work += static_cast<int64_t>(hi - lo) + 1;
        if (work >= kInterruptWork) {
          work = 0;
          if (Status st = CheckInterrupt(); !st.ok()) return st;
        }
        if (lo == hi) continue;
        if (absent_ot) {
          any_window[k][i] = 1;
          continue;
        }
        ctx.range_start = start;
        ctx.range_end = end;
        // The step time, also under @: predict_linear extrapolates to it
        // (Prometheus lists it among the @-unsafe functions).
        ctx.eval_ts = t;
        if (!scalars.empty()) ctx.arg1 = scalars[0][i];
        if (scalars.size() > 1) ctx.arg2 = scalars[1][i];
        double v;
        if (sum_fn) {
          s.v[i] = sliding.Window(lo, hi);
          ++out_points;
        } else if (kernel(pts.data() + lo, pts.data() + hi, ctx, &v)) {
          s.v[i] = v;
          ++out_points;
        } else if (!err.empty()) {
          return ExecutionError(err);
        }
        if (current_samples_ + before + out_points + static_cast<int64_t>(hi - lo) >
            opts_.max_samples) {
          return TooManySamplesError();
        }
      }
      if (out_points == 0) continue;
      out_points_total.fetch_add(out_points, std::memory_order_relaxed);
      s.metric = keep_name ? labels : DropMetricName(labels);
      emit(std::move(s));
    }
    return src.status();
  };
  auto run = [&](size_t k, bool on_caller) -> Status {
    Status st = run_shard(k, sink != nullptr && on_caller && k == next_drain);
    done[k].store(1, std::memory_order_release);
    return st;
  };
  if (Status s = RunShards(nshards, parallelism(), run,
                           sink != nullptr ? std::function<void()>(drain) : nullptr);
      !s.ok()) {
    return s;
  }

  Value out;
  out.type = ValueType::kVector;
  if (sink != nullptr) {
    drain();  // every shard is done
    out.points = out_points_total.load();
    return out;
  }
  for (auto& part : parts) std::move(part.begin(), part.end(), std::back_inserter(out.series));
  if (absent_ot) {
    StepSeries s{AbsentLabels(call.args[matrix_arg].get()), std::vector<double>(g.n, Absent())};
    for (int64_t i = 0; i < g.n; ++i) {
      bool any = false;
      for (const auto& w : any_window) any = any || w[i] != 0;
      if (!any) s.v[i] = 1;
    }
    out.series.clear();
    if (AnyPresent(s.v)) out.series.push_back(std::move(s));
    return out;
  }
  // Dropping __name__ can only make two series equal if they had different
  // names; a selector of one metric (the usual case) needs no merge pass.
  bool one_name = true;
  const std::string* name0 = nullptr;
  for (size_t k = 0; k < nshards; ++k) {
    if (!seen_name[k]) continue;
    if (name0 == nullptr) name0 = &first_name[k];
    one_name = one_name && !mixed_names[k] && first_name[k] == *name0;
  }
  if (!keep_name && !one_name) {
    if (Status s = MergeSameLabels(&out.series, MergeMode::kWhole); !s.ok()) return s;
  } else {
    out.points = out_points_total.load();
  }
  return out;
}

}  // namespace promql::internal
