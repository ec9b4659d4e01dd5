// Binary operators: scalar/scalar, vector/scalar and vector/vector with
// one-to-one, group_left/group_right and set-operator matching.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "promql/errors.h"
#include "promql/evaluator.h"

namespace promql::internal {

using common::Result;
using common::Status;
using model::Label;
using model::Labels;

namespace {

// Returns the value and whether to keep it (comparisons filter).
inline std::pair<double, bool> ElemBinop(BinOp op, double l, double r) {
  switch (op) {
    case BinOp::kAdd:
      return {l + r, true};
    case BinOp::kSub:
      return {l - r, true};
    case BinOp::kMul:
      return {l * r, true};
    case BinOp::kDiv:
      return {l / r, true};
    case BinOp::kPow:
      return {std::pow(l, r), true};
    case BinOp::kMod:
      return {std::fmod(l, r), true};
    case BinOp::kAtan2:
      return {std::atan2(l, r), true};
    case BinOp::kEql:
      return {l, l == r};
    case BinOp::kNeq:
      return {l, l != r};
    case BinOp::kGtr:
      return {l, l > r};
    case BinOp::kLss:
      return {l, l < r};
    case BinOp::kGte:
      return {l, l >= r};
    case BinOp::kLte:
      return {l, l <= r};
    default:
      return {0, false};
  }
}

bool DropsName(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
    case BinOp::kSub:
    case BinOp::kMul:
    case BinOp::kDiv:
    case BinOp::kMod:
    case BinOp::kPow:
      return true;
    default:
      return false;  // comparisons, set operators and (in 2.42) atan2 keep it
  }
}

// The label subset used to match series of both sides.
Labels MatchLabels(const Labels& l, bool on, const std::vector<std::string>& names) {
  std::vector<Label> out;
  for (const Label& lb : l) {
    bool listed = std::find(names.begin(), names.end(), lb.name) != names.end();
    if (on ? listed : (!listed && lb.name != model::kMetricNameLabel)) out.push_back(lb);
  }
  return Labels::FromSortedUnchecked(std::move(out));
}

// Assigns dense ids to label sets.
class SigTable {
 public:
  int Id(const Labels& l) {
    auto& bucket = map_[l.Hash()];
    for (int id : bucket) {
      if (labels_[id] == l) return id;
    }
    int id = static_cast<int>(labels_.size());
    labels_.push_back(l);
    bucket.push_back(id);
    return id;
  }
  const Labels& labels(int id) const { return labels_[id]; }
  size_t size() const { return labels_.size(); }

