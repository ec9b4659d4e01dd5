// Pieces shared by the chunk encodings (internal to tsdb/).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "tsdb/bitstream.h"
#include "tsdb/sample_iterator.h"

namespace tsdb::internal {

// Varint written as whole 8-bit groups into the bit stream.
inline void WriteUvarintBits(BitWriter* w, uint64_t v) {
  while (v >= 0x80) {
    w->WriteBits((v & 0x7f) | 0x80, 8);
    v >>= 7;
  }
  w->WriteBits(v, 8);
}

inline bool ReadUvarintBits(BitReader* r, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    uint64_t byte;
    if (!r->ReadBits(8, &byte)) return false;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

// Delta-of-delta code (see chunk.h). Arithmetic wraps (two's complement), so
// any pair of int64 timestamps is representable.
inline void WriteDod(BitWriter* w, int64_t dod) {
  auto fits = [dod](int bits) {
    int64_t lo = -(int64_t{1} << (bits - 1)) + 1;
    int64_t hi = int64_t{1} << (bits - 1);
    return dod >= lo && dod <= hi;
  };
  uint64_t u = static_cast<uint64_t>(dod);
  if (dod == 0) {
    w->WriteBit(false);
  } else if (fits(14)) {
    w->WriteBits(0b10, 2);
    w->WriteBits(u & ((1ull << 14) - 1), 14);
  } else if (fits(17)) {
    w->WriteBits(0b110, 3);
    w->WriteBits(u & ((1ull << 17) - 1), 17);
  } else if (fits(20)) {
    w->WriteBits(0b1110, 4);
    w->WriteBits(u & ((1ull << 20) - 1), 20);
  } else {
    w->WriteBits(0b1111, 4);
    w->WriteBits(u, 64);
  }
}

inline bool ReadDod(BitReader* r, int64_t* dod) {
  int bits = 0;
  for (int i = 0; i < 4; ++i) {
    bool b;
    if (!r->ReadBit(&b)) return false;
    if (!b) break;
    ++bits;
  }
  static constexpr int kWidth[] = {0, 14, 17, 20, 64};
  int n = kWidth[bits];
  if (n == 0) {
    *dod = 0;
    return true;
  }
  uint64_t u;
  if (!r->ReadBits(n, &u)) return false;
  if (n < 64 && (u >> (n - 1)) != 0) {
    // Sign-extend; the positive bound 2^(n-1) is encoded as its own pattern.
    if (u == (1ull << (n - 1))) {
      *dod = static_cast<int64_t>(u);
      return true;
    }
    u |= ~((1ull << n) - 1);
  }
  *dod = static_cast<int64_t>(u);
  return true;
}

inline int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

// What the two chunk decoders (XorDecoder, DecimalDecoder) have in common:
//   explicit Decoder(std::string_view bytes);  // views bytes
//   bool Next();        // false at the end or on corruption
//   int64_t t;          // the current sample's time
//   double value() const;
//   bool corrupt;
// `what` names the encoding in error messages.

// A SampleIterator over a decoder; owns the chunk bytes the decoder views.
template <typename Decoder>
class DecoderIterator final : public SampleIterator {
 public:
  DecoderIterator(std::string bytes, const char* what)
      : bytes_(std::move(bytes)), dec_(bytes_), what_(what) {}

  bool Next() override {
    valid_ = dec_.Next();
    return valid_;
  }
  bool Seek(int64_t t) override {
    if (valid_ && dec_.t >= t) return true;
    while (Next()) {
      if (dec_.t >= t) return true;
    }
    return false;
  }
  std::pair<int64_t, double> At() const override { return {dec_.t, dec_.value()}; }
  common::Status status() const override {
    return dec_.corrupt
               ? common::Status::Corruption(std::string("tsdb: corrupt ") + what_ + " chunk")
               : common::Status::OK();
  }

 private:
  std::string bytes_;  // declared before dec_, which views it
  Decoder dec_;
  const char* what_;
  bool valid_ = false;
};

// Decodes the samples with mint <= t <= maxt straight into *out (the bulk
// read path: no virtual call per sample).
template <typename Decoder>
common::Status AppendDecoded(std::string_view bytes, int64_t mint, int64_t maxt, const char* what,
                             std::vector<std::pair<int64_t, double>>* out) {
  Decoder dec(bytes);
  while (dec.Next()) {
    if (dec.t < mint) continue;
    if (dec.t > maxt) break;
    out->emplace_back(dec.t, dec.value());
  }
  return dec.corrupt ? common::Status::Corruption(std::string("tsdb: corrupt ") + what + " chunk")
                     : common::Status::OK();
}

}  // namespace tsdb::internal
