// uname collector: node_uname_info from uname(2), as node_exporter's
// uname_linux.go. Not read from <procfs>/sys/kernel: those files are
// namespaced per reader like uname(2) itself, so a path.procfs pointing at
// the host's /proc gains nothing, and node_exporter does not read them.
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "exporter/collector.h"

namespace exporter {
namespace {

class UnameCollector : public Collector {
 public:
  explicit UnameCollector(const CollectorConfig&) {}

  common::Status Update(MetricSink& sink) override {
    struct utsname u;
    if (uname(&u) != 0) return common::Status::IOError(std::string("uname: ") + strerror(errno));
    sink.Gauge("node_uname_info",
               "Labeled system information as provided by the uname system call.",
               {{"domainname", u.domainname},
                {"machine", u.machine},
                {"nodename", u.nodename},
                {"release", u.release},
                {"sysname", u.sysname},
                {"version", u.version}},
               1);
    return common::Status::OK();
  }
};

REGISTER_COLLECTOR("uname", true, UnameCollector);

}  // namespace
}  // namespace exporter
