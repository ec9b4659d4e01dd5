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

std::unique_ptr<SampleIterator> NewXorIterator(std::string bytes);  // xor_chunk.cc

namespace {

using internal::ReadDod;
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
  int64_t r = std::llround(scaled);
  if (std::bit_cast<uint64_t>(static_cast<double>(r) / kPow10[k]) != std::bit_cast<uint64_t>(v)) {
    return false;
  }
  *m = r;
  return true;
}

int BitWidth(uint64_t z) { return 64 - std::countl_zero(z); }

size_t CodeBits(uint64_t z, int b) {
  // '1' + 6-bit length + payload, or '0' + b bits.
  return (b < 64 && z >= (1ull << b)) ? 1 + 6 + BitWidth(z) : 1 + b;
}

class DecimalIterator final : public SampleIterator {
 public:
  explicit DecimalIterator(std::string bytes) : bytes_(std::move(bytes)), r_(bytes_, 40) {
    if (bytes_.size() < 5) {
      corrupt_ = true;
      return;
    }
    total_ = (static_cast<unsigned char>(bytes_[0]) << 8) | static_cast<unsigned char>(bytes_[1]);
    scale_ = static_cast<unsigned char>(bytes_[2]);
    dod_mode_ = (bytes_[3] & 1) != 0;
    b_ = static_cast<unsigned char>(bytes_[4]);
    if (scale_ > kMaxScale || b_ > 64) corrupt_ = true;
  }

  bool Next() override {
    valid_ = Decode();
    return valid_;
  }
  bool Seek(int64_t t) override {
    if (valid_ && t_ >= t) return true;
    while (Next()) {
      if (t_ >= t) return true;
    }
    return false;
  }
  std::pair<int64_t, double> At() const override {
    return {t_, static_cast<double>(m_) / kPow10[scale_]};
  }
  common::Status status() const override {
    return corrupt_ ? common::Status::Corruption("tsdb: corrupt decimal chunk")
                    : common::Status::OK();
  }

 private:
  bool Decode() {
    if (corrupt_ || read_ >= total_) return false;
    if (read_ == 0) {
      uint64_t zt, zm;
      if (!ReadUvarintBits(&r_, &zt) || !ReadUvarintBits(&r_, &zm)) return Fail();
      t_ = common::ZigZagDecode(zt);
      m_ = common::ZigZagDecode(zm);
      if (total_ > 1) {
        uint64_t zlo;
        if (!ReadUvarintBits(&r_, &zlo) || !ReadUvarintBits(&r_, &gcd_)) return Fail();
        lo_ = common::ZigZagDecode(zlo);
      }
    } else {
      if (read_ == 1) {
        if (!ReadUvarintBits(&r_, &t_delta_)) return Fail();
      } else {
        int64_t dod;
        if (!ReadDod(&r_, &dod)) return Fail();
        t_delta_ = static_cast<uint64_t>(WrapAdd(static_cast<int64_t>(t_delta_), dod));
      }
      t_ = WrapAdd(t_, static_cast<int64_t>(t_delta_));
      bool long_code;
      uint64_t z;
      if (!r_.ReadBit(&long_code)) return Fail();
      if (long_code) {
        uint64_t len;
        if (!r_.ReadBits(6, &len)) return Fail();
        if (len == 0) len = 64;
        if (!r_.ReadBits(static_cast<int>(len), &z)) return Fail();
      } else if (!r_.ReadBits(b_, &z)) {
        return Fail();
      }
      int64_t x = static_cast<int64_t>(static_cast<uint64_t>(lo_) + z * gcd_);
      if (dod_mode_ && read_ >= 2) {
        m_delta_ = WrapAdd(m_delta_, x);
      } else {
        m_delta_ = x;
      }
      m_ = WrapAdd(m_, m_delta_);
    }
    ++read_;
    return true;
  }
  bool Fail() {
    corrupt_ = true;
    return false;
  }

  std::string bytes_;  // declared before r_, which views it
  BitReader r_;
  int total_ = 0;
  int read_ = 0;
  int scale_ = 0;
  bool dod_mode_ = false;
  int b_ = 0;
  int64_t t_ = 0;
  uint64_t t_delta_ = 0;
  int64_t m_ = 0;
  int64_t m_delta_ = 0;
  int64_t lo_ = 0;
  uint64_t gcd_ = 1;
  bool valid_ = false;
  bool corrupt_ = false;
};

}  // namespace

bool EncodeDecimalChunk(const int64_t* ts, const double* vs, int n, std::string* out) {
  // Smallest common scale.
  int scale = 0;
  std::vector<int64_t> m(n);
  for (int i = 0; i < n; ++i) {
    while (!ToMantissa(vs[i], scale, &m[i])) {
      if (++scale > kMaxScale) return false;
    }
  }
  for (int i = 0; i < n; ++i) {
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
    for (int64_t x : xs)
      g = std::gcd(g, static_cast<uint64_t>(x) - static_cast<uint64_t>(lo[mode]));
    gcd[mode] = g == 0 ? 1 : g;
    for (int64_t x : xs) {
      codes[mode].push_back((static_cast<uint64_t>(x) - static_cast<uint64_t>(lo[mode])) /
                            gcd[mode]);
    }
  }
  int best_mode = 0, best_b = 0;
  size_t best_bits = SIZE_MAX;
  for (int mode = 0; mode < 2; ++mode) {
    for (int b = 0; b <= 64; ++b) {
      size_t bits = 0;
      for (uint64_t z : codes[mode]) bits += CodeBits(z, b);
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

std::unique_ptr<SampleIterator> NewChunkIterator(Encoding encoding, std::string bytes) {
  if (encoding == Encoding::kDecimal) return std::make_unique<DecimalIterator>(std::move(bytes));
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
