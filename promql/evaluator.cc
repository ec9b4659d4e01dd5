#include "promql/evaluator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iterator>
#include <thread>
#include <unordered_map>

#include "model/value.h"
#include "promql/errors.h"

namespace promql::internal {

using common::Result;
using common::Status;
using model::Labels;

Labels DropMetricName(const Labels& l) {
  if (l.empty() || l.items().front().name > model::kMetricNameLabel) return l;
  if (!l.Has(model::kMetricNameLabel)) return l;
  return l.Without(model::kMetricNameLabel);
}

bool AnyPresent(const std::vector<double>& v) {
  for (double x : v) {
    if (!IsAbsent(x)) return true;
  }
  return false;
}

Status SameLabelsetError() {
  return ExecutionError("vector cannot contain metrics with the same labelset");
}

Status MergeSameLabels(std::vector<StepSeries>* s, MergeMode mode) {
  std::unordered_map<uint64_t, std::vector<size_t>> by_hash;
  std::vector<StepSeries> out;
  out.reserve(s->size());
  for (StepSeries& cur : *s) {
    if (!AnyPresent(cur.v)) continue;
    auto& bucket = by_hash[cur.metric.Hash()];
    StepSeries* into = nullptr;
    for (size_t idx : bucket) {
      if (out[idx].metric == cur.metric) {
        into = &out[idx];
        break;
      }
    }
    if (into == nullptr) {
      bucket.push_back(out.size());
      out.push_back(std::move(cur));
      continue;
    }
    if (mode == MergeMode::kWhole) return SameLabelsetError();
    for (size_t i = 0; i < cur.v.size(); ++i) {
      if (IsAbsent(cur.v[i])) continue;
      if (!IsAbsent(into->v[i])) return SameLabelsetError();
      into->v[i] = cur.v[i];
    }
  }
  *s = std::move(out);
  return Status::OK();
}

int64_t CountPoints(const Value& v) {
  if (v.type == ValueType::kScalar) return static_cast<int64_t>(v.scalar.size());
  int64_t n = 0;
  for (const StepSeries& s : v.series) {
    for (double x : s.v) n += IsAbsent(x) ? 0 : 1;
  }
  return n;
}

Evaluator::Evaluator(Queryable& q, const EngineOptions& opts, int64_t query_start,
                     int64_t query_end, const std::atomic<bool>* cancel)
    : q_(q),
      opts_(opts),
      query_start_(query_start),
      query_end_(query_end),
      cancel_(cancel),
      deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(opts.timeout_ms)),
      has_deadline_(opts.timeout_ms > 0),
      parallelism_(opts.parallelism > 0
                       ? opts.parallelism
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

Status Evaluator::CheckInterrupt() {
  if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) {
    return CanceledError("expression evaluation");
  }
  if (has_deadline_ && std::chrono::steady_clock::now() > deadline_) {
    return TimeoutError("expression evaluation");
  }
  return Status::OK();
}

Status Evaluator::AccountSamples(int64_t n) {
  if (current_samples_ + n > opts_.max_samples) return TooManySamplesError();
  return Status::OK();
}

int64_t Evaluator::ResolveAt(const AtModifier& at) const {
  switch (at.kind) {
    case AtModifier::Kind::kStart:
      return query_start_;
    case AtModifier::Kind::kEnd:
      return query_end_;
    default:
      return at.ts_ms;
  }
}

Result<Value> Evaluator::Eval(const Expr& e, const Grid& g) {
  if (Status s = CheckInterrupt(); !s.ok()) return s;
  int64_t before = current_samples_;
  Result<Value> r = EvalNode(e, g);
  current_samples_ = before;
  if (!r.ok()) return r;
  int64_t n = r->points >= 0 ? r->points : CountPoints(*r);
  r->points = -1;
  if (current_samples_ + n > opts_.max_samples) return TooManySamplesError();
  current_samples_ += n;
  return r;
}

Result<Value> Evaluator::EvalNode(const Expr& e, const Grid& g) {
  switch (e.kind) {
    case ExprKind::kNumber: {
      Value v;
      v.type = ValueType::kScalar;
      v.scalar.assign(g.n, static_cast<const NumberLiteral&>(e).value);
      return v;
    }
    case ExprKind::kString: {
      Value v;
      v.type = ValueType::kString;
      v.str = static_cast<const StringLiteral&>(e).value;
      return v;
    }
    case ExprKind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr, g);
    case ExprKind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e), g, false);
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      auto r = Eval(*u.expr, g);
      if (!r.ok() || u.op != BinOp::kSub) return r;
      Value v = std::move(r).value();
      if (v.type == ValueType::kScalar) {
        for (double& x : v.scalar) x = -x;
        return v;
      }
      for (StepSeries& s : v.series) {
        s.metric = DropMetricName(s.metric);
        for (double& x : s.v) {
          if (!IsAbsent(x)) x = -x;
        }
      }
      if (Status s = MergeSameLabels(&v.series, MergeMode::kWhole); !s.ok()) return s;
      return v;
    }
    case ExprKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e), g);
    case ExprKind::kAggregate:
      return EvalAggregate(static_cast<const AggregateExpr&>(e), g);
    case ExprKind::kCall:
      return EvalCall(static_cast<const Call&>(e), g);
    case ExprKind::kMatrixSelector:
    case ExprKind::kSubquery:
      return ExecutionError("range vector expression evaluated as instant vector");
  }
  return ExecutionError("unknown expression kind");
}

