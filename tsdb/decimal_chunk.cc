// kDecimal chunk encoding (sealed chunks only).
//
// Layout (bits MSB first):
//   u16 big-endian sample count
//   u8  scale k (values are m / 10^k, m an integer mantissa)
//   u8  flags: bit 0 = value codes are delta-of-delta (else delta)
//   u8  b: width of the short value code
//   varint(zigzag(t0)), varint(zigzag(m0)); if count > 1: varint(zigzag(lo)),
//   varint(g) where x_i (the delta or delta-of-delta of m) = lo + u_i * g
//   (lo = min x_i, g = gcd of x_i - lo: frame of reference and common factor,
//   e.g. 4096 for byte gauges counted in pages). Then per sample i >= 1 the
//   timestamp as in XOR (uvarint delta for i = 1, delta-of-delta codes after)
//   and the value code of u_i: '0' + b bits if u_i < 2^b, else '1' + 6 bits
//   L (64 stored as 0) + L bits.
// The encoder tries both value modes and every b, keeping the smallest.
#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <vector>

#include "common/coding.h"
#include "tsdb/chunk.h"
#include "tsdb/chunk_internal.h"

namespace tsdb {

namespace {

using internal::AppendDecoded;
using internal::DecoderIterator;
using internal::ReadDodUnchecked;
using internal::ReadUvarintBits;
using internal::WrapAdd;
using internal::WrapSub;
using internal::WriteDod;
using internal::WriteUvarintBits;

constexpr int kMaxScale = 9;
constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

// Converts v to m / 10^k exactly (bit-for-bit), or returns false.
bool ToMantissa(double v, int k, int64_t* m) {
  if (!std::isfinite(v)) return false;
  double scaled = v * kPow10[k];
  if (!(std::fabs(scaled) < 9007199254740992.0)) return false;  // 2^53
  // llround, inlined: |scaled| < 2^53, so the truncation and the remainder
  // are exact, and halves round away from zero as llround does.
  int64_t r = static_cast<int64_t>(scaled);
  double frac = scaled - static_cast<double>(r);
  r += (frac >= 0.5) - (frac <= -0.5);
  if (std::bit_cast<uint64_t>(static_cast<double>(r) / kPow10[k]) != std::bit_cast<uint64_t>(v)) {
    return false;
  }
  *m = r;
  return true;
}

int BitWidth(uint64_t z) { return 64 - std::countl_zero(z); }

// What stays fixed once the header and sample 0 are read.
struct DecimalCodec {
  int scale = 0;
  bool dod_mode = false;
  int b = 0;
  int need = 7;  // bits the window must hold before a value code (b <= 55)
  int64_t lo = 0;
  uint64_t gcd = 1;

  // m / 10^scale; the division is exact for scale 0 and skipped.
  double Value(int64_t m) const {
    return scale == 0 ? static_cast<double>(m) : static_cast<double>(m) / kPow10[scale];
  }

  // Reads a value code and maps it back to x, the delta (or delta-of-delta)
  // of m. Reads zero bits past the end (the caller checks r->overrun()).
  [[gnu::always_inline]] inline int64_t ReadX(BitReader* r) const {
    if (r->valid_bits() < need) r->Refill();
    const uint64_t w = r->window();
    uint64_t z;
    if ((w >> 63) == 0) {  // '0' + b bits
      if (b <= 55) [[likely]] {
        z = ((w << 1) >> 1) >> (63 - b);  // right for b = 0 too
        r->Skip(1 + b);
      } else {
        r->Skip(1);
        z = r->ReadBitsUnchecked(b);
      }
    } else {  // '1' + 6 bits L (64 stored as 0) + L bits
      int len = static_cast<int>((w >> 57) & 63);
      r->Skip(7);
      if (len == 0) len = 64;
      z = r->ReadBitsUnchecked(len);
    }
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + z * gcd);
  }
};

// Decodes sample i >= 2 into the state (zero bits past the end: the caller
// checks r->overrun()).
[[gnu::always_inline]] inline void DecodeDecimalSample(const DecimalCodec& c, BitReader* r,
                                                       int64_t* t, uint64_t* t_delta, int64_t* m,
                                                       int64_t* m_delta) {
  const int64_t dod = ReadDodUnchecked(r);
  *t_delta = static_cast<uint64_t>(WrapAdd(static_cast<int64_t>(*t_delta), dod));
  *t = WrapAdd(*t, static_cast<int64_t>(*t_delta));
  const int64_t x = c.ReadX(r);
  *m_delta = c.dod_mode ? WrapAdd(*m_delta, x) : x;
  *m = WrapAdd(*m, *m_delta);
}

// Decoder state; shared by the iterator and the bulk decoder.
struct DecimalDecoder {
  BitReader r;
  DecimalCodec c;
  int total = 0;
  int read = 0;
  int64_t t = 0;
  uint64_t t_delta = 0;
  int64_t m = 0;
  int64_t m_delta = 0;
  bool corrupt = false;

