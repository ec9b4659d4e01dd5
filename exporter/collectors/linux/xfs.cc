// xfs collector: per-filesystem XFS statistics from
// <sysfs>/fs/xfs/<device>/stats/stats, as node_exporter 1.5's xfs_linux.go
// (node_xfs_*_total{device}). Without XFS filesystems there is nothing to
// report and the collector succeeds with no samples, as node_exporter does.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

namespace fs = std::filesystem;

// One exported counter: the stats line, the value's position and its metric.
struct Field {
  const char* line;
  size_t index;
  const char* name;
  const char* help;
};

const Field kFields[] = {
    {"extent_alloc", 0, "extent_allocation_extents_allocated_total",
     "Number of extents allocated for a filesystem."},
    {"extent_alloc", 1, "extent_allocation_blocks_allocated_total",
     "Number of blocks allocated for a filesystem."},
    {"extent_alloc", 2, "extent_allocation_extents_freed_total",
     "Number of extents freed for a filesystem."},
    {"extent_alloc", 3, "extent_allocation_blocks_freed_total",
     "Number of blocks freed for a filesystem."},
    {"abt", 0, "allocation_btree_lookups_total",
     "Number of allocation B-tree lookups for a filesystem."},
    {"abt", 1, "allocation_btree_compares_total",
     "Number of allocation B-tree compares for a filesystem."},
    {"abt", 2, "allocation_btree_records_inserted_total",
     "Number of allocation B-tree records inserted for a filesystem."},
    {"abt", 3, "allocation_btree_records_deleted_total",
     "Number of allocation B-tree records deleted for a filesystem."},
    {"blk_map", 0, "block_mapping_reads_total",
     "Number of block map for read operations for a filesystem."},
    {"blk_map", 1, "block_mapping_writes_total",
     "Number of block map for write operations for a filesystem."},
    {"blk_map", 2, "block_mapping_unmaps_total",
     "Number of block unmaps (deletes) for a filesystem."},
    {"blk_map", 3, "block_mapping_extent_list_insertions_total",
     "Number of extent list insertions for a filesystem."},
    {"blk_map", 4, "block_mapping_extent_list_deletions_total",
     "Number of extent list deletions for a filesystem."},
    {"blk_map", 5, "block_mapping_extent_list_lookups_total",
     "Number of extent list lookups for a filesystem."},
    {"blk_map", 6, "block_mapping_extent_list_compares_total",
     "Number of extent list compares for a filesystem."},
    {"bmbt", 0, "block_map_btree_lookups_total",
     "Number of block map B-tree lookups for a filesystem."},
    {"bmbt", 1, "block_map_btree_compares_total",
     "Number of block map B-tree compares for a filesystem."},
    {"bmbt", 2, "block_map_btree_records_inserted_total",
     "Number of block map B-tree records inserted for a filesystem."},
    {"bmbt", 3, "block_map_btree_records_deleted_total",
     "Number of block map B-tree records deleted for a filesystem."},
    {"dir", 0, "directory_operation_lookup_total",
     "Number of file name directory lookups which miss the operating systems directory name "
     "lookup cache."},
    {"dir", 1, "directory_operation_create_total",
     "Number of times a new directory entry was created for a filesystem."},
    {"dir", 2, "directory_operation_remove_total",
     "Number of times an existing directory entry was created for a filesystem."},
    {"dir", 3, "directory_operation_getdents_total",
     "Number of times the directory getdents operation was performed for a filesystem."},
    {"ig", 0, "inode_operation_attempts_total",
     "Number of times the OS looked for an XFS inode in the inode cache."},
    {"ig", 1, "inode_operation_found_total",
     "Number of times the OS looked for and found an XFS inode in the inode cache."},
    {"ig", 2, "inode_operation_recycled_total",
     "Number of times the OS found an XFS inode in the cache, but could not use it as it was "
     "being recycled."},
    {"ig", 3, "inode_operation_missed_total",
     "Number of times the OS looked for an XFS inode in the cache, but did not find it."},
    {"ig", 4, "inode_operation_duplicates_total",
     "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it "
     "had already been added by another process."},
    {"ig", 5, "inode_operation_reclaims_total",
     "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for "
     "another purpose."},
    {"ig", 6, "inode_operation_attribute_changes_total",
     "Number of times the OS explicitly changed the attributes of an XFS inode."},
    // The kernel writes "rw <write calls> <read calls>".
    {"rw", 1, "read_calls_total", "Number of read(2) system calls made to files in a filesystem."},
    {"rw", 0, "write_calls_total",
     "Number of write(2) system calls made to files in a filesystem."},
    {"vnodes", 0, "vnode_active_total", "Number of vnodes not on free lists for a filesystem."},
    {"vnodes", 1, "vnode_allocate_total", "Number of times vn_alloc called for a filesystem."},
    {"vnodes", 2, "vnode_get_total", "Number of times vn_get called for a filesystem."},
    {"vnodes", 3, "vnode_hold_total", "Number of times vn_hold called for a filesystem."},
    {"vnodes", 4, "vnode_release_total", "Number of times vn_rele called for a filesystem."},
    {"vnodes", 5, "vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem."},
    {"vnodes", 6, "vnode_remove_total", "Number of times vn_remove called for a filesystem."},
};

