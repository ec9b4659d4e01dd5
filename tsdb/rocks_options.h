// RocksDB tuning for the tsdb workload (internal to tsdb/).
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <vector>

#include "tsdb/db.h"

namespace tsdb {

rocksdb::DBOptions MakeDBOptions(const Options& options);

// Descriptors for default + the five tsdb column families, in the order
// default, series, index, chunks, head_wal, meta.
std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(const Options& options);

}  // namespace tsdb
