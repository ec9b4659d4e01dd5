#include "promql/engine.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/value.h"
#include "promql/errors.h"
#include "promql/memory_storage.h"
#include "tests/unit/promql/test_util.h"

namespace promql {
namespace {

using testing::L;
using testing::Render;

constexpr int64_t kS = 1000;

class PromqlEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // a: gauge every 60 s from 0 to 600 s, value = t/60 (+10 for job="y").
    for (int64_t t = 0; t <= 600; t += 60) {
      st_.Add(L({{"__name__", "a"}, {"job", "x"}, {"inst", "1"}}), t * kS, t / 60.0);
      st_.Add(L({{"__name__", "a"}, {"job", "y"}, {"inst", "1"}}), t * kS, t / 60.0 + 10);
    }
    // b: the "one" side for matching.
    st_.Add(L({{"__name__", "b"}, {"job", "x"}}), 0, 2);
    st_.Add(L({{"__name__", "b"}, {"job", "y"}}), 0, 4);
  }
  std::string Instant(const std::string& q, int64_t t_s) {
    auto r = engine_.InstantQuery(st_, q, t_s * kS);
    if (!r.ok()) return "error: " + r.status().message();
    return Render(*r);
  }
  std::string Range(const std::string& q, int64_t start_s, int64_t end_s, int64_t step_s) {
    auto r = engine_.RangeQuery(st_, q, start_s * kS, end_s * kS, step_s * kS);
    if (!r.ok()) return "error: " + r.status().message();
    return Render(*r);
  }
  MemoryStorage st_;
  Engine engine_;
};

TEST_F(PromqlEngineTest, InstantSelectorAndLookback) {
  EXPECT_EQ(Instant("a{job=\"x\"}", 150), "a{inst=\"1\", job=\"x\"} => 2");
  // The last sample (600 s) is visible for exactly 5 minutes, inclusive.
  EXPECT_EQ(Instant("a{job=\"x\"}", 900), "a{inst=\"1\", job=\"x\"} => 10");
  EXPECT_EQ(Instant("a{job=\"x\"}", 901), "");
  EXPECT_EQ(Instant("a{job=\"x\"} offset 1m", 150), "a{inst=\"1\", job=\"x\"} => 1");
  EXPECT_EQ(Instant("a{job=\"x\"} offset -1m", 150), "a{inst=\"1\", job=\"x\"} => 3");
  EXPECT_EQ(Instant("a{job=\"x\"} @ 300", 0), "a{inst=\"1\", job=\"x\"} => 5");
  EXPECT_EQ(Instant("{__name__=~\"a|b\", job=\"y\"}", 0),
            "a{inst=\"1\", job=\"y\"} => 10\nb{job=\"y\"} => 4");
  EXPECT_EQ(Instant("a{job!~\"x|y\"}", 0), "");
  EXPECT_EQ(Instant("a{inst=\"1\", nope=\"\"}", 0),
            "a{inst=\"1\", job=\"x\"} => 0\na{inst=\"1\", job=\"y\"} => 10");
}

TEST_F(PromqlEngineTest, StalenessEndsSeries) {
  st_.Add(L({{"__name__", "s"}}), 0, 1);
  st_.Add(L({{"__name__", "s"}}), 60 * kS, model::kStaleNaN);
  st_.Add(L({{"__name__", "s"}}), 120 * kS, 5);
  EXPECT_EQ(Instant("s", 30), "s{} => 1");
  EXPECT_EQ(Instant("s", 60), "");
  EXPECT_EQ(Instant("s", 90), "");
  EXPECT_EQ(Instant("s", 130), "s{} => 5");
  // Stale markers are not samples for range functions.
  EXPECT_EQ(Instant("count_over_time(s[5m])", 130), "{} => 2");
}

TEST_F(PromqlEngineTest, RangeQueryStepsAndScalars) {
  EXPECT_EQ(Range("a{job=\"x\"}", 0, 240, 120), "a{inst=\"1\", job=\"x\"} => 0@0 2@120 4@240");
  EXPECT_EQ(Range("time()", 0, 120, 60), "{} => 0@0 60@60 120@120");
  EXPECT_EQ(Range("a{job=\"x\"}", 840, 960, 60), "a{inst=\"1\", job=\"x\"} => 10@840 10@900");
  EXPECT_EQ(Range("a[5m]", 0, 60, 60),
            "error: invalid expression type \"range vector\" for range query, must be Scalar or "
            "instant Vector");
}

