#include "tsdb/rocks_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

// Out of space, by another name. RocksDB's POSIX layer reports ENOSPC as a
// retryable NoSpace error, from which a DB resumes (DB::Resume, or by itself)
// once there is room again; but EDQUOT (disk quota exceeded) and EFBIG (a
// file size limit: RLIMIT_FSIZE, the filesystem's largest file) become plain
// IO errors, which RocksDB deems fatal after a failed log write: the DB would
// refuse every write until it is reopened. They are the same condition for
// the store, so writable files report them as NoSpace.
rocksdb::IOStatus AsNoSpace(rocksdb::IOStatus s) {
  if (s.ok() || !s.IsIOError() || s.IsNoSpace()) return s;
  const std::string msg = s.ToString();
  for (int err : {EDQUOT, EFBIG}) {
    if (msg.find(strerror(err)) != std::string::npos) {
      rocksdb::IOStatus n = rocksdb::IOStatus::NoSpace(msg);
      n.SetRetryable(true);
      return n;
    }
  }
  return s;
}

class SpaceErrorFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  using FSWritableFileOwnerWrapper::FSWritableFileOwnerWrapper;
  using IOOptions = rocksdb::IOOptions;
  using Dbg = rocksdb::IODebugContext;
  rocksdb::IOStatus Append(const rocksdb::Slice& d, const IOOptions& o, Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::Append(d, o, g));
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& d, const IOOptions& o,
                           const rocksdb::DataVerificationInfo& v, Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::Append(d, o, v, g));
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& d, uint64_t off, const IOOptions& o,
                                     Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::PositionedAppend(d, off, o, g));
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& d, uint64_t off, const IOOptions& o,
                                     const rocksdb::DataVerificationInfo& v, Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::PositionedAppend(d, off, o, v, g));
  }
  rocksdb::IOStatus Allocate(uint64_t off, uint64_t len, const IOOptions& o, Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::Allocate(off, len, o, g));
  }
  rocksdb::IOStatus Flush(const IOOptions& o, Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::Flush(o, g));
  }
  rocksdb::IOStatus Sync(const IOOptions& o, Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::Sync(o, g));
  }
  rocksdb::IOStatus Fsync(const IOOptions& o, Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::Fsync(o, g));
  }
  rocksdb::IOStatus Close(const IOOptions& o, Dbg* g) override {
    return AsNoSpace(FSWritableFileOwnerWrapper::Close(o, g));
  }
};

// RocksDB's info log ("LOG"). Its writer must never see a failed write: on
// the next log line RocksDB 7.8's WritableFileWriter asserts (and Debian's
// librocksdb is built with assertions), so a full disk would abort the
// server as soon as RocksDB logs the error. A line that does not fit is
// dropped instead.
class InfoLogFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  using FSWritableFileOwnerWrapper::FSWritableFileOwnerWrapper;
  using IOOptions = rocksdb::IOOptions;
  using Dbg = rocksdb::IODebugContext;
  rocksdb::IOStatus Append(const rocksdb::Slice& d, const IOOptions& o, Dbg* g) override {
    (void)FSWritableFileOwnerWrapper::Append(d, o, g);
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& d, const IOOptions& o,
                           const rocksdb::DataVerificationInfo& v, Dbg* g) override {
    (void)FSWritableFileOwnerWrapper::Append(d, o, v, g);
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Flush(const IOOptions& o, Dbg* g) override {
    (void)FSWritableFileOwnerWrapper::Flush(o, g);
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Sync(const IOOptions& o, Dbg* g) override {
    (void)FSWritableFileOwnerWrapper::Sync(o, g);
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Fsync(const IOOptions& o, Dbg* g) override {
    (void)FSWritableFileOwnerWrapper::Fsync(o, g);
    return rocksdb::IOStatus::OK();
  }
};

class SpaceErrorFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;
  const char* Name() const override { return "SpaceErrorFileSystem"; }
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& fo,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* g) override {
    return Wrap(f, target()->NewWritableFile(f, fo, r, g), r);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& fo,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* g) override {
    return Wrap(f, target()->ReopenWritableFile(f, fo, r, g), r);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& fo,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* g) override {
    return Wrap(f, target()->ReuseWritableFile(f, old, fo, r, g), r);
  }

 private:
  static rocksdb::IOStatus Wrap(const std::string& f, rocksdb::IOStatus s,
                                std::unique_ptr<rocksdb::FSWritableFile>* r) {
    if (s.ok()) {
      const bool info_log = f == "LOG" || f.ends_with("/LOG");
      if (info_log) {
        *r = std::make_unique<InfoLogFile>(std::move(*r));
      } else {
        *r = std::make_unique<SpaceErrorFile>(std::move(*r));
      }
    }
    return AsNoSpace(s);
  }
};

