// Helpers shared by the tsdb tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "model/sample.h"
#include "tsdb/db.h"

namespace tsdb::testing {

// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tsdb_test_XXXXXX";
    char* p = mkdtemp(tmpl);
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

using Samples = std::vector<std::pair<int64_t, double>>;

// Conversions to and from the bulk read path's buffer type.
inline model::SampleVector ToSampleVector(const Samples& s) {
  model::SampleVector out;
  for (auto [t, v] : s) out.push_back({t, v});
  return out;
}
inline Samples ToSamples(const model::SampleVector& s) {
  Samples out;
  for (auto [t, v] : s) out.push_back({t, v});
  return out;
}

inline uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// Drains an iterator; fails the test on a bad status.
inline Samples Drain(model::SampleIterator* it) {
  Samples out;
  while (it->Next()) out.push_back(it->At());
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

// Bit-exact comparison of sample lists with a readable failure message.
inline ::testing::AssertionResult SameSamples(const Samples& want, const Samples& got) {
  if (want.size() != got.size()) {
    return ::testing::AssertionFailure() << "size " << got.size() << ", want " << want.size();
  }
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].first != got[i].first || Bits(want[i].second) != Bits(got[i].second)) {
      return ::testing::AssertionFailure()
             << "sample " << i << ": got (" << got[i].first << ", " << got[i].second << "), want ("
             << want[i].first << ", " << want[i].second << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

// Every series matching `matchers` in [mint, maxt] as (labels string, samples).
inline std::vector<std::pair<std::string, Samples>> Query(DB* db,
                                                          const std::vector<Matcher>& matchers,
                                                          int64_t mint, int64_t maxt) {
  std::vector<std::pair<std::string, Samples>> out;
  auto q = db->NewQuerier(mint, maxt);
  auto set = q->Select(matchers);
  while (set->Next()) {
    auto it = set->NewIterator();
    out.emplace_back(set->labels().ToString(), Drain(it.get()));
  }
  EXPECT_TRUE(set->status().ok()) << set->status().ToString();
  return out;
}

inline Matcher Eq(std::string n, std::string v) {
  return Matcher::MustMake(Matcher::Type::kEqual, std::move(n), std::move(v));
}
inline Matcher Neq(std::string n, std::string v) {
  return Matcher::MustMake(Matcher::Type::kNotEqual, std::move(n), std::move(v));
}
inline Matcher Re(std::string n, std::string v) {
  return Matcher::MustMake(Matcher::Type::kRegexMatch, std::move(n), std::move(v));
}
inline Matcher Nre(std::string n, std::string v) {
  return Matcher::MustMake(Matcher::Type::kRegexNoMatch, std::move(n), std::move(v));
}

inline Options TestOptions() {
  Options o;
  o.maintenance_interval_ms = 0;
  o.block_cache_bytes = 8 << 20;
  o.max_samples_per_chunk = 120;  // the tests' chunk arithmetic assumes it
  return o;
}

}  // namespace tsdb::testing
