// The framing of remote_read's STREAMED_XOR_CHUNKS responses
// (Content-Type: application/x-streamed-protobuf;
// proto=prometheus.ChunkedReadResponse): each frame is
//   uvarint(message length) | CRC32-Castagnoli of the message, u32 big-endian |
//   message bytes (one serialized ChunkedReadResponse)
// as Prometheus's remote.ChunkedWriter writes and ChunkedReader checks them.
// Also the XOR chunks those frames carry: a series' samples cut into
// tsdb::XorChunk runs of at most kMaxSamplesPerReadChunk samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/sample.h"

namespace server {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial and final
// XOR 0xffffffff) of data: crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)).
uint32_t Crc32c(std::string_view data);

// Appends one frame holding `message` to *out.
void AppendReadFrame(std::string_view message, std::string* out);

// Prometheus cuts head chunks at 120 samples; remote_read clients expect
// chunks of about that size.
inline constexpr int kMaxSamplesPerReadChunk = 120;

struct XorReadChunk {
  int64_t min_time_ms;
  int64_t max_time_ms;
  std::string data;  // Prometheus chunkenc XOR bytes
};

// Encodes samples (sorted by time) as consecutive XOR chunks of at most
// kMaxSamplesPerReadChunk samples each. Values keep their bits (staleness
// markers included). Empty input gives no chunks.
std::vector<XorReadChunk> EncodeXorReadChunks(const model::SampleVector& samples);

}  // namespace server
