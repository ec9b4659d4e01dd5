// uname collector (macOS): node_uname_info from uname(3), as node_exporter
// 1.5's uname_bsd.go (nodename split into nodename and domainname).
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

class UnameCollector : public Collector {
 public:
  explicit UnameCollector(const CollectorConfig&) {}

  common::Status Update(MetricSink& sink) override {
    struct utsname u;
    if (uname(&u) != 0) return common::Status::IOError(std::string("uname: ") + strerror(errno));
    darwin::ConvertUname({.sysname = u.sysname,
                          .nodename = u.nodename,
                          .release = u.release,
                          .version = u.version,
                          .machine = u.machine},
                         sink);
    return common::Status::OK();
  }
};

REGISTER_COLLECTOR("uname", true, UnameCollector);

}  // namespace
}  // namespace exporter
