#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "common/coding.h"
#include "model/value.h"
#include "test_util.h"
#include "tsdb/bitstream.h"
#include "tsdb/chunk.h"

namespace tsdb {
namespace {

using testing::Bits;
using testing::Drain;
using testing::SameSamples;
using testing::Samples;
using testing::ToSamples;
using testing::ToSampleVector;

const double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

XorChunk Build(const Samples& s) {
  XorChunk c;
  for (auto [t, v] : s) c.Append(t, v);
  return c;
}

Samples DecodeXor(const std::string& bytes) {
  auto it = NewChunkIterator(Encoding::kXor, bytes);
  return Drain(it.get());
}

// Checks XOR round trip, appender rebuilt from bytes at every split point
// (continuing yields identical bytes), and the sealed encoding round trip.
void CheckRoundTrip(const Samples& s) {
  XorChunk c = Build(s);
  ASSERT_EQ(c.num_samples(), static_cast<int>(s.size()));
  ASSERT_TRUE(SameSamples(s, DecodeXor(c.bytes())));
  for (size_t split : {size_t{1}, s.size() / 2, s.size() - 1}) {
    if (split == 0 || split >= s.size()) continue;
    XorChunk head = Build(Samples(s.begin(), s.begin() + split));
    auto rebuilt = XorChunk::FromBytes(head.bytes());
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
    for (size_t i = split; i < s.size(); ++i) rebuilt->Append(s[i].first, s[i].second);
    ASSERT_EQ(rebuilt->bytes(), c.bytes()) << "split " << split;
  }
  auto [enc, bytes] = EncodeSealedChunk(c);
  auto it = NewChunkIterator(enc, bytes);
  ASSERT_TRUE(SameSamples(s, Drain(it.get()))) << "encoding " << static_cast<int>(enc);
}

TEST(tsdb_XorChunk, HandComputedBitLayout) {
  XorChunk c = Build({{1000, 1.0}, {1015, 1.0}, {1030, 2.0}});
  // count=3 | varint(zigzag 1000 = 2000) = D0 0F | 1.0 raw bits |
  // delta 15 = 0F | '0' (same value) | '0' (dod 0) |
  // '11' + leading 1 (00001) + 11 significant (001011) + 11111111111 | pad.
  const unsigned char want[] = {0x00, 0x03, 0xD0, 0x0F, 0x3F, 0xF0, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x0F, 0x30, 0x97, 0xFF, 0xC0};
  ASSERT_EQ(c.bytes().size(), sizeof(want));
  EXPECT_EQ(0, std::memcmp(c.bytes().data(), want, sizeof(want)));
}

TEST(tsdb_XorChunk, HandComputedDodBuckets) {
  // Deltas 10, 10, 11, 8203: dods 0, 1, 8192 (top of the 14-bit bucket).
  XorChunk c = Build({{0, 0}, {10, 0}, {20, 0}, {31, 0}, {8234, 0}});
  // count=5 | 00 | 64 zero bits | 0A | '0' | '0','0' | '10'+00000000000001,'0' |
  // '10'+10000000000000,'0'
  // bits after 0A: 000 | 10 00000000000001 0 | 10 10000000000000 0 | pad
  //   = 00010000 00000000 00101010 00000000 00000---
  const unsigned char want[] = {0x00, 0x05, 0x00, 0,    0,    0,    0,    0,   0,
                                0,    0,    0x0A, 0x10, 0x00, 0x2A, 0x00, 0x00};
  ASSERT_EQ(c.bytes().size(), sizeof(want));
  EXPECT_EQ(0, std::memcmp(c.bytes().data(), want, sizeof(want)));
  CheckRoundTrip({{0, 0}, {10, 0}, {20, 0}, {31, 0}, {8234, 0}});
}

TEST(tsdb_XorChunk, SingleSample) { CheckRoundTrip({{-5, -0.0}}); }

TEST(tsdb_XorChunk, AdversarialTimestamps) {
  CheckRoundTrip({{kMin, 1}, {kMin + 1, 2}, {0, 3}, {kMax - 1, 4}, {kMax, 5}});
  CheckRoundTrip({{-1000000, 1}, {-999985, 1}, {-999970, 1}, {-5, 1}, {0, 1}, {3, 1}});
  Samples gaps;
  int64_t t = -1;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 120; ++i) {
    t += 1 + static_cast<int64_t>(rng() % (i % 3 == 0 ? 1000000000000ull : 20));
    gaps.push_back({t, static_cast<double>(i)});
  }
  CheckRoundTrip(gaps);
  // Delta-of-delta at every bucket boundary.
  Samples b{{0, 0}, {100, 0}};
  int64_t delta = 100;
  for (int64_t dod : {int64_t{8192}, int64_t{-8191}, int64_t{8193}, int64_t{-8192}, int64_t{65536},
                      int64_t{-65535}, int64_t{65537}, int64_t{524288}, int64_t{-524287},
                      int64_t{524289}, int64_t{-524288}, int64_t{1} << 40}) {
    delta += dod;
    if (delta <= 0) delta = 1;
    b.push_back({b.back().first + delta, 0});
  }
  CheckRoundTrip(b);
}

TEST(tsdb_XorChunk, SpecialValuesAreBitExact) {
  const double nan2 = std::bit_cast<double>(uint64_t{0xfff8000000000001});
  Samples s{{0, model::kStaleNaN},
            {15, 1.5},
            {30, model::kStaleNaN},
            {45, kInf},
            {60, -kInf},
            {75, -0.0},
            {90, 0.0},
            {105, nan2},
            {120, std::numeric_limits<double>::denorm_min()},
            {135, -1e308},
            {150, std::numeric_limits<double>::quiet_NaN()},
            {165, model::kStaleNaN}};
  CheckRoundTrip(s);
  auto got = DecodeXor(Build(s).bytes());
  EXPECT_EQ(Bits(got[0].second), 0x7ff0000000000002u);
  EXPECT_EQ(Bits(got[5].second), 0x8000000000000000u);
}

TEST(tsdb_XorChunk, ConstantSeriesIsTiny) {
  Samples s;
  for (int i = 0; i < 120; ++i) s.push_back({1700000000000 + 15000 * i, 42.0});
  CheckRoundTrip(s);
  // 2 + 6 (t0) + 8 (v0) + 2 (delta) + 1 bit + 118 * 2 bits -> 34 bytes.
  EXPECT_EQ(Build(s).bytes().size(), 2u + 6 + 8 + 2 + (1 + 118 * 2 + 7) / 8);
}

TEST(tsdb_XorChunk, RandomRoundTrips) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 200; ++round) {
    Samples s;
    int n = 1 + static_cast<int>(rng() % 300);
    int64_t t = static_cast<int64_t>(rng()) >> (rng() % 64);
    double v = 0;
    int kind = round % 5;
    for (int i = 0; i < n; ++i) {
      t += static_cast<int64_t>(rng() % (kind == 0 ? 3 : 30000)) + 1;
      switch (kind) {
        case 0:
          v = std::bit_cast<double>(rng());
          break;  // any bits
        case 1:
          v += static_cast<double>(rng() % 1000);
          break;  // counter
        case 2:
          v = std::round((v + (static_cast<double>(rng() % 200) - 100) / 100.0) * 100) / 100;
          break;
        case 3:
          v = static_cast<double>(rng() % 4);
          break;  // enum-like
        case 4:
          v = std::ldexp(static_cast<double>(rng() % 1000), static_cast<int>(rng() % 200) - 100);
          break;
      }
      s.push_back({t, v});
    }
    CheckRoundTrip(s);
  }
}