 private:
  std::unordered_map<uint64_t, std::vector<int>> map_;
  std::vector<Labels> labels_;
};

Labels ResultMetric(const Labels& ls, const Labels& rs, BinOp op, const VectorMatching& m,
                    bool return_bool) {
  Labels out = ls;
  if (DropsName(op) || return_bool) out = DropMetricName(out);
  if (m.card == VectorMatching::Card::kOneToOne) {
    out = MatchLabels(out, m.on, m.labels);
    if (!m.on) {
      // MatchLabels dropped __name__ as well; restore it when it was kept.
      if (!(DropsName(op) || return_bool) && ls.Has(model::kMetricNameLabel)) {
        out = out.With(model::kMetricNameLabel, ls.MetricName());
      }
    }
  }
  for (const std::string& name : m.include) {
    out = out.With(name, rs.Get(name));
  }
  return out;
}

Result<Value> SetOp(const BinaryExpr& b, Value lhs, Value rhs, const Grid& g) {
  const VectorMatching& m = *b.matching;
  SigTable sigs;
  std::vector<int> lsig(lhs.series.size()), rsig(rhs.series.size());
  for (size_t i = 0; i < lhs.series.size(); ++i) {
    lsig[i] = sigs.Id(MatchLabels(lhs.series[i].metric, m.on, m.labels));
  }
  for (size_t j = 0; j < rhs.series.size(); ++j) {
    rsig[j] = sigs.Id(MatchLabels(rhs.series[j].metric, m.on, m.labels));
  }
  // present[sig * n + step]: some series on that side has a value.
  auto presence = [&](const Value& v, const std::vector<int>& sig) {
    std::vector<uint8_t> p(sigs.size() * g.n, 0);
    for (size_t i = 0; i < v.series.size(); ++i) {
      for (int64_t k = 0; k < g.n; ++k) {
        if (!IsAbsent(v.series[i].v[k])) p[sig[i] * g.n + k] = 1;
      }
    }
    return p;
  };
  Value out;
  out.type = ValueType::kVector;
  if (b.op == BinOp::kAnd || b.op == BinOp::kUnless) {
    std::vector<uint8_t> rp = presence(rhs, rsig);
    bool want = b.op == BinOp::kAnd;
    for (size_t i = 0; i < lhs.series.size(); ++i) {
      StepSeries& s = lhs.series[i];
      for (int64_t k = 0; k < g.n; ++k) {
        if (!IsAbsent(s.v[k]) && (rp[lsig[i] * g.n + k] != 0) != want) s.v[k] = Absent();
      }
      if (AnyPresent(s.v)) out.series.push_back(std::move(s));
    }
    return out;
  }
  // or
  std::vector<uint8_t> lp = presence(lhs, lsig);
  for (StepSeries& s : lhs.series) out.series.push_back(std::move(s));
  for (size_t j = 0; j < rhs.series.size(); ++j) {
    StepSeries& s = rhs.series[j];
    for (int64_t k = 0; k < g.n; ++k) {
      if (!IsAbsent(s.v[k]) && lp[rsig[j] * g.n + k] != 0) s.v[k] = Absent();
    }
    if (AnyPresent(s.v)) out.series.push_back(std::move(s));
  }
  if (Status st = MergeSameLabels(&out.series, MergeMode::kPerStep); !st.ok()) return st;
  return out;
}

Result<Value> VectorVector(const BinaryExpr& b, Value lhs, Value rhs, const Grid& g,
                           Evaluator* ev) {
  const VectorMatching& m = *b.matching;
  if (IsSetOperator(b.op)) return SetOp(b, std::move(lhs), std::move(rhs), g);
  const bool swap = m.card == VectorMatching::Card::kOneToMany;
  Value& many = swap ? rhs : lhs;  // iterated side
  Value& one = swap ? lhs : rhs;   // must be unique per signature
  SigTable sigs;
  std::vector<int> msig(many.series.size()), osig(one.series.size());
  for (size_t i = 0; i < many.series.size(); ++i) {
    msig[i] = sigs.Id(MatchLabels(many.series[i].metric, m.on, m.labels));
  }
  std::vector<std::vector<int>> one_by_sig;
  for (size_t j = 0; j < one.series.size(); ++j) {
    osig[j] = sigs.Id(MatchLabels(one.series[j].metric, m.on, m.labels));
  }
  one_by_sig.resize(sigs.size());
  for (size_t j = 0; j < one.series.size(); ++j) one_by_sig[osig[j]].push_back(static_cast<int>(j));

  // Steps where each side has any sample (Prometheus skips a step when either
  // side is empty, before any duplicate checks).
  std::vector<uint8_t> many_any(g.n, 0), one_any(g.n, 0);
  for (const StepSeries& s : many.series) {
    for (int64_t k = 0; k < g.n; ++k) many_any[k] |= !IsAbsent(s.v[k]);
  }
  for (const StepSeries& s : one.series) {
    for (int64_t k = 0; k < g.n; ++k) one_any[k] |= !IsAbsent(s.v[k]);
  }
  // Duplicate check on the "one" side.
  for (size_t sig = 0; sig < one_by_sig.size(); ++sig) {
    const auto& js = one_by_sig[sig];
    if (js.size() < 2) continue;
    for (int64_t k = 0; k < g.n; ++k) {
      if (!many_any[k]) continue;
      int first = -1;
      for (int j : js) {
        if (IsAbsent(one.series[j].v[k])) continue;
        if (first < 0) {
          first = j;
          continue;
        }
        const char* side = swap ? "left" : "right";
        return ExecutionError("found duplicate series for the match group " +
                              sigs.labels(static_cast<int>(sig)).ToString() + " on the " + side +
                              " hand-side of the operation: [" + one.series[j].metric.ToString() +
                              ", " + one.series[first].metric.ToString() +
                              "];many-to-many matching not allowed: matching labels must be "
                              "unique on one side");
      }
    }
  }

  struct Out {
    StepSeries s;
    int64_t written_step = -1;
    int written_sig = -1;
  };
  std::vector<Out> outs;
  std::unordered_map<uint64_t, int> pair_to_out;  // (many, one) -> outs index
  std::unordered_map<uint64_t, std::vector<int>> labels_to_out;
  std::vector<int64_t> sig_matched_step(sigs.size(), -1);
  const bool one_to_one = m.card == VectorMatching::Card::kOneToOne;
  int64_t ticks = 0;
  for (int64_t k = 0; k < g.n; ++k) {
    if (!many_any[k] || !one_any[k]) continue;
    for (size_t i = 0; i < many.series.size(); ++i) {
      double mv = many.series[i].v[k];
      if (IsAbsent(mv)) continue;
      int sig = msig[i];
      int match = -1;
      for (int j : one_by_sig[sig]) {
        if (!IsAbsent(one.series[j].v[k])) {
          match = j;
          break;
        }
      }
      if (match < 0) continue;
      double ov = one.series[match].v[k];
      double fl = swap ? ov : mv, fr = swap ? mv : ov;
      auto [value, keep] = ElemBinop(b.op, fl, fr);
      if (b.return_bool) {
        value = keep ? 1.0 : 0.0;
      } else if (!keep) {
        continue;
      }
      uint64_t key = (static_cast<uint64_t>(i) << 32) | static_cast<uint32_t>(match);
      auto pit = pair_to_out.find(key);
      int oi;
      if (pit != pair_to_out.end()) {
        oi = pit->second;
      } else {
        Labels metric =
            ResultMetric(many.series[i].metric, one.series[match].metric, b.op, m, b.return_bool);
        auto& bucket = labels_to_out[metric.Hash()];
        oi = -1;
        for (int idx : bucket) {
          if (outs[idx].s.metric == metric) oi = idx;
        }
        if (oi < 0) {
          oi = static_cast<int>(outs.size());
          outs.push_back({StepSeries{std::move(metric), std::vector<double>(g.n, Absent())}});
          bucket.push_back(oi);
        }
        pair_to_out[key] = oi;
      }
      if (one_to_one) {
        if (sig_matched_step[sig] == k) {
          return ExecutionError(
              "multiple matches for labels: many-to-one matching must be explicit "
              "(group_left/group_right)");
        }
        sig_matched_step[sig] = k;
      }
      Out& o = outs[oi];
      if (o.written_step == k) {
        if (!one_to_one && o.written_sig == sig) {
          return ExecutionError(
              "multiple matches for labels: grouping labels must ensure unique matches");
        }
        return SameLabelsetError();
      }
      o.written_step = k;
      o.written_sig = sig;
      o.s.v[k] = value;
      if ((++ticks & 4095) == 0) {
        if (Status st = ev->CheckInterrupt(); !st.ok()) return st;
      }
    }
  }
  Value out;
  out.type = ValueType::kVector;
  out.series.reserve(outs.size());
  for (Out& o : outs) out.series.push_back(std::move(o.s));
  return out;
}

Result<Value> VectorScalar(const BinaryExpr& b, Value vec, const std::vector<double>& sc,
                           bool scalar_left) {
  const bool drop = DropsName(b.op) || b.return_bool;
  for (StepSeries& s : vec.series) {
    if (drop) s.metric = DropMetricName(s.metric);
    for (size_t k = 0; k < s.v.size(); ++k) {
      double x = s.v[k];
      if (IsAbsent(x)) continue;
      double l = scalar_left ? sc[k] : x, r = scalar_left ? x : sc[k];
      auto [value, keep] = ElemBinop(b.op, l, r);
      if (IsComparison(b.op) && scalar_left) value = r;
      if (b.return_bool) {
        value = keep ? 1.0 : 0.0;
        keep = true;
      }
      s.v[k] = keep ? value : Absent();
    }
  }
  if (Status st = MergeSameLabels(&vec.series, MergeMode::kPerStep); !st.ok()) return st;
  return vec;
}

}  // namespace

Result<Value> Evaluator::EvalBinary(const BinaryExpr& b, const Grid& g) {
  auto lr = Eval(*b.lhs, g);
  if (!lr.ok()) return lr;
  auto rr = Eval(*b.rhs, g);
  if (!rr.ok()) return rr;
  Value l = std::move(lr).value(), r = std::move(rr).value();
  if (l.type == ValueType::kScalar && r.type == ValueType::kScalar) {
    for (int64_t k = 0; k < g.n; ++k) {
      auto [value, keep] = ElemBinop(b.op, l.scalar[k], r.scalar[k]);
      if (IsComparison(b.op)) value = keep ? 1.0 : 0.0;
      l.scalar[k] = value;
    }
    return l;
  }
  if (l.type == ValueType::kVector && r.type == ValueType::kVector) {
    return VectorVector(b, std::move(l), std::move(r), g, this);
  }
  if (l.type == ValueType::kVector) return VectorScalar(b, std::move(l), r.scalar, false);
  return VectorScalar(b, std::move(r), l.scalar, true);
}

}  // namespace promql::internal
