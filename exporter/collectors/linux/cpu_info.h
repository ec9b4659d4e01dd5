// node_exporter's --collector.cpu.info part of the cpu collector, kept apart
// from cpu.cc: node_cpu_info, node_cpu_flag_info and node_cpu_bug_info from
// <procfs>/cpuinfo. The cpu collector calls CollectCpuInfo first in each
// Update, as node_exporter 1.5's cpu_linux.go runs updateInfo first.
#pragma once

#include "common/status.h"
#include "exporter/collector.h"
#include "exporter/metric_sink.h"

namespace exporter {

// Adds the cpu info metrics when --collector.cpu.info is on (or either of
// --collector.cpu.info.flags-include / bugs-include is set, which turns it on
// in node_exporter); does nothing otherwise. A failure (unreadable or
// malformed cpuinfo, invalid include regexp) means the cpu collector fails
// without emitting anything else, as node_exporter's.
common::Status CollectCpuInfo(const CollectorConfig& config, MetricSink& sink);
// The cpu info flags' configuration errors (a flags/bugs include that is not
// a regular expression), for CpuCollector::Check.
common::Status CheckCpuInfoFlags(const CollectorConfig& config);

// The /proc/cpuinfo layouts whose parsers procfs picks by the architecture it
// was built for. Other architectures (ppc64, s390x, mips, riscv) read as x86
// here, where procfs has parsers of their own.
enum class CpuInfoFormat { kX86, kArm };

// CollectCpuInfo for a given layout (CollectCpuInfo uses the build's), so
// tests can exercise every parser.
common::Status CollectCpuInfoAs(CpuInfoFormat format, const CollectorConfig& config,
                                MetricSink& sink);

}  // namespace exporter
