#include "tsdb/downsample.h"

#include <bit>
#include <cmath>
#include <limits>

#include "common/coding.h"
#include "model/value.h"
#include "tsdb/bitstream.h"
#include "tsdb/chunk.h"

namespace tsdb {

namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// PromQL's max_over_time: a NaN is replaced by anything, nothing replaces a
// number by NaN (so the result is NaN only if every value is).
void FoldMax(double* m, double v) {
  if (v > *m || std::isnan(*m)) *m = v;
}
void FoldMin(double* m, double v) {
  if (v < *m || std::isnan(*m)) *m = v;
}

// Gorilla's XOR coding of a column of doubles (bit-exact: NaN payloads and
// -0.0 survive).
void EncodeXorColumn(const std::vector<double>& vs, std::string* out) {
  BitWriter w(out, 0);
  uint64_t prev = std::bit_cast<uint64_t>(vs[0]);
  w.WriteBits(prev, 64);
  int lead = -1, trail = 0;
  for (size_t i = 1; i < vs.size(); ++i) {
    const uint64_t cur = std::bit_cast<uint64_t>(vs[i]);
    const uint64_t x = cur ^ prev;
    prev = cur;
    if (x == 0) {
      w.WriteBit(false);
      continue;
    }
    int l = std::countl_zero(x), t = std::countr_zero(x);
    if (l > 31) l = 31;
    if (lead >= 0 && l >= lead && t >= trail) {
      w.WriteBits(0b10, 2);
      w.WriteBits(x >> trail, 64 - lead - trail);
      continue;
    }
    lead = l;
    trail = t;
    const int sig = 64 - l - t;
    w.WriteBits(0b11, 2);
    w.WriteBits(static_cast<uint64_t>(l), 5);
    w.WriteBits(static_cast<uint64_t>(sig == 64 ? 0 : sig), 6);
    w.WriteBits(x >> t, sig);
  }
}

bool DecodeXorColumn(std::string_view in, size_t n, std::vector<double>* out) {
  BitReader r(in);
  uint64_t cur;
  if (!r.ReadBits(64, &cur)) return false;
  out->push_back(std::bit_cast<double>(cur));
  int lead = 0, trail = 0;
  for (size_t i = 1; i < n; ++i) {
    bool b;
    if (!r.ReadBit(&b)) return false;
    if (b) {
      if (!r.ReadBit(&b)) return false;
      if (b) {
        uint64_t l, sig;
        if (!r.ReadBits(5, &l) || !r.ReadBits(6, &sig)) return false;
        if (sig == 0) sig = 64;
        if (l + sig > 64) return false;
        lead = static_cast<int>(l);
        trail = 64 - lead - static_cast<int>(sig);
      }
      uint64_t bits;
      const int sig = 64 - lead - trail;
      if (!r.ReadBits(sig, &bits)) return false;
      cur ^= bits << trail;
    }
    out->push_back(std::bit_cast<double>(cur));
  }
  return true;
}

constexpr int kColumns = 6;
constexpr int kTagXor = 0;
constexpr int kTagDecimal = 7;  // 1..6: a reference to an earlier column

// Neumaier's compensated addition: *sum + *comp is the running total, so a
// bucket's sum of decimals (2-decimal gauges, byte counts) comes out as the
// double nearest the exact sum, which is itself a short decimal and
// compresses as one (the decimal column encoding) instead of carrying
// rounding noise in its low bits.
void AddComp(double* sum, double* comp, double x) {
  const double t = *sum + x;
  if (std::fabs(*sum) >= std::fabs(x)) {
    *comp += (*sum - t) + x;
  } else {
    *comp += (x - t) + *sum;
  }
  *sum = t;
}

// Folds b (later in time) into `into` (the same or a coarser bucket): min/max
// as PromQL's min/max_over_time treat NaN, last from b, sums compensated.
void FoldInto(Bucket* into, const Bucket& b, double* sum_comp, double* increase_comp) {
  if (b.count > 0) {
    if (into->count == 0) {
      into->min = b.min;
      into->max = b.max;
    } else {
      FoldMin(&into->min, b.min);
      FoldMax(&into->max, b.max);
    }
    into->count += b.count;
    AddComp(&into->sum, sum_comp, b.sum);
  }
  AddComp(&into->increase, increase_comp, b.increase);
  into->last = b.last;
}

double Field(const Bucket& b, int c) {
  switch (c) {
    case 0:
      return b.count;
    case 1:
      return b.min;
    case 2:
      return b.max;
    case 3:
      return b.sum;
    case 4:
      return b.last;
    default:
      return b.increase;
  }
}

double* MutableField(Bucket* b, int c) {
  switch (c) {
    case 0:
      return &b->count;
    case 1:
      return &b->min;
    case 2:
      return &b->max;
    case 3:
      return &b->sum;
    case 4:
      return &b->last;
    default:
      return &b->increase;
  }
}

}  // namespace

