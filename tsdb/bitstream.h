// Bit-granular writer/reader used by chunk encodings. Bits are written most
// significant first into a byte string; the unused low bits of the last byte
// are zero.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tsdb {

class BitWriter {
 public:
  // Appends to *out (not owned; must outlive the writer). `bit_len` is the
  // number of bits already used in *out (for resuming a chunk).
  // REQUIRES: out->size() * 8 >= bit_len > out->size() * 8 - 8 or both 0.
  BitWriter(std::string* out, uint64_t bit_len) : out_(out), bits_(bit_len) {}

  // Writes the low `n` bits of v. REQUIRES: 0 <= n <= 64.
  void WriteBits(uint64_t v, int n) {
    while (n > 0) {
      int free = static_cast<int>((8 - bits_ % 8) % 8);
      if (free == 0) {
        out_->push_back(0);
        free = 8;
      }
      int take = n < free ? n : free;
      uint64_t chunk = (v >> (n - take)) & ((1ull << take) - 1);
      out_->back() =
          static_cast<char>(static_cast<unsigned char>(out_->back()) | (chunk << (free - take)));
      bits_ += take;
      n -= take;
    }
  }
  void WriteBit(bool b) { WriteBits(b ? 1 : 0, 1); }
  uint64_t bit_len() const { return bits_; }

 private:
  std::string* out_;
  uint64_t bits_;
};

class BitReader {
 public:
  // `data` must stay valid while the reader is used. Reading starts at bit
  // `bit_pos`.
  explicit BitReader(std::string_view data, uint64_t bit_pos = 0) : data_(data), pos_(bit_pos) {}

  // Reads n bits into the low bits of *v. Returns false if fewer remain.
  // REQUIRES: 0 <= n <= 64.
  bool ReadBits(int n, uint64_t* v) {
    if (pos_ + n > data_.size() * 8) return false;
    uint64_t r = 0;
    while (n > 0) {
      int avail = static_cast<int>(8 - pos_ % 8);
      int take = n < avail ? n : avail;
      uint64_t byte = static_cast<unsigned char>(data_[pos_ / 8]);
      uint64_t bits = (byte >> (avail - take)) & ((1ull << take) - 1);
      r = (take == 64) ? bits : ((r << take) | bits);
      pos_ += take;
      n -= take;
    }
    *v = r;
    return true;
  }
  bool ReadBit(bool* b) {
    uint64_t v;
    if (!ReadBits(1, &v)) return false;
    *b = v != 0;
    return true;
  }
  uint64_t pos() const { return pos_; }

 private:
  std::string_view data_;
  uint64_t pos_;
};

}  // namespace tsdb
