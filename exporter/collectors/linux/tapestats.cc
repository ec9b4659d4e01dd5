// tapestats collector: SCSI tape drive statistics from
// <sysfs>/class/scsi_tape/stN/stats/*, as node_exporter 1.5's
// tapestats_linux.go over procfs' SCSITapeClass (node_tape_*{device}).
#include <map>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(tapestats_ignored, "collector.tapestats.ignored-devices", "^$",
                        "Regexp of devices to ignore for tapestats.");

const char* kStats[] = {"in_flight", "io_ns",     "other_cnt",      "read_byte_cnt", "read_cnt",
                        "read_ns",   "resid_cnt", "write_byte_cnt", "write_cnt",     "write_ns"};

// Only the stN devices carry statistics; nstN and the stNa..stNm mode
// variants are other minors of the same drive.
bool IsTapeDevice(const std::string& name) {
  if (name.size() < 3 || name.compare(0, 2, "st") != 0) return false;
  for (size_t i = 2; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return true;
}

class TapestatsCollector : public Collector {
 public:
  explicit TapestatsCollector(const CollectorConfig& c)
      : dir_(c.paths.Sys("class/scsi_tape")),
        ignored_(c.Flag("collector.tapestats.ignored-devices"), RE2::Quiet) {}

  common::Status Check() const override {
    if (!ignored_.ok()) return common::Status::InvalidArgument("invalid ignored-devices regexp");
    return common::Status::OK();
  }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    auto names = sysfs::ListDir(dir_);
    if (!names.ok()) {
      if (names.status().IsNotFound()) {
        return common::Status::NotFound("scsi_tape stats not found, skipping");
      }
      return common::Status::IOError("error obtaining SCSITape class info: " +
                                     names.status().ToString());
    }
    struct Tape {
      std::string name;
      std::map<std::string, uint64_t> stats;  // absent ones count as 0
    };
    std::vector<Tape> tapes;
    for (const std::string& name : *names) {
      if (!IsTapeDevice(name)) continue;
      Tape t;
      t.name = name;
      std::string stats_dir = dir_ + "/" + name + "/stats";
      auto files = sysfs::ListDir(stats_dir);
      if (!files.ok()) {
        return common::Status::IOError("error obtaining SCSITape class info: " +
                                       files.status().ToString());
      }
      for (const std::string& f : *files) {
        sysfs::Attr a = sysfs::ReadAttr(stats_dir + "/" + f);
        if (!a.ok()) {
          return common::Status::IOError(
              "error obtaining SCSITape class info: failed to read file " + stats_dir + "/" + f);
        }
        bool known = false;
        for (const char* s : kStats) known = known || f == s;
        if (!known) continue;
        auto v = sysfs::ParseUintBase0(a.value);
        if (!v) return common::Status::Corruption("cannot parse " + stats_dir + "/" + f);
        t.stats[f] = *v;
      }
      tapes.push_back(std::move(t));
    }
    for (const Tape& t : tapes) {
      if (RE2::PartialMatch(t.name, ignored_)) continue;
      auto v = [&](const char* k) {
        auto it = t.stats.find(k);
        return it == t.stats.end() ? 0.0 : static_cast<double>(it->second);
      };
      LabelPairs l = {{"device", t.name}};
      sink.Gauge("node_tape_io_now", "The number of I/Os currently outstanding to this device.", l,
                 v("in_flight"));
      sink.Counter("node_tape_io_time_seconds_total",
                   "The amount of time spent waiting for all I/O to complete (including read and "
                   "write). This includes tape movement commands such as seeking between file or "
                   "set marks and implicit tape movement such as when rewind on close tape devices "
                   "are used.",
                   l, v("io_ns") * 0.000000001);
      sink.Counter("node_tape_io_others_total",
                   "The number of I/Os issued to the tape drive other than read or write commands. "
                   "The time taken to complete these commands uses the following calculation "
                   "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
                   l, v("other_cnt"));
      sink.Counter("node_tape_read_bytes_total", "The number of bytes read from the tape drive.", l,
                   v("read_byte_cnt"));
      sink.Counter("node_tape_reads_completed_total",
                   "The number of read requests issued to the tape drive.", l, v("read_cnt"));
      sink.Counter("node_tape_read_time_seconds_total",
                   "The amount of time spent waiting for read requests to complete.", l,
                   v("read_ns") * 0.000000001);
      sink.Counter("node_tape_residual_total",
                   "The number of times during a read or write we found the residual amount to be "
                   "non-zero. This should mean that a program is issuing a read larger thean the "
                   "block size on tape. For write not all data made it to tape.",
                   l, v("resid_cnt"));
      sink.Counter("node_tape_written_bytes_total",
                   "The number of bytes written to the tape drive.", l, v("write_byte_cnt"));
      sink.Counter("node_tape_writes_completed_total",
                   "The number of write requests issued to the tape drive.", l, v("write_cnt"));
      sink.Counter("node_tape_write_time_seconds_total",
                   "The amount of time spent waiting for write requests to complete.", l,
                   v("write_ns") * 0.000000001);
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
  RE2 ignored_;
};

REGISTER_COLLECTOR("tapestats", true, TapestatsCollector);

}  // namespace
}  // namespace exporter
