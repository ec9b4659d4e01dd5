// Bit-granular writer/reader used by chunk encodings. Bits are written most
// significant first into a byte string; the unused low bits of the last byte
// are zero.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tsdb {

class BitWriter {
 public:
  // Appends to *out (not owned; must outlive the writer). `bit_len` is the
  // number of bits already used in *out (for resuming a chunk).
  // REQUIRES: out->size() * 8 >= bit_len > out->size() * 8 - 8 or both 0.
  //
  // Bits collect in a 64-bit accumulator and reach *out a word at a time;
  // the rest is written when the writer is destroyed, so *out is complete
  // only after that (every user scopes the writer to one append/encode).
  // This keeps per-sample appends to a shift and an OR instead of string
  // operations per byte.
  BitWriter(std::string* out, uint64_t bit_len) : out_(out), bits_(bit_len) {
    const int used = static_cast<int>(bit_len % 8);
    if (used != 0) {  // resume inside the last byte: take its bits back
      acc_ = static_cast<unsigned char>(out_->back()) >> (8 - used);
      nacc_ = used;
      out_->pop_back();
    }
  }
  ~BitWriter() {
    if (nacc_ == 0) return;
    const uint64_t w = acc_ << (64 - nacc_);
    char buf[8];
    const int nbytes = (nacc_ + 7) / 8;
    for (int i = 0; i < nbytes; ++i) buf[i] = static_cast<char>(w >> (56 - 8 * i));
    out_->append(buf, static_cast<size_t>(nbytes));
  }
  BitWriter(const BitWriter&) = delete;
  BitWriter& operator=(const BitWriter&) = delete;

  // Writes the low `n` bits of v. REQUIRES: 0 <= n <= 64.
  void WriteBits(uint64_t v, int n) {
    if (n <= 0) return;
    if (n < 64) v &= (1ull << n) - 1;
    bits_ += static_cast<uint64_t>(n);
    const int room = 64 - nacc_;  // >= 1: nacc_ stays below 64
    if (n < room) {
      acc_ = (acc_ << n) | v;
      nacc_ += n;
      return;
    }
    // Complete a 64-bit word with the top `room` bits of v.
    const int rest = n - room;  // < 64
    const uint64_t word = room == 64 ? v : (acc_ << room) | (v >> rest);
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(word >> (56 - 8 * i));
    out_->append(buf, 8);
    acc_ = rest == 0 ? 0 : v & ((1ull << rest) - 1);
    nacc_ = rest;
  }
  void WriteBit(bool b) { WriteBits(b ? 1 : 0, 1); }
  uint64_t bit_len() const { return bits_; }

 private:
  std::string* out_;
  uint64_t bits_;
  uint64_t acc_ = 0;  // the low nacc_ bits are pending, oldest highest
  int nacc_ = 0;
};

class BitReader {
 public:
  // `data` must stay valid while the reader is used. Reading starts at bit
  // `bit_pos`.
  explicit BitReader(std::string_view data, uint64_t bit_pos = 0) : data_(data), pos_(bit_pos) {}

  // Reads n bits into the low bits of *v. Returns false if fewer remain.
  // REQUIRES: 0 <= n <= 64.
  bool ReadBits(int n, uint64_t* v) {
    const uint64_t size_bits = data_.size() * 8;
    if (pos_ + static_cast<uint64_t>(n) > size_bits) return false;
    if (n == 0) {
      *v = 0;
      return true;
    }
    const uint64_t byte = pos_ / 8;
    const int off = static_cast<int>(pos_ % 8);
    // Fast path: one big-endian 64-bit word covers all n bits.
    if (n <= 64 - off) {
      *v = (Load64(byte) << off) >> (64 - n);
      pos_ += static_cast<uint64_t>(n);
      return true;
    }
    uint64_t r = 0;
    while (n > 0) {
      int avail = static_cast<int>(8 - pos_ % 8);
      int take = n < avail ? n : avail;
      uint64_t b = static_cast<unsigned char>(data_[pos_ / 8]);
      uint64_t bits = (b >> (avail - take)) & ((1ull << take) - 1);
      r = (take == 64) ? bits : ((r << take) | bits);
      pos_ += take;
      n -= take;
    }
    *v = r;
    return true;
  }
  bool ReadBit(bool* b) {
    if (pos_ >= data_.size() * 8) return false;
    *b = ((static_cast<unsigned char>(data_[pos_ / 8]) >> (7 - pos_ % 8)) & 1) != 0;
    ++pos_;
    return true;
  }
  uint64_t pos() const { return pos_; }

 private:
  // Big-endian 64-bit word at byte offset i, zero-padded past the end.
  // REQUIRES: i < size.
  uint64_t Load64(uint64_t i) const {
    uint64_t w = 0;
    if (i + 8 <= data_.size()) {
      std::memcpy(&w, data_.data() + i, sizeof(w));
      if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
      return w;
    }
    for (uint64_t k = i; k < data_.size(); ++k) {
      w |= static_cast<uint64_t>(static_cast<unsigned char>(data_[k])) << (56 - 8 * (k - i));
    }
    return w;
  }

  std::string_view data_;
  uint64_t pos_;
};

}  // namespace tsdb