TEST(tsdb_XorChunk, SeekIsNoOpWhenAtOrPast) {
  Samples s{{10, 1}, {20, 2}, {30, 3}};
  auto it = NewChunkIterator(Encoding::kXor, Build(s).bytes());
  ASSERT_TRUE(it->Seek(15));
  EXPECT_EQ(it->At().first, 20);
  ASSERT_TRUE(it->Seek(5));  // already past: stays
  EXPECT_EQ(it->At().first, 20);
  ASSERT_TRUE(it->Seek(30));
  EXPECT_EQ(it->At().first, 30);
  EXPECT_FALSE(it->Seek(31));
}

TEST(tsdb_XorChunk, TruncatedChunkIsCorruption) {
  Samples s;
  for (int i = 0; i < 50; ++i) s.push_back({i * 1000, i * 0.37});
  std::string bytes = Build(s).bytes();
  bytes.resize(bytes.size() / 2);
  auto it = NewChunkIterator(Encoding::kXor, bytes);
  int n = 0;
  while (it->Next()) ++n;
  EXPECT_LT(n, 50);
  EXPECT_TRUE(it->status().IsCorruption());
  EXPECT_FALSE(XorChunk::FromBytes(bytes).ok());
}

TEST(tsdb_DecimalChunk, TwoDecimalRandomWalkPicksDecimalAndIsSmaller) {
  std::mt19937_64 rng(3);
  Samples s;
  double v = 100;
  for (int i = 0; i < 120; ++i) {
    v = std::round((v + (static_cast<double>(rng() % 201) - 100) / 100.0) * 100) / 100;
    s.push_back({1700000000000 + 15000 * i, v});
  }
  XorChunk c = Build(s);
  auto [enc, bytes] = EncodeSealedChunk(c);
  EXPECT_EQ(enc, Encoding::kDecimal);
  EXPECT_LT(bytes.size(), c.bytes().size() / 2);
  auto it = NewChunkIterator(enc, bytes);
  EXPECT_TRUE(SameSamples(s, Drain(it.get())));
}

