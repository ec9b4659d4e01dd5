#include "server/ingest/remote_write.h"

#include <snappy.h>

#include <memory>

#include "server/ingest/remote_write.pb.h"
#include "server/ingest/remote_write_decode.h"

namespace server {

namespace {
const char* TypeName(ms::remote::MetricMetadata::MetricType t) {
  switch (t) {
    case ms::remote::MetricMetadata::COUNTER:
      return "counter";
    case ms::remote::MetricMetadata::GAUGE:
      return "gauge";
    case ms::remote::MetricMetadata::HISTOGRAM:
      return "histogram";
    case ms::remote::MetricMetadata::GAUGEHISTOGRAM:
      return "gaugehistogram";
    case ms::remote::MetricMetadata::SUMMARY:
      return "summary";
    case ms::remote::MetricMetadata::INFO:
      return "info";
    case ms::remote::MetricMetadata::STATESET:
      return "stateset";
    default:
      return "unknown";
  }
}
}  // namespace

common::Result<RemoteWriteResult> IngestRemoteWrite(Ingester& ingester, std::string_view body,
                                                    MetadataStore* metadata) {
  size_t raw_len = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &raw_len)) {
    return common::Status::InvalidArgument("body is not snappy block-compressed data");
  }
  if (raw_len > ingester.limits().max_body_bytes) {
    return common::Status::TooLarge("decompressed body of " + std::to_string(raw_len) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(ingester.limits().max_body_bytes) + " bytes");
  }
  // Uninitialised buffer: snappy writes every byte.
  auto raw = std::make_unique_for_overwrite<char[]>(raw_len == 0 ? 1 : raw_len);
  if (!snappy::RawUncompress(body.data(), body.size(), raw.get())) {
    return common::Status::InvalidArgument("corrupt snappy data");
  }
  remote_write::DecodedRequest req;
  // A typical sample takes ~13 bytes on the wire (tag, length, double,
  // varint timestamp); reserving for that avoids most regrowth.
  req.timestamps.reserve(raw_len / 13);
  req.values.reserve(raw_len / 13);
  bool too_many = false;
  const size_t max_samples = ingester.limits().max_samples_per_request;
  if (!remote_write::DecodeWriteRequest(std::string_view(raw.get(), raw_len), max_samples, &req,
                                        &too_many)) {
    return common::Status::InvalidArgument(
        "body is not a valid remote_write WriteRequest protobuf");
  }
  // Checked before any series is created, so an oversized request leaves
  // nothing behind.
  if (too_many) {
    return common::Status::TooLarge("request has more than " + std::to_string(max_samples) +
                                    " samples");
  }

  RemoteWriteResult result;
  std::vector<tsdb::RefSample> batch;
  batch.reserve(req.timestamps.size());
  std::string key;
  Ingester::SeriesBatch series(&ingester);  // created only once all series are valid
  for (size_t i = 0; i < req.series.size(); ++i) {
    const remote_write::DecodedSeries& ts = req.series[i];
    const auto* first = req.labels.data() + ts.labels_begin;
    const auto* last = req.labels.data() + ts.labels_end;
    key.clear();
    for (const auto* l = first; l != last; ++l) {
      key += l->first;
      key += '\x01';
      key += l->second;
      key += '\x01';
    }
    auto ref = series.Resolve(key, [&]() -> common::Result<model::Labels> {
      std::vector<model::Label> labels;
      labels.reserve(static_cast<size_t>(last - first));
      for (const auto* l = first; l != last; ++l) {
        for (const auto& seen : labels) {
          if (seen.name == l->first) {
            return common::Status::InvalidArgument("duplicate label name \"" +
                                                   std::string(l->first) + "\"");
          }
        }
        if (l->first.empty()) return common::Status::InvalidArgument("empty label name");
        labels.push_back({std::string(l->first), std::string(l->second)});
      }
      return model::Labels::FromVector(std::move(labels));
    });
    if (!ref.ok()) return ref.status().WithContext("timeseries " + std::to_string(i));
    ++result.series;
    for (size_t k = ts.samples_begin; k < ts.samples_end; ++k) {
      batch.push_back({*ref, req.timestamps[k], req.values[k]});
    }
  }
  if (metadata) {
    for (const auto& m : req.metadata) {
      metadata->SetType(m.metric_family_name,
                        TypeName(static_cast<ms::remote::MetricMetadata::MetricType>(m.type)));
      if (!m.help.empty()) metadata->SetHelp(m.metric_family_name, m.help);
    }
  }
  if (auto s = series.Create(&batch); !s.ok()) return s;
  result.samples = batch.size();
  result.append = ingester.Commit(batch);
  return result;
}

}  // namespace server