// Value counts procfs requires of the lines it knows (vnodes: 7 or 8).
const std::map<std::string_view, size_t> kLineSizes = {
    {"extent_alloc", 4}, {"abt", 4},   {"blk_map", 7},   {"bmbt", 4},   {"dir", 4},    {"trans", 3},
    {"ig", 7},           {"log", 5},   {"push_ail", 10}, {"xstrat", 2}, {"rw", 2},     {"attr", 4},
    {"icluster", 3},     {"buf", 9},   {"abtb2", 15},    {"abtc2", 15}, {"bmbt2", 15}, {"ibt2", 15},
    {"qm", 8},           {"debug", 1}, {"xpc", 3},
};

using Stats = std::map<std::string, std::vector<uint64_t>>;

common::Status ParseStats(const std::string& path, const std::string& text, Stats& out) {
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.size() < 2) continue;
    // xpc holds 64-bit counters; every other line 32-bit ones.
    const uint64_t max = f[0] == "xpc" ? UINT64_MAX : UINT32_MAX;
    std::vector<uint64_t> v;
    for (size_t i = 1; i < f.size(); ++i) {
      auto x = parse::ToUint(f[i]);
      if (!x || *x > max) return common::Status::Corruption("bad value in " + path);
      v.push_back(*x);
    }
    auto it = kLineSizes.find(f[0]);
    bool ok = f[0] == "vnodes" ? (v.size() == 7 || v.size() == 8)
                               : (it == kLineSizes.end() || v.size() == it->second);
    if (!ok) {
      return common::Status::Corruption("incorrect number of values for XFS " + std::string(f[0]) +
                                        " stats in " + path);
    }
    out[std::string(f[0])] = std::move(v);
  }
  return common::Status::OK();
}

class XfsCollector : public Collector {
 public:
  explicit XfsCollector(const CollectorConfig& c) : dir_(c.paths.Sys("fs/xfs")) {}

  common::Status Update(MetricSink& sink) override {
    std::vector<std::string> devices;
    std::error_code ec;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      std::error_code ec2;
      if (fs::exists(it->path() / "stats" / "stats", ec2)) devices.push_back(name);
    }
    std::sort(devices.begin(), devices.end());
    // All filesystems are read before any is reported: one bad file fails
    // the whole collector.
    std::vector<Stats> stats(devices.size());
    for (size_t i = 0; i < devices.size(); ++i) {
      std::string path = dir_ + "/" + devices[i] + "/stats/stats";
      std::string text;
      if (!common::ReadFileToString(path, &text)) {
        return common::Status::IOError("failed to retrieve XFS stats: cannot read " + path);
      }
      if (auto s = ParseStats(path, text, stats[i]); !s.ok()) {
        return s.WithContext("failed to retrieve XFS stats");
      }
    }
    for (size_t i = 0; i < devices.size(); ++i) {
      for (const Field& f : kFields) {
        auto it = stats[i].find(f.line);
        double v = it == stats[i].end() || f.index >= it->second.size()
                       ? 0
                       : static_cast<double>(it->second[f.index]);
        sink.Counter(std::string("node_xfs_") + f.name, f.help, {{"device", devices[i]}}, v);
      }
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("xfs", true, XfsCollector);

}  // namespace
}  // namespace exporter