// The default Env with SpaceErrorFileSystem's files, the info log included
// (the composite Env alone would create the log through the default Env).
class SpaceErrorEnv final : public rocksdb::EnvWrapper {
 public:
  SpaceErrorEnv()
      : EnvWrapper(rocksdb::NewCompositeEnv(
            std::make_shared<SpaceErrorFileSystem>(rocksdb::FileSystem::Default()))) {}
  const char* Name() const override { return "SpaceErrorEnv"; }
  rocksdb::Status NewLogger(const std::string& fname,
                            std::shared_ptr<rocksdb::Logger>* result) override {
    return Env::NewLogger(fname, result);  // through this Env's file system
  }
};

rocksdb::Env* StoreEnv() {
  // Never destroyed: it must outlive every DB, including ones closed by
  // static destructors.
  static rocksdb::Env* env = new SpaceErrorEnv();
  return env;
}

}  // namespace

rocksdb::DBOptions MakeDBOptions(const Options& options) {
  rocksdb::DBOptions o;
  o.env = StoreEnv();
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
  if (options.memtable_budget_bytes > 0) {
    o.db_write_buffer_size = options.memtable_budget_bytes;
    // The WAL cannot be recycled before the memtables it covers are
    // flushed: keep it near the memtable budget.
    o.max_total_wal_size = std::clamp<uint64_t>(options.memtable_budget_bytes, 64 << 20, 256 << 20);
  }
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
  // large buffer. What is flushed is compressed: while a remote_write
  // destination lags, the log is kept (DB::OpenLogReader) and can reach
  // hours of samples.
  rocksdb::ColumnFamilyOptions wal;
  wal.write_buffer_size = 128 << 20;
  wal.max_write_buffer_number = 3;
  wal.compression = FastCompression();
  wal.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cache, false, 64 << 10)));
  cfs.emplace_back(format::kHeadWalCF, wal);

  // downsampled: the tiers' blocks, written once each (in series order per
  // window) and read by long-range queries: as the chunks, smaller buffers.
  rocksdb::ColumnFamilyOptions downsampled = chunks;
  downsampled.write_buffer_size = 16 << 20;
  downsampled.max_write_buffer_number = 2;
  cfs.emplace_back(format::kDownsampledCF, downsampled);

  // cold_series: small keys, written once per series that leaves memory.
  rocksdb::ColumnFamilyOptions cold = series;
  cold.write_buffer_size = 4 << 20;
  cfs.emplace_back(format::kColdSeriesCF, cold);

  rocksdb::ColumnFamilyOptions meta;
  meta.write_buffer_size = 1 << 20;
  cfs.emplace_back(format::kMetaCF, meta);

  // Under a shared budget no family's buffer may take most of it: the head
  // log up to half, the others up to a quarter.
  if (const size_t budget = options.memtable_budget_bytes; budget > 0) {
    for (auto& cf : cfs) {
      const size_t cap =
          std::max<size_t>(1 << 20, cf.name == format::kHeadWalCF ? budget / 2 : budget / 4);
      cf.options.write_buffer_size = std::min(cf.options.write_buffer_size, cap);
    }
  }
  return cfs;
}

}  // namespace tsdb