int64_t BucketEnd(int64_t t, int64_t res) { return (FloorDiv(t - 1, res) + 1) * res; }

int64_t BlockStart(int64_t bucket_end, int64_t res) {
  const int64_t span = res * kBucketsPerBlock;
  return FloorDiv(bucket_end - 1, span) * span;
}

void BucketBuilder::Prime(int64_t t, double v) {
  if (model::IsStaleNaN(v)) {
    has_prev_ = false;
    return;
  }
  has_prev_ = true;
  prev_t_ = t;
  prev_v_ = v;
}

void BucketBuilder::Close(std::vector<Bucket>* out) {
  cur_.sum += sum_comp_;
  cur_.increase += increase_comp_;
  out->push_back(cur_);
  open_ = false;
}

void BucketBuilder::Add(int64_t t, double v, std::vector<Bucket>* out) {
  const int64_t end = BucketEnd(t, res_);
  if (open_ && end != cur_.end) Close(out);
  if (!open_) {
    cur_ = Bucket{};
    cur_.end = end;
    sum_comp_ = increase_comp_ = 0;
    open_ = true;
  }
  cur_.last = v;
  if (model::IsStaleNaN(v)) {
    has_prev_ = false;
    return;
  }
  if (cur_.count == 0) {
    cur_.min = v;
    cur_.max = v;
  } else {
    FoldMin(&cur_.min, v);
    FoldMax(&cur_.max, v);
  }
  cur_.count += 1;
  AddComp(&cur_.sum, &sum_comp_, v);
  if (has_prev_ && t - prev_t_ <= kMaxCounterGapMs) {
    AddComp(&cur_.increase, &increase_comp_, v >= prev_v_ ? v - prev_v_ : v);
  }
  has_prev_ = true;
  prev_t_ = t;
  prev_v_ = v;
}

void BucketBuilder::Finish(std::vector<Bucket>* out) {
  if (open_) Close(out);
}

void Rebucket(const std::vector<Bucket>& in, int64_t res, std::vector<Bucket>* out) {
  bool open = false;
  Bucket cur;
  double sum_comp = 0, increase_comp = 0;
  auto close = [&] {
    cur.sum += sum_comp;
    cur.increase += increase_comp;
    out->push_back(cur);
    open = false;
  };
  for (const Bucket& b : in) {
    const int64_t end = BucketEnd(b.end, res);
    if (open && end != cur.end) close();
    if (!open) {
      cur = Bucket{};
      cur.end = end;
      sum_comp = increase_comp = 0;
      open = true;
    }
    FoldInto(&cur, b, &sum_comp, &increase_comp);
  }
  if (open) close();
}

