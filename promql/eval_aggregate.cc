// Aggregation operators. Groups are fixed per input series, so the grouping
// work happens once per series and accumulation runs over step columns.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "model/number.h"
#include "promql/errors.h"
#include "promql/evaluator.h"
#include "promql/quantile.h"

namespace promql::internal {

using common::Result;
using common::Status;
using model::Label;
using model::Labels;

namespace {

Labels GroupLabels(const Labels& l, const std::vector<std::string>& grouping, bool without) {
  std::vector<Label> out;
  for (const Label& lb : l) {
    bool listed = std::find(grouping.begin(), grouping.end(), lb.name) != grouping.end();
    if (without ? (!listed && lb.name != model::kMetricNameLabel) : listed) out.push_back(lb);
  }
  return Labels::FromSortedUnchecked(std::move(out));
}

class GroupTable {
 public:
  int Id(Labels l) {
    auto& bucket = map_[l.Hash()];
    for (int id : bucket) {
      if (labels_[id] == l) return id;
    }
    int id = static_cast<int>(labels_.size());
    labels_.push_back(std::move(l));
    bucket.push_back(id);
    return id;
  }
  size_t size() const { return labels_.size(); }
  Labels& labels(int id) { return labels_[id]; }

 private:
  std::unordered_map<uint64_t, std::vector<int>> map_;
  std::vector<Labels> labels_;
};

struct HeapItem {
  double v;
  int series;
};

// Go container/heap over a slice with Prometheus's Less functions, so that
// ties resolve as they do there.
struct GoHeap {
  std::vector<HeapItem> h;
  bool reverse;  // bottomk
  bool Less(size_t i, size_t j) const {
    if (std::isnan(h[i].v)) return true;
    return reverse ? h[i].v > h[j].v : h[i].v < h[j].v;
  }
  void Up(size_t j) {
    while (j > 0) {
      size_t i = (j - 1) / 2;
      if (!Less(j, i)) break;
      std::swap(h[i], h[j]);
      j = i;
    }
  }
  bool Down(size_t i0, size_t n) {
    size_t i = i0;
    while (true) {
      size_t j1 = 2 * i + 1;
      if (j1 >= n) break;
      size_t j = j1;
      if (j1 + 1 < n && Less(j1 + 1, j1)) j = j1 + 1;
      if (!Less(j, i)) break;
      std::swap(h[i], h[j]);
      i = j;
    }
    return i > i0;
  }
  void Push(HeapItem x) {
    h.push_back(x);
    Up(h.size() - 1);
  }
  // container/heap.Pop: the top moves to the end and is removed.
  void Pop() {
    size_t n = h.size() - 1;
    std::swap(h[0], h[n]);
    Down(0, n);
    h.pop_back();
  }
  // sort.Sort(sort.Reverse(heap)) via insertion sort (what Go uses for <= 12).
  void SortReverse() {
    for (size_t i = 1; i < h.size(); ++i) {
      for (size_t j = i; j > 0 && Less(j - 1, j); --j) std::swap(h[j], h[j - 1]);
    }
  }
};

}  // namespace

Result<Value> Evaluator::EvalAggregate(const AggregateExpr& a, const Grid& g) {
  Value param;
  if (a.param) {
    auto p = Eval(*a.param, g);
    if (!p.ok()) return p;
    param = std::move(p).value();
  }
  // The column operators over a range function of one metric consume its
  // series as they are computed (in label order, so sums add up in
  // Prometheus's order) instead of holding them all.
  const bool column_op = a.op == AggOp::kSum || a.op == AggOp::kAvg || a.op == AggOp::kMin ||
                         a.op == AggOp::kMax || a.op == AggOp::kCount || a.op == AggOp::kGroup ||
                         a.op == AggOp::kStddev || a.op == AggOp::kStdvar;
  const int stream_arg = column_op ? StreamableRangeCall(*a.expr) : -1;
  Value in;
  if (stream_arg < 0) {
    auto in_r = Eval(*a.expr, g);
    if (!in_r.ok()) return in_r;
    in = std::move(in_r).value();
  }
  Value out;
  out.type = ValueType::kVector;
  const int64_t n = g.n;

  if (a.op == AggOp::kCountValues) {
    const std::string& label = param.str;
    if (!model::IsValidLabelName(label)) {
      return ExecutionError("invalid label name \"" + label + "\"");
    }
    std::vector<std::string> grouping = a.grouping;
    if (!a.without) grouping.push_back(label);
    GroupTable groups;
    std::vector<std::vector<double>> counts;
    // Step-major so that, per step, groups appear in input order.
    for (int64_t k = 0; k < n; ++k) {
      for (const StepSeries& s : in.series) {
        if (IsAbsent(s.v[k])) continue;
        Labels m = s.metric.With(label, model::FormatFloat(s.v[k]));
        int id = groups.Id(GroupLabels(m, grouping, a.without));
        if (static_cast<size_t>(id) >= counts.size()) counts.emplace_back(n, Absent());
        double& c = counts[id][k];
        c = IsAbsent(c) ? 1 : c + 1;
      }
    }
    for (size_t id = 0; id < counts.size(); ++id) {
      out.series.push_back({std::move(groups.labels(static_cast<int>(id))), std::move(counts[id])});
    }
    return out;
  }

  GroupTable groups;
  std::vector<int> group_of;
  if (!column_op) {
    group_of.resize(in.series.size());
    for (size_t i = 0; i < in.series.size(); ++i) {
      group_of[i] = groups.Id(GroupLabels(in.series[i].metric, a.grouping, a.without));
    }
  }
  const size_t ng = groups.size();

  if (a.op == AggOp::kTopk || a.op == AggOp::kBottomk) {
    std::vector<std::vector<double>> outv(in.series.size());
    std::vector<GoHeap> heaps(ng);
    std::vector<int> series_out(in.series.size(), -1);
    std::vector<int> order;  // output series order (first selection)
    for (int64_t k = 0; k < n; ++k) {
      double f = param.scalar[k];
      if (std::isnan(f) || f >= 9.223372036854775807e18 || f <= -9.223372036854775808e18) {
        return ExecutionError("Scalar value " + model::FormatGoFloat(f) + " overflows int64");
      }
      int64_t kk = static_cast<int64_t>(f);
      if (kk < 1) continue;
      for (auto& hp : heaps) {
        hp.h.clear();
        hp.reverse = a.op == AggOp::kBottomk;
      }
      for (size_t i = 0; i < in.series.size(); ++i) {
        double v = in.series[i].v[k];
        if (IsAbsent(v)) continue;
        GoHeap& hp = heaps[group_of[i]];
        // Prometheus 2.42's aggregation, step for step (ties depend on it):
        // take the sample if the heap is not full, it beats the top, or the
        // top is NaN; a full heap pops its top first (k == 1: replace).
        const bool full = static_cast<int64_t>(hp.h.size()) >= kk;
        if (full) {
          double top = hp.h[0].v;
          bool take = (a.op == AggOp::kTopk ? top < v : top > v) || std::isnan(top);
          if (!take) continue;
          if (kk == 1) {
            hp.h[0] = {v, static_cast<int>(i)};
            continue;
          }
          hp.Pop();
        }
        hp.Push({v, static_cast<int>(i)});
      }
      for (GoHeap& hp : heaps) {
        if (hp.h.size() > 1) hp.SortReverse();
        for (const HeapItem& it : hp.h) {
          if (series_out[it.series] < 0) {
            series_out[it.series] = static_cast<int>(order.size());
            order.push_back(it.series);
            outv[it.series].assign(n, Absent());
          }
          outv[it.series][k] = it.v;
        }
      }
    }
    for (int si : order) out.series.push_back({in.series[si].metric, std::move(outv[si])});
    return out;
  }

  if (a.op == AggOp::kQuantile) {
    std::vector<std::vector<double>> vals(ng);
    std::vector<std::vector<double>> res(ng, std::vector<double>(n, Absent()));
    for (int64_t k = 0; k < n; ++k) {
      for (auto& v : vals) v.clear();
      for (size_t i = 0; i < in.series.size(); ++i) {
        double v = in.series[i].v[k];
        if (!IsAbsent(v)) vals[group_of[i]].push_back(v);
      }
      for (size_t gi = 0; gi < ng; ++gi) {
        if (!vals[gi].empty()) res[gi][k] = Quantile(param.scalar[k], &vals[gi]);
      }
    }
    for (size_t gi = 0; gi < ng; ++gi) {
      out.series.push_back({std::move(groups.labels(static_cast<int>(gi))), std::move(res[gi])});
    }
    return out;
  }

  // Accumulation into each group's output column, which starts as its first
  // member's column (moved, not copied: a group of one costs nothing).
  // Mean and count columns exist only for the operators that need them; for
  // the others an absent output value means "no sample yet".
  const bool with_mean = a.op == AggOp::kAvg || a.op == AggOp::kStddev || a.op == AggOp::kStdvar;
  std::vector<std::vector<double>> acc, mean, count;
  auto first_value = [&](double v) {
    switch (a.op) {
      case AggOp::kStddev:
      case AggOp::kStdvar:
        return 0.0;
      case AggOp::kGroup:
      case AggOp::kCount:
        return 1.0;
      default:
        return v;
    }
  };
  auto consume = [&](StepSeries& series) {
    std::vector<double>& sv = series.v;
    const size_t gi =
        static_cast<size_t>(groups.Id(GroupLabels(series.metric, a.grouping, a.without)));
    if (gi == acc.size()) {  // a new group: its first member's column
      acc.emplace_back();
      std::vector<double>& val = acc[gi];
      if (with_mean) {
        mean.emplace_back();
        count.emplace_back();
        count[gi].assign(n, 0.0);
        for (int64_t k = 0; k < n; ++k) count[gi][k] = IsAbsent(sv[k]) ? 0.0 : 1.0;
        mean[gi] = sv;
      }
      val = std::move(sv);
      if (a.op != AggOp::kSum && a.op != AggOp::kMax && a.op != AggOp::kMin &&
          a.op != AggOp::kAvg) {
        for (double& v : val) {
          if (!IsAbsent(v)) v = first_value(v);
        }
      }
      return;
    }
    std::vector<double>& val = acc[gi];
    if (a.op == AggOp::kSum) {  // the common case, without the per-value switch
      // Branch-free (selects), so the compiler can vectorise it.
      double* __restrict out_col = val.data();
      const double* __restrict in_col = sv.data();
      for (int64_t k = 0; k < n; ++k) {
        const double v = in_col[k], o = out_col[k];
        const bool v_absent = std::bit_cast<uint64_t>(v) == kAbsentBits;
        const bool o_absent = std::bit_cast<uint64_t>(o) == kAbsentBits;
        out_col[k] = v_absent ? o : (o_absent ? v : o + v);
      }
      return;
    }
    double* mn_col = with_mean ? mean[gi].data() : nullptr;
    double* cnt_col = with_mean ? count[gi].data() : nullptr;
    for (int64_t k = 0; k < n; ++k) {
      const double v = sv[k];
      if (IsAbsent(v)) continue;
      double& out_v = val[k];
      const bool first = with_mean ? cnt_col[k] == 0 : IsAbsent(out_v);
      if (first) {
        out_v = first_value(v);
        if (with_mean) {
          cnt_col[k] = 1;
          mn_col[k] = v;
        }
        continue;
      }
      switch (a.op) {
        case AggOp::kSum:
          out_v += v;
          break;
        case AggOp::kAvg: {
          double& mn = mn_col[k];
          double& cnt = cnt_col[k];
          cnt += 1;
          if (std::isinf(mn)) {
            if (std::isinf(v) && (mn > 0) == (v > 0)) break;
            if (!std::isinf(v) && !std::isnan(v)) break;
          }
          mn += v / cnt - mn / cnt;
          break;
        }
        case AggOp::kGroup:
          break;
        case AggOp::kCount:
          out_v += 1;
          break;
        case AggOp::kMax:
          if (out_v < v || std::isnan(out_v)) out_v = v;
          break;
        case AggOp::kMin:
          if (out_v > v || std::isnan(out_v)) out_v = v;
          break;
        case AggOp::kStddev:
        case AggOp::kStdvar: {
          double& mn = mn_col[k];
          double& cnt = cnt_col[k];
          cnt += 1;
          double delta = v - mn;
          mn += delta / cnt;
          out_v += delta * (v - mn);
          break;
        }
        default:
          break;
      }
    }
  };
  if (stream_arg >= 0) {
    const Call& call = static_cast<const Call&>(*UnwrapParens(a.expr.get()));
    const std::function<void(StepSeries &&)> sink = [&](StepSeries&& s) { consume(s); };
    // What Eval() does around a node: the sample limit counts its points.
    const int64_t before = current_samples_;
    auto r = EvalRangeFunction(call, static_cast<size_t>(stream_arg), g, &sink);
    current_samples_ = before;
    if (!r.ok()) return r.status();
    if (Status s = AccountSamples(r->points); !s.ok()) return s;
  } else {
    for (StepSeries& series : in.series) consume(series);
  }
  for (size_t gi = 0; gi < acc.size(); ++gi) {
    std::vector<double>& val = acc[gi];
    if (with_mean) {
      for (int64_t k = 0; k < n; ++k) {
        if (count[gi][k] == 0) continue;
        switch (a.op) {
          case AggOp::kAvg:
            val[k] = mean[gi][k];
            break;
          case AggOp::kStdvar:
            val[k] = val[k] / count[gi][k];
            break;
          default:  // kStddev
            val[k] = std::sqrt(val[k] / count[gi][k]);
        }
      }
    }
    out.series.push_back({std::move(groups.labels(static_cast<int>(gi))), std::move(val)});
  }
  return out;
}

}  // namespace promql::internal
