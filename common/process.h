// Process-level helpers shared by the binaries: logging setup and waiting for
// termination signals.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"

namespace common {

// Configures spdlog's default logger: level is one of trace, debug, info, warn,
// error, off. format: "text" (local time, level, message), or the Prometheus
// ecosystem's "logfmt" (ts=... level=... msg="...") or "json" (one object per
// line), both in UTC with the message quoted and escaped. Fails on an unknown
// level or format.
Status SetupLogging(const std::string& level, const std::string& format = "text");

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread. Call at the top of
// main, before any thread starts, so that every thread inherits the mask and
// the signals are only seen by WaitForTermination.
void BlockTerminationSignals();

// Waits until SIGTERM or SIGINT arrives; calls on_hangup for every SIGHUP in
// between. Returns the terminating signal number.
// REQUIRES: BlockTerminationSignals() was called first.
int WaitForTermination(const std::function<void()>& on_hangup = nullptr);

}  // namespace common
