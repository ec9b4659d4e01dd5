// Fuzz target: the chunk decoders, which read bytes back from disk (a
// corrupted or truncated store must yield a Corruption error, never a crash
// or an unbounded allocation). The first byte picks the encoding and the
// query window. Properties: the iterator and the bulk decoder agree sample
// for sample (and on corruption); a chunk rebuilt with XorChunk::FromBytes
// re-encodes to samples equal to what it decoded, and can be appended to.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "model/sample.h"
#include "tsdb/chunk.h"

namespace {

bool Same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  const tsdb::Encoding enc = (data[0] & 1) ? tsdb::Encoding::kDecimal : tsdb::Encoding::kXor;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The iterator: every sample, or an error.
  std::vector<std::pair<int64_t, double>> all;
  auto it = tsdb::NewChunkIterator(enc, bytes);
  while (it->Next() && all.size() < (1u << 20)) all.push_back(it->At());
  const bool corrupt = !it->status().ok();
  // The bulk decoder over the whole range must see the same.
  model::SampleVector out;
  auto st = tsdb::AppendChunkSamples(enc, bytes, INT64_MIN, INT64_MAX, &out);
  if (st.ok() == corrupt) std::abort();
  if (out.size() != all.size()) std::abort();
  for (size_t i = 0; i < all.size(); ++i) {
    if (out[i].t != all[i].first || !Same(out[i].v, all[i].second)) std::abort();
  }
  // A window: the samples of `all` inside it, in order (decoding may stop at
  // the first sample past maxt).
  if (!all.empty() && !corrupt) {
    const int64_t mint = all[all.size() / 3].first, maxt = all[all.size() / 2].first;
    model::SampleVector win;
    (void)tsdb::AppendChunkSamples(enc, bytes, mint, maxt, &win);
    for (const auto& s : win) {
      if (s.t < mint || s.t > maxt) std::abort();
    }
  }
  if (enc == tsdb::Encoding::kXor) {
    auto c = tsdb::XorChunk::FromBytes(bytes);
    if (c.ok()) {
      if (corrupt || c->num_samples() != static_cast<int>(all.size())) std::abort();
      if (c->num_samples() > 0 && c->num_samples() < 65535 && c->max_time() < INT64_MAX - 1000) {
        c->Append(c->max_time() + 1000, 1.5);
        auto again = tsdb::NewChunkIterator(tsdb::Encoding::kXor, c->bytes());
        size_t n = 0;
        while (again->Next()) {
          if (n < all.size() &&
              (again->At().first != all[n].first || !Same(again->At().second, all[n].second))) {
            std::abort();
          }
          ++n;
        }
        if (!again->status().ok() || n != all.size() + 1) std::abort();
      }
    }
  }
  return 0;
}
