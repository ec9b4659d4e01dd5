#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "test_util.h"
#include "tsdb/chunk.h"

namespace tsdb {
namespace {

using testing::Bits;
using testing::Drain;
using testing::SameSamples;
using testing::Samples;

const double kStaleNaN = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
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
  Samples s{{0, kStaleNaN},
            {15, 1.5},
            {30, kStaleNaN},
            {45, kInf},
            {60, -kInf},
            {75, -0.0},
            {90, 0.0},
            {105, nan2},
            {120, std::numeric_limits<double>::denorm_min()},
            {135, -1e308},
            {150, std::numeric_limits<double>::quiet_NaN()},
            {165, kStaleNaN}};
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
  const double nan_vals[] = {1, kStaleNaN, 2};
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

}  // namespace
}  // namespace tsdb
