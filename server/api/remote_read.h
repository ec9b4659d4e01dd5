// POST /api/v1/read: Prometheus's remote_read protocol, so a Prometheus
// (remote_read: [{url: .../api/v1/read}]) can query this server's samples
// with PromQL of its own.
//
// Request: a snappy block-compressed ReadRequest (remote_read.proto). The
// response type is the first of the client's accepted_response_types that
// this server supports (SAMPLES when it lists none), as Prometheus
// negotiates it:
//   SAMPLES: one snappy block-compressed ReadResponse with every raw sample
//     in each query's [start, end] (staleness markers included),
//     Content-Type application/x-protobuf, Content-Encoding snappy;
//   STREAMED_XOR_CHUNKS: frames (server/api/read_frames.h) of one series
//     each, its samples as XOR chunks of at most 120 samples; a series whose
//     chunks exceed the frame budget (1 MiB less its labels) continues in
//     the next frame.
// External labels (global.external_labels) are added to every returned
// series unless it has the label already, and a query's equality matchers
// that equal an external label are dropped before selecting (the client
// added them; the stored series do not carry them).
//
// Limits and errors: a body over 32 MiB (compressed or decompressed) ->
// 413; bad snappy, a bad protobuf, an unknown matcher type, a bad regexp or
// no supported response type -> 400 with the reason; more than
// --storage.remote.read-sample-limit samples in one SAMPLES response ->
// 400 "exceeded sample limit (N)" (Prometheus's status and text; it counts
// per query, this server per request, checked after each series). At most
// --storage.remote.read-concurrent-limit requests are served at once; the
// others wait for a slot, as Prometheus's gate makes them, until their
// client gives up.
// Differences from Prometheus: unknown matcher types and bad regexps are
// 400 here (Prometheus: 500); an equality matcher with an empty value on a
// label that is not an external one is kept (Prometheus drops it, so
// {a=""} would also return series that have `a`); read hints are ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_server.h"
#include "common/status.h"
#include "model/labels.h"
#include "server/api/remote_read.pb.h"
#include "server/self_metrics.h"
#include "tsdb/db.h"

namespace server {

struct RemoteReadContext {
  tsdb::DB* db;
  SelfMetrics* metrics;
  // The config's current global.external_labels (it changes on reload).
  std::function<model::Labels()> external_labels;
  int64_t sample_limit = 50'000'000;  // per SAMPLES response; 0: none
  int concurrent_limit = 10;          // requests served at once; >= 1
  size_t max_body_bytes = 32 << 20;   // compressed and decompressed
  size_t max_bytes_in_frame = 1 << 20;
};

// Decodes a POST body: snappy block, then a ReadRequest protobuf.
// InvalidArgument for bad snappy or protobuf, TooLarge when the decoded
// request would exceed max_decoded_bytes.
common::Result<ms::remote::ReadRequest> DecodeReadRequest(std::string_view body,
                                                          size_t max_decoded_bytes);

// One query's matchers as the store selects them: converted (InvalidArgument
// for an unknown type or a bad regexp) and without the equality matchers
// that equal one of external_labels.
common::Result<std::vector<tsdb::Matcher>> ReadQueryMatchers(const ms::remote::Query& query,
                                                             const model::Labels& external_labels);

// The response type Prometheus would answer with; InvalidArgument when none
// of the accepted ones is supported.
common::Result<ms::remote::ReadRequest::ResponseType> NegotiateReadResponseType(
    const ms::remote::ReadRequest& request);

// Series labels with the external labels it lacks, sorted by name.
model::Labels WithExternalLabels(const model::Labels& series, const model::Labels& external);

void RegisterRemoteRead(common::HttpServer& http, const RemoteReadContext& ctx);

}  // namespace server