TEST_F(PromqlEngineTest, ScalarAndVectorArithmetic) {
  EXPECT_EQ(Instant("1 + 2 * 3", 0), "scalar 7");
  EXPECT_EQ(Instant("2 ^ 3 ^ 2", 0), "scalar 512");
  EXPECT_EQ(Instant("7 % 4", 0), "scalar 3");
  EXPECT_EQ(Instant("1 == bool 1", 0), "scalar 1");
  EXPECT_EQ(Instant("\"hello\"", 0), "string hello");
  EXPECT_EQ(Instant("a{job=\"x\"} * 2", 120), "{inst=\"1\", job=\"x\"} => 4");
  EXPECT_EQ(Instant("10 - a{job=\"x\"}", 120), "{inst=\"1\", job=\"x\"} => 8");
  EXPECT_EQ(Instant("-a{job=\"x\"}", 120), "{inst=\"1\", job=\"x\"} => -2");
  // Comparisons filter and keep the name and the vector's value.
  EXPECT_EQ(Instant("a > 5", 120), "a{inst=\"1\", job=\"y\"} => 12");
  EXPECT_EQ(Instant("5 < a", 120), "a{inst=\"1\", job=\"y\"} => 12");
  EXPECT_EQ(Instant("a > bool 5", 120),
            "{inst=\"1\", job=\"x\"} => 0\n{inst=\"1\", job=\"y\"} => 1");
  EXPECT_EQ(Instant("a atan2 0", 120),
            "a{inst=\"1\", job=\"x\"} => 1.5707963267948966\n"
            "a{inst=\"1\", job=\"y\"} => 1.5707963267948966");
}

TEST_F(PromqlEngineTest, VectorMatching) {
  EXPECT_EQ(Instant("a / on(job) group_left b", 120),
            "{inst=\"1\", job=\"x\"} => 1\n{inst=\"1\", job=\"y\"} => 3");
  EXPECT_EQ(Instant("a / ignoring(inst) group_left b", 120),
            "{inst=\"1\", job=\"x\"} => 1\n{inst=\"1\", job=\"y\"} => 3");
  EXPECT_EQ(Instant("b * on(job) group_right a", 120),
            "{inst=\"1\", job=\"x\"} => 4\n{inst=\"1\", job=\"y\"} => 48");
  // One-to-one without matching labels: no common label sets.
  EXPECT_EQ(Instant("a + b", 120), "");
  EXPECT_EQ(Instant("a + on(job) b", 120), "{job=\"x\"} => 4\n{job=\"y\"} => 16");
  EXPECT_EQ(Instant("a > on(job) group_left b", 120), "a{inst=\"1\", job=\"y\"} => 12");
  EXPECT_EQ(Instant("b / on() group_left a", 120),
            "error: found duplicate series for the match group {} on the right hand-side of the "
            "operation: [a{inst=\"1\", job=\"y\"}, a{inst=\"1\", job=\"x\"}];many-to-many matching "
            "not allowed: matching labels must be unique on one side");
  EXPECT_EQ(Instant("a + on() b", 120).substr(0, 46),
            "error: found duplicate series for the match gr");
  EXPECT_EQ(Instant("a * on(job) group_left(foo) b", 120),
            "{inst=\"1\", job=\"x\"} => 4\n{inst=\"1\", job=\"y\"} => 48");
}

TEST_F(PromqlEngineTest, SetOperators) {
  EXPECT_EQ(Instant("a and on(job) b{job=\"x\"}", 0), "a{inst=\"1\", job=\"x\"} => 0");
  EXPECT_EQ(Instant("a unless on(job) b{job=\"x\"}", 0), "a{inst=\"1\", job=\"y\"} => 10");
  EXPECT_EQ(Instant("b or a", 0),
            "a{inst=\"1\", job=\"x\"} => 0\na{inst=\"1\", job=\"y\"} => 10\nb{job=\"x\"} => "
            "2\nb{job=\"y\"} => 4");
  EXPECT_EQ(Instant("b or on(job) a", 0), "b{job=\"x\"} => 2\nb{job=\"y\"} => 4");
  // Per-step union in a range query: b ends at 300 s (lookback), a goes on.
  EXPECT_EQ(Range("sum(b) or on() vector(-1)", 240, 360, 60), "{} => 6@240 6@300 -1@360");
}

TEST_F(PromqlEngineTest, DuplicateLabelsetAfterDroppingName) {
  st_.Add(L({{"__name__", "c"}, {"job", "x"}, {"inst", "1"}}), 0, 1);
  EXPECT_EQ(Instant("{__name__=~\"a|c\", job=\"x\"} * 1", 0),
            "error: vector cannot contain metrics with the same labelset");
  // Comparisons keep the name, so no clash; a=0 is filtered out.
  EXPECT_EQ(Instant("{__name__=~\"a|c\", job=\"x\"} > 0", 0), "c{inst=\"1\", job=\"x\"} => 1");
}

