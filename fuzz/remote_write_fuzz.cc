// Fuzz target: the remote_write WriteRequest decoder, differentially against
// libprotobuf's generated parser for the same schema (remote_write.proto).
// The hand-written decoder promises to accept exactly what libprotobuf
// accepts and to read the same series, labels, samples and metadata; any
// difference aborts. The first input byte picks the snappy framing too, so
// the decompression path is fuzzed on the same inputs.
#include <snappy.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "server/ingest/remote_write.pb.h"
#include "server/ingest/remote_write_decode.h"

namespace {

bool SameDouble(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void Compare(std::string_view raw) {
  namespace rw = server::remote_write;
  rw::DecodedRequest ours;
  bool too_many = false;
  const bool ours_ok = rw::DecodeWriteRequest(raw, 1u << 20, &ours, &too_many);
  ms::remote::WriteRequest ref;
  const bool ref_ok = ref.ParseFromArray(raw.data(), static_cast<int>(raw.size()));
  if (too_many) return;  // our limit, not a format question
  if (ours_ok != ref_ok) std::abort();
  if (!ours_ok) return;
  if (ours.series.size() != static_cast<size_t>(ref.timeseries_size())) std::abort();
  for (size_t i = 0; i < ours.series.size(); ++i) {
    const auto& s = ours.series[i];
    const auto& r = ref.timeseries(static_cast<int>(i));
    if (s.labels_end - s.labels_begin != static_cast<size_t>(r.labels_size())) std::abort();
    for (size_t k = s.labels_begin; k < s.labels_end; ++k) {
      const auto& l = r.labels(static_cast<int>(k - s.labels_begin));
      if (ours.labels[k].first != l.name() || ours.labels[k].second != l.value()) std::abort();
    }
    if (s.samples_end - s.samples_begin != static_cast<size_t>(r.samples_size())) std::abort();
    for (size_t k = s.samples_begin; k < s.samples_end; ++k) {
      const auto& x = r.samples(static_cast<int>(k - s.samples_begin));
      if (ours.timestamps[k] != x.timestamp() || !SameDouble(ours.values[k], x.value())) {
        std::abort();
      }
    }
  }
  if (ours.metadata.size() != static_cast<size_t>(ref.metadata_size())) std::abort();
  for (size_t i = 0; i < ours.metadata.size(); ++i) {
    const auto& m = ref.metadata(static_cast<int>(i));
    if (ours.metadata[i].type != static_cast<int>(m.type()) ||
        ours.metadata[i].metric_family_name != m.metric_family_name() ||
        ours.metadata[i].help != m.help()) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    // The bytes as a snappy block, as the server receives them.
    size_t n = 0;
    if (!snappy::GetUncompressedLength(body.data(), body.size(), &n) || n > (8u << 20)) return 0;
    std::string raw;
    if (!snappy::Uncompress(body.data(), body.size(), &raw)) return 0;
    Compare(raw);
  } else {
    Compare(body);
  }
  return 0;
}
