// uname collector: node_uname_info, as node_exporter's uname_linux.go. The
// identity fields come from <procfs>/sys/kernel (the same strings uname(2)
// returns, and testable on fixture trees); only "machine" needs uname(2).
#include <sys/utsname.h>

#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

class UnameCollector : public Collector {
 public:
  explicit UnameCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    auto read = [this](const char* rel, std::string* out) {
      if (!common::ReadFileToString(paths_.Proc(rel), out)) return false;
      *out = std::string(parse::Trim(*out));
      return true;
    };
    std::string nodename, domainname, release, sysname, version;
    if (!read("sys/kernel/hostname", &nodename) || !read("sys/kernel/osrelease", &release) ||
        !read("sys/kernel/ostype", &sysname) || !read("sys/kernel/version", &version)) {
      return common::Status::IOError("cannot read " + paths_.Proc("sys/kernel/*"));
    }
    if (!read("sys/kernel/domainname", &domainname)) domainname = "(none)";
    struct utsname u;
    std::string machine = uname(&u) == 0 ? u.machine : "";
    sink.Gauge("node_uname_info",
               "Labeled system information as provided by the uname system call.",
               {{"domainname", domainname},
                {"machine", machine},
                {"nodename", nodename},
                {"release", release},
                {"sysname", sysname},
                {"version", version}},
               1);
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
};

REGISTER_COLLECTOR("uname", true, UnameCollector);

}  // namespace
}  // namespace exporter