Result<Value> Evaluator::EvalVectorSelector(const VectorSelector& vs, const Grid& g,
                                            bool timestamps) {
  const bool has_at = vs.at.present();
  const int64_t at = has_at ? ResolveAt(vs.at) : 0;
  auto ref = [&](int64_t i) { return (has_at ? at : g.At(i)) - vs.offset_ms; };
  const int64_t rmin = ref(0), rmax = ref(g.n - 1);
  const int64_t lookback = opts_.lookback_delta_ms;
  const int64_t mint = rmin - lookback;
  // Plain selectors of a range query may be answered from downsampled data
  // (the sample at each step); not where timestamps are asked for.
  SelectHints hints{rmin, rmax, has_at ? 0 : g.step, 0, {}};
  auto shards = q_.SelectShards(mint, rmax, vs.matchers, MaxShards(),
                                timestamps || g.n < 2 ? nullptr : &hints);
  if (!shards.ok()) return shards.status();
  std::vector<std::vector<StepSeries>> parts(shards->size());
  std::atomic<int64_t> loaded{0};
  auto run = [&](size_t k, bool) -> Status {
    SeriesSet& ss = *(*shards)[k];
    model::SampleVector buf;
    uint32_t ticks = 0;
    while (ss.Next()) {
      if ((++ticks & 63) == 0) {
        if (Status s = CheckInterrupt(); !s.ok()) return s;
      }
      auto it = ss.Iterator();
      buf.clear();
      if (Status s = it->AppendRange(mint, rmax, &buf); !s.ok()) return s;
      if (buf.empty()) continue;
      StepSeries series;
      series.v.assign(g.n, Absent());
      size_t j = 0;
      int64_t present = 0;
      for (int64_t i = 0; i < g.n; ++i) {
        int64_t r = ref(i);
        while (j < buf.size() && buf[j].t <= r) ++j;
        if (j == 0) continue;
        const Point& s = buf[j - 1];
        if (s.t < r - lookback || model::IsStaleNaN(s.v)) continue;
        double v = s.v;
        if (IsAbsent(v)) v = std::numeric_limits<double>::quiet_NaN();
        series.v[i] = timestamps ? static_cast<double>(s.t) / 1000.0 : v;
        ++present;
      }
      if (present == 0) continue;
      if (Status s = AccountSamples(loaded += present); !s.ok()) return s;
      series.metric = ss.labels();
      parts[k].push_back(std::move(series));
    }
    return ss.status();
  };
  if (Status s = RunShards(parts.size(), parallelism_, run); !s.ok()) return s;
  Value out;
  out.type = ValueType::kVector;
  out.points = loaded.load();
  out.series = std::move(parts[0]);
  for (size_t k = 1; k < parts.size(); ++k) {
    std::move(parts[k].begin(), parts[k].end(), std::back_inserter(out.series));
  }
  return out;
}

namespace {

class SelectorRangeSource : public RangeSource {
 public:
  SelectorRangeSource(std::unique_ptr<SeriesSet> set, int64_t mint, int64_t maxt)
      : set_(std::move(set)), mint_(mint), maxt_(maxt) {}
  bool Next(Labels* labels, model::SampleVector* points) override {
    while (set_->Next()) {
      auto it = set_->Iterator();
      // The storage decodes straight into *points (kept at its capacity
      // across series; growing it writes nothing). Staleness markers and the
      // absent pattern are NaNs, and most series have none: one branch-free
      // scan (which also looks for decreases, for counter functions), and a
      // compaction pass only if it finds a NaN.
      points->clear();
      if (Status s = it->AppendRange(mint_, maxt_, points); !s.ok()) {
        status_ = s;
        return false;
      }
      Point* p = points->data();
      const size_t n = points->size();
      bool any_nan = false, any_decrease = false;
      for (size_t i = 0; i < n; ++i) {
        any_nan |= std::isnan(p[i].v);
        any_decrease |= i > 0 && p[i].v < p[i - 1].v;
      }
      non_decreasing_ = !any_nan && !any_decrease;
      if (any_nan) {
        size_t m = 0;
        for (size_t i = 0; i < n; ++i) {
          double v = p[i].v;
          if (model::IsStaleNaN(v)) continue;
          if (IsAbsent(v)) v = std::numeric_limits<double>::quiet_NaN();
          p[m++] = {p[i].t, v};
        }
        points->resize(m);
      }
      *labels = set_->labels();
      return true;
    }
    if (status_.ok()) status_ = set_->status();
    return false;
  }
  Status status() const override { return status_; }
  bool KnownNonDecreasing() const override { return non_decreasing_; }

