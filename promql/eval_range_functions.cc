// Functions over range vectors (rate, *_over_time, ...): each series is read
// once, on the query's threads shard by shard, and a window slides over its
// samples one step at a time; the kernels are in range_kernels.h.
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
#include "promql/range_kernels.h"

namespace promql::internal {

using common::Result;
using common::Status;
using model::Labels;

namespace {

// Window samples a range function goes through between two checks of the
// timeout and cancel flag (about a millisecond of work for the cheapest
// kernels; a check costs a clock read).
constexpr int64_t kInterruptWork = int64_t{1} << 20;

}  // namespace

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
    if (lm.name() == model::kMetricNameLabel) continue;
    if (lm.type() == LabelMatcher::Type::kEqual && !m.Has(lm.name())) {
      m = m.With(lm.name(), lm.value());
    } else {
      empty.push_back(lm.name());
    }
  }
  for (const std::string& n : empty) m = m.Without(n);
  return m;
}

int StreamableRangeCall(const Expr& expr) {
  const Expr* e = UnwrapParens(&expr);
  if (e->kind != ExprKind::kCall) return -1;
  const auto& call = static_cast<const Call&>(*e);
  if (call.func->kind != FunctionKind::kRange ||
      (call.func->range_flags & kRangeAbsentOverTime) != 0) {
    return -1;
  }
  for (size_t i = 0; i < call.args.size(); ++i) {
    const Expr* a = UnwrapParens(call.args[i].get());
    if (a->kind != ExprKind::kMatrixSelector) continue;
    for (const LabelMatcher& m : static_cast<const MatrixSelector*>(a)->vs->matchers) {
      if (m.name() == model::kMetricNameLabel && m.type() == LabelMatcher::Type::kEqual) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  return -1;
}

Result<Value> Evaluator::EvalRangeFunction(const Call& call, size_t matrix_arg, const Grid& g,
                                           const std::function<void(StepSeries&&)>* sink) {
  const FunctionInfo& fn = *call.func;
  const RangeKernel kernel = fn.range;
  // Scalar arguments, evaluated over the grid.
  std::vector<std::vector<double>> scalars;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i == matrix_arg) continue;
    auto v = Eval(*call.args[i], g);
    if (!v.ok()) return v;
    scalars.push_back(std::move(v->scalar));
  }
  auto ra_r = OpenRange(*call.args[matrix_arg], g, fn.name);
  if (!ra_r.ok()) return ra_r.status();
  RangeArg& ra = *ra_r;
  const bool keep_name = (fn.range_flags & kRangeKeepName) != 0;
  const bool absent_ot = (fn.range_flags & kRangeAbsentOverTime) != 0;
  const bool counter_fn = (fn.range_flags & kRangeCounter) != 0;
  const bool sum_fn = (fn.range_flags & kRangeSlidingSum) != 0;
  // rate, increase, delta: batched (ExtrapolatedSteps).
  const bool extrap_fn = (fn.range_flags & kRangeExtrapolated) != 0;

  // Each shard of the argument is read and computed on its own thread with
  // its own scratch; results are concatenated in shard (= label) order.
  const StepWindows windows{ra.WindowEnd(g.start), ra.has_at ? 0 : g.step, g.n, ra.range_ms};
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
    model::SampleVector pts;
    std::string err;
    KernelCtx ctx{};
    ctx.range_ms = ra.range_ms;
    ctx.err = &err;
    std::vector<int32_t> drops;
    SlidingSum sliding((fn.range_flags & kRangeMean) != 0);
    // Reused from series to series while the sink (which only reads it)
    // takes the series; moved out otherwise.
    StepSeries s;
    while (src.Next(&labels, &pts)) {
      if (Status st = CheckInterrupt(); !st.ok()) return st;
      if (pts.empty()) continue;
      const std::string_view metric_name = labels.Get(model::kMetricNameLabel);
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
        out_points = ExtrapolatedSteps(pts.data(), pts.size(), drops_or_null, windows, counter_fn,
                                       (fn.range_flags & kRangePerSecond) != 0, s.v.data());
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
