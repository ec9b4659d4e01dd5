// timex collector: the kernel clock discipline state from adjtimex(2), as
// node_exporter 1.5's timex.go. Not file based: there is no fixture; values
// are the live kernel's.
#include <sys/timex.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "exporter/collector.h"

namespace exporter {
namespace {

class TimexCollector : public Collector {
 public:
  explicit TimexCollector(const CollectorConfig&) {}

  common::Status Update(MetricSink& sink) override {
    struct timex tx;
    std::memset(&tx, 0, sizeof(tx));  // modes 0: read only
    int state = adjtimex(&tx);
    if (state < 0) {
      if (errno == EPERM) return common::Status::NotFound("not collecting timex metrics");
      return common::Status::IOError(std::string("failed to retrieve adjtimex stats: ") +
                                     std::strerror(errno));
    }
    // offset and jitter are in ns with STA_NANO, else in us.
    const double divisor = (tx.status & STA_NANO) ? 1e9 : 1e6;
    const double us = 1e6;
    // freq, ppsfreq and stabil are ppm with a 16-bit fractional part.
    const double ppm16frac = 1000000.0 * 65536.0;
    auto g = [&](const char* name, const char* help, double v) {
      sink.Gauge(std::string("node_timex_") + name, help, {}, v);
    };
    auto c = [&](const char* name, const char* help, double v) {
      sink.Counter(std::string("node_timex_") + name, help, {}, v);
    };
    g("sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
      state == TIME_ERROR ? 0 : 1);
    g("offset_seconds", "Time offset in between local system and reference clock.",
      static_cast<double>(tx.offset) / divisor);
    g("frequency_adjustment_ratio", "Local clock frequency adjustment.",
      1 + static_cast<double>(tx.freq) / ppm16frac);
    g("maxerror_seconds", "Maximum error in seconds.", static_cast<double>(tx.maxerror) / us);
    g("estimated_error_seconds", "Estimated error in seconds.",
      static_cast<double>(tx.esterror) / us);
    g("status", "Value of the status array bits.", static_cast<double>(tx.status));
    g("loop_time_constant", "Phase-locked loop time constant.", static_cast<double>(tx.constant));
    g("tick_seconds", "Seconds between clock ticks.", static_cast<double>(tx.tick) / us);
    g("pps_frequency_hertz", "Pulse per second frequency.",
      static_cast<double>(tx.ppsfreq) / ppm16frac);
    g("pps_jitter_seconds", "Pulse per second jitter.", static_cast<double>(tx.jitter) / divisor);
    g("pps_shift_seconds", "Pulse per second interval duration.", static_cast<double>(tx.shift));
    g("pps_stability_hertz", "Pulse per second stability, average of recent frequency changes.",
      static_cast<double>(tx.stabil) / ppm16frac);
    c("pps_jitter_total", "Pulse per second count of jitter limit exceeded events.",
      static_cast<double>(tx.jitcnt));
    c("pps_calibration_total", "Pulse per second count of calibration intervals.",
      static_cast<double>(tx.calcnt));
    c("pps_error_total", "Pulse per second count of calibration errors.",
      static_cast<double>(tx.errcnt));
    c("pps_stability_exceeded_total", "Pulse per second count of stability limit exceeded events.",
      static_cast<double>(tx.stbcnt));
    g("tai_offset_seconds", "International Atomic Time (TAI) offset.", static_cast<double>(tx.tai));
    return common::Status::OK();
  }
};

REGISTER_COLLECTOR("timex", true, TimexCollector);

}  // namespace
}  // namespace exporter
