// meminfo collector: every /proc/meminfo field as node_memory_<Field>[_bytes],
// named exactly as node_exporter's meminfo_linux.go does ("Active(anon)" becomes
// "Active_anon"; fields in kB become bytes and get the _bytes suffix).
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(const CollectorConfig& c) : path_(c.paths.Proc("meminfo")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    struct Field {
      std::string name;
      double value;
    };
    std::vector<Field> fields;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (f.empty()) continue;
      if (f.size() < 2 || f[0].back() != ':') {
        return common::Status::Corruption("invalid line in " + path_ + ": " + std::string(line));
      }
      auto v = parse::ToDouble(f[1]);
      if (!v)
        return common::Status::Corruption("invalid value in " + path_ + ": " + std::string(line));
      std::string key(f[0].substr(0, f[0].size() - 1));
      // "Active(anon)" -> "Active_anon", as node_exporter's regexp replacement.
      for (char& c : key) {
        if (c == '(') c = '_';
      }
      std::erase(key, ')');
      double value = *v;
      if (f.size() == 3 && f[2] == "kB") {
        value *= 1024;
        key += "_bytes";
      }
      fields.push_back({std::move(key), value});
    }
    if (fields.empty()) return common::Status::Corruption("no fields in " + path_);
    for (auto& f : fields) {
      std::string name = "node_memory_" + f.name;
      sink.Gauge(name, "Memory information field " + f.name + ".", {}, f.value);
    }
    return common::Status::OK();
  }

 private:
  std::string path_;
};

REGISTER_COLLECTOR("meminfo", true, MeminfoCollector);

}  // namespace
}  // namespace exporter
