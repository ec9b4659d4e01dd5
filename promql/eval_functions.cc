// Function calls: dispatch through the function table (functions.h), the
// element-wise loop, and the functions that evaluate their call themselves
// (call_functions.h).
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/number.h"
#include "promql/call_functions.h"
#include "promql/errors.h"
#include "promql/evaluator.h"
#include "promql/functions.h"
#include "promql/quantile.h"

namespace promql::internal {

using common::Result;
using common::Status;
using model::Labels;

namespace {

Result<std::vector<Value>> EvalArgs(Evaluator& ev, const Call& call, const Grid& g) {
  std::vector<Value> args;
  args.reserve(call.args.size());
  for (const ExprPtr& a : call.args) {
    auto r = ev.Eval(*a, g);
    if (!r.ok()) return r.status();
    args.push_back(std::move(r).value());
  }
  return args;
}

// Go regexp.Expand semantics for label_replace's replacement template.
std::string ExpandTemplate(const std::string& tmpl, std::string_view src, const RE2& re,
                           const std::vector<re2::StringPiece>& groups) {
  std::string out;
  const auto& names = re.NamedCapturingGroups();
  size_t i = 0;
  while (i < tmpl.size()) {
    char c = tmpl[i];
    if (c != '$') {
      out.push_back(c);
      ++i;
      continue;
    }
    ++i;
    if (i < tmpl.size() && tmpl[i] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    std::string name;
    size_t j = i;
    bool ok = false;
    if (j < tmpl.size() && tmpl[j] == '{') {
      size_t k = j + 1;
      while (k < tmpl.size() &&
             (std::isalnum(static_cast<unsigned char>(tmpl[k])) || tmpl[k] == '_'))
        ++k;
      if (k < tmpl.size() && tmpl[k] == '}' && k > j + 1) {
        name = tmpl.substr(j + 1, k - j - 1);
        i = k + 1;
        ok = true;
      }
    } else {
      size_t k = j;
      while (k < tmpl.size() &&
             (std::isalnum(static_cast<unsigned char>(tmpl[k])) || tmpl[k] == '_'))
        ++k;
      if (k > j) {
        name = tmpl.substr(j, k - j);
        i = k;
        ok = true;
      }
    }
    if (!ok) {
      out.push_back('$');
      continue;
    }
    (void)src;
    bool numeric =
        std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    int idx = -1;
    if (numeric) {
      if (name.size() < 9) idx = std::stoi(name);
    } else {
      auto it = names.find(name);
      if (it != names.end()) idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < groups.size() && groups[idx].data() != nullptr) {
      out.append(groups[idx].data(), groups[idx].size());
    }
  }
  return out;
}

// kElementwise: f(sample, scalar arguments at its step) for every sample of
// the first argument; __name__ is dropped.
Result<Value> EvalElementwise(Evaluator& ev, const FunctionInfo& f, const Call& call,
                              const Grid& g) {
  if (call.args.empty() && f.defaults_to_time) {  // hour() is hour(vector(time()))
    Value out;
    out.type = ValueType::kVector;
    StepSeries s{Labels(), std::vector<double>(g.n)};
    for (int64_t i = 0; i < g.n; ++i) s.v[i] = f.math(static_cast<double>(g.At(i)) / 1000.0);
    out.series.push_back(std::move(s));
    return out;
  }
  auto args = EvalArgs(ev, call, g);
  if (!args.ok()) return args.status();
  Value& vec = (*args)[0];
  const size_t nscalars = args->size() - 1;
  std::vector<double> at(nscalars);  // the scalar arguments at one step
  for (StepSeries& s : vec.series) {
    s.metric = DropMetricName(s.metric);
    for (int64_t k = 0; k < g.n; ++k) {
      if (IsAbsent(s.v[k])) continue;
      if (f.math != nullptr) {
        s.v[k] = f.math(s.v[k]);
        continue;
      }
      for (size_t j = 0; j < nscalars; ++j) at[j] = (*args)[j + 1].scalar[k];
      double o;
      s.v[k] = f.element(s.v[k], at.data(), nscalars, &o) ? o : Absent();
    }
  }
  if (Status st = MergeSameLabels(&vec.series, MergeMode::kPerStep); !st.ok()) return st;
  return std::move(vec);
}

Result<Value> SortBy(Evaluator& ev, const Call& call, const Grid& g, bool desc) {
  auto args = EvalArgs(ev, call, g);
  if (!args.ok()) return args.status();
  Value& vec = (*args)[0];
  if (g.n == 1) {
    // Prometheus 2.42 puts NaN samples last for both sort and sort_desc
    // (vectorByValueHeap / vectorByReverseValueHeap treat NaN as "after").
    std::stable_sort(vec.series.begin(), vec.series.end(),
                     [desc](const StepSeries& a, const StepSeries& b) {
                       const double x = a.v[0], y = b.v[0];
                       if (std::isnan(x)) return false;
                       if (std::isnan(y)) return true;
                       return desc ? x > y : x < y;
                     });
  }
  return std::move(vec);
}

}  // namespace

Result<Value> Evaluator::EvalCall(const Call& call, const Grid& g) {
  const FunctionInfo& f = *call.func;
  switch (f.kind) {
    case FunctionKind::kRange: {
      // The range-vector argument (Prometheus has at most one).
      size_t matrix_arg = 0;
      while (matrix_arg < f.arg_types.size() && f.arg_types[matrix_arg] != ValueType::kMatrix) {
        ++matrix_arg;
      }
      return EvalRangeFunction(call, matrix_arg, g);
    }
    case FunctionKind::kElementwise:
      return EvalElementwise(*this, f, call, g);
    case FunctionKind::kCall:
      return f.call(*this, call, g);
  }
  return ExecutionError("unsupported function " + std::string(f.name));
}

Result<Value> CallTime(Evaluator&, const Call&, const Grid& g) {
  Value out;
  out.type = ValueType::kScalar;
  out.scalar.resize(g.n);
  for (int64_t i = 0; i < g.n; ++i) out.scalar[i] = static_cast<double>(g.At(i)) / 1000.0;
  return out;
}

Result<Value> CallPi(Evaluator&, const Call&, const Grid& g) {
  Value out;
  out.type = ValueType::kScalar;
  out.scalar.assign(g.n, M_PI);
  return out;
}

Result<Value> CallTimestamp(Evaluator& ev, const Call& call, const Grid& g) {
  const Expr* arg = UnwrapParens(call.args[0].get());
  Value v;
  if (arg->kind == ExprKind::kVectorSelector) {
    auto r = ev.EvalVectorSelector(static_cast<const VectorSelector&>(*arg), g, true);
    if (!r.ok()) return r;
    v = std::move(r).value();
  } else {
    auto r = ev.Eval(*arg, g);
    if (!r.ok()) return r;
    v = std::move(r).value();
    for (StepSeries& s : v.series) {
      for (int64_t i = 0; i < g.n; ++i) {
        if (!IsAbsent(s.v[i])) s.v[i] = static_cast<double>(g.At(i)) / 1000.0;
      }
    }
  }
  for (StepSeries& s : v.series) s.metric = DropMetricName(s.metric);
  if (Status st = MergeSameLabels(&v.series, MergeMode::kPerStep); !st.ok()) return st;
  return v;
}

Result<Value> CallVector(Evaluator& ev, const Call& call, const Grid& g) {
  auto args = EvalArgs(ev, call, g);
  if (!args.ok()) return args.status();
  Value out;
  out.type = ValueType::kVector;
  out.series.push_back({Labels(), std::move((*args)[0].scalar)});
  return out;
}

Result<Value> CallScalar(Evaluator& ev, const Call& call, const Grid& g) {
  auto args = EvalArgs(ev, call, g);
  if (!args.ok()) return args.status();
  Value out;
  out.type = ValueType::kScalar;
  out.scalar.assign(g.n, NAN);
  std::vector<int> cnt(g.n, 0);
  for (const StepSeries& s : (*args)[0].series) {
    for (int64_t i = 0; i < g.n; ++i) {
      if (IsAbsent(s.v[i])) continue;
      if (++cnt[i] == 1) out.scalar[i] = s.v[i];
    }
  }
  for (int64_t i = 0; i < g.n; ++i) {
    if (cnt[i] != 1) out.scalar[i] = NAN;
  }
  return out;
}

Result<Value> CallAbsent(Evaluator& ev, const Call& call, const Grid& g) {
  auto args = EvalArgs(ev, call, g);
  if (!args.ok()) return args.status();
  Value out;
  out.type = ValueType::kVector;
  StepSeries s{AbsentLabels(call.args[0].get()), std::vector<double>(g.n, 1.0)};
  for (const StepSeries& in : (*args)[0].series) {
    for (int64_t i = 0; i < g.n; ++i) {
      if (!IsAbsent(in.v[i])) s.v[i] = Absent();
    }
  }
  if (AnyPresent(s.v)) out.series.push_back(std::move(s));
  return out;
}

Result<Value> CallNativeHistogramOnly(Evaluator& ev, const Call& call, const Grid& g) {
  auto args = EvalArgs(ev, call, g);  // errors of the arguments still count
  if (!args.ok()) return args.status();
  Value out;
  out.type = ValueType::kVector;
  return out;
}

Result<Value> CallSort(Evaluator& ev, const Call& call, const Grid& g) {
  return SortBy(ev, call, g, false);
}

Result<Value> CallSortDesc(Evaluator& ev, const Call& call, const Grid& g) {
  return SortBy(ev, call, g, true);
}

Result<Value> CallLabelReplace(Evaluator& ev, const Call& call, const Grid& g) {
  auto args_r = EvalArgs(ev, call, g);
  if (!args_r.ok()) return args_r.status();
  std::vector<Value>& args = *args_r;
  Value& vec = args[0];
  const std::string& dst = args[1].str;
  const std::string& repl = args[2].str;
  const std::string& src = args[3].str;
  const std::string& regex = args[4].str;
  RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(true);
  RE2 re("^(?:" + regex + ")$", o);
  if (!re.ok()) {
    return ExecutionError("invalid regular expression in label_replace(): " + regex);
  }
  if (!model::IsValidLabelName(dst)) {
    return ExecutionError("invalid destination label name in label_replace(): " + dst);
  }
  std::vector<re2::StringPiece> groups(re.NumberOfCapturingGroups() + 1);
  for (StepSeries& s : vec.series) {
    std::string_view sv = s.metric.Get(src);
    re2::StringPiece input(sv.data() == nullptr ? "" : sv.data(), sv.size());
    if (!re.Match(input, 0, input.size(), RE2::ANCHOR_BOTH, groups.data(),
                  static_cast<int>(groups.size()))) {
      continue;
    }
    std::string res = ExpandTemplate(repl, sv, re, groups);
    s.metric = s.metric.With(dst, res);
  }
  if (Status st = MergeSameLabels(&vec.series, MergeMode::kPerStep); !st.ok()) return st;
  return std::move(vec);
}

Result<Value> CallLabelJoin(Evaluator& ev, const Call& call, const Grid& g) {
  auto args_r = EvalArgs(ev, call, g);
  if (!args_r.ok()) return args_r.status();
  std::vector<Value>& args = *args_r;
  Value& vec = args[0];
  const std::string& dst = args[1].str;
  const std::string& sep = args[2].str;
  std::vector<std::string> srcs;
  for (size_t i = 3; i < args.size(); ++i) {
    if (!model::IsValidLabelName(args[i].str)) {
      return ExecutionError("invalid source label name in label_join(): " + args[i].str);
    }
    srcs.push_back(args[i].str);
  }
  if (!model::IsValidLabelName(dst)) {
    return ExecutionError("invalid destination label name in label_join(): " + dst);
  }
  for (StepSeries& s : vec.series) {
    std::string joined;
    for (size_t i = 0; i < srcs.size(); ++i) {
      if (i > 0) joined += sep;
      joined += s.metric.Get(srcs[i]);
    }
    s.metric = s.metric.With(dst, joined);
  }
  if (Status st = MergeSameLabels(&vec.series, MergeMode::kPerStep); !st.ok()) return st;
  return std::move(vec);
}

Result<Value> CallHistogramQuantile(Evaluator& ev, const Call& call, const Grid& g) {
  auto args_r = EvalArgs(ev, call, g);
  if (!args_r.ok()) return args_r.status();
  std::vector<Value>& args = *args_r;
  Value out;
  out.type = ValueType::kVector;
  const std::vector<double>& q = args[0].scalar;
  Value& in = args[1];
  // Group by all labels but `le` (the name included); output drops both.
  std::unordered_map<uint64_t, std::vector<int>> by_hash;
  std::vector<Labels> keys;
  std::vector<std::vector<std::pair<double, int>>> members;  // (upper bound, series)
  for (size_t i = 0; i < in.series.size(); ++i) {
    const Labels& l = in.series[i].metric;
    auto ub = model::ParseFloat(l.Get("le"));
    if (!ub) continue;
    Labels key = l.Without("le");
    auto& bucket = by_hash[key.Hash()];
    int gi = -1;
    for (int id : bucket) {
      if (keys[id] == key) gi = id;
    }
    if (gi < 0) {
      gi = static_cast<int>(keys.size());
      keys.push_back(key);
      members.emplace_back();
      bucket.push_back(gi);
    }
    members[gi].push_back({*ub, static_cast<int>(i)});
  }
  // Histograms are independent: blocks of them on the query's threads,
  // each writing its own output slot.
  out.series.resize(keys.size());
  const size_t nh = keys.size();
  const size_t blocks = std::min<size_t>(nh, static_cast<size_t>(ev.MaxShards()));
  Status st = RunShards(blocks, ev.parallelism(), [&](size_t b, bool) {
    std::vector<Bucket> buckets;
    for (size_t gi = nh * b / blocks; gi < nh * (b + 1) / blocks; ++gi) {
      // In bucket order once, so that BucketQuantile need not sort per step.
      std::stable_sort(members[gi].begin(), members[gi].end(),
                       [](const auto& x, const auto& y) { return x.first < y.first; });
      StepSeries s{DropMetricName(keys[gi]), std::vector<double>(g.n, Absent())};
      for (int64_t k = 0; k < g.n; ++k) {
        buckets.clear();
        for (const auto& [ub, si] : members[gi]) {
          double v = in.series[si].v[k];
          if (!IsAbsent(v)) buckets.push_back({ub, v});
        }
        if (buckets.empty()) continue;
        s.v[k] = BucketQuantile(q[k], &buckets);
      }
      out.series[gi] = std::move(s);
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  if (Status st = MergeSameLabels(&out.series, MergeMode::kPerStep); !st.ok()) return st;
  return out;
}

}  // namespace promql::internal
