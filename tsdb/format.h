// On-disk layout of the tsdb RocksDB database: column families, key and value
// encodings. Nothing else in tsdb/ builds keys by hand.
//
// Column families (all keys compare bytewise):
//   series   : u64be series id                    -> labels (EncodeLabels)
//   index    : name \0 value \0 u64be series id   -> ""   (postings)
//   chunks   : u64be series id, u64be ordered(mint) -> ChunkValue
//   head_wal : u64be batch sequence number         -> WalRecord (samples of
//              one acknowledged batch; trimmed once every sample it holds is
//              in a sealed chunk)
//   downsampled : u64be resolution ms, u64be series id, ordered(block start)
//              -> EncodeBlock (tsdb/downsample.h): one series' buckets of
//              one tier in one block
//   cold_series : 'i' u64be id -> "" and 'h' u64be labels hash, u64be id ->
//              "": series kept only for their downsampling tiers, not in
//              memory (their labels stay in `series`, postings in `index`)
//   meta     : "format_version" -> u64be; "next_series_id" -> u64be;
//              "head_replay_from" -> u64be; "log_reader/<name>" -> u64be
//              next_seq + the reader's state (DB::OpenLogReader);
//              "downsample/<resolution ms>" -> u64be ordered(watermark)
// ordered(t) flips the sign bit so negative timestamps sort first.
// One series' chunks are contiguous and sorted by start time, so a range read
// is a single forward scan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "tsdb/chunk.h"

namespace tsdb::format {

inline constexpr char kSeriesCF[] = "series";
inline constexpr char kIndexCF[] = "index";
inline constexpr char kChunksCF[] = "chunks";
inline constexpr char kHeadWalCF[] = "head_wal";
inline constexpr char kMetaCF[] = "meta";
inline constexpr char kDownsampledCF[] = "downsampled";
inline constexpr char kColdSeriesCF[] = "cold_series";

inline constexpr uint64_t kFormatVersion = 1;
inline constexpr char kFormatVersionKey[] = "format_version";
inline constexpr char kNextSeriesIdKey[] = "next_series_id";
// Upper bound (exclusive) on max_time - min_time of every chunk ever written
// (the largest Options::max_chunk_span_ms the data dir was opened with). A
// chunk overlapping time t therefore has a key at or after ChunkKey(id, t -
// bound + 1): queries find their first chunk with one forward Seek. Absent in
// data dirs from before it was recorded, whose span was always the default.
inline constexpr char kChunkSpanBoundKey[] = "chunk_span_bound_ms";
// While log readers keep head-log records that reopening does not need, the
// batch number replay starts from (every sample of an older record is in a
// sealed chunk).
inline constexpr char kHeadReplayFromKey[] = "head_replay_from";
// Prefix of the log readers' positions.
inline constexpr char kLogReaderPrefix[] = "log_reader/";
// Prefix of the downsampling tiers' watermarks (DB::DownsampleProgress).
inline constexpr char kDownsamplePrefix[] = "downsample/";

std::string U64Key(uint64_t v);
// REQUIRES: key.size() >= 8.
uint64_t DecodeU64Key(std::string_view key);

// Labels as varint-length-prefixed name, value pairs.
std::string EncodeLabels(const model::Labels& labels);
bool DecodeLabels(std::string_view in, model::Labels* labels);

std::string PostingKey(std::string_view name, std::string_view value, uint64_t id);
// Prefix of all postings for name=value.
std::string PostingValuePrefix(std::string_view name, std::string_view value);
// Prefix of all postings for any value of `name`.
std::string PostingNamePrefix(std::string_view name);
// Splits a posting key. Returns false if malformed.
bool ParsePostingKey(std::string_view key, std::string_view* name, std::string_view* value,
                     uint64_t* id);

std::string ChunkKey(uint64_t id, int64_t mint);
std::string BlockKey(int64_t resolution_ms, uint64_t id, int64_t block_start);
// cold_series keys.
std::string ColdIdKey(uint64_t id);
std::string ColdHashKey(uint64_t hash, uint64_t id);
std::string ColdHashPrefix(uint64_t hash);
// REQUIRES: key.size() == 24.
void ParseBlockKey(std::string_view key, int64_t* resolution_ms, uint64_t* id,
                   int64_t* block_start);
// ordered(t) as 8 big-endian bytes, and back (REQUIRES: 8 bytes).
std::string OrderedTimeKey(int64_t t);
int64_t DecodeOrderedTimeKey(std::string_view key);
// REQUIRES: key.size() == 16.
void ParseChunkKey(std::string_view key, uint64_t* id, int64_t* mint);

// Chunk value: u8 encoding, uvarint(maxt - mint), encoded chunk bytes (both
// encodings start with a u16be sample count). mint comes from the key.
struct ChunkValue {
  Encoding encoding;
  int64_t max_time;
  int num_samples;
  std::string_view data;  // points into the decoded input
};
std::string EncodeChunkValue(Encoding enc, int64_t min_time, int64_t max_time,
                             std::string_view data);
bool DecodeChunkValue(std::string_view in, int64_t min_time, ChunkValue* out);

// One batch's accepted samples, grouped by series.
struct WalSeries {
  uint64_t id;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};
// Appends the group to *out: varint id, varint n, varint zigzag t0, varint
// zigzag deltas, then n raw 8-byte little-endian value bit patterns.
void AppendWalSeries(std::string* out, uint64_t id, const int64_t* ts, const double* vs, size_t n);
bool DecodeWalRecord(std::string_view in, std::vector<WalSeries>* out);
// The same record into flat arrays (appended): ids[i]'s samples are
// [offsets[i], offsets[i + 1]) of ts/vs; offsets gets ids.size() + 1 entries
// when it starts empty.
bool DecodeWalRecordFlat(std::string_view in, std::vector<uint64_t>* ids,
                         std::vector<uint32_t>* offsets, std::vector<int64_t>* ts,
                         std::vector<double>* vs);

}  // namespace tsdb::format
