#include "common/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "common/paths.h"

namespace common {

namespace {

prometheus::MetricFamily Gauge(const char* name, const char* help, double v) {
  prometheus::MetricFamily f{name, help, prometheus::MetricType::Gauge, {}};
  prometheus::ClientMetric m;
  m.gauge.value = v;
  f.metric.push_back(m);
  return f;
}

int CountOpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  std::string stat;
  if (ReadFileToString("/proc/self/stat", &stat)) {
    // Fields after the parenthesised command name, which may contain spaces.
    size_t rparen = stat.rfind(')');
    if (rparen != std::string::npos) {
      unsigned long utime = 0, stime = 0, vsize = 0;
      long rss = 0;
      unsigned long long starttime = 0;
      // state(3) ... utime(14) stime(15) ... starttime(22) vsize(23) rss(24)
      int got = std::sscanf(stat.c_str() + rparen + 2,
                            "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d "
                            "%*d %*d %llu %lu %ld",
                            &utime, &stime, &starttime, &vsize, &rss);
      if (got == 5) {
        double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
        prometheus::MetricFamily cpu{"process_cpu_seconds_total",
                                     "Total user and system CPU time spent in seconds.",
                                     prometheus::MetricType::Counter,
                                     {}};
        prometheus::ClientMetric m;
        m.counter.value = static_cast<double>(utime + stime) / hz;
        cpu.metric.push_back(m);
        out.push_back(cpu);
        out.push_back(Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                            static_cast<double>(vsize)));
        out.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                            static_cast<double>(rss) * static_cast<double>(getpagesize())));
        std::string proc_stat;
        if (ReadFileToString("/proc/stat", &proc_stat)) {
          const char* p = std::strstr(proc_stat.c_str(), "\nbtime ");
          if (p) {
            double btime = std::strtod(p + 7, nullptr);
            out.push_back(Gauge("process_start_time_seconds",
                                "Start time of the process since unix epoch in seconds.",
                                btime + static_cast<double>(starttime) / hz));
          }
        }
      }
    }
  }
  int fds = CountOpenFds();
  if (fds >= 0) {
    out.push_back(Gauge("process_open_fds", "Number of open file descriptors.", fds));
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    out.push_back(Gauge("process_max_fds", "Maximum number of open file descriptors.",
                        static_cast<double>(rl.rlim_cur)));
  }
  if (getrlimit(RLIMIT_AS, &rl) == 0) {
    out.push_back(Gauge("process_virtual_memory_max_bytes",
                        "Maximum amount of virtual memory available in bytes.",
                        rl.rlim_cur == RLIM_INFINITY ? 1.8446744073709552e19
                                                     : static_cast<double>(rl.rlim_cur)));
  }
  return out;
}

}  // namespace common
