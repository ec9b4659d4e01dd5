// Prometheus remote_write 1.0 receiver: snappy block-compressed protobuf
// WriteRequest -> Ingester.
//
// Decoding and validating every series happens before anything is appended,
// so a malformed request (bad snappy, bad protobuf, invalid labels, limits)
// stores nothing and is answered 400/413. Sample-level rejections (out of
// order, duplicates) keep the good samples, as Prometheus's receiver does,
// and are reported as 400 so senders do not retry them.
#pragma once

#include <string_view>

#include "server/ingest/ingester.h"
#include "server/metadata.h"

namespace server {

struct RemoteWriteResult {
  size_t series = 0;
  size_t samples = 0;
  tsdb::AppendResult append;
};

// InvalidArgument for undecodable input or invalid series; ResourceExhausted
// when the decompressed size or sample count exceeds the limits.
common::Result<RemoteWriteResult> IngestRemoteWrite(Ingester& ingester, std::string_view body,
                                                    MetadataStore* metadata);

}  // namespace server
