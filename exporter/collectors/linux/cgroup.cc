// cgroup collector: per-container resource usage from the cgroup v2 (unified)
// hierarchy at <sysfs>/fs/cgroup, named as cAdvisor names it (container_*,
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
// A host without a cgroup v2 hierarchy (cgroup v1, or hybrid with no
// controllers on the unified tree) has no data: NotFound.
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

std::string ReadLink(const std::string& path) {
  char buf[256];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

class CgroupCollector : public Collector {
 public:
  explicit CgroupCollector(const CollectorConfig& c)
      : paths_(c.paths), root_(c.paths.Sys("fs/cgroup")), max_containers_(c.cgroup_max_containers) {}

  common::Status Update(MetricSink& sink) override {
    std::string controllers;
    if (!common::ReadFileToString(root_ + "/cgroup.controllers", &controllers)) {
      return common::Status::NotFound("no data: no cgroup v2 hierarchy at " + root_);
    }
    std::vector<Container> found;
    size_t visited = 0;
    Walk(root_, "", 0, &visited, &found);
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
      if (auto s = EmitContainer(sink, root_ + c.id, labels); !s.ok()) return s;
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

  common::Status EmitContainer(MetricSink& sink, const std::string& dir, const LabelPairs& l) {
    std::string text;
    if (Read(dir + "/cpu.stat", &text)) {
      auto cpu = ParseKeyed(text);
      if (!cpu.ok()) return cpu.status().WithContext(dir + "/cpu.stat");
      auto get = [&](const char* k) -> std::optional<double> {
        auto it = cpu->find(k);
        if (it == cpu->end()) return std::nullopt;
        return static_cast<double>(it->second);
      };
      if (auto v = get("usage_usec")) {
        Counter(sink, "container_cpu_usage_seconds_total",
                "Cumulative cpu time consumed in seconds.", With(l, "cpu", "total"), *v / 1e6);
      }
      if (auto v = get("user_usec")) {
        Counter(sink, "container_cpu_user_seconds_total",
                "Cumulative user cpu time consumed in seconds.", l, *v / 1e6);
      }
      if (auto v = get("system_usec")) {
        Counter(sink, "container_cpu_system_seconds_total",
                "Cumulative system cpu time consumed in seconds.", l, *v / 1e6);
      }
      if (auto v = get("nr_periods")) {
        Counter(sink, "container_cpu_cfs_periods_total",
                "Number of elapsed enforcement period intervals.", l, *v);
      }
      if (auto v = get("nr_throttled")) {
        Counter(sink, "container_cpu_cfs_throttled_periods_total",
                "Number of throttled period intervals.", l, *v);
      }
      if (auto v = get("throttled_usec")) {
        Counter(sink, "container_cpu_cfs_throttled_seconds_total",
                "Total time duration the container has been throttled.", l, *v / 1e6);
      }
    }
    if (Read(dir + "/cpu.max", &text)) {
      // "<quota|max> <period>", microseconds.
      auto f = parse::Fields(parse::Trim(text));
      std::optional<uint64_t> period, quota;
      if (f.size() != 2 || !(period = parse::ToUint(f[1])) ||
          (f[0] != "max" && !(quota = parse::ToUint(f[0])))) {
        return common::Status::Corruption(dir + "/cpu.max: malformed: " + text);
      }
      Gauge(sink, "container_spec_cpu_period", "CPU period of the container.", l,
            static_cast<double>(*period));
      if (quota) {
        Gauge(sink, "container_spec_cpu_quota", "CPU quota of the container.", l,
              static_cast<double>(*quota));
      }
    }

    std::optional<uint64_t> usage;
    if (Read(dir + "/memory.current", &text)) {
      auto v = parse::ToUint(parse::Trim(text));
      if (!v) return common::Status::Corruption(dir + "/memory.current: not a number");
      usage = *v;
      Gauge(sink, "container_memory_usage_bytes",
            "Current memory usage in bytes, including all memory regardless of when it was "
            "accessed",
            l, static_cast<double>(*usage));
    }
    if (Read(dir + "/memory.stat", &text)) {
      auto mem = ParseKeyed(text);
      if (!mem.ok()) return mem.status().WithContext(dir + "/memory.stat");
      auto get = [&](const char* k) -> uint64_t {
        auto it = mem->find(k);
        return it == mem->end() ? 0 : it->second;
      };
      if (usage) {
        // cAdvisor: working set = usage - inactive_file, never below 0.
        uint64_t inactive = get("inactive_file");
        Gauge(sink, "container_memory_working_set_bytes", "Current working set in bytes.", l,
              static_cast<double>(*usage > inactive ? *usage - inactive : 0));
      }
      Gauge(sink, "container_memory_rss", "Size of RSS in bytes.", l,
            static_cast<double>(get("anon")));
      Gauge(sink, "container_memory_cache", "Number of bytes of page cache memory.", l,
            static_cast<double>(get("file")));
      Gauge(sink, "container_memory_mapped_file", "Size of memory mapped files in bytes.", l,
            static_cast<double>(get("file_mapped")));
    }
    if (Read(dir + "/memory.swap.current", &text)) {
      auto v = parse::ToUint(parse::Trim(text));
      if (!v) return common::Status::Corruption(dir + "/memory.swap.current: not a number");
      Gauge(sink, "container_memory_swap", "Container swap usage in bytes.", l,
            static_cast<double>(*v));
    }
    if (Read(dir + "/memory.max", &text)) {
      auto v = ParseLimit(text);
      if (!v.ok()) return v.status().WithContext(dir + "/memory.max");
      Gauge(sink, "container_spec_memory_limit_bytes", "Memory limit for the container.", l,
            static_cast<double>(*v));
    }

    if (Read(dir + "/io.stat", &text)) {
      auto io = ParseIoStat(text);
      if (!io.ok()) return io.status().WithContext(dir + "/io.stat");
      for (const IoStat& s : *io) {
        auto it = disk_names_.find(s.device);
        LabelPairs dl =
            With(l, "device", it == disk_names_.end() ? s.device : "/dev/" + it->second);
        Counter(sink, "container_fs_reads_bytes_total", "Cumulative count of bytes read", dl,
                static_cast<double>(s.rbytes));
        Counter(sink, "container_fs_writes_bytes_total", "Cumulative count of bytes written", dl,
                static_cast<double>(s.wbytes));
        Counter(sink, "container_fs_reads_total", "Cumulative count of reads completed", dl,
                static_cast<double>(s.rios));
        Counter(sink, "container_fs_writes_total", "Cumulative count of writes completed", dl,
                static_cast<double>(s.wios));
      }
    }

    if (Read(dir + "/pids.current", &text)) {
      auto v = parse::ToUint(parse::Trim(text));
      if (!v) return common::Status::Corruption(dir + "/pids.current: not a number");
      Gauge(sink, "container_threads", "Number of threads running inside the container", l,
            static_cast<double>(*v));
    }
    if (Read(dir + "/pids.max", &text)) {
      auto v = ParseLimit(text);
      if (!v.ok()) return v.status().WithContext(dir + "/pids.max");
      Gauge(sink, "container_threads_max",
            "Maximum number of threads allowed inside the container, infinity if value is zero", l,
            static_cast<double>(*v));
    }
    std::string first_pid;
    if (Read(dir + "/cgroup.procs", &text)) {
      auto lines = parse::Lines(text);
      size_t n = 0;
      for (std::string_view line : lines) {
        if (parse::Trim(line).empty()) continue;
        if (first_pid.empty()) first_pid = std::string(parse::Trim(line));
        ++n;
      }
      Gauge(sink, "container_processes", "Number of processes running inside the container.", l,
            static_cast<double>(n));
    }
    return EmitNetwork(sink, first_pid, l);
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
  std::map<std::string, std::string> disk_names_;
  std::string host_netns_;
  std::map<std::string, DockerInfo> docker_cache_;
};

REGISTER_COLLECTOR("cgroup", true, CgroupCollector);

}  // namespace
}  // namespace exporter
