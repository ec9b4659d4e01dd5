#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "common/coding.h"
#include "tsdb/chunk.h"
#include "tsdb/chunk_internal.h"

namespace tsdb {

namespace {

using internal::AppendDecoded;
using internal::DecoderIterator;
using internal::ReadDodUnchecked;
using internal::ReadUvarintBits;
using internal::WrapAdd;
using internal::WrapSub;
using internal::WriteDod;
using internal::WriteUvarintBits;

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }
double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

void WriteXorValue(BitWriter* w, uint64_t prev, uint64_t cur, uint8_t* leading, uint8_t* trailing) {
  uint64_t x = prev ^ cur;
  if (x == 0) {
    w->WriteBit(false);
    return;
  }
  w->WriteBit(true);
  int lead = std::countl_zero(x);
  int trail = std::countr_zero(x);
  if (lead > 31) lead = 31;  // 5 bits
  if (*leading != 0xff && lead >= *leading && trail >= *trailing) {
    w->WriteBit(false);
    int sig = 64 - *leading - *trailing;
    w->WriteBits(x >> *trailing, sig);
    return;
  }
  w->WriteBit(true);
  int sig = 64 - lead - trail;
  w->WriteBits(static_cast<uint64_t>(lead), 5);
  w->WriteBits(static_cast<uint64_t>(sig == 64 ? 0 : sig), 6);
  w->WriteBits(x >> trail, sig);
  *leading = static_cast<uint8_t>(lead);
  *trailing = static_cast<uint8_t>(trail);
}

// Reads a value XOR code into *value. Past the end of the data it reads zero
// bits (the caller checks r->overrun()); returns false on an invalid code.
[[gnu::always_inline]] inline bool ReadXorValue(BitReader* r, uint64_t* value, uint8_t* leading,
                                                uint8_t* trailing) {
  if (r->valid_bits() < 13) r->Refill();  // control bits and the window header
  const uint64_t w = r->window();
  if ((w >> 63) == 0) {  // '0': unchanged
    r->Skip(1);
    return true;
  }
  if (((w >> 62) & 1) != 0) {  // '11' + 5 bits leading + 6 bits length (64 stored as 0)
    const int lead = static_cast<int>((w >> 57) & 31);
    int sig = static_cast<int>((w >> 51) & 63);
    r->Skip(13);
    if (sig == 0) sig = 64;
    if (lead + sig > 64) return false;
    *leading = static_cast<uint8_t>(lead);
    *trailing = static_cast<uint8_t>(64 - lead - sig);
  } else {                               // '10': the previous window
    if (*leading == 0xff) return false;  // window reuse before any window was set
    r->Skip(2);
  }
  const int sig = 64 - *leading - *trailing;
  *value ^= r->ReadBitsUnchecked(sig) << *trailing;
  return true;
}

// Decodes sample i >= 2 into the state. Returns false on corruption,
// including a sample cut off by the end of the data.
[[gnu::always_inline]] inline bool DecodeXorSample(BitReader* r, int64_t* t, uint64_t* t_delta,
                                                   uint64_t* v, uint8_t* leading,
                                                   uint8_t* trailing) {
  const int64_t dod = ReadDodUnchecked(r);
  *t_delta = static_cast<uint64_t>(WrapAdd(static_cast<int64_t>(*t_delta), dod));
  *t = WrapAdd(*t, static_cast<int64_t>(*t_delta));
  // Past the end the reader returned zero bits: a truncated sample.
  return ReadXorValue(r, v, leading, trailing) && !r->overrun();
}

// Decoder state; shared by the iterator, the bulk decoder and
// XorChunk::FromBytes.
struct XorDecoder {
  std::string_view data;
  BitReader reader{std::string_view()};
  int total = 0;
  int read = 0;
  int64_t t = 0;
  uint64_t t_delta = 0;
  uint64_t v = 0;
  uint8_t leading = 0xff;
  uint8_t trailing = 0;
  bool corrupt = false;

  explicit XorDecoder(std::string_view d) : data(d), reader(d, 16) {
    if (d.size() < 2) {
      corrupt = true;
      return;
    }
    total = (static_cast<unsigned char>(d[0]) << 8) | static_cast<unsigned char>(d[1]);
  }

  double value() const { return FromBits(v); }

  // Decodes the next sample. Returns false at the end or on corruption.
  bool Next() {
    if (read >= 2 && read < total && !corrupt) [[likely]] {
      if (!DecodeXorSample(&reader, &t, &t_delta, &v, &leading, &trailing)) return Fail();
      ++read;
      return true;
    }
    return NextSlow();
  }

