// cgroup collector: per-container resource usage from the cgroup hierarchy at
// <sysfs>/fs/cgroup (v2 unified, or v1/hybrid), named as cAdvisor names it (container_*,
// labels id, image, name), so dashboards and alerts written for cAdvisor work.
//
// Which cgroups are containers (see docs/deploy.md):
//   - container runtimes: a cgroup whose name, without ".scope", is a 64-hex
//     container id, bare or after a "<runtime>-" prefix: docker-<id>.scope,
//     libpod-<id>.scope (podman, also rootless under user.slice),
//     cri-containerd-<id>.scope, crio-<id>.scope, nerdctl-<id>.scope, and the
//     cgroupfs driver's /docker/<id> and /kubepods/<qos>/pod<uid>/<id>. Their
//     name is the short (12 hex) id, or the docker container name when
//     <rootfs>/var/lib/docker/containers/<id>/config.v2.json is readable (then
//     image is set too). podman's "conmon" scopes are not containers.
//   - systemd: every *.service below /system.slice (name = the unit) and every
//     *.scope below /machine.slice (nspawn/libvirt machines).
// The walk does not descend into a container (its counters include its
// children), and is bounded: at most kMaxDepth levels and kMaxVisited
// directories; at most --collector.cgroup.max-containers (default 1000)
// containers are reported, runtime containers first, then machines, then
// services, each in path order.
//
// Network counters (container_network_*) need the container's network
// namespace: they are read from <procfs>/<pid>/net/dev of the first pid in
// cgroup.procs, only when that pid's netns differs from the exporter host's
// (<procfs>/1/ns/net, else <procfs>/self/ns/net). Reading ns links of other
// users' processes needs root (or CAP_SYS_PTRACE); without it the network
// metrics are skipped. "lo" is left out, as cAdvisor does.
//
// cgroup v1 and hybrid hosts (one hierarchy per controller, as many Docker
// hosts still run) are read too, with cAdvisor's v1 mapping (see ReadV1).
// A host with neither has no data: NotFound.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "exporter/collector.h"
#include "exporter/collectors/linux/proc_net_dev.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 16;
constexpr size_t kMaxVisited = 20000;
constexpr size_t kIdLength = 64;
constexpr size_t kShortIdLength = 12;

enum class Kind { kRuntime = 0, kMachine = 1, kService = 2 };

struct Container {
  Kind kind;
  std::string id;          // cgroup path from the root, "/system.slice/docker-<id>.scope"
  std::string name;        // short id or unit name
  std::string runtime_id;  // the 64-hex id for runtime containers
  bool docker = false;     // runtime is docker (config.v2.json may name it)
};

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Decides whether the cgroup at path (from the root, "/a/b") is a container.
std::optional<Container> Classify(const std::string& path) {
  std::string_view p = path;
  std::string_view base = p.substr(p.rfind('/') + 1);
  if (base.find("conmon") != std::string_view::npos) return std::nullopt;
  std::string_view stem = base;
  if (EndsWith(stem, ".scope")) stem.remove_suffix(6);
  if (stem.size() >= kIdLength && IsHex(stem.substr(stem.size() - kIdLength)) &&
      (stem.size() == kIdLength || stem[stem.size() - kIdLength - 1] == '-')) {
    Container c{Kind::kRuntime, path, "", std::string(stem.substr(stem.size() - kIdLength)), false};
    c.name = c.runtime_id.substr(0, kShortIdLength);
    c.docker = StartsWith(stem, "docker-") || StartsWith(p, "/docker/");
    return c;
  }
  if (StartsWith(p, "/system.slice/") && EndsWith(base, ".service")) {
    return Container{Kind::kService, path, std::string(base), "", false};
  }
  if (StartsWith(p, "/machine.slice/") && EndsWith(base, ".scope")) {
    return Container{Kind::kMachine, path, std::string(base), "", false};
  }
  return std::nullopt;
}

