// Pieces shared by the chunk encodings (internal to tsdb/).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/sample_iterator.h"
#include "tsdb/bitstream.h"

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

// Reads a delta-of-delta code; past the end of the data it reads zero bits
// (the caller checks r->overrun()).
[[gnu::always_inline]] inline int64_t ReadDodUnchecked(BitReader* r) {
  if (r->valid_bits() < 24) r->Refill();  // the longest short code is 4 + 20 bits
  const uint64_t w = r->window();
  if ((w >> 63) == 0) {  // '0': the usual case
    r->Skip(1);
    return 0;
  }
  const int ones = std::countl_one(w);  // >= 1
  if (ones >= 4) {
    r->Skip(4);
    return static_cast<int64_t>(r->ReadBitsUnchecked(64));
  }
  // '10' + 14 bits, '110' + 17 bits, '1110' + 20 bits: at most 24 bits,
  // all within the window.
  const int n = 11 + 3 * ones;
  const int prefix = ones + 1;
  const uint64_t u = (w << prefix) >> (64 - n);
  r->Skip(prefix + n);
  // Sign-extend; the positive bound 2^(n-1) is encoded as its own pattern.
  const int64_t extended = static_cast<int64_t>(u << (64 - n)) >> (64 - n);
  return u == (uint64_t{1} << (n - 1)) ? static_cast<int64_t>(u) : extended;
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
//   int read;           // samples decoded so far
//   bool NextSlow();    // Next() for samples 0 and 1 (varint fields) and the end
//   template <typename Sink> void Run(Sink&& sink);
//                       // from sample 2 on: calls sink(t, value) per sample
//                       // until the end, corruption or sink returning false,
//                       // keeping the decoder state in local variables
// `what` names the encoding in error messages.

// Calls sink(t, value) for each sample from the decoder's position on until
// the end, corruption, or sink returning false.
template <typename Decoder, typename Sink>
[[gnu::always_inline]] inline void ForEachSample(Decoder* dec, Sink&& sink) {
  while (dec->read < 2) {
    if (!dec->NextSlow() || !sink(dec->t, dec->value())) return;
  }
  dec->Run(sink);
}

// A model::SampleIterator over a decoder; owns the chunk bytes the decoder views.
template <typename Decoder>
class DecoderIterator final : public model::SampleIterator {
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
// read path: no virtual call per sample). As the loop
//   while (dec.Next()) { if (t < mint) continue; if (t > maxt) break; emit; }
// but writing through a raw pointer into space sized once up front, with one
// range comparison per sample in the usual all-in-range case.
template <typename Decoder>
common::Status AppendDecoded(std::string_view bytes, int64_t mint, int64_t maxt, const char* what,
                             model::SampleVector* out) {
  Decoder dec(bytes);
  if (mint > maxt) {  // nothing is in range; decode as far as the loop above would
    while (dec.Next() && dec.t < mint) {
    }
    return dec.corrupt ? common::Status::Corruption(std::string("tsdb: corrupt ") + what + " chunk")
                       : common::Status::OK();
  }
  // Room for every sample the bytes can hold: besides the header and samples
  // 0 and 1 (> 64 bits in both encodings) every sample takes at least 2 bits
  // (timestamp and value codes of at least 1 bit each), so at most
  // 2 + 4 * size samples decode before the reader overruns. A corrupt count
  // thus cannot make this allocate much, and the loop needs no capacity check.
  const size_t room =
      std::min(static_cast<size_t>(dec.corrupt ? 0 : dec.total), size_t{2} + bytes.size() * 4);
  const size_t base = out->size();
  out->resize(base + room);
  model::Sample* dst = out->data() + base;
  const uint64_t span = static_cast<uint64_t>(maxt) - static_cast<uint64_t>(mint);
  ForEachSample(&dec, [&](int64_t t, double v) {
    if (static_cast<uint64_t>(t) - static_cast<uint64_t>(mint) > span) [[unlikely]] {
      return t < mint;  // skip samples before mint; stop at the first after maxt
    }
    dst->t = t;
    dst->v = v;
    ++dst;
    return true;
  });
  out->resize(static_cast<size_t>(dst - out->data()));
  return dec.corrupt ? common::Status::Corruption(std::string("tsdb: corrupt ") + what + " chunk")
                     : common::Status::OK();
}

}  // namespace tsdb::internal

namespace tsdb {

// The XOR decoders (xor_chunk.cc), which the decimal encoding's fallback and
// the encoding dispatch (decimal_chunk.cc) call.
std::unique_ptr<model::SampleIterator> NewXorIterator(std::string bytes);
common::Status AppendXorSamples(std::string_view bytes, int64_t mint, int64_t maxt,
                                model::SampleVector* out);

}  // namespace tsdb