  explicit DecimalDecoder(std::string_view d) : r(d, 40) {
    if (d.size() < 5) {
      corrupt = true;
      return;
    }
    total = (static_cast<unsigned char>(d[0]) << 8) | static_cast<unsigned char>(d[1]);
    c.scale = static_cast<unsigned char>(d[2]);
    c.dod_mode = (d[3] & 1) != 0;
    c.b = static_cast<unsigned char>(d[4]);
    if (c.scale > kMaxScale || c.b > 64) corrupt = true;
    c.need = c.b <= 55 ? std::max(c.b + 1, 7) : 7;
  }

  double value() const { return c.Value(m); }

  // Decodes the next sample. Returns false at the end or on corruption.
  bool Next() {
    if (read >= 2 && read < total && !corrupt) [[likely]] {
      DecodeDecimalSample(c, &r, &t, &t_delta, &m, &m_delta);
      // Past the end the reader returned zero bits: a truncated sample.
      if (r.overrun()) [[unlikely]]
        return Fail();
      ++read;
      return true;
    }
    return NextSlow();
  }

  // The bulk loop (see internal::ForEachSample), instantiated per value mode
  // and for scale 0 (no division) so that those tests leave the loop.
  template <typename Sink>
  [[gnu::always_inline]] inline void Run(Sink&& sink) {
    if (corrupt) return;
    if (c.dod_mode) {
      if (c.scale == 0) return RunLoop<true, false>(sink);
      return RunLoop<true, true>(sink);
    }
    if (c.scale == 0) return RunLoop<false, false>(sink);
    return RunLoop<false, true>(sink);
  }

  // The state lives in locals for the loop: as members, every field would go
  // through memory, since the stores to the output might alias them as far as
  // the compiler knows.
  template <bool kDodMode, bool kScaled, typename Sink>
  void RunLoop(Sink& sink) {
    DecimalCodec codec = c;
    codec.dod_mode = kDodMode;
    const double divisor = kPow10[codec.scale];
    BitReader reader = r;
    int64_t lt = t, lm = m, lm_delta = m_delta;
    uint64_t lt_delta = t_delta;
    int left = total - read;
    bool bad = false;
    while (left > 0) {
      DecodeDecimalSample(codec, &reader, &lt, &lt_delta, &lm, &lm_delta);
      if (reader.overrun()) [[unlikely]] {
        bad = true;
        break;
      }
      --left;
      // m / 10^scale; dividing by 1 is exact, so scale 0 skips it.
      if (!sink(lt, kScaled ? static_cast<double>(lm) / divisor : static_cast<double>(lm))) break;
    }
    r = reader;
    t = lt;
    t_delta = lt_delta;
    m = lm;
    m_delta = lm_delta;
    read = total - left;
    corrupt = bad;
  }

  // Samples 0 and 1 (varint fields), the end, and corruption.
  bool NextSlow() {
    if (corrupt || read >= total) return false;
    if (read == 0) {
      uint64_t zt, zm;
      if (!ReadUvarintBits(&r, &zt) || !ReadUvarintBits(&r, &zm)) return Fail();
      t = common::ZigZagDecode(zt);
      m = common::ZigZagDecode(zm);
      if (total > 1) {
        uint64_t zlo;
        if (!ReadUvarintBits(&r, &zlo) || !ReadUvarintBits(&r, &c.gcd)) return Fail();
        c.lo = common::ZigZagDecode(zlo);
      }
    } else {  // read == 1
      if (!ReadUvarintBits(&r, &t_delta)) return Fail();
      t = WrapAdd(t, static_cast<int64_t>(t_delta));
      m_delta = c.ReadX(&r);  // the first value code is always a plain delta
      m = WrapAdd(m, m_delta);
      if (r.overrun()) return Fail();
    }
    ++read;
    return true;
  }
  bool Fail() {
    corrupt = true;
    return false;
  }
};

}  // namespace

