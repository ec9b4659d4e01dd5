// The rtnetlink variant of the netclass collector (--collector.netclass.netlink),
// kept apart from netclass.cc: interface attributes from an RTM_GETLINK dump and
// speed/duplex from the ethtool generic-netlink family, as node_exporter 1.5's
// netclass_rtnl_linux.go. It reads the running kernel, not <sysfs>.
#pragma once

#include <re2/re2.h>

#include "common/status.h"
#include "exporter/metric_sink.h"

namespace exporter {

// Adds node_network_* for every interface not matching ignored; with_stats adds
// the interface counters (--collector.netclass_rtnl.with-stats).
common::Status CollectNetClassRtnl(MetricSink& sink, const RE2& ignored, bool with_stats);

}  // namespace exporter
