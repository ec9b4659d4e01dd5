// Function calls: dispatch, and the functions over instant vectors/scalars.
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <limits>
#include <unordered_map>

#include "promql/errors.h"
#include "promql/evaluator.h"
#include "promql/format.h"
#include "promql/functions.h"
#include "promql/quantile.h"

namespace promql::internal {

common::Labels AbsentLabelsFor(const Expr* arg);  // eval_range_functions.cc

using common::Labels;
using common::Result;
using common::Status;

namespace {

using MathFn = double (*)(double);

double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;  // 0 or NaN
}
double Deg(double v) { return v * 180 / M_PI; }
double Rad(double v) { return v * M_PI / 180; }
double Ln(double v) { return std::log(v); }

MathFn SimpleMath(std::string_view n) {
  static const std::unordered_map<std::string_view, MathFn> kFns = {
      {"abs", [](double v) { return std::fabs(v); }},
      {"ceil", [](double v) { return std::ceil(v); }},
      {"floor", [](double v) { return std::floor(v); }},
      {"exp", [](double v) { return std::exp(v); }},
      {"sqrt", [](double v) { return std::sqrt(v); }},
      {"ln", Ln},
      {"log2", [](double v) { return std::log2(v); }},
      {"log10", [](double v) { return std::log10(v); }},
      {"sgn", Sgn},
      {"deg", Deg},
      {"rad", Rad},
      {"acos", [](double v) { return std::acos(v); }},
      {"acosh", [](double v) { return std::acosh(v); }},
      {"asin", [](double v) { return std::asin(v); }},
      {"asinh", [](double v) { return std::asinh(v); }},
      {"atan", [](double v) { return std::atan(v); }},
      {"atanh", [](double v) { return std::atanh(v); }},
      {"cos", [](double v) { return std::cos(v); }},
      {"cosh", [](double v) { return std::cosh(v); }},
      {"sin", [](double v) { return std::sin(v); }},
      {"sinh", [](double v) { return std::sinh(v); }},
      {"tan", [](double v) { return std::tan(v); }},
      {"tanh", [](double v) { return std::tanh(v); }},
  };
  auto it = kFns.find(n);
  return it == kFns.end() ? nullptr : it->second;
}

// Civil date from days since the epoch (proleptic Gregorian).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

double DatePart(std::string_view fn, double v) {
  int64_t secs;
  if (std::isnan(v) || v >= 9.2e18 || v <= -9.2e18) {
    secs = std::numeric_limits<int64_t>::min();
  } else {
    secs = static_cast<int64_t>(v);
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  static const int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (fn == "minute") return static_cast<double>((rem / 60) % 60);
  if (fn == "hour") return static_cast<double>(rem / 3600);
  if (fn == "day_of_week") {
    int64_t w = (days + 4) % 7;  // 1970-01-01 was a Thursday
    if (w < 0) w += 7;
    return static_cast<double>(w);
  }
  if (fn == "day_of_month") return d;
  if (fn == "month") return m;
  if (fn == "year") return static_cast<double>(y);
  if (fn == "days_in_month") return (m == 2 && IsLeap(y)) ? 29 : kDaysIn[m - 1];
  if (fn == "day_of_year") {
    int doy = static_cast<int>(d);
    for (unsigned k = 1; k < m; ++k) doy += kDaysIn[k - 1];
    if (m > 2 && IsLeap(y)) doy += 1;
    return doy;
  }
  return NAN;
}

bool IsDateFunction(std::string_view n) {
  return n == "minute" || n == "hour" || n == "day_of_week" || n == "day_of_month" ||
         n == "day_of_year" || n == "days_in_month" || n == "month" || n == "year";
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

}  // namespace

Result<Value> Evaluator::EvalCall(const Call& call, const Grid& g) {
  const std::string_view name = call.func->name;
  // Functions over a range vector.
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (call.func->arg_types[std::min(i, call.func->arg_types.size() - 1)] == ValueType::kMatrix) {
      return EvalRangeFunction(call, i, g);
    }
  }
  Value out;
  out.type = ValueType::kVector;
  if (name == "time" || name == "pi") {
    out.type = ValueType::kScalar;
    out.scalar.resize(g.n);
    for (int64_t i = 0; i < g.n; ++i) {
      out.scalar[i] = name == "pi" ? M_PI : static_cast<double>(g.At(i)) / 1000.0;
    }
    return out;
  }
  if (name == "timestamp") {
    const Expr* arg = UnwrapParens(call.args[0].get());
    Value v;
    if (arg->kind == ExprKind::kVectorSelector) {
      auto r = EvalVectorSelector(static_cast<const VectorSelector&>(*arg), g, true);
      if (!r.ok()) return r;
      v = std::move(r).value();
    } else {
      auto r = Eval(*arg, g);
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
  if (IsDateFunction(name) && call.args.empty()) {
    StepSeries s{Labels(), std::vector<double>(g.n)};
    for (int64_t i = 0; i < g.n; ++i) {
      s.v[i] = DatePart(name, static_cast<double>(g.At(i)) / 1000.0);
    }
    out.series.push_back(std::move(s));
    return out;
  }

  // Evaluate the arguments.
  std::vector<Value> args;
  for (const ExprPtr& a : call.args) {
    auto r = Eval(*a, g);
    if (!r.ok()) return r;
    args.push_back(std::move(r).value());
  }

  if (name == "vector") {
    out.series.push_back({Labels(), std::move(args[0].scalar)});
    return out;
  }
  if (name == "scalar") {
    out.type = ValueType::kScalar;
    out.scalar.assign(g.n, NAN);
    std::vector<int> cnt(g.n, 0);
    for (const StepSeries& s : args[0].series) {
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
  if (name == "absent") {
    StepSeries s{AbsentLabelsFor(call.args[0].get()), std::vector<double>(g.n, 1.0)};
    for (const StepSeries& in : args[0].series) {
      for (int64_t i = 0; i < g.n; ++i) {
        if (!IsAbsent(in.v[i])) s.v[i] = Absent();
      }
    }
    if (AnyPresent(s.v)) out.series.push_back(std::move(s));
    return out;
  }
  if (name == "histogram_count" || name == "histogram_sum" || name == "histogram_fraction") {
    return out;  // native histograms only; float series yield nothing
  }
  Value& vec = args[0];
  if (name == "sort" || name == "sort_desc") {
    if (g.n == 1) {
      const bool desc = name == "sort_desc";
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
  if (name == "label_replace") {
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
    if (!common::IsValidLabelName(dst)) {
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
  if (name == "label_join") {
    const std::string& dst = args[1].str;
    const std::string& sep = args[2].str;
    std::vector<std::string> srcs;
    for (size_t i = 3; i < args.size(); ++i) {
      if (!common::IsValidLabelName(args[i].str)) {
        return ExecutionError("invalid source label name in label_join(): " + args[i].str);
      }
      srcs.push_back(args[i].str);
    }
    if (!common::IsValidLabelName(dst)) {
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
  if (name == "histogram_quantile") {
    const std::vector<double>& q = args[0].scalar;
    Value& in = args[1];
    // Group by all labels but `le` (the name included); output drops both.
    std::unordered_map<uint64_t, std::vector<int>> by_hash;
    std::vector<Labels> keys;
    std::vector<std::vector<std::pair<double, int>>> members;  // (upper bound, series)
    for (size_t i = 0; i < in.series.size(); ++i) {
      const Labels& l = in.series[i].metric;
      auto ub = ParseFloat(l.Get("le"));
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
    const size_t blocks = std::min<size_t>(nh, static_cast<size_t>(MaxShards()));
    Status st = RunShards(blocks, parallelism(), [&](size_t b, bool) {
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

  // Element-wise functions over one vector; they drop the metric name.
  std::function<bool(double, int64_t, double*)> fn;
  if (MathFn m = SimpleMath(name)) {
    fn = [m](double v, int64_t, double* o) {
      *o = m(v);
      return true;
    };
  } else if (IsDateFunction(name)) {
    fn = [name](double v, int64_t, double* o) {
      *o = DatePart(name, v);
      return true;
    };
  } else if (name == "round") {
    const std::vector<double>* to = args.size() > 1 ? &args[1].scalar : nullptr;
    fn = [to](double v, int64_t k, double* o) {
      double inv = 1.0 / (to ? (*to)[k] : 1.0);
      *o = std::floor(v * inv + 0.5) / inv;
      return true;
    };
  } else if (name == "clamp") {
    const auto& mn = args[1].scalar;
    const auto& mx = args[2].scalar;
    fn = [&mn, &mx](double v, int64_t k, double* o) {
      if (mx[k] < mn[k]) return false;
      *o = std::fmax(mn[k], std::fmin(mx[k], v));
      if (std::isnan(v) || std::isnan(mn[k]) || std::isnan(mx[k])) *o = NAN;
      return true;
    };
  } else if (name == "clamp_min") {
    const auto& mn = args[1].scalar;
    fn = [&mn](double v, int64_t k, double* o) {
      *o = (std::isnan(v) || std::isnan(mn[k])) ? NAN : std::fmax(mn[k], v);
      return true;
    };
  } else if (name == "clamp_max") {
    const auto& mx = args[1].scalar;
    fn = [&mx](double v, int64_t k, double* o) {
      *o = (std::isnan(v) || std::isnan(mx[k])) ? NAN : std::fmin(mx[k], v);
      return true;
    };
  } else {
    return ExecutionError("unsupported function " + std::string(name));
  }
  for (StepSeries& s : vec.series) {
    s.metric = DropMetricName(s.metric);
    for (int64_t k = 0; k < g.n; ++k) {
      if (IsAbsent(s.v[k])) continue;
      double o;
      s.v[k] = fn(s.v[k], k, &o) ? o : Absent();
    }
  }
  if (Status st = MergeSameLabels(&vec.series, MergeMode::kPerStep); !st.ok()) return st;
  return std::move(vec);
}

}  // namespace promql::internal