TEST(tsdb_DecimalChunk, RejectsNonDecimals) {
  const int64_t ts[] = {1, 2, 3};
  std::string out;
  const double nan_vals[] = {1, model::kStaleNaN, 2};
  EXPECT_FALSE(EncodeDecimalChunk(ts, nan_vals, 3, &out));
  const double neg_zero[] = {1, -0.0, 2};
  EXPECT_FALSE(EncodeDecimalChunk(ts, neg_zero, 3, &out));
  const double third[] = {1.0 / 3, 1, 2};
  EXPECT_FALSE(EncodeDecimalChunk(ts, third, 3, &out));
  const double ok[] = {0.1, 0.2, 0.3};
  EXPECT_TRUE(EncodeDecimalChunk(ts, ok, 3, &out));
  // Layout: count 3, scale 1, then flags and width.
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 3);
  EXPECT_EQ(out[2], 1);
}

TEST(tsdb_DecimalChunk, CounterUsesFewBitsPerSample) {
  Samples s;
  for (int i = 0; i < 120; ++i) s.push_back({15000LL * i, 1234567.0 + 10.0 * i});
  auto [enc, bytes] = EncodeSealedChunk(Build(s));
  EXPECT_EQ(enc, Encoding::kDecimal);
  // 5 header + t0 (1) + m0 varint (4: zigzag 2469134) + lo = 10 (1) + gcd (1) + delta 15000
  // (2), then bits: '0' code for sample 1 and 118 x ('0' dod + '0' code).
  EXPECT_EQ(bytes.size(), 5u + 1 + 4 + 1 + 1 + 2 + (1 + 118 * 2 + 7) / 8);
}

TEST(tsdb_DecimalChunk, PageMultipleGaugeUsesCommonFactor) {
  std::mt19937_64 rng(5);
  Samples s;
  int64_t pages = 2 << 20;
  for (int i = 0; i < 120; ++i) {
    pages += static_cast<int64_t>(rng() % 201) - 100;
    s.push_back({15000LL * i, static_cast<double>(pages * 4096)});
  }
  auto [enc, bytes] = EncodeSealedChunk(Build(s));
  EXPECT_EQ(enc, Encoding::kDecimal);
  // ~8 bits per value code (range 200) + 1 bit per timestamp; without the
  // common factor it would be ~20 bits per value.
  EXPECT_LE(bytes.size(), 5u + 20 + (119 * 10 + 7) / 8);
  auto it = NewChunkIterator(enc, bytes);
  EXPECT_TRUE(SameSamples(s, Drain(it.get())));
}

