// Chunk encodings for one series' samples.
//
// kXor is the Gorilla layout (Pelkonen et al., VLDB 2015) in the variant
// Prometheus uses: delta-of-delta timestamps and XOR-compressed float bits.
// It is appendable: the head keeps one XorChunk per active series.
// kDecimal is used for sealed chunks whose values are all decimals with at
// most a few fractional digits (counters, gauges rounded by exporters): the
// values become integers and are delta coded, which compresses far better.
//
// XOR byte layout (bits are MSB first, see bitstream.h):
//   u16 big-endian sample count
//   sample 0: varint(zigzag(t)) as 8-bit groups, then 64 raw value bits
//   sample 1: uvarint(t1 - t0), then the value XOR code
//   sample n: timestamp delta-of-delta code, then the value XOR code
// Delta-of-delta code d:  '0' (d == 0) | '10' + 14 bits | '110' + 17 bits |
//                          '1110' + 20 bits | '1111' + 64 bits (two's complement)
// Value XOR code x = bits(v) ^ bits(prev):  '0' (x == 0) |
//   '10' + meaningful bits within the previous leading/trailing window |
//   '11' + 5 bits leading zeros + 6 bits significant length (64 stored as 0) + bits
// Bit-exactness: values are stored as raw IEEE-754 bits, so NaN payloads
// (e.g. the staleness marker 0x7ff0000000000002), -0.0 and +-Inf round-trip.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/sample.h"
#include "model/sample_iterator.h"

namespace tsdb {

enum class Encoding : uint8_t { kXor = 1, kDecimal = 2 };

// An appendable XOR chunk. Appender state (previous timestamp, delta, value,
// leading/trailing window, bit length) lives only in memory and is rebuilt
// from the bytes by FromBytes; it is never persisted.
class XorChunk {
 public:
  XorChunk();

  // Rebuilds a chunk (and its appender state) by replaying `bytes`.
  // Returns Corruption if the bytes do not decode.
  static common::Result<XorChunk> FromBytes(std::string bytes);

  // Appends one sample. The encoding accepts any timestamp order, but the
  // database only appends strictly increasing timestamps.
  // REQUIRES: num_samples() < 65535.
  void Append(int64_t t, double v);

  int num_samples() const { return count_; }
  // REQUIRES: num_samples() > 0.
  int64_t min_time() const { return first_t_; }
  int64_t max_time() const { return t_; }
  double last_value() const { return v_; }
  const std::string& bytes() const { return bytes_; }
  // Bytes of heap and object memory used (for RAM accounting).
  size_t MemoryUsage() const { return sizeof(*this) + bytes_.capacity(); }

 private:
  std::string bytes_;
  uint64_t bit_len_ = 16;
  uint16_t count_ = 0;
  uint8_t leading_ = 0xff;  // 0xff: no XOR window yet
  uint8_t trailing_ = 0;
  int64_t first_t_ = 0;
  int64_t t_ = 0;
  uint64_t t_delta_ = 0;
  double v_ = 0;
};

// Returns an iterator over a chunk of the given encoding. It owns `bytes`.
// Corrupt bytes surface as status() != OK after Next() returns false.
std::unique_ptr<model::SampleIterator> NewChunkIterator(Encoding encoding, std::string bytes);

// Bulk decode: appends the chunk's samples with mint <= t <= maxt to *out in
// one loop (no iterator, no copy of `bytes`). Returns Corruption if the bytes
// do not decode (samples decoded before that point stay appended).
common::Status AppendChunkSamples(Encoding encoding, std::string_view bytes, int64_t mint,
                                  int64_t maxt, model::SampleVector* out);

// Encodes a finished head chunk for storage, choosing the smallest of the
// available encodings. REQUIRES: chunk.num_samples() > 0.
std::pair<Encoding, std::string> EncodeSealedChunk(const XorChunk& chunk);

// Decimal encoding of the given samples, or false if the values are not all
// finite decimals with at most 9 fractional digits (then XOR must be used).
// Exposed for tests. REQUIRES: n > 0.
bool EncodeDecimalChunk(const int64_t* ts, const double* vs, int n, std::string* out);

}  // namespace tsdb
