// Encodes remote_write 1.0 requests (a snappy-compressed protobuf
// WriteRequest) straight into bytes, without building protobuf objects: a
// series' labels are encoded once (LabelsField) and copied into every
// request that carries it.
//
//   WriteRequestEncoder enc;
//   enc.AddSeries(labels_field, ts, vs, n);   // any number of times
//   const std::string& body = enc.Finish();   // snappy block format
//   enc.Reset();                              // reuse the buffers
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/labels.h"

namespace server::remote {

// The labels as TimeSeries field 1 entries (Label{name, value} messages),
// in the order given (remote_write requires them sorted by name, which
// model::Labels is).
std::string LabelsField(const model::Labels& labels);

class WriteRequestEncoder {
 public:
  // Adds one TimeSeries with the given labels and samples (in time order).
  void AddSeries(std::string_view labels_field, const int64_t* ts, const double* vs, size_t n);
  // The compressed request; valid until the next call.
  const std::string& Finish();
  void Reset() { raw_.clear(); }
  // Uncompressed size so far.
  size_t raw_size() const { return raw_.size(); }

 private:
  std::string raw_;
  std::string compressed_;
};

}  // namespace server::remote