TEST_F(PromqlEngineTest, TopkTiesResolveAsPrometheus242) {
  // Values in input (label) order: 3, -1, 3, 3, 4, 1. Prometheus 2.42 pops the
  // heap's top before pushing a better sample, so among the tied 3s it keeps
  // s1 and s4 (answer checked against the real Prometheus 2.42).
  const double vals[] = {3, -1, 3, 3, 4, 1};
  for (int i = 0; i < 6; ++i) {
    st_.Add(L({{"__name__", "t"}, {"s", std::to_string(i + 1)}}), 0, vals[i]);
  }
  EXPECT_EQ(Instant("topk(3, t)", 0), "t{s=\"1\"} => 3\nt{s=\"4\"} => 3\nt{s=\"5\"} => 4");
  // k == 1 replaces in place: the first of equal maxima stays.
  EXPECT_EQ(Instant("topk(1, t - 1)", 0), "{s=\"5\"} => 3");
}

TEST_F(PromqlEngineTest, Aggregations) {
  for (int i = 1; i <= 4; ++i) {
    st_.Add(L({{"__name__", "m"}, {"g", i <= 2 ? "p" : "q"}, {"i", std::to_string(i)}}), 0,
            i * 1.0);
  }
  EXPECT_EQ(Instant("sum(m)", 0), "{} => 10");
  EXPECT_EQ(Instant("sum by (g) (m)", 0), "{g=\"p\"} => 3\n{g=\"q\"} => 7");
  EXPECT_EQ(Instant("sum(m) by (g)", 0), "{g=\"p\"} => 3\n{g=\"q\"} => 7");
  EXPECT_EQ(Instant("sum without (i) (m)", 0), "{g=\"p\"} => 3\n{g=\"q\"} => 7");
  EXPECT_EQ(Instant("sum by (__name__) (m)", 0), "m{} => 10");
  EXPECT_EQ(Instant("avg(m)", 0), "{} => 2.5");
  EXPECT_EQ(Instant("count(m)", 0), "{} => 4");
  EXPECT_EQ(Instant("group by (g) (m)", 0), "{g=\"p\"} => 1\n{g=\"q\"} => 1");
  EXPECT_EQ(Instant("min(m)", 0), "{} => 1");
  EXPECT_EQ(Instant("max(m)", 0), "{} => 4");
  EXPECT_EQ(Instant("stdvar(m)", 0), "{} => 1.25");
  EXPECT_EQ(Instant("stddev(m)", 0), "{} => 1.118033988749895");
  EXPECT_EQ(Instant("topk(1, m)", 0), "m{g=\"q\", i=\"4\"} => 4");
  EXPECT_EQ(Instant("bottomk by (g) (1, m)", 0),
            "m{g=\"p\", i=\"1\"} => 1\nm{g=\"q\", i=\"3\"} => 3");
  EXPECT_EQ(Instant("topk(0, m)", 0), "");
  EXPECT_EQ(Instant("quantile(0.5, m)", 0), "{} => 2.5");
  EXPECT_EQ(Instant("quantile(0.9, m)", 0), "{} => 3.7");
  EXPECT_EQ(Instant("quantile(2, m)", 0), "{} => +Inf");
  EXPECT_EQ(Instant("count_values(\"v\", m > 2)", 0), "{v=\"3\"} => 1\n{v=\"4\"} => 1");
  EXPECT_EQ(Instant("count_values by (g) (\"g\", m)", 0),
            "{g=\"1\"} => 1\n{g=\"2\"} => 1\n{g=\"3\"} => 1\n{g=\"4\"} => 1");
  EXPECT_EQ(Instant("count_values(\"0bad\", m)", 0), "error: invalid label name \"0bad\"");
}

TEST_F(PromqlEngineTest, Subqueries) {
  // max over the 1-minute aligned points 240..600 of a{job="x"} = 10.
  EXPECT_EQ(Instant("max_over_time(a{job=\"x\"}[5m:1m])", 600), "{inst=\"1\", job=\"x\"} => 10");
  // Points at 60, 120, ..., 300 (aligned to the 1 m step): count 5 + 1 for 0? [0,300] has 6.
  EXPECT_EQ(Instant("count_over_time(a{job=\"x\"}[5m:1m])", 300), "{inst=\"1\", job=\"x\"} => 6");
  EXPECT_EQ(Instant("a{job=\"x\"}[2m:1m]", 300), "a{inst=\"1\", job=\"x\"} => 3@180 4@240 5@300");
  EXPECT_EQ(Instant("a{job=\"x\"}[2m]", 300), "a{inst=\"1\", job=\"x\"} => 3@180 4@240 5@300");
}