std::string EncodeBlock(const Bucket* b, size_t n, int64_t start, int64_t res) {
  std::string out;
  common::PutVarint64(&out, n);
  unsigned char bitmap[kBucketsPerBlock / 8] = {};
  for (size_t i = 0; i < n; ++i) {
    const int64_t idx = (b[i].end - start) / res - 1;
    bitmap[idx / 8] |= static_cast<unsigned char>(0x80 >> (idx % 8));
  }
  out.append(reinterpret_cast<const char*>(bitmap), sizeof(bitmap));
  std::vector<double> cols[kColumns];
  for (int c = 0; c < kColumns; ++c) {
    cols[c].reserve(n);
    for (size_t i = 0; i < n; ++i) cols[c].push_back(Field(b[i], c));
  }
  auto same_bits = [](const std::vector<double>& x, const std::vector<double>& y) {
    for (size_t i = 0; i < x.size(); ++i) {
      if (std::bit_cast<uint64_t>(x[i]) != std::bit_cast<uint64_t>(y[i])) return false;
    }
    return true;
  };
  std::vector<int64_t> ends(n);
  for (size_t i = 0; i < n; ++i) ends[i] = b[i].end;
  for (int c = 0; c < kColumns; ++c) {
    int ref = -1;
    for (int k = 0; k < c && ref < 0; ++k) {
      if (same_bits(cols[c], cols[k])) ref = k;
    }
    if (ref >= 0) {
      out.push_back(static_cast<char>(ref + 1));
      continue;
    }
    std::string col, dec;
    EncodeXorColumn(cols[c], &col);
    // Decimal values (counts, byte counters, 2-decimal gauges) delta-coded
    // as integers, when smaller (bucket ends ride along at ~1 bit each).
    const bool is_dec =
        EncodeDecimalChunk(ends.data(), cols[c].data(), static_cast<int>(n), &dec) &&
        dec.size() < col.size();
    out.push_back(static_cast<char>(is_dec ? kTagDecimal : kTagXor));
    const std::string& chosen = is_dec ? dec : col;
    common::PutVarint64(&out, chosen.size());
    out.append(chosen);
  }
  return out;
}

common::Status DecodeBlock(std::string_view in, int64_t start, int64_t res, int64_t min_end,
                           int64_t max_end, std::vector<Bucket>* out) {
  const auto corrupt = [] { return common::Status::Corruption("bad downsampled block"); };
  uint64_t n;
  if (!common::GetVarint64(&in, &n) || n == 0 || n > kBucketsPerBlock ||
      in.size() < kBucketsPerBlock / 8) {
    return corrupt();
  }
  std::vector<int64_t> ends;
  ends.reserve(n);
  for (int i = 0; i < kBucketsPerBlock; ++i) {
    if (static_cast<unsigned char>(in[i / 8]) & (0x80 >> (i % 8))) {
      ends.push_back(start + (i + 1) * res);
    }
  }
  in.remove_prefix(kBucketsPerBlock / 8);
  if (ends.size() != n) return corrupt();
  std::vector<double> cols[kColumns];
  for (int c = 0; c < kColumns; ++c) {
    if (in.empty()) return corrupt();
    const int tag = static_cast<unsigned char>(in[0]);
    in.remove_prefix(1);
    if (tag != kTagXor && tag != kTagDecimal) {
      if (tag > c) return corrupt();
      cols[c] = cols[tag - 1];
      continue;
    }
    uint64_t len;
    if (!common::GetVarint64(&in, &len) || len > in.size()) return corrupt();
    if (tag == kTagXor) {
      if (!DecodeXorColumn(in.substr(0, len), n, &cols[c])) return corrupt();
    } else {
      model::SampleVector sv;
      if (!AppendChunkSamples(Encoding::kDecimal, in.substr(0, len),
                              std::numeric_limits<int64_t>::min(),
                              std::numeric_limits<int64_t>::max(), &sv)
               .ok() ||
          sv.size() != n) {
        return corrupt();
      }
      for (const model::Sample& s : sv) cols[c].push_back(s.v);
    }
    in.remove_prefix(len);
  }
  for (size_t i = 0; i < n; ++i) {
    if (ends[i] < min_end || ends[i] > max_end) continue;
    Bucket b;
    b.end = ends[i];
    for (int c = 0; c < kColumns; ++c) *MutableField(&b, c) = cols[c][i];
    out->push_back(b);
  }
  return common::Status::OK();
}

}  // namespace tsdb
