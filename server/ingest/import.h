// Bulk import of exposition text with millisecond timestamps
// (POST /api/v1/import/prometheus, VictoriaMetrics-compatible), for history
// of any age.
//
// The body is streamed: read in blocks, parsed line by line, and committed
// every kCommitEvery samples, so bodies of any size pass with bounded memory.
// Unlike the other ways in, a malformed line does not undo what came before
// it: everything up to that line is stored and the 400 answer says how many
// samples that was and which line failed.
#pragma once

#include <cstdint>
#include <functional>

#include "server/ingest/ingester.h"

namespace server {

struct ImportResult {
  uint64_t samples = 0;  // parsed
  uint64_t accepted = 0;
  uint64_t out_of_order = 0, duplicate = 0, too_old = 0, too_far_in_future = 0, series_limit = 0,
           invalid = 0, series_removed = 0;
  common::Status status;  // parse, read or storage error, with line number
  // The store could not persist samples (disk full, I/O error): the import
  // stopped there; retrying it is safe (stored samples are not doubled).
  bool storage_error = false;
};

// read(buf, n) returns bytes read, 0 at end, <0 on error.
// default_timestamp_ms is used for samples without a timestamp.
ImportResult ImportText(Ingester& ingester, const std::function<long(char*, size_t)>& read,
                        int64_t default_timestamp_ms, uint64_t max_bytes);

}  // namespace server