// ---------------------------------------------------------------------------
// Reference decoders: the straightforward bit-at-a-time decoders the chunk
// code used before the windowed BitReader (every read bounds checked, no
// look-ahead). The production decoders must match them sample for sample and
// in where they report corruption, on valid, truncated and garbled bytes.
namespace legacy {

class Reader {
 public:
  explicit Reader(std::string_view d, uint64_t pos) : d_(d), pos_(pos) {}
  bool Bits(int n, uint64_t* v) {
    if (pos_ + static_cast<uint64_t>(n) > d_.size() * 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < n; ++i, ++pos_) {
      r = (r << 1) | ((static_cast<unsigned char>(d_[pos_ / 8]) >> (7 - pos_ % 8)) & 1);
    }
    *v = r;
    return true;
  }

 private:
  std::string_view d_;
  uint64_t pos_;
};

bool Uvarint(Reader* r, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    uint64_t byte;
    if (!r->Bits(8, &byte)) return false;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool Dod(Reader* r, int64_t* dod) {
  int bits = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t b;
    if (!r->Bits(1, &b)) return false;
    if (b == 0) break;
    ++bits;
  }
  static constexpr int kWidth[] = {0, 14, 17, 20, 64};
  const int n = kWidth[bits];
  uint64_t u = 0;
  if (n > 0 && !r->Bits(n, &u)) return false;
  if (n > 0 && n < 64 && (u >> (n - 1)) != 0 && u != (1ull << (n - 1))) u |= ~((1ull << n) - 1);
  *dod = static_cast<int64_t>(u);
  return true;
}

uint64_t Add(uint64_t a, uint64_t b) { return a + b; }

// The timestamp of sample i >= 1, as both encodings store it: a uvarint
// delta for sample 1, delta-of-delta codes after.
bool NextTime(Reader* r, int i, uint64_t* t, uint64_t* delta) {
  if (i == 1) {
    if (!Uvarint(r, delta)) return false;
  } else {
    int64_t dod;
    if (!Dod(r, &dod)) return false;
    *delta = Add(*delta, static_cast<uint64_t>(dod));
  }
  *t = Add(*t, *delta);
  return true;
}

// All samples until the end or corruption; *corrupt tells which.
Samples DecodeXor(std::string_view d, bool* corrupt) {
  Samples out;
  *corrupt = true;
  if (d.size() < 2) return out;
  const int total = (static_cast<unsigned char>(d[0]) << 8) | static_cast<unsigned char>(d[1]);
  Reader r(d, 16);
  uint64_t t = 0, delta = 0, v = 0;
  int leading = -1, trailing = 0;
  for (int i = 0; i < total; ++i) {
    if (i == 0) {
      uint64_t zz;
      if (!Uvarint(&r, &zz) || !r.Bits(64, &v)) return out;
      t = static_cast<uint64_t>(common::ZigZagDecode(zz));
      out.push_back({static_cast<int64_t>(t), std::bit_cast<double>(v)});
      continue;
    }
    if (!NextTime(&r, i, &t, &delta)) return out;
    uint64_t b;
    if (!r.Bits(1, &b)) return out;
    if (b != 0) {
      if (!r.Bits(1, &b)) return out;
      if (b != 0) {
        uint64_t lead, sig;
        if (!r.Bits(5, &lead) || !r.Bits(6, &sig)) return out;
        if (sig == 0) sig = 64;
        if (lead + sig > 64) return out;
        leading = static_cast<int>(lead);
        trailing = static_cast<int>(64 - lead - sig);
      } else if (leading < 0) {
        return out;
      }
      uint64_t bits;
      if (!r.Bits(64 - leading - trailing, &bits)) return out;
      v ^= bits << trailing;
    }
    out.push_back({static_cast<int64_t>(t), std::bit_cast<double>(v)});
  }
  *corrupt = false;
  return out;
}

Samples DecodeDecimal(std::string_view d, bool* corrupt) {
  static constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  Samples out;
  *corrupt = true;
  if (d.size() < 5) return out;
  const int total = (static_cast<unsigned char>(d[0]) << 8) | static_cast<unsigned char>(d[1]);
  const int scale = static_cast<unsigned char>(d[2]);
  const bool dod_mode = (d[3] & 1) != 0;
  const int b = static_cast<unsigned char>(d[4]);
  if (scale > 9 || b > 64) return out;
  Reader r(d, 40);
  uint64_t t = 0, delta = 0, m = 0, m_delta = 0, lo = 0, gcd = 1;
  for (int i = 0; i < total; ++i) {
    if (i == 0) {
      uint64_t zt, zm;
      if (!Uvarint(&r, &zt) || !Uvarint(&r, &zm)) return out;
      t = static_cast<uint64_t>(common::ZigZagDecode(zt));
      m = static_cast<uint64_t>(common::ZigZagDecode(zm));
      if (total > 1) {
        uint64_t zlo;
        if (!Uvarint(&r, &zlo) || !Uvarint(&r, &gcd)) return out;
        lo = static_cast<uint64_t>(common::ZigZagDecode(zlo));
      }
    } else {
      if (!NextTime(&r, i, &t, &delta)) return out;
      uint64_t long_code, z;
      if (!r.Bits(1, &long_code)) return out;
      if (long_code != 0) {
        uint64_t len;
        if (!r.Bits(6, &len)) return out;
        if (len == 0) len = 64;
        if (!r.Bits(static_cast<int>(len), &z)) return out;
      } else if (!r.Bits(b, &z)) {
        return out;
      }
      const uint64_t x = lo + z * gcd;
      m_delta = (dod_mode && i >= 2) ? m_delta + x : x;
      m = Add(m, m_delta);
    }
    out.push_back(
        {static_cast<int64_t>(t), static_cast<double>(static_cast<int64_t>(m)) / kPow10[scale]});
  }
  *corrupt = false;
  return out;
}

// What the bulk decoder must produce: skip t < mint, stop at the first
// t > maxt (a later corruption then goes unnoticed).
Samples Filter(const Samples& all, bool corrupt, int64_t mint, int64_t maxt, bool* corrupt_out) {
  Samples out;
  for (auto [t, v] : all) {
    if (t < mint) continue;
    if (t > maxt) {
      *corrupt_out = false;
      return out;
    }
    out.push_back({t, v});
  }
  *corrupt_out = corrupt;
  return out;
}

}  // namespace legacy