bool EncodeDecimalChunk(const int64_t* ts, const double* vs, int n, std::string* out) {
  // Smallest common scale.
  int scale = 0;
  int scale_from = 0;  // m[i] for i >= scale_from is already at `scale`
  std::vector<int64_t> m(n);
  for (int i = 0; i < n; ++i) {
    while (!ToMantissa(vs[i], scale, &m[i])) {
      if (++scale > kMaxScale) return false;
      scale_from = i;
    }
  }
  for (int i = 0; i < scale_from; ++i) {
    if (!ToMantissa(vs[i], scale, &m[i])) return false;
  }
  // Value codes for both modes; pick the mode and width b with fewest bits.
  std::vector<uint64_t> codes[2];
  int64_t lo[2] = {0, 0};
  uint64_t gcd[2] = {1, 1};
  for (int mode = 0; mode < 2; ++mode) {
    std::vector<int64_t> xs;
    int64_t prev_delta = 0;
    for (int i = 1; i < n; ++i) {
      int64_t delta = WrapSub(m[i], m[i - 1]);
      xs.push_back((mode == 1 && i >= 2) ? WrapSub(delta, prev_delta) : delta);
      prev_delta = delta;
    }
    if (xs.empty()) continue;
    lo[mode] = *std::min_element(xs.begin(), xs.end());
    uint64_t g = 0;
    for (int64_t x : xs) {
      g = std::gcd(g, static_cast<uint64_t>(x) - static_cast<uint64_t>(lo[mode]));
      if (g == 1) break;  // the usual case; the remaining gcd steps cannot change it
    }
    gcd[mode] = g == 0 ? 1 : g;
    codes[mode].reserve(xs.size());
    for (int64_t x : xs) {
      uint64_t u = static_cast<uint64_t>(x) - static_cast<uint64_t>(lo[mode]);
      codes[mode].push_back(gcd[mode] == 1 ? u : u / gcd[mode]);  // skip the division
    }
  }
  //
  // A code's size depends only on its bit width w: 1 + b if w <= b, else
  // 1 + 6 + w. So a histogram of widths and running sums price every b in
  // O(65) instead of re-pricing every code for each b (which made sealing the
  // most expensive step of ingest).
  int best_mode = 0, best_b = 0;
  size_t best_bits = SIZE_MAX;
  for (int mode = 0; mode < 2; ++mode) {
    size_t count[65] = {};
    size_t long_bits = 0;  // bits of the codes wider than b, as long codes
    for (uint64_t z : codes[mode]) {
      int w = BitWidth(z);
      ++count[w];
      long_bits += 1 + 6 + static_cast<size_t>(w);
    }
    size_t short_count = 0;  // codes with width <= b
    for (int b = 0; b <= 64; ++b) {
      short_count += count[b];
      long_bits -= count[b] * (1 + 6 + static_cast<size_t>(b));
      size_t bits = short_count * (1 + static_cast<size_t>(b)) + long_bits;
      if (bits < best_bits) {
        best_bits = bits;
        best_mode = mode;
        best_b = b;
      }
    }
  }
  out->clear();
  out->push_back(static_cast<char>(n >> 8));
  out->push_back(static_cast<char>(n & 0xff));
  out->push_back(static_cast<char>(scale));
  out->push_back(static_cast<char>(best_mode));
  out->push_back(static_cast<char>(best_b));
  BitWriter w(out, 40);
  uint64_t t_delta = 0;
  for (int i = 0; i < n; ++i) {
    if (i == 0) {
      WriteUvarintBits(&w, common::ZigZagEncode(ts[0]));
      WriteUvarintBits(&w, common::ZigZagEncode(m[0]));
      if (n > 1) {
        WriteUvarintBits(&w, common::ZigZagEncode(lo[best_mode]));
        WriteUvarintBits(&w, gcd[best_mode]);
      }
      continue;
    }
    uint64_t delta = static_cast<uint64_t>(WrapSub(ts[i], ts[i - 1]));
    if (i == 1) {
      WriteUvarintBits(&w, delta);
    } else {
      WriteDod(&w, WrapSub(static_cast<int64_t>(delta), static_cast<int64_t>(t_delta)));
    }
    t_delta = delta;
    uint64_t z = codes[best_mode][i - 1];
    if (best_b < 64 && z >= (1ull << best_b)) {
      int len = BitWidth(z);
      w.WriteBit(true);
      w.WriteBits(static_cast<uint64_t>(len == 64 ? 0 : len), 6);
      w.WriteBits(z, len);
    } else {
      w.WriteBit(false);
      w.WriteBits(z, best_b);
    }
  }
  return true;
}

common::Status AppendChunkSamples(Encoding encoding, std::string_view bytes, int64_t mint,
                                  int64_t maxt, model::SampleVector* out) {
  if (encoding == Encoding::kDecimal) {
    return AppendDecoded<DecimalDecoder>(bytes, mint, maxt, "decimal", out);
  }
  return AppendXorSamples(bytes, mint, maxt, out);
}

std::unique_ptr<model::SampleIterator> NewChunkIterator(Encoding encoding, std::string bytes) {
  if (encoding == Encoding::kDecimal) {
    return std::make_unique<DecoderIterator<DecimalDecoder>>(std::move(bytes), "decimal");
  }
  return NewXorIterator(std::move(bytes));
}

std::pair<Encoding, std::string> EncodeSealedChunk(const XorChunk& chunk) {
  std::vector<int64_t> ts;
  std::vector<double> vs;
  ts.reserve(chunk.num_samples());
  vs.reserve(chunk.num_samples());
  auto it = NewXorIterator(chunk.bytes());
  while (it->Next()) {
    auto [t, v] = it->At();
    ts.push_back(t);
    vs.push_back(v);
  }
  std::string dec;
  if (!ts.empty() && EncodeDecimalChunk(ts.data(), vs.data(), static_cast<int>(ts.size()), &dec) &&
      dec.size() < chunk.bytes().size()) {
    return {Encoding::kDecimal, std::move(dec)};
  }
  return {Encoding::kXor, chunk.bytes()};
}

}  // namespace tsdb