  // The bulk loop (see internal::ForEachSample), on locals as in
  // DecimalDecoder::Run.
  template <typename Sink>
  [[gnu::always_inline]] inline void Run(Sink&& sink) {
    if (corrupt) return;
    BitReader r = reader;
    int64_t lt = t;
    uint64_t lt_delta = t_delta, lv = v;
    uint8_t lleading = leading, ltrailing = trailing;
    int left = total - read;
    bool bad = false;
    while (left > 0) {
      if (!DecodeXorSample(&r, &lt, &lt_delta, &lv, &lleading, &ltrailing)) [[unlikely]] {
        bad = true;
        break;
      }
      --left;
      if (!sink(lt, FromBits(lv))) break;
    }
    reader = r;
    t = lt;
    t_delta = lt_delta;
    v = lv;
    leading = lleading;
    trailing = ltrailing;
    read = total - left;
    corrupt = bad;
  }

  // Samples 0 and 1 (varint fields), the end, and corruption.
  bool NextSlow() {
    if (corrupt || read >= total) return false;
    if (read == 0) {
      uint64_t zz;
      if (!ReadUvarintBits(&reader, &zz) || !reader.ReadBits(64, &v)) return Fail();
      t = common::ZigZagDecode(zz);
    } else {  // read == 1
      if (!ReadUvarintBits(&reader, &t_delta)) return Fail();
      t = WrapAdd(t, static_cast<int64_t>(t_delta));
      if (!ReadXorValue(&reader, &v, &leading, &trailing) || reader.overrun()) return Fail();
    }
    ++read;
    return true;
  }
  bool Fail() {
    corrupt = true;
    return false;
  }
};

}  // namespace

XorChunk::XorChunk() : bytes_(2, '\0') {}

common::Result<XorChunk> XorChunk::FromBytes(std::string bytes) {
  XorChunk c;
  {
    XorDecoder dec(bytes);
    while (dec.Next()) {
      if (dec.read == 1) c.first_t_ = dec.t;
    }
    if (dec.corrupt) return common::Status::Corruption("tsdb: corrupt XOR chunk");
    c.count_ = static_cast<uint16_t>(dec.total);
    c.bit_len_ = dec.reader.pos();
    c.leading_ = dec.leading;
    c.trailing_ = dec.trailing;
    c.t_ = dec.t;
    c.t_delta_ = dec.t_delta;
    c.v_ = FromBits(dec.v);
  }
  // Drop any trailing bytes past the last sample so appends continue there.
  bytes.resize((c.bit_len_ + 7) / 8);
  c.bytes_ = std::move(bytes);
  return c;
}

void XorChunk::Append(int64_t t, double v) {
  // A sample takes at most 19 bytes (a 64-bit delta-of-delta and a full
  // value). Grow by an eighth instead of letting std::string double: every
  // active series holds one head chunk. (A fresh string is reserved and
  // filled because libstdc++'s reserve on a non-empty string still doubles
  // when asked for less than twice its capacity.)
  if (bytes_.capacity() - bytes_.size() < 19) {
    std::string grown;
    grown.reserve(bytes_.size() + std::max<size_t>(64, bytes_.size() / 8));
    grown.append(bytes_);
    bytes_.swap(grown);
  }
  BitWriter w(&bytes_, bit_len_);
  if (count_ == 0) {
    WriteUvarintBits(&w, common::ZigZagEncode(t));
    w.WriteBits(Bits(v), 64);
    first_t_ = t;
  } else if (count_ == 1) {
    t_delta_ = static_cast<uint64_t>(WrapSub(t, t_));
    WriteUvarintBits(&w, t_delta_);
    WriteXorValue(&w, Bits(v_), Bits(v), &leading_, &trailing_);
  } else {
    uint64_t delta = static_cast<uint64_t>(WrapSub(t, t_));
    WriteDod(&w, WrapSub(static_cast<int64_t>(delta), static_cast<int64_t>(t_delta_)));
    t_delta_ = delta;
    WriteXorValue(&w, Bits(v_), Bits(v), &leading_, &trailing_);
  }
  t_ = t;
  v_ = v;
  bit_len_ = w.bit_len();
  ++count_;
  bytes_[0] = static_cast<char>(count_ >> 8);
  bytes_[1] = static_cast<char>(count_ & 0xff);
}

common::Status AppendXorSamples(std::string_view bytes, int64_t mint, int64_t maxt,
                                model::SampleVector* out) {
  return AppendDecoded<XorDecoder>(bytes, mint, maxt, "XOR", out);
}

std::unique_ptr<model::SampleIterator> NewXorIterator(std::string bytes) {
  return std::make_unique<DecoderIterator<XorDecoder>>(std::move(bytes), "XOR");
}

}  // namespace tsdb