// Checks iterator and bulk decoding of `bytes` against the reference.
void CheckAgainstLegacy(Encoding enc, const std::string& bytes, const std::string& what) {
  SCOPED_TRACE(what);
  bool want_corrupt;
  const Samples want = enc == Encoding::kXor ? legacy::DecodeXor(bytes, &want_corrupt)
                                             : legacy::DecodeDecimal(bytes, &want_corrupt);
  auto it = NewChunkIterator(enc, bytes);
  Samples got;
  while (it->Next()) got.push_back(it->At());
  ASSERT_TRUE(SameSamples(want, got)) << "iterator";
  ASSERT_EQ(want_corrupt, it->status().IsCorruption()) << "iterator";
  ASSERT_TRUE(want_corrupt || it->status().ok());
  if (enc == Encoding::kXor) {
    ASSERT_EQ(want_corrupt, !XorChunk::FromBytes(bytes).ok());
  }
  std::vector<std::pair<int64_t, int64_t>> ranges = {
      {kMin, kMax}, {kMin, kMin}, {kMax, kMax}, {5, 4}, {kMax, kMin}};
  if (!want.empty()) {
    const int64_t t0 = want.front().first, t1 = want.back().first;
    const int64_t mid = want[want.size() / 2].first;
    ranges.insert(ranges.end(), {{t0, t1}, {t0, mid}, {mid, t1}, {mid, mid}, {mid + 1, mid}});
  }
  for (auto [mint, maxt] : ranges) {
    bool want_bulk_corrupt;
    Samples want_bulk = legacy::Filter(want, want_corrupt, mint, maxt, &want_bulk_corrupt);
    const Samples prefix = {{-1, 0.5}, {-2, 0.25}};  // existing contents stay
    model::SampleVector out = ToSampleVector(prefix);
    common::Status st = AppendChunkSamples(enc, bytes, mint, maxt, &out);
    want_bulk.insert(want_bulk.begin(), prefix.begin(), prefix.end());
    ASSERT_TRUE(SameSamples(want_bulk, ToSamples(out))) << "bulk [" << mint << ", " << maxt << "]";
    ASSERT_EQ(want_bulk_corrupt, st.IsCorruption()) << "bulk [" << mint << ", " << maxt << "]";
    ASSERT_TRUE(want_bulk_corrupt || st.ok());
  }
}

