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

// Reads bits MSB first through a 64-bit window refilled with one unaligned
// big-endian load (Giesen's "lookahead" variant); only the last 7 bytes of the
// buffer are loaded piecewise. Past the end of the data the window holds zero
// bits and no memory is touched, so the Unchecked primitives below may run
// past the end: a decoder checks overrun() once per sample instead of bounds
// checking every field. The checked ReadBits/ReadBit fail (without consuming)
// if fewer bits remain, as before.
class BitReader {
 public:
  // `data` must stay valid while the reader is used. Reading starts at bit
  // `bit_pos` (which may lie past the end: then every checked read fails).
  explicit BitReader(std::string_view data, uint64_t bit_pos = 0)
      : data_(reinterpret_cast<const unsigned char*>(data.data())),
        size_(data.size()),
        size_bits_(data.size() * 8),
        off_(bit_pos / 8) {
    Refill();
    Skip(static_cast<int>(bit_pos % 8));
  }

  // Reads n bits into the low bits of *v. Returns false if fewer remain.
  // REQUIRES: 0 <= n <= 64.
  bool ReadBits(int n, uint64_t* v) {
    if (pos() + static_cast<uint64_t>(n) > size_bits_) return false;
    *v = ReadBitsUnchecked(n);
    return true;
  }
  bool ReadBit(bool* b) {
    if (pos() >= size_bits_) return false;
    if (n_ == 0) Refill();
    *b = (buf_ >> 63) != 0;
    Skip(1);
    return true;
  }
  // Bits consumed so far (including the starting bit_pos).
  uint64_t pos() const { return off_ * 8 - static_cast<uint64_t>(n_); }
  // True once more bits were consumed than the data holds.
  bool overrun() const { return pos() > size_bits_; }

  // Tops the window up to at least 56 valid bits. (Decoders call it only
  // when valid_bits() is short of what the next field may need, keeping the
  // load off the critical path most of the time.)
  [[gnu::always_inline]] void Refill() {
    uint64_t w;
    // off_ + 8 <= size_, in bits: the hot loops then need only size_bits_.
    if (off_ * 8 + 64 <= size_bits_) [[likely]] {
      std::memcpy(&w, data_ + off_, sizeof(w));
      if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    } else {
      w = LoadTail();
    }
    // The bits below the n_ valid ones are zero or already hold these same
    // stream bits (the partly consumed byte), so OR-ing is exact.
    buf_ |= w >> n_;
    off_ += static_cast<uint64_t>((63 - n_) >> 3);
    n_ |= 56;
  }
  // The next bits, MSB first; the top valid_bits() of them are valid.
  uint64_t window() const { return buf_; }
  int valid_bits() const { return n_; }
  // Consumes n bits. REQUIRES: 0 <= n <= valid_bits() (so n < 64).
  [[gnu::always_inline]] void Skip(int n) {
    buf_ <<= n;
    n_ -= n;
  }
  // Reads n bits (zeros past the end; see overrun()). REQUIRES: 0 <= n <= 64.
  [[gnu::always_inline]] uint64_t ReadBitsUnchecked(int n) {
    if (n <= 56) [[likely]] {
      if (n_ < n) Refill();
      // (buf_ >> 1) >> (63 - n) is buf_ >> (64 - n) but also right for n = 0.
      const uint64_t v = (buf_ >> 1) >> (63 - n);
      Skip(n);
      return v;
    }
    // Two reads of 32 and n - 32 <= 32 bits (not a recursive call, so that
    // callers keep a local reader in registers).
    Refill();
    const uint64_t hi = buf_ >> 32;
    Skip(32);
    Refill();
    const uint64_t lo = buf_ >> (64 - (n - 32));
    Skip(n - 32);
    return (hi << (n - 32)) | lo;
  }

 private:
  // Big-endian word at byte off_ with zeros past the end.
  uint64_t LoadTail() const {
    if (off_ >= size_) return 0;
    unsigned char tmp[8] = {};
    std::memcpy(tmp, data_ + off_, size_ - off_);
    uint64_t w = 0;
    for (unsigned char c : tmp) w = (w << 8) | c;
    return w;
  }

  const unsigned char* data_;
  uint64_t size_;
  uint64_t size_bits_;
  uint64_t off_;      // next byte to load into the window
  uint64_t buf_ = 0;  // the top n_ bits are the next unread bits
  int n_ = 0;         // valid bits in buf_, < 64
};

}  // namespace tsdb
