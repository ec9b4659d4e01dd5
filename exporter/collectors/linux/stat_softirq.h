// node_exporter's --collector.stat.softirq part of the stat collector, kept
// apart from stat.cc: node_softirqs_total{vector} from the "softirq" line of
// <procfs>/stat. node_exporter 1.5 has no softirqs collector; this flag is how
// it exposes softirq counts.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "exporter/collector.h"
#include "exporter/metric_sink.h"

namespace exporter {

struct StatSoftirqs {
  uint64_t total = 0;
  // hi, timer, net_tx, net_rx, block, block_iopoll, tasklet, sched,
  // hrtimer, rcu
  uint64_t vectors[10] = {};
};

// Parses the "softirq" line of /proc/stat text (all zero when there is none).
// procfs fails the whole /proc/stat read on a malformed softirq line, flag or
// not, so the stat collector should fail (before emitting) on an error here.
common::Result<StatSoftirqs> ParseStatSoftirqs(std::string_view proc_stat);

// Adds node_softirqs_total{vector} when --collector.stat.softirq is on.
void EmitStatSoftirqs(const CollectorConfig& config, const StatSoftirqs& softirqs,
                      MetricSink& sink);

}  // namespace exporter