// Every truncation, and bit flips (all of them for short chunks).
void CheckDamagedAgainstLegacy(Encoding enc, const std::string& bytes, std::mt19937_64* rng) {
  CheckAgainstLegacy(enc, bytes, "intact");
  for (size_t len = 0; len < bytes.size(); ++len) {
    CheckAgainstLegacy(enc, bytes.substr(0, len), "truncated to " + std::to_string(len));
    if (::testing::Test::HasFatalFailure()) return;
  }
  const size_t bits = bytes.size() * 8;
  const size_t flips = bits <= 2048 ? bits : 512;
  for (size_t i = 0; i < flips; ++i) {
    const size_t bit = bits <= 2048 ? i : (*rng)() % bits;
    std::string damaged = bytes;
    damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (0x80 >> (bit % 8)));
    CheckAgainstLegacy(enc, damaged, "bit " + std::to_string(bit) + " flipped");
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// A syntactically valid decimal chunk with random fields: any scale, mode and
// width b (including b > 55, which the encoder rarely picks), long codes of
// every length and all delta-of-delta buckets, so that every decoder path
// (including the split reads of more than 56 bits) is exercised.
std::string RandomDecimalChunk(std::mt19937_64* rng, int n) {
  auto& g = *rng;
  std::string out;
  const int b = static_cast<int>(g() % 65);
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n & 0xff));
  out.push_back(static_cast<char>(g() % 10));
  out.push_back(static_cast<char>(g() % 2));
  out.push_back(static_cast<char>(b));
  BitWriter w(&out, 40);
  auto uvarint = [&w](uint64_t v) {
    while (v >= 0x80) {
      w.WriteBits((v & 0x7f) | 0x80, 8);
      v >>= 7;
    }
    w.WriteBits(v, 8);
  };
  auto any = [&g]() { return g() >> (g() % 64); };
  uvarint(any());
  uvarint(any());
  if (n > 1) {
    uvarint(any());
    uvarint(any());
  }
  for (int i = 1; i < n; ++i) {
    if (i == 1) {
      uvarint(any());
    } else {
      static constexpr int kPrefixLen[] = {1, 2, 3, 4, 4};
      static constexpr uint64_t kPrefix[] = {0, 0b10, 0b110, 0b1110, 0b1111};
      static constexpr int kWidth[] = {0, 14, 17, 20, 64};
      const int bucket = static_cast<int>(g() % 8 < 4 ? 0 : g() % 5);
      w.WriteBits(kPrefix[bucket], kPrefixLen[bucket]);
      w.WriteBits(g(), kWidth[bucket]);
    }
    if (g() % 4 == 0) {
      const int len = 1 + static_cast<int>(g() % 64);
      w.WriteBit(true);
      w.WriteBits(static_cast<uint64_t>(len == 64 ? 0 : len), 6);
      w.WriteBits(g(), len);
    } else {
      w.WriteBit(false);
      w.WriteBits(g(), b);
    }
  }
  return out;
}

