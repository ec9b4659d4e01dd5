// vmstat collector: selected <procfs>/vmstat fields, as node_exporter 1.5's
// vmstat_linux.go: node_vmstat_<field>, untyped, for the fields matching
// --collector.vmstat.fields.
#include <map>
#include <string>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/field_filter.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(vmstat_fields, "collector.vmstat.fields",
                        "^(oom_kill|pgpg|pswp|pg.*fault).*",
                        "Regexp of fields to return for vmstat collector.");

class VmstatCollector : public Collector {
 public:
  explicit VmstatCollector(const CollectorConfig& c)
      : path_(c.paths.Proc("vmstat")), fields_(c.Flag("collector.vmstat.fields")) {}

  common::Status Check() const override {
    if (!fields_.ok()) return common::Status::InvalidArgument("invalid vmstat fields regexp");
    return common::Status::OK();
  }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (f.size() < 2) return common::Status::Corruption("malformed line in " + path_);
      // Every value must parse, matched or not, as in node_exporter.
      auto v = parse::ToDouble(f[1]);
      if (!v) return common::Status::Corruption("bad value in " + path_);
      std::string name(f[0]);
      if (!fields_.Wanted(name)) continue;
      sink.Untyped("node_vmstat_" + name, "/proc/vmstat information field " + name + ".", {}, *v);
    }
    return common::Status::OK();
  }

 private:
  std::string path_;
  FieldFilter fields_;
};

REGISTER_COLLECTOR("vmstat", true, VmstatCollector);

}  // namespace
}  // namespace exporter
