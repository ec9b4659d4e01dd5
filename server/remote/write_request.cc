#include "server/remote/write_request.h"

#include <snappy.h>

#include <bit>
#include <cstring>

namespace server::remote {

namespace {

// Protobuf wire types: 0 varint, 1 fixed64, 2 length-delimited.
constexpr char kTimeSeriesTag = (1 << 3) | 2;  // WriteRequest.timeseries
constexpr char kLabelsTag = (1 << 3) | 2;      // TimeSeries.labels
constexpr char kSamplesTag = (2 << 3) | 2;     // TimeSeries.samples
constexpr char kNameTag = (1 << 3) | 2;        // Label.name
constexpr char kValueTag = (2 << 3) | 2;       // Label.value
constexpr char kSampleValueTag = (1 << 3) | 1;      // Sample.value (double)
constexpr char kSampleTimestampTag = (2 << 3) | 0;  // Sample.timestamp (int64)

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

void PutString(std::string* out, char tag, std::string_view s) {
  out->push_back(tag);
  PutVarint(out, s.size());
  out->append(s);
}

}  // namespace

std::string LabelsField(const model::Labels& labels) {
  std::string out;
  for (const auto& l : labels) {
    const size_t inner = 1 + VarintSize(l.name.size()) + l.name.size() + 1 +
                         VarintSize(l.value.size()) + l.value.size();
    out.push_back(kLabelsTag);
    PutVarint(&out, inner);
    PutString(&out, kNameTag, l.name);
    PutString(&out, kValueTag, l.value);
  }
  return out;
}

// Writes v as a varint at p; returns the byte after it.
char* WriteVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

void WriteRequestEncoder::AddSeries(std::string_view labels_field, const int64_t* ts,
                                    const double* vs, size_t n) {
  // Sample: value always written (a 0.0 could be left out, but -0.0 and NaN
  // payloads must not be), timestamp as a two's complement varint. Sizes
  // first, then one resize and raw writes: this runs once per sample.
  size_t samples_size = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t sample = 1 + 8 + 1 + VarintSize(static_cast<uint64_t>(ts[i]));
    samples_size += 1 + VarintSize(sample) + sample;
  }
  const size_t series_size = labels_field.size() + samples_size;
  const size_t pos = raw_.size();
  raw_.resize(pos + 1 + VarintSize(series_size) + series_size);
  char* p = raw_.data() + pos;
  *p++ = kTimeSeriesTag;
  p = WriteVarint(p, series_size);
  std::memcpy(p, labels_field.data(), labels_field.size());
  p += labels_field.size();
  for (size_t i = 0; i < n; ++i) {
    const uint64_t t = static_cast<uint64_t>(ts[i]);
    *p++ = kSamplesTag;
    p = WriteVarint(p, 1 + 8 + 1 + VarintSize(t));
    *p++ = kSampleValueTag;
    const uint64_t bits = std::bit_cast<uint64_t>(vs[i]);
    for (int b = 0; b < 8; ++b) *p++ = static_cast<char>(bits >> (8 * b));
    *p++ = kSampleTimestampTag;
    p = WriteVarint(p, t);
  }
}

const std::string& WriteRequestEncoder::Finish() {
  snappy::Compress(raw_.data(), raw_.size(), &compressed_);
  return compressed_;
}

}  // namespace server::remote
