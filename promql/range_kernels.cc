#include "promql/range_kernels.h"

#include <cstdio>

#include "promql/quantile.h"

namespace promql::internal {

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

int64_t ExtrapolatedSteps(const Point* p, size_t n, const int32_t* drops, const StepWindows& w,
                          bool is_counter, bool is_rate, double* out) {
  struct Memo {
    int64_t to_start = -1, to_end = -1, sampled = -1;
    size_t n = 0;
    double factor = 0;
  };
  Memo memo[4];
  int64_t end = w.first_end;
  size_t l = 0, h = 0;
  int64_t values = 0;
  for (int64_t i = 0; i < w.steps; ++i, end += w.end_step) {
    const int64_t start = end - w.range_ms;
    while (h < n && p[h].t <= end) ++h;
    while (l < h && p[l].t < start) ++l;
    if (h - l < 2) {
      out[i] = StepMatrix::NoValue();
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
      out[i] = Extrapolate(first, last, h - l, result, start, end, w.range_ms, is_counter, is_rate);
      continue;
    }
    Memo& m =
        memo[static_cast<uint64_t>(to_start ^ (to_end << 1) ^ static_cast<int64_t>(h - l)) & 3];
    if (m.to_start != to_start || m.to_end != to_end || m.sampled != sampled || m.n != h - l) {
      // The factor alone: Extrapolate of an increase of 1 with the same
      // timing and no duration-to-zero (non-counter form).
      m = {to_start, to_end, sampled, h - l,
           Extrapolate(first, last, h - l, 1.0, start, end, w.range_ms, false, is_rate)};
    }
    out[i] = result * m.factor;
  }
  return values;
}

static bool InstantValue(const Point* b, const Point* e, bool is_rate, double* out) {
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

static void LinearRegression(const Point* b, const Point* e, int64_t intercept_time, double* slope,
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

void CountDrops(const model::SampleVector& pts, std::vector<int32_t>* drops) {
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

static double StdVar(const Point* b, const Point* e) {
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

}  // namespace promql::internal