TEST(tsdb_ChunkDecode, MatchesReferenceOnEncodedChunksAndDamage) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 40; ++round) {
    Samples s;
    const int n =
        round < 5 ? round + 1 : (round % 3 == 0 ? 120 : 1 + static_cast<int>(rng() % 200));
    int64_t t = 1700000000000LL + static_cast<int64_t>(rng() % 100000);
    double v = 100;
    for (int i = 0; i < n; ++i) {
      // Wrapping arithmetic (big random gaps overflow int64 on purpose), and
      // shifts of 1..63: UBSan flagged the old shift by 64 and the signed
      // overflow.
      const uint64_t gap = round % 4 == 0 ? (rng() >> (rng() % 63 + 1)) + 1
                                          : 15000 + static_cast<uint64_t>(rng() % 9) - 4;
      t = static_cast<int64_t>(static_cast<uint64_t>(t) + gap);
      switch (round % 4) {
        case 0:
          v = std::bit_cast<double>(rng());
          break;
        case 1:
          v += static_cast<double>(rng() % 100000);
          break;
        case 2:
          v = std::round((v + (static_cast<double>(rng() % 201) - 100) / 100.0) * 100) / 100;
          break;
        case 3:
          v = static_cast<double>(rng() % 1000) / 7.0;
          break;
      }
      s.push_back({t, v});
    }
    XorChunk c = Build(s);
    CheckDamagedAgainstLegacy(Encoding::kXor, c.bytes(), &rng);
    if (HasFatalFailure()) return;
    auto [enc, bytes] = EncodeSealedChunk(c);
    if (enc == Encoding::kDecimal) {
      CheckDamagedAgainstLegacy(enc, bytes, &rng);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(tsdb_ChunkDecode, MatchesReferenceOnRandomDecimalLayouts) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 150; ++round) {
    const int n = 1 + static_cast<int>(rng() % (round < 100 ? 12 : 130));
    CheckDamagedAgainstLegacy(Encoding::kDecimal, RandomDecimalChunk(&rng, n), &rng);
    if (HasFatalFailure()) return;
  }
}

TEST(tsdb_ChunkDecode, MatchesReferenceOnGarbage) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 3000; ++round) {
    std::string bytes(static_cast<size_t>(rng() % 64), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (bytes.size() >= 2 && round % 2 == 0) bytes[0] = 0;  // plausible counts
    // Header fields the decimal decoder accepts, most of the time.
    if (bytes.size() >= 5 && round % 3 != 0) {
      bytes[2] = static_cast<char>(rng() % 10);
      bytes[4] = static_cast<char>(rng() % 65);
    }
    CheckAgainstLegacy(Encoding::kXor, bytes, "xor garbage " + std::to_string(round));
    CheckAgainstLegacy(Encoding::kDecimal, bytes, "decimal garbage " + std::to_string(round));
    if (HasFatalFailure()) return;
  }
}

TEST(tsdb_ChunkDecode, CountBeyondDataIsCorruption) {
  Samples s;
  for (int i = 0; i < 120; ++i) s.push_back({15000LL * i, 10.0 * i});
  for (Encoding enc : {Encoding::kXor, Encoding::kDecimal}) {
    XorChunk c = Build(s);
    std::string bytes = enc == Encoding::kXor ? c.bytes() : EncodeSealedChunk(c).second;
    bytes[0] = static_cast<char>(0xff);  // 65000+ samples claimed
    model::SampleVector out;
    EXPECT_TRUE(AppendChunkSamples(enc, bytes, kMin, kMax, &out).IsCorruption());
    EXPECT_GE(out.size(), 120u);  // the real ones, then zero bits until the data ran out
    EXPECT_LT(out.size(), 120u + bytes.size() * 4);
    CheckAgainstLegacy(enc, bytes, "count 0xff..");
  }
}

}  // namespace
}  // namespace tsdb