// "key value" lines (cpu.stat, memory.stat). Unparsable lines are corruption.
common::Result<std::map<std::string, uint64_t, std::less<>>> ParseKeyed(std::string_view text) {
  std::map<std::string, uint64_t, std::less<>> out;
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.empty()) continue;
    std::optional<uint64_t> v;
    if (f.size() != 2 || !(v = parse::ToUint(f[1]))) {
      return common::Status::Corruption("malformed line: " + std::string(line));
    }
    out.emplace(std::string(f[0]), *v);
  }
  return out;
}

// A single number, or "max" (no limit) as 0, as cAdvisor reports it.
common::Result<uint64_t> ParseLimit(std::string_view text) {
  std::string_view t = parse::Trim(text);
  if (t == "max") return uint64_t{0};
  auto v = parse::ToUint(t);
  if (!v) return common::Status::Corruption("not a number: " + std::string(t));
  return *v;
}

struct IoStat {
  std::string device;  // "maj:min"
  uint64_t rbytes = 0, wbytes = 0, rios = 0, wios = 0;
};

// io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"; other keys ignored.
common::Result<std::vector<IoStat>> ParseIoStat(std::string_view text) {
  std::vector<IoStat> out;
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.empty()) continue;
    if (f[0].find(':') == std::string_view::npos) {
      return common::Status::Corruption("malformed line: " + std::string(line));
    }
    IoStat s{std::string(f[0])};
    for (size_t i = 1; i < f.size(); ++i) {
      size_t eq = f[i].find('=');
      if (eq == std::string_view::npos) {
        return common::Status::Corruption("malformed line: " + std::string(line));
      }
      std::string_view key = f[i].substr(0, eq);
      uint64_t* dst = key == "rbytes"   ? &s.rbytes
                      : key == "wbytes" ? &s.wbytes
                      : key == "rios"   ? &s.rios
                      : key == "wios"   ? &s.wios
                                        : nullptr;
      if (!dst) continue;
      auto v = parse::ToUint(f[i].substr(eq + 1));
      if (!v) return common::Status::Corruption("malformed line: " + std::string(line));
      *dst = *v;
    }
    out.push_back(std::move(s));
  }
  return out;
}

// cgroup v1 blkio.throttle.io_service_bytes and io_serviced: "8:0 Read 4096"
// lines per device and operation, and a final "Total N" line.
common::Result<std::vector<IoStat>> ParseBlkio(std::string_view bytes, std::string_view ios) {
  std::map<std::string, IoStat> by_device;
  for (auto [text, is_bytes] : {std::pair{bytes, true}, std::pair{ios, false}}) {
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (f.empty() || f[0] == "Total") continue;
      std::optional<uint64_t> v;
      if (f.size() != 3 || f[0].find(':') == std::string_view::npos || !(v = parse::ToUint(f[2]))) {
        return common::Status::Corruption("malformed line: " + std::string(line));
      }
      IoStat& s = by_device[std::string(f[0])];
      s.device = std::string(f[0]);
      if (f[1] == "Read") (is_bytes ? s.rbytes : s.rios) = *v;
      if (f[1] == "Write") (is_bytes ? s.wbytes : s.wios) = *v;
    }
  }
  std::vector<IoStat> out;
  for (auto& [_, s] : by_device) out.push_back(std::move(s));
  return out;
}

