// Fuzz target: the PromQL parser and engine. Properties: no crash or UB on
// any query text; a parsed query prints (String()) to text that parses back
// and prints the same; evaluating it over a small fixed store, as an instant
// and as a range query with tight limits, ends with a result or an error
// (never a crash, a hang beyond the timeout, or unbounded memory).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "model/labels.h"
#include "promql/engine.h"
#include "promql/memory_storage.h"
#include "promql/parser.h"

namespace {

promql::MemoryStorage& Store() {
  static promql::MemoryStorage* st = [] {
    auto* s = new promql::MemoryStorage();
    const char* jobs[] = {"api", "db"};
    for (int j = 0; j < 2; ++j) {
      for (int i = 0; i < 3; ++i) {
        model::Labels c({{"__name__", "c_total"}, {"job", jobs[j]}, {"i", std::to_string(i)}});
        model::Labels g({{"__name__", "g"}, {"job", jobs[j]}, {"i", std::to_string(i)}});
        model::Labels h({{"__name__", "h_bucket"},
                         {"job", jobs[j]},
                         {"le", i == 2 ? "+Inf" : std::to_string(i)}});
        for (int64_t t = 0; t <= 600; t += 15) {
          s->Add(c, t * 1000, static_cast<double>(t * (i + 1) % 500));
          s->Add(g, t * 1000, (t % 7) - 3.5 * i);
          s->Add(h, t * 1000, static_cast<double>(t * (i + 1)));
        }
      }
    }
    return s;
  }();
  return *st;
}

promql::EngineOptions Limits() {
  promql::EngineOptions o;
  o.max_samples = 200000;
  o.timeout_ms = 2000;
  o.parallelism = 1;
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // long inputs only slow the search down
  std::string_view query(reinterpret_cast<const char*>(data), size);
  auto e = promql::ParseExpr(query);
  if (!e.ok()) return 0;
  const std::string printed = (*e)->String();
  auto again = promql::ParseExpr(printed);
  if (!again.ok() || (*again)->String() != printed) std::abort();
  static const promql::Engine engine(Limits());
  (void)engine.InstantQueryExpr(Store(), **e, 300'000);
  (void)engine.RangeQueryExpr(Store(), **e, 0, 600'000, 60'000);
  return 0;
}
