// RunShards: runs a query's shards on the calling thread plus helper threads
// that live for the whole process (created on first use, one fewer than the
// CPUs). Helpers are only an acceleration: the caller claims shards itself,
// so a query completes even when every helper is busy with other queries,
// and it never waits for a helper that has not started.
//
// Persistent helpers, rather than threads per query, keep each helper's
// memory (its malloc arena, its stack) warm from query to query and spare
// the thread start-up on every query.
#pragma once

#include <cstddef>
#include <functional>

#include "common/status.h"

namespace promql::internal {

// Runs fn(k, on_caller) for every k in [0, n) on up to `threads` threads, the
// calling thread included (on_caller tells which). The caller runs shard 0;
// then every thread claims the next unclaimed shard in index order, so a
// helper that starts late (waking an idle CPU can take milliseconds) or runs
// slowly simply takes fewer. between() (if set) runs on the calling thread
// after each shard it ran. Returns the first failure in index order; after a
// failure no further shard is started. fn must be safe to call concurrently
// for different k.
common::Status RunShards(size_t n, int threads,
                         const std::function<common::Status(size_t, bool)>& fn,
                         const std::function<void()>& between = {});

}  // namespace promql::internal
