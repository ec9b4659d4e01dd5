// Byte coders shared by storage code: big-endian fixed-width integers (which
// sort like the numbers they encode, for RocksDB keys), LEB128 varints and
// zig-zag mapping of signed integers. Appenders write to the end of a
// std::string; decoders read from a string_view and advance it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace common {

inline void PutFixed64BE(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, 8);
}

// REQUIRES: p points at 8 readable bytes.
inline uint64_t DecodeFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Maps int64 to uint64 so that the unsigned order equals the signed order
// (flips the sign bit): use for signed values inside sortable keys.
inline uint64_t OrderedFromInt64(int64_t v) {
  return static_cast<uint64_t>(v) ^ 0x8000000000000000ull;
}
inline int64_t Int64FromOrdered(uint64_t v) {
  return static_cast<int64_t>(v ^ 0x8000000000000000ull);
}

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void PutVarint64(std::string* dst, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}

// Decodes a varint from the front of *in and removes it. Returns false (and
// leaves *in unspecified) when the input is truncated or over-long.
inline bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint64_t byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutVarint64(dst, s.size());
  dst->append(s);
}

inline bool GetLengthPrefixed(std::string_view* in, std::string_view* s) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace common