 private:
  std::unique_ptr<SeriesSet> set_;
  int64_t mint_, maxt_;
  Status status_;
  bool non_decreasing_ = false;
};

class ValueRangeSource : public RangeSource {
 public:
  ValueRangeSource(Value v, Grid g) : v_(std::move(v)), g_(g) {}
  bool Next(Labels* labels, model::SampleVector* points) override {
    if (pos_ >= v_.series.size()) return false;
    StepSeries& s = v_.series[pos_++];
    points->clear();
    for (int64_t i = 0; i < g_.n; ++i) {
      if (!IsAbsent(s.v[i])) points->push_back({g_.At(i), s.v[i]});
    }
    *labels = std::move(s.metric);
    return true;
  }
  Status status() const override { return Status::OK(); }

 private:
  Value v_;
  Grid g_;
  size_t pos_ = 0;
};

int64_t CeilToMultiple(int64_t x, int64_t step) {
  int64_t q = x / step;  // truncates toward zero, as Go does
  int64_t r = q * step;
  if (r < x) r += step;
  return r;
}

}  // namespace

Result<Value> Evaluator::EvalSubqueryInner(const SubqueryExpr& sq, const Grid& g, Grid* inner) {
  const bool has_at = sq.at.present();
  const int64_t at = has_at ? ResolveAt(sq.at) : 0;
  const int64_t rmin = (has_at ? at : g.start) - sq.offset_ms;
  const int64_t rmax = (has_at ? at : g.end()) - sq.offset_ms;
  const int64_t step = sq.step_ms > 0 ? sq.step_ms : opts_.default_subquery_step_ms;
  inner->step = step;
  inner->start = CeilToMultiple(rmin - sq.range_ms, step);
  if (inner->start > rmax) {
    inner->n = 0;
    Value v;
    v.type = ValueType::kVector;
    return v;
  }
  inner->n = (rmax - inner->start) / step + 1;
  // The inner expression allocates a column of inner->n values per series
  // (and per scalar), so a grid beyond the sample budget is refused here,
  // before anything is allocated: count_over_time(vector(1)[3d:1ms]) has
  // 259M steps. (Prometheus would walk such a grid step by step and fail
  // later; the refusal is the same error, only immediate.)
  if (Status s = AccountSamples(inner->n); !s.ok()) return s;
  return Eval(*sq.expr, *inner);
}

Result<RangeArg> Evaluator::OpenRange(const Expr& expr, const Grid& g, std::string_view func) {
  const Expr& e = *UnwrapParens(&expr);
  RangeArg ra;
  if (e.kind == ExprKind::kMatrixSelector) {
    const auto& ms = static_cast<const MatrixSelector&>(e);
    ra.range_ms = ms.range_ms;
    ra.offset_ms = ms.vs->offset_ms;
    ra.has_at = ms.vs->at.present();
    ra.at_ms = ra.has_at ? ResolveAt(ms.vs->at) : 0;
    int64_t rmin = ra.WindowEnd(g.start), rmax = ra.WindowEnd(g.end());
    SelectHints hints{rmin, rmax, ra.has_at ? 0 : g.step, ra.range_ms, func};
    auto shards = q_.SelectShards(rmin - ra.range_ms, rmax, ms.vs->matchers, MaxShards(),
                                  g.n < 2 || func.empty() ? nullptr : &hints);
    if (!shards.ok()) return shards.status();
    for (auto& set : *shards) {
      ra.shards.push_back(
          std::make_unique<SelectorRangeSource>(std::move(set), rmin - ra.range_ms, rmax));
    }
    return ra;
  }
  if (e.kind == ExprKind::kSubquery) {
    const auto& sq = static_cast<const SubqueryExpr&>(e);
    ra.range_ms = sq.range_ms;
    ra.offset_ms = sq.offset_ms;
    ra.has_at = sq.at.present();
    ra.at_ms = ra.has_at ? ResolveAt(sq.at) : 0;
    Grid inner;
    auto v = EvalSubqueryInner(sq, g, &inner);
    if (!v.ok()) return v.status();
    ra.shards.push_back(std::make_unique<ValueRangeSource>(std::move(v).value(), inner));
    return ra;
  }
  return ExecutionError("expected a range vector");
}

Result<std::vector<Series>> Evaluator::EvalRangeAt(const Expr& e, int64_t ts) {
  Grid g{ts, 1, 1};
  auto ra = OpenRange(e, g);
  if (!ra.ok()) return ra.status();
  int64_t end = ra->WindowEnd(ts);
  int64_t start = end - ra->range_ms;
  std::vector<Series> out;
  Labels labels;
  model::SampleVector pts;
  int64_t total = 0;
  for (auto& src : ra->shards) {
    while (src->Next(&labels, &pts)) {
      Series s;
      for (const Point& p : pts) {
        if (p.t >= start && p.t <= end) s.points.push_back(p);
      }
      if (s.points.empty()) continue;
      total += static_cast<int64_t>(s.points.size());
      if (Status st = AccountSamples(total); !st.ok()) return st;
      s.metric = labels;
      out.push_back(std::move(s));
    }
    if (Status s = src->status(); !s.ok()) return s;
  }
  return out;
}

}  // namespace promql::internal
