#include "tsdb/rocks_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <algorithm>

#include "tsdb/format.h"

namespace tsdb {

namespace {

bool Supported(rocksdb::CompressionType t) {
  auto v = rocksdb::GetSupportedCompressions();
  return std::find(v.begin(), v.end(), t) != v.end();
}

// Strongest commonly available codec for cold data.
rocksdb::CompressionType ColdCompression() {
  if (Supported(rocksdb::kZSTD)) return rocksdb::kZSTD;
  if (Supported(rocksdb::kLZ4Compression)) return rocksdb::kLZ4Compression;
  return rocksdb::kNoCompression;
}

rocksdb::CompressionType FastCompression() {
  if (Supported(rocksdb::kLZ4Compression)) return rocksdb::kLZ4Compression;
  return rocksdb::kNoCompression;
}

rocksdb::BlockBasedTableOptions TableOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                             bool bloom, size_t block_size) {
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.block_size = block_size;
  // Index and filter blocks live in the (bounded) block cache, so memory use
  // is capped by block_cache_bytes instead of growing with the data size.
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.format_version = 5;
  if (bloom) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  return t;
}

}  // namespace

rocksdb::DBOptions MakeDBOptions(const Options& /*options*/) {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  // Two cores: one flush and one compaction in the background at most.
  o.max_background_jobs = 2;
  // Smooth out writeback instead of bursts at file close.
  o.bytes_per_sync = 1 << 20;
  o.wal_bytes_per_sync = 1 << 20;
  // The WAL pins memtables of all column families; cap it so that the
  // (transient) head_wal family gets flushed and old logs are recycled.
  o.max_total_wal_size = 256 << 20;
  // Concurrent appenders commit in parallel: let writers of one group insert
  // into memtables concurrently and pipeline WAL and memtable writes.
  o.allow_concurrent_memtable_write = true;
  o.enable_pipelined_write = true;
  o.keep_log_file_num = 3;
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  return o;
}

std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(const Options& options) {
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;

  rocksdb::ColumnFamilyOptions def;
  def.write_buffer_size = 1 << 20;  // unused
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, def);

  // series: id -> labels. Point lookups by id; small; bloom filter makes
  // misses free. LZ4 everywhere (label text compresses well, reads are hot).
  rocksdb::ColumnFamilyOptions series;
  series.write_buffer_size = 16 << 20;
  series.compression = FastCompression();
  series.bottommost_compression = ColdCompression();
  series.table_factory.reset(
      rocksdb::NewBlockBasedTableFactory(TableOptions(cache, true, 8 << 10)));
  cfs.emplace_back(format::kSeriesCF, series);

  // index: postings keys only (name\0value\0id). Prefix scans; keys share
  // long prefixes, which block prefix-delta encoding already removes; zstd on
  // the bottommost level squeezes the rest.
  rocksdb::ColumnFamilyOptions index = series;
  index.table_factory.reset(
      rocksdb::NewBlockBasedTableFactory(TableOptions(cache, true, 16 << 10)));
  cfs.emplace_back(format::kIndexCF, index);

  // chunks: the bulk of the data. Values are already compressed (Gorilla /
  // decimal bit packing), so the upper levels use LZ4 (cheap, still removes
  // key/header redundancy) and the bottommost level zstd with larger blocks,
  // which finds the remaining redundancy across neighbouring chunks. Range
  // scans only: no bloom filter. Larger write buffers mean fewer, larger L0
  // files and less write amplification.
  rocksdb::ColumnFamilyOptions chunks;
  chunks.write_buffer_size = 64 << 20;
  chunks.max_write_buffer_number = 3;
  chunks.target_file_size_base = 64 << 20;
  chunks.max_bytes_for_level_base = 256 << 20;
  chunks.level_compaction_dynamic_level_bytes = true;
  chunks.compression = FastCompression();
  chunks.bottommost_compression = ColdCompression();
  chunks.bottommost_compression_opts.level = 3;
  chunks.bottommost_compression_opts.enabled = true;
  chunks.table_factory.reset(
      rocksdb::NewBlockBasedTableFactory(TableOptions(cache, false, 32 << 10)));
  cfs.emplace_back(format::kChunksCF, chunks);

  // head_wal: raw samples of acknowledged batches until their chunk is
  // sealed; written once, range-deleted soon after, read only on reopen.
  // Mostly dies in the memtable (flush drops range-deleted entries), so a
  // large buffer and no compression.
  rocksdb::ColumnFamilyOptions wal;
  wal.write_buffer_size = 128 << 20;
  wal.max_write_buffer_number = 3;
  wal.compression = rocksdb::kNoCompression;
  wal.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cache, false, 64 << 10)));
  cfs.emplace_back(format::kHeadWalCF, wal);

  rocksdb::ColumnFamilyOptions meta;
  meta.write_buffer_size = 1 << 20;
  cfs.emplace_back(format::kMetaCF, meta);
  return cfs;
}

}  // namespace tsdb
