// filefd collector: allocated and maximum file handles from
// <procfs>/sys/fs/file-nr, as node_exporter 1.5's filefd_linux.go.
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

class FilefdCollector : public Collector {
 public:
  explicit FilefdCollector(const CollectorConfig& c) : path_(c.paths.Proc("sys/fs/file-nr")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("couldn't get file-nr: cannot read " + path_);
    }
    // "allocated\tunused\tmaximum"; the middle value is always 0 since 2.6.
    std::vector<std::string_view> parts;
    for (std::string_view rest = parse::Trim(text);;) {
      size_t tab = rest.find('\t');
      parts.push_back(rest.substr(0, tab));
      if (tab == std::string_view::npos) break;
      rest.remove_prefix(tab + 1);
    }
    if (parts.size() < 3) {
      return common::Status::Corruption("unexpected number of file stats in " + path_);
    }
    auto allocated = parse::ToDouble(parts[0]);
    auto maximum = parse::ToDouble(parts[2]);
    if (!allocated || !maximum) return common::Status::Corruption("invalid value in file-nr");
    sink.Gauge("node_filefd_allocated", "File descriptor statistics: allocated.", {}, *allocated);
    sink.Gauge("node_filefd_maximum", "File descriptor statistics: maximum.", {}, *maximum);
    return common::Status::OK();
  }

 private:
  std::string path_;
};

REGISTER_COLLECTOR("filefd", true, FilefdCollector);

}  // namespace
}  // namespace exporter