TEST_F(PromqlEngineTest, Limits) {
  EngineOptions o;
  o.max_samples = 5;
  Engine small(o);
  auto r = small.RangeQuery(st_, "a", 0, 600 * kS, 60 * kS);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), kTooManySamplesMsg);
  EXPECT_EQ(ClassifyError(r.status()), ErrorType::kExecution);
  std::atomic<bool> cancel{true};
  r = engine_.InstantQuery(st_, "a", 0, &cancel);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ClassifyError(r.status()), ErrorType::kCanceled);
  r = engine_.InstantQuery(st_, "a +", 0);
  EXPECT_EQ(ClassifyError(r.status()), ErrorType::kBadData);
  EngineOptions lb;
  lb.lookback_delta_ms = 60 * kS;
  Engine short_lookback(lb);
  auto v = short_lookback.InstantQuery(st_, "a{job=\"x\"}", 661 * kS);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->vector.empty());
}

// Sharded evaluation (one thread per shard) must give bit-identical answers to
// sequential evaluation, whatever the shard boundaries.
TEST(PromqlParallelTest, ShardedEqualsSequential) {
  MemoryStorage st;
  for (int h = 0; h < 13; ++h) {
    for (int c = 0; c < 3; ++c) {
      model::Labels l = L({{"__name__", "cpu_total"},
                           {"instance", "h" + std::to_string(h)},
                           {"cpu", std::to_string(c)}});
      double v = 0;
      for (int64_t t = 0; t <= 3600; t += 15) {
        v += (h + 1) * 0.37 + c * 0.11;
        if (t == 900 * (c + 1)) v = 0.5;               // counter resets
        if (h == 5 && t > 1200 && t < 1500) continue;  // a gap
        st.Add(l, t * kS + h, v);
      }
      if (h == 7) st.Add(l, 3601 * kS, model::kStaleNaN);
    }
    st.Add(L({{"__name__", "load"}, {"instance", "h" + std::to_string(h)}}), 100 * kS, h * 0.5);
  }
  const std::vector<std::string> queries = {
      "rate(cpu_total[5m])",
      "sum by (cpu) (rate(cpu_total[2m]))",
      "avg_over_time(cpu_total[10m])",
      "sum_over_time(cpu_total[3m]) / count_over_time(cpu_total[3m])",
      "topk(3, irate(cpu_total[1m]))",
      "cpu_total / on(instance) group_left load",
      "absent_over_time(cpu_total{instance=\"h7\"}[1m])",
      "max_over_time(rate(cpu_total[2m])[10m:1m])",
      "quantile_over_time(0.9, cpu_total[5m])",
      "timestamp(cpu_total)",
  };
  EngineOptions seq_opts;
  seq_opts.parallelism = 1;
  EngineOptions par_opts;
  par_opts.parallelism = 4;
  Engine seq(seq_opts), par(par_opts);
  for (size_t min_shard : {1, 2, 7}) {
    st.set_min_series_per_shard(min_shard);
    for (const std::string& q : queries) {
      auto a = seq.RangeQuery(st, q, 0, 3700 * kS, 45 * kS);
      auto b = par.RangeQuery(st, q, 0, 3700 * kS, 45 * kS);
      ASSERT_TRUE(a.ok()) << q << ": " << a.status().message();
      ASSERT_TRUE(b.ok()) << q << ": " << b.status().message();
      EXPECT_FALSE(a->matrix.empty()) << q;
      EXPECT_EQ(Render(*a), Render(*b)) << q << " min_shard " << min_shard;
      auto ia = seq.InstantQuery(st, q, 1800 * kS);
      auto ib = par.InstantQuery(st, q, 1800 * kS);
      ASSERT_TRUE(ia.ok() && ib.ok()) << q;
      EXPECT_EQ(Render(*ia), Render(*ib)) << q;
    }
  }
  // The sample limit holds across shards.
  EngineOptions tight = par_opts;
  tight.max_samples = 100;
  auto r = Engine(tight).RangeQuery(st, "rate(cpu_total[5m])", 0, 3600 * kS, 15 * kS);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), kTooManySamplesMsg);
}

}  // namespace
}  // namespace promql
