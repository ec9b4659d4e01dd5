// fibrechannel collector: Fibre Channel HBA ports from
// <sysfs>/class/fc_host/<host> and its statistics/, as node_exporter 1.5's
// fibrechannel_linux.go over procfs' FibreChannelClass
// (node_fibrechannel_info, node_fibrechannel_<counter>_total).
#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"

namespace exporter {
namespace {

// statistics file -> metric suffix and help, in node_exporter's order.
struct CounterInfo {
  const char* file;
  const char* metric;
  const char* help;
};
const CounterInfo kCounters[] = {
    {"dumped_frames", "dumped_frames_total", "Number of dumped frames"},
    {"error_frames", "error_frames_total", "Number of errors in frames"},
    {"invalid_crc_count", "invalid_crc_total", "Invalid Cyclic Redundancy Check count"},
    {"rx_frames", "rx_frames_total", "Number of frames received"},
    {"rx_words", "rx_words_total", "Number of words received by host port"},
    {"tx_frames", "tx_frames_total", "Number of frames transmitted by host port"},
    {"tx_words", "tx_words_total", "Number of words transmitted by host port"},
    {"seconds_since_last_reset", "seconds_since_last_reset_total",
     "Number of seconds since last host port reset"},
    {"invalid_tx_word_count", "invalid_tx_words_total",
     "Number of invalid words transmitted by host port"},
    {"link_failure_count", "link_failure_total", "Number of times the host port link has failed"},
    {"loss_of_sync_count", "loss_of_sync_total",
     "Number of failures on either bit or transmission word boundaries"},
    {"loss_of_signal_count", "loss_of_signal_total", "Number of times signal has been lost"},
    {"nos_count", "nos_total", "Number Not_Operational Primitive Sequence received by host port"},
    {"fcp_packet_aborts", "fcp_packet_aborts_total", "Number of aborted packets"},
};

const char* kAttrs[] = {"speed",         "port_state",        "port_type",       "node_name",
                        "port_id",       "port_name",         "fabric_name",     "dev_loss_tmo",
                        "symbolic_name", "supported_classes", "supported_speeds"};

struct Host {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::map<std::string, uint64_t> counters;  // absent ones count as 0
};

common::Status ReadHost(const std::string& dir, Host* h) {
  for (const char* f : kAttrs) {
    std::string path = dir + "/" + f;
    sysfs::Attr a = sysfs::ReadAttr(path);
    if (!a.ok()) return common::Status::IOError("failed to read file " + path);
    std::string v = a.value;
    // procfs drops the "0x" of the WWN-style identifiers.
    std::string_view name(f);
    if ((name == "node_name" || name == "port_id" || name == "port_name" ||
         name == "fabric_name") &&
        v.size() > 2) {
      v = v.substr(2);
    }
    h->attrs[f] = v;
  }
  std::string stats = dir + "/statistics";
  auto files = sysfs::ListDir(stats);
  if (!files.ok()) return files.status();
  for (const std::string& f : *files) {
    std::string path = stats + "/" + f;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || f == "reset_statistics") continue;
    sysfs::Attr a = sysfs::ReadAttr(path);
    if (!a.ok()) {
      // Some statistics are write-only.
      if (a.err == ENOENT || a.err == EOPNOTSUPP || a.err == EINVAL) continue;
      return common::Status::IOError("failed to read file " + path);
    }
    bool known = false;
    for (const CounterInfo& c : kCounters) known = known || f == c.file;
    if (!known) continue;
    auto v = sysfs::ParseUintBase0(a.value);
    if (!v) return common::Status::Corruption("cannot parse " + path);
    h->counters[f] = *v;
  }
  return common::Status::OK();
}

class FibreChannelCollector : public Collector {
 public:
  explicit FibreChannelCollector(const CollectorConfig& c) : dir_(c.paths.Sys("class/fc_host")) {}

  common::Status Update(MetricSink& sink) override {
    auto names = sysfs::ListDir(dir_);
    if (!names.ok()) {
      if (names.status().IsNotFound()) {
        return common::Status::NotFound("fibrechannel statistics not found, skipping");
      }
      return common::Status::IOError("error obtaining FibreChannel class info: " +
                                     names.status().ToString());
    }
    std::vector<Host> hosts;
    for (const std::string& name : *names) {
      Host h;
      h.name = name;
      if (auto s = ReadHost(dir_ + "/" + name, &h); !s.ok()) {
        return common::Status::IOError("error obtaining FibreChannel class info: " + s.ToString());
      }
      hosts.push_back(std::move(h));
    }
    for (const Host& h : hosts) {
      auto attr = [&](const char* k) { return h.attrs.at(k); };
      sink.Gauge("node_fibrechannel_info",
                 "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
                 {{"dev_loss_tmo", attr("dev_loss_tmo")},
                  {"fabric_name", attr("fabric_name")},
                  {"fc_host", h.name},
                  {"port_id", attr("port_id")},
                  {"port_name", attr("port_name")},
                  {"port_state", attr("port_state")},
                  {"port_type", attr("port_type")},
                  {"speed", attr("speed")},
                  {"supported_classes", attr("supported_classes")},
                  {"supported_speeds", attr("supported_speeds")},
                  {"symbolic_name", attr("symbolic_name")}},
                 1);
      for (const CounterInfo& c : kCounters) {
        auto it = h.counters.find(c.file);
        uint64_t v = it == h.counters.end() ? 0 : it->second;
        // All ones is how HBA firmware marks a counter it does not implement.
        if (v == UINT64_MAX) continue;
        sink.Counter(std::string("node_fibrechannel_") + c.metric, c.help, {{"fc_host", h.name}},
                     static_cast<double>(v));
      }
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("fibrechannel", true, FibreChannelCollector);

}  // namespace
}  // namespace exporter