std::string ReadLink(const std::string& path) {
  char buf[256];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

REGISTER_COLLECTOR_FLAG(max_containers, "collector.cgroup.max-containers", "1000",
                        "Most containers the cgroup collector reports per scrape "
                        "(runtime containers first).");

size_t MaxContainers(const CollectorConfig& c) {
  auto v = parse::ToUint(c.Flag("collector.cgroup.max-containers"));
  return v ? static_cast<size_t>(*v) : 1000;
}

class CgroupCollector : public Collector {
 public:
  explicit CgroupCollector(const CollectorConfig& c)
      : paths_(c.paths), root_(c.paths.Sys("fs/cgroup")), max_containers_(MaxContainers(c)) {}

  common::Status Update(MetricSink& sink) override {
    // v2 (unified) has cgroup.controllers at the root. v1 and hybrid mount one
    // hierarchy per controller below it; containers are found by walking
    // one of them (memory, else cpuacct, else pids: the ones every runtime
    // creates a cgroup in) and read from each controller's hierarchy.
    std::string controllers;
    bool v2 = common::ReadFileToString(root_ + "/cgroup.controllers", &controllers);
    v1_walk_controller_.clear();
    if (!v2) {
      for (const char* c : {"memory", "cpuacct", "pids"}) {
        std::error_code ec;
        if (fs::is_directory(root_ + "/" + c, ec)) {
          v1_walk_controller_ = c;
          break;
        }
      }
      if (v1_walk_controller_.empty()) {
        return common::Status::NotFound(
            "no data: no cgroup v2 hierarchy nor v1 memory, "
            "cpuacct or pids hierarchy at " +
            root_);
      }
    }
    std::vector<Container> found;
    size_t visited = 0;
    Walk(v2 ? root_ : root_ + "/" + v1_walk_controller_, "", 0, &visited, &found);
    std::stable_sort(found.begin(), found.end(), [](const Container& a, const Container& b) {
      return a.kind != b.kind ? a.kind < b.kind : a.id < b.id;
    });
    if (found.size() > max_containers_) {
      if (found.size() != last_truncated_from_) {
        spdlog::warn(
            "cgroup: {} containers found, reporting the first {} "
            "(--collector.cgroup.max-containers)",
            found.size(), max_containers_);
      }
      last_truncated_from_ = found.size();
      found.resize(max_containers_);
    }
    LoadDiskNames();
    host_netns_ = ReadLink(paths_.Proc("1/ns/net"));
    if (host_netns_.empty()) host_netns_ = ReadLink(paths_.Proc("self/ns/net"));
    double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::map<std::string, DockerInfo> seen_docker;
    for (Container& c : found) {
      std::string image;
      if (c.docker) {
        const DockerInfo& info = Docker(c.runtime_id);
        seen_docker[c.runtime_id] = info;
        if (!info.name.empty()) c.name = info.name;
        image = info.image;
      }
      LabelPairs labels = {{"id", c.id}, {"image", image}, {"name", c.name}};
      Usage usage;
      if (auto s = v2 ? ReadV2(root_ + c.id, &usage) : ReadV1(c.id, &usage); !s.ok()) return s;
      if (auto s = EmitContainer(sink, usage, labels); !s.ok()) return s;
      Gauge(sink, "container_last_seen", "Last time a container was seen by the exporter", labels,
            now);
    }
    docker_cache_ = std::move(seen_docker);  // forget containers gone since the last scrape
    return common::Status::OK();
  }

 private:
  struct DockerInfo {
    std::string name, image;
  };

  void Walk(const std::string& dir, const std::string& rel, int depth, size_t* visited,
            std::vector<Container>* out) {
    if (depth >= kMaxDepth) return;
    std::error_code ec;
    std::vector<std::string> children;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        children.push_back(it->path().filename().string());
      }
    }
    std::sort(children.begin(), children.end());
    for (const std::string& child : children) {
      if (++*visited > kMaxVisited) return;
      std::string child_rel = rel + "/" + child;
      if (auto c = Classify(child_rel)) {
        out->push_back(std::move(*c));
      } else {
        Walk(dir + "/" + child, child_rel, depth + 1, visited, out);
      }
    }
  }

  // Reads an optional file: false when absent (controller not enabled, or the
  // cgroup vanished mid-scrape).
  static bool Read(const std::string& path, std::string* out) {
    return common::ReadFileToString(path, out);
  }

  static void Gauge(MetricSink& sink, const char* name, const char* help, const LabelPairs& l,
                    double v) {
    sink.Gauge(name, help, l, v);
  }
  static void Counter(MetricSink& sink, const char* name, const char* help, const LabelPairs& l,
                      double v) {
    sink.Counter(name, help, l, v);
  }
  static LabelPairs With(LabelPairs l, const char* name, std::string value) {
    l.push_back({name, std::move(value)});
    return l;
  }

  // What one container's cgroup says, from either hierarchy version.
  struct Usage {
    std::optional<double> cpu_usage_s, cpu_user_s, cpu_system_s;
    std::optional<double> cfs_periods, cfs_throttled_periods, cfs_throttled_s;
    std::optional<uint64_t> cpu_period_us, cpu_quota_us;
    std::optional<uint64_t> memory_usage, swap, memory_limit;
    bool has_memory_stat = false;
    uint64_t inactive_file = 0, rss = 0, cache = 0, mapped_file = 0;
    std::vector<IoStat> io;
    std::optional<uint64_t> threads, threads_max;
    std::optional<size_t> processes;
    std::string first_pid;
  };

  // cgroup v2: every controller's files in the one directory.
  common::Status ReadV2(const std::string& dir, Usage* u) {
    std::string text;
    if (Read(dir + "/cpu.stat", &text)) {
      auto cpu = ParseKeyed(text);
      if (!cpu.ok()) return cpu.status().WithContext(dir + "/cpu.stat");
      auto get = [&](const char* k, double divisor, std::optional<double>* out) {
        auto it = cpu->find(k);
        if (it != cpu->end()) *out = static_cast<double>(it->second) / divisor;
      };
      get("usage_usec", 1e6, &u->cpu_usage_s);
      get("user_usec", 1e6, &u->cpu_user_s);
      get("system_usec", 1e6, &u->cpu_system_s);
      get("nr_periods", 1, &u->cfs_periods);
      get("nr_throttled", 1, &u->cfs_throttled_periods);
      get("throttled_usec", 1e6, &u->cfs_throttled_s);
    }
    if (Read(dir + "/cpu.max", &text)) {
      // "<quota|max> <period>", microseconds.
      auto f = parse::Fields(parse::Trim(text));
      std::optional<uint64_t> period, quota;
      if (f.size() != 2 || !(period = parse::ToUint(f[1])) ||
          (f[0] != "max" && !(quota = parse::ToUint(f[0])))) {
        return common::Status::Corruption(dir + "/cpu.max: malformed: " + text);
      }
      u->cpu_period_us = period;
      u->cpu_quota_us = quota;
    }
    if (auto s = ReadNumber(dir + "/memory.current", &u->memory_usage); !s.ok()) return s;
    if (Read(dir + "/memory.stat", &text)) {
      auto mem = ParseKeyed(text);
      if (!mem.ok()) return mem.status().WithContext(dir + "/memory.stat");
      auto get = [&](const char* k) -> uint64_t {
        auto it = mem->find(k);
        return it == mem->end() ? 0 : it->second;
      };
      u->has_memory_stat = true;
      u->inactive_file = get("inactive_file");
      u->rss = get("anon");
      u->cache = get("file");
      u->mapped_file = get("file_mapped");
    }
    if (auto s = ReadNumber(dir + "/memory.swap.current", &u->swap); !s.ok()) return s;
    if (Read(dir + "/memory.max", &text)) {
      auto v = ParseLimit(text);
      if (!v.ok()) return v.status().WithContext(dir + "/memory.max");
      u->memory_limit = *v;
    }
    if (Read(dir + "/io.stat", &text)) {
      auto io = ParseIoStat(text);
      if (!io.ok()) return io.status().WithContext(dir + "/io.stat");
      u->io = std::move(*io);
    }
    return ReadPidsAndProcs(dir, dir, u);
  }

  // cgroup v1: one hierarchy per controller (<root>/cpuacct/<path>,
  // <root>/memory/<path>, ...), with cAdvisor's v1 mapping: cpuacct.usage
  // (ns) and cpuacct.stat (USER_HZ ticks), memory.usage_in_bytes and the
  // hierarchical total_* counters of memory.stat, swap as memsw.usage minus
  // usage, blkio's throttle counters. A controller not mounted is skipped.
  common::Status ReadV1(const std::string& rel, Usage* u) {
    std::string text;
    std::string cpuacct = root_ + "/cpuacct" + rel;
    std::optional<uint64_t> ns;
    if (auto s = ReadNumber(cpuacct + "/cpuacct.usage", &ns); !s.ok()) return s;
    if (ns) u->cpu_usage_s = static_cast<double>(*ns) / 1e9;
    if (Read(cpuacct + "/cpuacct.stat", &text)) {
      auto st = ParseKeyed(text);
      if (!st.ok()) return st.status().WithContext(cpuacct + "/cpuacct.stat");
      // USER_HZ is 100 on every Linux architecture that exposes it here.
      if (auto it = st->find("user"); it != st->end()) u->cpu_user_s = it->second / 100.0;
      if (auto it = st->find("system"); it != st->end()) u->cpu_system_s = it->second / 100.0;
    }
    std::string cpu = root_ + "/cpu" + rel;
    if (Read(cpu + "/cpu.stat", &text)) {
      auto st = ParseKeyed(text);
      if (!st.ok()) return st.status().WithContext(cpu + "/cpu.stat");
      auto get = [&](const char* k, double divisor, std::optional<double>* out) {
        auto it = st->find(k);
        if (it != st->end()) *out = static_cast<double>(it->second) / divisor;
      };
      get("nr_periods", 1, &u->cfs_periods);
      get("nr_throttled", 1, &u->cfs_throttled_periods);
      get("throttled_time", 1e9, &u->cfs_throttled_s);
    }
    if (auto s = ReadNumber(cpu + "/cpu.cfs_period_us", &u->cpu_period_us); !s.ok()) return s;
    if (Read(cpu + "/cpu.cfs_quota_us", &text)) {
      std::string_view t = parse::Trim(text);
      if (t != "-1") {  // -1: no quota
        auto v = parse::ToUint(t);
        if (!v) return common::Status::Corruption(cpu + "/cpu.cfs_quota_us: not a number");
        u->cpu_quota_us = *v;
      }
    }
    std::string memory = root_ + "/memory" + rel;
    if (auto s = ReadNumber(memory + "/memory.usage_in_bytes", &u->memory_usage); !s.ok()) {
      return s;
    }
    if (Read(memory + "/memory.stat", &text)) {
      auto mem = ParseKeyed(text);
      if (!mem.ok()) return mem.status().WithContext(memory + "/memory.stat");
      auto get = [&](const char* k) -> uint64_t {
        auto it = mem->find(k);
        return it == mem->end() ? 0 : it->second;
      };
      u->has_memory_stat = true;
      u->inactive_file = get("total_inactive_file");
      u->rss = get("total_rss");
      u->cache = get("total_cache");
      u->mapped_file = get("total_mapped_file");
    }
    std::optional<uint64_t> memsw;
    if (auto s = ReadNumber(memory + "/memory.memsw.usage_in_bytes", &memsw); !s.ok()) return s;
    if (memsw && u->memory_usage) {
      u->swap = *memsw > *u->memory_usage ? *memsw - *u->memory_usage : 0;
    }
    if (auto s = ReadNumber(memory + "/memory.limit_in_bytes", &u->memory_limit); !s.ok()) {
      return s;
    }
    std::string blkio = root_ + "/blkio" + rel;
    std::string bytes, ios;
    if (Read(blkio + "/blkio.throttle.io_service_bytes", &bytes) &&
        Read(blkio + "/blkio.throttle.io_serviced", &ios)) {
      auto io = ParseBlkio(bytes, ios);
      if (!io.ok()) return io.status().WithContext(blkio);
      u->io = std::move(*io);
    }
    return ReadPidsAndProcs(root_ + "/pids" + rel, root_ + "/" + v1_walk_controller_ + rel, u);
  }

  common::Status ReadPidsAndProcs(const std::string& pids_dir, const std::string& procs_dir,
                                  Usage* u) {
    if (auto s = ReadNumber(pids_dir + "/pids.current", &u->threads); !s.ok()) return s;
    std::string text;
    if (Read(pids_dir + "/pids.max", &text)) {
      auto v = ParseLimit(text);
      if (!v.ok()) return v.status().WithContext(pids_dir + "/pids.max");
      u->threads_max = *v;
    }
    if (Read(procs_dir + "/cgroup.procs", &text)) {
      size_t n = 0;
      for (std::string_view line : parse::Lines(text)) {
        if (parse::Trim(line).empty()) continue;
        if (u->first_pid.empty()) u->first_pid = std::string(parse::Trim(line));
        ++n;
      }
      u->processes = n;
    }
    return common::Status::OK();
  }

  // A file holding one unsigned number: *out unset when the file is absent.
  static common::Status ReadNumber(const std::string& path, std::optional<uint64_t>* out) {
    std::string text;
    if (!Read(path, &text)) return common::Status::OK();
    auto v = parse::ToUint(parse::Trim(text));
    if (!v) return common::Status::Corruption(path + ": not a number");
    *out = *v;
    return common::Status::OK();
  }

  common::Status EmitContainer(MetricSink& sink, const Usage& u, const LabelPairs& l) {
    auto counter = [&](const char* name, const char* help, const std::optional<double>& v,
                       const LabelPairs& labels) {
      if (v) Counter(sink, name, help, labels, *v);
    };
    counter("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.",
            u.cpu_usage_s, With(l, "cpu", "total"));
    counter("container_cpu_user_seconds_total", "Cumulative user cpu time consumed in seconds.",
            u.cpu_user_s, l);
    counter("container_cpu_system_seconds_total", "Cumulative system cpu time consumed in seconds.",
            u.cpu_system_s, l);
    counter("container_cpu_cfs_periods_total", "Number of elapsed enforcement period intervals.",
            u.cfs_periods, l);
    counter("container_cpu_cfs_throttled_periods_total", "Number of throttled period intervals.",
            u.cfs_throttled_periods, l);
    counter("container_cpu_cfs_throttled_seconds_total",
            "Total time duration the container has been throttled.", u.cfs_throttled_s, l);
    if (u.cpu_period_us) {
      Gauge(sink, "container_spec_cpu_period", "CPU period of the container.", l,
            static_cast<double>(*u.cpu_period_us));
    }
    if (u.cpu_quota_us) {
      Gauge(sink, "container_spec_cpu_quota", "CPU quota of the container.", l,
            static_cast<double>(*u.cpu_quota_us));
    }
    if (u.memory_usage) {
      Gauge(sink, "container_memory_usage_bytes",
            "Current memory usage in bytes, including all memory regardless of when it was "
            "accessed",
            l, static_cast<double>(*u.memory_usage));
    }
    if (u.has_memory_stat) {
      if (u.memory_usage) {
        // cAdvisor: working set = usage - inactive_file, never below 0.
        uint64_t usage = *u.memory_usage;
        Gauge(sink, "container_memory_working_set_bytes", "Current working set in bytes.", l,
              static_cast<double>(usage > u.inactive_file ? usage - u.inactive_file : 0));
      }
      Gauge(sink, "container_memory_rss", "Size of RSS in bytes.", l, static_cast<double>(u.rss));
      Gauge(sink, "container_memory_cache", "Number of bytes of page cache memory.", l,
            static_cast<double>(u.cache));
      Gauge(sink, "container_memory_mapped_file", "Size of memory mapped files in bytes.", l,
            static_cast<double>(u.mapped_file));
    }
    if (u.swap) {
      Gauge(sink, "container_memory_swap", "Container swap usage in bytes.", l,
            static_cast<double>(*u.swap));
    }
    if (u.memory_limit) {
      Gauge(sink, "container_spec_memory_limit_bytes", "Memory limit for the container.", l,
            static_cast<double>(*u.memory_limit));
    }
    for (const IoStat& s : u.io) {
      auto it = disk_names_.find(s.device);
      LabelPairs dl = With(l, "device", it == disk_names_.end() ? s.device : "/dev/" + it->second);
      Counter(sink, "container_fs_reads_bytes_total", "Cumulative count of bytes read", dl,
              static_cast<double>(s.rbytes));
      Counter(sink, "container_fs_writes_bytes_total", "Cumulative count of bytes written", dl,
              static_cast<double>(s.wbytes));
      Counter(sink, "container_fs_reads_total", "Cumulative count of reads completed", dl,
              static_cast<double>(s.rios));
      Counter(sink, "container_fs_writes_total", "Cumulative count of writes completed", dl,
              static_cast<double>(s.wios));
    }
    if (u.threads) {
      Gauge(sink, "container_threads", "Number of threads running inside the container", l,
            static_cast<double>(*u.threads));
    }
    if (u.threads_max) {
      Gauge(sink, "container_threads_max",
            "Maximum number of threads allowed inside the container, infinity if value is zero", l,
            static_cast<double>(*u.threads_max));
    }
    if (u.processes) {
      Gauge(sink, "container_processes", "Number of processes running inside the container.", l,
            static_cast<double>(*u.processes));
    }
    return EmitNetwork(sink, u.first_pid, l);
  }

  common::Status EmitNetwork(MetricSink& sink, const std::string& pid, const LabelPairs& l) {
    if (pid.empty() || host_netns_.empty() || !parse::ToUint(pid)) return common::Status::OK();
    std::string ns = ReadLink(paths_.Proc(pid + "/ns/net"));
    if (ns.empty() || ns == host_netns_) return common::Status::OK();
    std::string text;
    std::string path = paths_.Proc(pid + "/net/dev");
    if (!Read(path, &text)) return common::Status::OK();  // exited meanwhile
    auto devs = ParseProcNetDev(text);
    if (!devs.ok()) return devs.status().WithContext(path);
    for (const NetDevStats& d : *devs) {
      if (d.name == "lo") continue;
      LabelPairs il = With(l, "interface", d.name);
      const struct {
        const char* name;
        const char* help;
        uint64_t value;
      } kStats[] = {
          {"container_network_receive_bytes_total", "Cumulative count of bytes received",
           d.values[kRxBytes]},
          {"container_network_receive_packets_total", "Cumulative count of packets received",
           d.values[kRxPackets]},
          {"container_network_receive_errors_total",
           "Cumulative count of errors encountered while receiving", d.values[kRxErrs]},
          {"container_network_receive_packets_dropped_total",
           "Cumulative count of packets dropped while receiving", d.values[kRxDrop]},
          {"container_network_transmit_bytes_total", "Cumulative count of bytes transmitted",
           d.values[kTxBytes]},
          {"container_network_transmit_packets_total", "Cumulative count of packets transmitted",
           d.values[kTxPackets]},
          {"container_network_transmit_errors_total",
           "Cumulative count of errors encountered while transmitting", d.values[kTxErrs]},
          {"container_network_transmit_packets_dropped_total",
           "Cumulative count of packets dropped while transmitting", d.values[kTxDrop]},
      };
      for (const auto& s : kStats) Counter(sink, s.name, s.help, il, static_cast<double>(s.value));
    }
    return common::Status::OK();
  }

  // "maj:min" -> device name, from <procfs>/diskstats (as cAdvisor maps io.stat devices).
  void LoadDiskNames() {
    disk_names_.clear();
    std::string text;
    if (!common::ReadFileToString(paths_.Proc("diskstats"), &text)) return;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (f.size() < 3) continue;
      disk_names_[std::string(f[0]) + ":" + std::string(f[1])] = std::string(f[2]);
    }
  }

  // Name and image of a docker container from its config.v2.json (read once per
  // container; empty when unreadable, e.g. not root or another data root).
  const DockerInfo& Docker(const std::string& id) {
    auto it = docker_cache_.find(id);
    if (it != docker_cache_.end()) return it->second;
    DockerInfo info;
    std::string text;
    if (common::ReadFileToString(paths_.Root("var/lib/docker/containers/" + id + "/config.v2.json"),
                                 &text)) {
      auto j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_object()) {
        if (j.contains("Name") && j["Name"].is_string()) {
          info.name = j["Name"].get<std::string>();
          if (!info.name.empty() && info.name[0] == '/') info.name.erase(0, 1);
        }
        if (j.contains("Config") && j["Config"].is_object() && j["Config"].contains("Image") &&
            j["Config"]["Image"].is_string()) {
          info.image = j["Config"]["Image"].get<std::string>();
        }
      }
    }
    return docker_cache_.emplace(id, std::move(info)).first->second;
  }

  common::HostPaths paths_;
  std::string root_;
  size_t max_containers_;
  size_t last_truncated_from_ = 0;
  std::string v1_walk_controller_;  // empty on cgroup v2
  std::map<std::string, std::string> disk_names_;
  std::string host_netns_;
  std::map<std::string, DockerInfo> docker_cache_;
};

REGISTER_COLLECTOR("cgroup", true, CgroupCollector);

}  // namespace
}  // namespace exporter
