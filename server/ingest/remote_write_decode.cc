#include "server/ingest/remote_write_decode.h"

#include <bit>
#include <cstring>

namespace server::remote_write {

namespace {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};

// Deeper nesting of unknown groups than libprotobuf's default recursion
// limit is rejected, as it would be there.
constexpr int kMaxGroupDepth = 100;

class Reader {
 public:
  explicit Reader(std::string_view s)
      : p_(reinterpret_cast<const uint8_t*>(s.data())), end_(p_ + s.size()) {}
  Reader(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}

  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* v) {
    // One-byte fast path: tags and small lengths.
    if (p_ < end_ && *p_ < 0x80) {
      *v = *p_++;
      return true;
    }
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      uint8_t b = *p_++;
      // The 10th byte may only carry the top bit of a 64-bit value; like
      // libprotobuf, extra high bits are dropped rather than rejected.
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        *v = r;
        return true;
      }
    }
    return false;  // more than 10 bytes
  }

  bool Fixed64(uint64_t* v) {
    if (end_ - p_ < 8) return false;
    std::memcpy(v, p_, 8);
    if constexpr (std::endian::native == std::endian::big) *v = __builtin_bswap64(*v);
    p_ += 8;
    return true;
  }

  // A proto3 string: libprotobuf checks every occurrence, even one a later
  // occurrence of the field replaces.
  bool String(std::string_view* out);

  // A length-delimited payload.
  bool Bytes(std::string_view* out) {
    uint64_t n;
    if (!Varint(&n)) return false;
    if (n > static_cast<uint64_t>(end_ - p_)) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  // Reads a tag; field number 0 and wire types 6/7 are invalid. Like
  // libprotobuf: at most 5 bytes, bits past 32 dropped.
  bool Tag(uint32_t* field, uint32_t* wire) {
    uint32_t t = 0;
    for (int i = 0;; ++i) {
      if (i == 5 || p_ == end_) return false;
      uint8_t b = *p_++;
      t |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) break;
    }
    *field = t >> 3;
    *wire = static_cast<uint32_t>(t & 7);
    return *field != 0 && *wire <= kFixed32;
  }

  // Skips the value of a field whose tag was just read. For a group, reads
  // through its matching end tag.
  bool Skip(uint32_t field, uint32_t wire, int depth = 0) {
    switch (wire) {
      case kVarint: {
        uint64_t v;
        return Varint(&v);
      }
      case kFixed64:
        if (end_ - p_ < 8) return false;
        p_ += 8;
        return true;
      case kLen: {
        std::string_view v;
        return Bytes(&v);
      }
      case kFixed32:
        if (end_ - p_ < 4) return false;
        p_ += 4;
        return true;
      case kStartGroup: {
        if (depth >= kMaxGroupDepth) return false;
        for (;;) {
          uint32_t f, w;
          if (!Tag(&f, &w)) return false;
          if (w == kEndGroup) return f == field;
          if (!Skip(f, w, depth + 1)) return false;
        }
      }
      default:  // an end-group tag without its start
        return false;
    }
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF), as
// libprotobuf requires of proto3 string fields.
bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // ASCII fast path, 8 bytes at a time.
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p == end) break;
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

bool Reader::String(std::string_view* out) { return Bytes(out) && ValidUtf8(*out); }

bool DecodeLabel(std::string_view data, std::string_view* name, std::string_view* value) {
  Reader r(data);
  *name = {};
  *value = {};
  while (!r.done()) {
    uint32_t f, w;
    if (!r.Tag(&f, &w)) return false;
    if (f == 1 && w == kLen) {
      if (!r.String(name)) return false;
    } else if (f == 2 && w == kLen) {
      if (!r.String(value)) return false;
    } else if (!r.Skip(f, w)) {
      return false;
    }
  }
  return true;
}

bool DecodeSample(std::string_view data, int64_t* t, double* v) {
  Reader r(data);
  uint64_t vbits = 0, tbits = 0;
  while (!r.done()) {
    uint32_t f, w;
    if (!r.Tag(&f, &w)) return false;
    if (f == 1 && w == kFixed64) {
      if (!r.Fixed64(&vbits)) return false;
    } else if (f == 2 && w == kVarint) {
      if (!r.Varint(&tbits)) return false;
    } else if (!r.Skip(f, w)) {
      return false;
    }
  }
  *t = static_cast<int64_t>(tbits);
  *v = std::bit_cast<double>(vbits);
  return true;
}

bool DecodeMetadata(std::string_view data, DecodedMetadata* m) {
  Reader r(data);
  *m = DecodedMetadata();
  while (!r.done()) {
    uint32_t f, w;
    if (!r.Tag(&f, &w)) return false;
    if (f == 1 && w == kVarint) {
      uint64_t v;
      if (!r.Varint(&v)) return false;
      m->type = static_cast<int>(static_cast<int32_t>(v));  // open enum: int32
    } else if (f == 2 && w == kLen) {
      if (!r.String(&m->metric_family_name)) return false;
    } else if (f == 4 && w == kLen) {
      if (!r.String(&m->help)) return false;
    } else if (f == 5 && w == kLen) {
      std::string_view unit;
      if (!r.String(&unit)) return false;
    } else if (!r.Skip(f, w)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool DecodeWriteRequest(std::string_view data, size_t max_samples, DecodedRequest* out,
                        bool* too_many) {
  out->Clear();
  *too_many = false;
  size_t samples = 0;
  Reader r(data);
  while (!r.done()) {
    uint32_t f, w;
    if (!r.Tag(&f, &w)) return false;
    if (f == 1 && w == kLen) {
      std::string_view ts_bytes;
      if (!r.Bytes(&ts_bytes)) return false;
      DecodedSeries s{out->labels.size(), 0, out->timestamps.size(), 0};
      Reader ts(ts_bytes);
      while (!ts.done()) {
        uint32_t tf, tw;
        if (!ts.Tag(&tf, &tw)) return false;
        std::string_view sub;
        if (tf == 1 && tw == kLen) {
          std::string_view name, value;
          if (!ts.Bytes(&sub) || !DecodeLabel(sub, &name, &value)) return false;
          out->labels.emplace_back(name, value);
        } else if (tf == 2 && tw == kLen) {
          int64_t t;
          double v;
          if (!ts.Bytes(&sub) || !DecodeSample(sub, &t, &v)) return false;
          // Past the limit, keep validating (a malformed body is a 400
          // whatever its size) but stop storing.
          if (++samples > max_samples) {
            *too_many = true;
            continue;
          }
          out->timestamps.push_back(t);
          out->values.push_back(v);
        } else if (!ts.Skip(tf, tw)) {
          return false;
        }
      }
      s.labels_end = out->labels.size();
      s.samples_end = out->timestamps.size();
      out->series.push_back(s);
    } else if (f == 3 && w == kLen) {
      std::string_view md_bytes;
      DecodedMetadata m;
      if (!r.Bytes(&md_bytes) || !DecodeMetadata(md_bytes, &m)) return false;
      out->metadata.push_back(m);
    } else if (!r.Skip(f, w)) {
      return false;
    }
  }
  return true;
}

}  // namespace server::remote_write
