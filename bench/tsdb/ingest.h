// Loads a Workload into a tsdb::DB (shared by the benchmark and load tool).
#pragma once

#include <cstdint>

#include "bench/tsdb/workload.h"
#include "tsdb/db.h"

namespace bench {

struct IngestStats {
  uint64_t samples = 0;   // accepted
  uint64_t rejected = 0;  // should be 0 for a generated workload
  double seconds = 0;
};

// Appends every sample of the workload, time-major like a fleet of scrapes:
// `threads` threads each own a disjoint set of hosts; one Commit() carries
// one step of `hosts_per_batch` hosts. Series refs are resolved once.
IngestStats Ingest(tsdb::DB* db, const Workload& w, int threads, int hosts_per_batch);

}  // namespace bench
