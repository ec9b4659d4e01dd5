#include "server/ingest/remote_write.h"

#include <snappy.h>

#include "server/ingest/remote_write.pb.h"

namespace server {

namespace {
const char* TypeName(ms::remote::MetricMetadata::MetricType t) {
  switch (t) {
    case ms::remote::MetricMetadata::COUNTER: return "counter";
    case ms::remote::MetricMetadata::GAUGE: return "gauge";
    case ms::remote::MetricMetadata::HISTOGRAM: return "histogram";
    case ms::remote::MetricMetadata::GAUGEHISTOGRAM: return "gaugehistogram";
    case ms::remote::MetricMetadata::SUMMARY: return "summary";
    case ms::remote::MetricMetadata::INFO: return "info";
    case ms::remote::MetricMetadata::STATESET: return "stateset";
    default: return "unknown";
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
    return common::Status::TooLarge(
        "decompressed body of " + std::to_string(raw_len) + " bytes exceeds the limit of " +
        std::to_string(ingester.limits().max_body_bytes) + " bytes");
  }
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
    return common::Status::InvalidArgument("corrupt snappy data");
  }
  ms::remote::WriteRequest req;
  if (!req.ParseFromString(raw)) {
    return common::Status::InvalidArgument("body is not a valid remote_write WriteRequest protobuf");
  }

  RemoteWriteResult result;
  std::vector<Ingester::Sample> batch;
  std::string key;
  for (int i = 0; i < req.timeseries_size(); ++i) {
    const auto& ts = req.timeseries(i);
    key.clear();
    for (const auto& l : ts.labels()) {
      key += l.name();
      key += '\x01';
      key += l.value();
      key += '\x01';
    }
    auto ref = ingester.Resolve(key, [&]() -> common::Result<common::Labels> {
      std::vector<common::Label> labels;
      labels.reserve(static_cast<size_t>(ts.labels_size()));
      for (const auto& l : ts.labels()) {
        for (const auto& seen : labels) {
          if (seen.name == l.name()) {
            return common::Status::InvalidArgument("duplicate label name \"" + l.name() + "\"");
          }
        }
        if (l.name().empty()) return common::Status::InvalidArgument("empty label name");
        labels.push_back({l.name(), l.value()});
      }
      return common::Labels::FromVector(std::move(labels));
    });
    if (!ref.ok()) return ref.status().WithContext("timeseries " + std::to_string(i));
    ++result.series;
    for (const auto& s : ts.samples()) {
      if (batch.size() >= ingester.limits().max_samples_per_request) {
        return common::Status::TooLarge(
            "request has more than " +
            std::to_string(ingester.limits().max_samples_per_request) + " samples");
      }
      batch.push_back({*ref, s.timestamp(), s.value()});
    }
  }
  if (metadata) {
    for (const auto& m : req.metadata()) {
      metadata->SetType(m.metric_family_name(), TypeName(m.type()));
      if (!m.help().empty()) metadata->SetHelp(m.metric_family_name(), m.help());
    }
  }
  result.samples = batch.size();
  result.append = ingester.Commit(batch);
  return result;
}

}  // namespace server
