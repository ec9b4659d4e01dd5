// Minimal decoder of the remote_write 1.0 WriteRequest protobuf (see
// remote_write.proto), reading only the fields the server stores.
//
// Why not the generated parser: it allocates a message object per Sample
// and a std::string per label, which made protobuf parsing the largest cost
// of remote_write ingest. This reader decodes straight into flat arrays of
// samples and string_views into the request buffer (as VictoriaMetrics
// does). It accepts exactly what libprotobuf accepts for this schema:
// unknown fields of any wire type (including groups) are skipped, a known
// field with an unexpected wire type is treated as unknown, the last value of
// a repeated scalar wins, proto3 strings must be valid UTF-8; truncated
// data, bad varints, field number 0 and unbalanced groups are errors.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace server::remote_write {

struct DecodedSeries {
  size_t labels_begin, labels_end;    // into DecodedRequest::labels
  size_t samples_begin, samples_end;  // into DecodedRequest::timestamps/values
};

struct DecodedMetadata {
  int type = 0;  // MetricMetadata::MetricType
  std::string_view metric_family_name;
  std::string_view help;
};

struct DecodedRequest {
  std::vector<DecodedSeries> series;
  std::vector<std::pair<std::string_view, std::string_view>> labels;  // name, value
  std::vector<int64_t> timestamps;
  std::vector<double> values;
  std::vector<DecodedMetadata> metadata;

  void Clear() {
    series.clear();
    labels.clear();
    timestamps.clear();
    values.clear();
    metadata.clear();
  }
};

// Decodes `data` (an uncompressed WriteRequest) into *out, whose views point
// into `data`. Returns false if the bytes are not a valid WriteRequest. A
// valid request with more than max_samples samples sets *too_many (so the
// caller can answer 413 instead of 400); *out then holds only the first
// max_samples samples, the rest having been validated but not stored.
bool DecodeWriteRequest(std::string_view data, size_t max_samples, DecodedRequest* out,
                        bool* too_many);

}  // namespace server::remote_write
