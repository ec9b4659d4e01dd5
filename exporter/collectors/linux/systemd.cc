// systemd collector: unit states and a few unit properties from systemd's
// org.freedesktop.systemd1 service over D-Bus (sd-bus), as node_exporter 1.5's
// systemd_linux.go over go-systemd (node_systemd_*; disabled by default).
//
// Like node_exporter it connects to the system bus on each scrape
// (DBUS_SYSTEM_BUS_ADDRESS, else the standard socket), falling back to
// systemd's private socket when that fails and it runs as root; with
// --collector.systemd.private it uses the private socket only. node_systemd_units
// counts every unit systemd knows by active state; the per-unit metrics cover
// the loaded units whose names fully match unit-include and not unit-exclude.
// Timer metrics and node_systemd_system_running need systemd >= 212 (the
// Version property). Per-unit property errors skip that metric, as in
// node_exporter; failing to connect, to list units or to read SystemState
// fails the collector (samples already added stay, as node_exporter's do).
//
// libsystemd is opened with dlopen when the collector first runs, not linked:
// it pulls in libgcrypt, liblzma, libzstd, liblz4 and libcap, about 0.8 MB
// of resident memory that every exporter would carry for an opt-in collector.
#include <dlfcn.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <re2/re2.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "exporter/collector.h"
#include "model/matcher.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(systemd_unit_include, "collector.systemd.unit-include", ".+",
                        "Regexp of systemd units to include. Units must both match include and "
                        "not match exclude to be included.");
REGISTER_COLLECTOR_FLAG(systemd_unit_exclude, "collector.systemd.unit-exclude",
                        ".+\\.(automount|device|mount|scope|slice|target)",
                        "Regexp of systemd units to exclude. Units must both match include and "
                        "not match exclude to be included.");
REGISTER_COLLECTOR_BOOL_FLAG(systemd_private, "collector.systemd.private", false,
                             "Establish a private, direct connection to systemd without dbus "
                             "(Strongly discouraged since it requires root. For testing purposes "
                             "only).");
REGISTER_COLLECTOR_BOOL_FLAG(systemd_task_metrics, "collector.systemd.enable-task-metrics", false,
                             "Enables service unit tasks metrics unit_tasks_current and "
                             "unit_tasks_max");
REGISTER_COLLECTOR_BOOL_FLAG(systemd_restarts_metrics, "collector.systemd.enable-restarts-metrics",
                             false, "Enables service unit metric service_restart_total");
REGISTER_COLLECTOR_BOOL_FLAG(systemd_start_time_metrics,
                             "collector.systemd.enable-start-time-metrics", false,
                             "Enables service unit metric unit_start_time_seconds");

// The SystemState manager property and the timers' LastTriggerUSec appeared in
// systemd 212.
constexpr double kMinSystemdVersionSystemState = 212;
constexpr const char* kUnitStates[] = {"active", "activating", "deactivating", "inactive",
                                       "failed"};
constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerIface = "org.freedesktop.systemd1.Manager";

struct SdBusApi {
  decltype(&::sd_bus_call_method) sd_bus_call_method = nullptr;
  decltype(&::sd_bus_error_free) sd_bus_error_free = nullptr;
  decltype(&::sd_bus_flush_close_unref) sd_bus_flush_close_unref = nullptr;
  decltype(&::sd_bus_get_property_string) sd_bus_get_property_string = nullptr;
  decltype(&::sd_bus_get_property_trivial) sd_bus_get_property_trivial = nullptr;
  decltype(&::sd_bus_message_enter_container) sd_bus_message_enter_container = nullptr;
  decltype(&::sd_bus_message_read) sd_bus_message_read = nullptr;
  decltype(&::sd_bus_message_unref) sd_bus_message_unref = nullptr;
  decltype(&::sd_bus_new) sd_bus_new = nullptr;
  decltype(&::sd_bus_open_system) sd_bus_open_system = nullptr;
  decltype(&::sd_bus_path_encode) sd_bus_path_encode = nullptr;
  decltype(&::sd_bus_set_address) sd_bus_set_address = nullptr;
  decltype(&::sd_bus_start) sd_bus_start = nullptr;
  decltype(&::sd_bus_unref) sd_bus_unref = nullptr;
  std::string error;  // why libsystemd could not be loaded; empty when loaded
};

// The sd-bus functions this collector calls, resolved once from
// libsystemd.so.0. The handle is never closed: the library stays for the
// process's life, as a linked one would.
const SdBusApi& Api() {
  static const SdBusApi api = [] {
    SdBusApi a;
    void* lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* e = dlerror();
      a.error = std::string("cannot load libsystemd.so.0: ") + (e ? e : "unknown error");
      return a;
    }
    auto resolve = [&](auto* slot, const char* name) {
      *slot = reinterpret_cast<std::remove_pointer_t<decltype(slot)>>(dlsym(lib, name));
      if (!*slot && a.error.empty()) a.error = std::string("libsystemd.so.0 lacks ") + name;
    };
#define MS_RESOLVE(fn) resolve(&a.fn, #fn)
    MS_RESOLVE(sd_bus_call_method);
    MS_RESOLVE(sd_bus_error_free);
    MS_RESOLVE(sd_bus_flush_close_unref);
    MS_RESOLVE(sd_bus_get_property_string);
    MS_RESOLVE(sd_bus_get_property_trivial);
    MS_RESOLVE(sd_bus_message_enter_container);
    MS_RESOLVE(sd_bus_message_read);
    MS_RESOLVE(sd_bus_message_unref);
    MS_RESOLVE(sd_bus_new);
    MS_RESOLVE(sd_bus_open_system);
    MS_RESOLVE(sd_bus_path_encode);
    MS_RESOLVE(sd_bus_set_address);
    MS_RESOLVE(sd_bus_start);
    MS_RESOLVE(sd_bus_unref);
#undef MS_RESOLVE
    return a;
  }();
  return api;
}

struct BusDeleter {
  void operator()(sd_bus* b) const { Api().sd_bus_flush_close_unref(b); }
};
using BusPtr = std::unique_ptr<sd_bus, BusDeleter>;

struct Unit {
  std::string name, load_state, active_state;
};

std::string ErrnoText(int r) {
  char buf[128];
  return std::string(strerror_r(-r, buf, sizeof(buf)));
}

// go-systemd renders a string property with Go's %q quoting and node_exporter
// strips the outer quotes again: only escapes stay.
std::string GoQuotedInner(const std::string& s) {
  std::string quoted = model::QuoteString(s);
  return quoted.substr(1, quoted.size() - 2);
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

class SystemdCollector : public Collector {
 public:
  explicit SystemdCollector(const CollectorConfig& c)
      : include_("^(?:" + c.Flag("collector.systemd.unit-include") + ")$", RE2::Quiet),
        exclude_("^(?:" + c.Flag("collector.systemd.unit-exclude") + ")$", RE2::Quiet),
        private_(c.BoolFlag("collector.systemd.private")),
        tasks_(c.BoolFlag("collector.systemd.enable-task-metrics")),
        restarts_(c.BoolFlag("collector.systemd.enable-restarts-metrics")),
        start_time_(c.BoolFlag("collector.systemd.enable-start-time-metrics")) {}

  common::Status Check() const override {
    if (!include_.ok())
      return common::Status::InvalidArgument("bad unit-include: " + include_.error());
    if (!exclude_.ok())
      return common::Status::InvalidArgument("bad unit-exclude: " + exclude_.error());
    return common::Status::OK();
  }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    if (!Api().error.empty()) return common::Status::Unavailable(Api().error);

    BusPtr bus;
    if (common::Status s = Connect(&bus); !s.ok()) return s;

    auto [version, version_label] = Version(bus.get());
    sink.Gauge("node_systemd_version", "Detected systemd version", {{"version", version_label}},
               version);

    std::vector<Unit> all;
    if (common::Status s = ListUnits(bus.get(), &all); !s.ok()) return s;

    // Every unit counts in the summary, whatever the filters say.
    std::map<std::string, double> summary;
    for (const char* st : kUnitStates) summary[st] = 0;
    for (const Unit& u : all) summary[u.active_state] += 1;
    for (const auto& [state, n] : summary) {
      sink.Gauge("node_systemd_units", "Summary of systemd unit states", {{"state", state}}, n);
    }

    std::vector<const Unit*> units;
    for (const Unit& u : all) {
      if (RE2::FullMatch(u.name, include_) && !RE2::FullMatch(u.name, exclude_) &&
          u.load_state == "loaded") {
        units.push_back(&u);
      }
    }

    UnitStatus(bus.get(), units, sink);
    if (start_time_) StartTimes(bus.get(), units, sink);
    if (tasks_) Tasks(bus.get(), units, sink);
    if (version >= kMinSystemdVersionSystemState) Timers(bus.get(), units, sink);
    Sockets(bus.get(), units, sink);

    if (version >= kMinSystemdVersionSystemState) {
      std::string state;
      int r = GetString(bus.get(), kManagerPath, kManagerIface, "SystemState", &state);
      if (r < 0) return common::Status::IOError("couldn't get system state: " + ErrnoText(r));
      sink.Gauge("node_systemd_system_running",
                 "Whether the system is operational (see 'systemctl is-system-running')", {},
                 state == "running" ? 1 : 0);
    }
    return common::Status::OK();
  }

 private:
  common::Status Connect(BusPtr* out) const {
    sd_bus* b = nullptr;
    int r;
    if (private_) {
      r = OpenPrivate(&b);
    } else {
      r = Api().sd_bus_open_system(&b);
      // go-systemd falls back to systemd's own socket for root.
      if (r < 0 && geteuid() == 0) {
        b = nullptr;
        r = OpenPrivate(&b);
      }
    }
    if (r < 0) {
      return common::Status::Unavailable("couldn't get dbus connection: " + ErrnoText(r));
    }
    out->reset(b);
    return common::Status::OK();
  }

  static int OpenPrivate(sd_bus** out) {
    sd_bus* b = nullptr;
    int r = Api().sd_bus_new(&b);
    if (r < 0) return r;
    r = Api().sd_bus_set_address(b, "unix:path=/run/systemd/private");
    if (r >= 0) r = Api().sd_bus_start(b);
    if (r < 0) {
      Api().sd_bus_unref(b);
      return r;
    }
    *out = b;
    return 0;
  }

  static int GetString(sd_bus* bus, const std::string& path, const char* iface, const char* prop,
                       std::string* out) {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    char* s = nullptr;
    int r = Api().sd_bus_get_property_string(bus, kDest, path.c_str(), iface, prop, &err, &s);
    Api().sd_bus_error_free(&err);
    if (r < 0) return r;
    *out = s;
    free(s);
    return 0;
  }

  template <typename T>
  static int GetTrivial(sd_bus* bus, const std::string& path, const char* iface, const char* prop,
                        char type, T* out) {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r =
        Api().sd_bus_get_property_trivial(bus, kDest, path.c_str(), iface, prop, &err, type, out);
    Api().sd_bus_error_free(&err);
    return r;
  }

  static std::string UnitPath(const std::string& name) {
    char* p = nullptr;
    if (Api().sd_bus_path_encode("/org/freedesktop/systemd1/unit", name.c_str(), &p) < 0) return "";
    std::string path(p);
    free(p);
    return path;
  }

  // The Version property as a number (its leading "NNN[.N]") and as the label;
  // 0 and "" when it cannot be read or has no version number.
  static std::pair<double, std::string> Version(sd_bus* bus) {
    std::string v;
    if (GetString(bus, kManagerPath, kManagerIface, "Version", &v) < 0) return {0, ""};
    std::string label = GoQuotedInner(v);
    static const RE2 kVersionRe("([0-9]{3,}(?:\\.[0-9]+)?)");
    std::string num;
    if (!RE2::PartialMatch(label, kVersionRe, &num)) return {0, ""};
    char* end = nullptr;
    double d = strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size()) return {0, ""};
    return {d, label};
  }

  static common::Status ListUnits(sd_bus* bus, std::vector<Unit>* out) {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int r = Api().sd_bus_call_method(bus, kDest, kManagerPath, kManagerIface, "ListUnits", &err,
                                     &reply, nullptr);
    std::string msg = err.message ? err.message : ErrnoText(r);
    Api().sd_bus_error_free(&err);
    if (r < 0) return common::Status::IOError("couldn't get units: " + msg);
    r = Api().sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
    while (r > 0) {
      const char *name, *desc, *load, *active, *sub, *followed, *path, *job_type, *job_path;
      uint32_t job_id;
      r = Api().sd_bus_message_read(reply, "(ssssssouso)", &name, &desc, &load, &active, &sub,
                                    &followed, &path, &job_id, &job_type, &job_path);
      if (r > 0) out->push_back({name, load, active});
    }
    Api().sd_bus_message_unref(reply);
    if (r < 0) return common::Status::Corruption("couldn't get units: " + ErrnoText(r));
    return common::Status::OK();
  }

  void UnitStatus(sd_bus* bus, const std::vector<const Unit*>& units, MetricSink& sink) const {
    for (const Unit* u : units) {
      std::string type;
      const char* iface = EndsWith(u->name, ".service") ? "org.freedesktop.systemd1.Service"
                          : EndsWith(u->name, ".mount") ? "org.freedesktop.systemd1.Mount"
                                                        : nullptr;
      if (iface && GetString(bus, UnitPath(u->name), iface, "Type", &type) < 0) type.clear();
      for (const char* st : kUnitStates) {
        sink.Gauge("node_systemd_unit_state", "Systemd unit",
                   {{"name", u->name}, {"state", st}, {"type", type}},
                   u->active_state == st ? 1 : 0);
      }
      if (restarts_ && EndsWith(u->name, ".service")) {
        uint32_t n = 0;
        if (GetTrivial(bus, UnitPath(u->name), "org.freedesktop.systemd1.Service", "NRestarts", 'u',
                       &n) >= 0) {
          sink.Counter("node_systemd_service_restart_total",
                       "Service unit count of Restart triggers", {{"name", u->name}}, n);
        }
      }
    }
  }

  static void StartTimes(sd_bus* bus, const std::vector<const Unit*>& units, MetricSink& sink) {
    for (const Unit* u : units) {
      uint64_t usec = 0;
      if (u->active_state == "active" &&
          GetTrivial(bus, UnitPath(u->name), "org.freedesktop.systemd1.Unit",
                     "ActiveEnterTimestamp", 't', &usec) < 0) {
        continue;
      }
      sink.Gauge("node_systemd_unit_start_time_seconds",
                 "Start time of the unit since unix epoch in seconds.", {{"name", u->name}},
                 static_cast<double>(usec) / 1e6);
    }
  }

  static void Tasks(sd_bus* bus, const std::vector<const Unit*>& units, MetricSink& sink) {
    constexpr uint64_t kUnset = std::numeric_limits<uint64_t>::max();  // "infinity"
    for (const Unit* u : units) {
      if (!EndsWith(u->name, ".service")) continue;
      const std::string path = UnitPath(u->name);
      uint64_t v = 0;
      if (GetTrivial(bus, path, "org.freedesktop.systemd1.Service", "TasksCurrent", 't', &v) >= 0 &&
          v != kUnset) {
        sink.Gauge("node_systemd_unit_tasks_current", "Current number of tasks per Systemd unit",
                   {{"name", u->name}}, static_cast<double>(v));
      }
      if (GetTrivial(bus, path, "org.freedesktop.systemd1.Service", "TasksMax", 't', &v) >= 0 &&
          v != kUnset) {
        sink.Gauge("node_systemd_unit_tasks_max", "Maximum number of tasks per Systemd unit",
                   {{"name", u->name}}, static_cast<double>(v));
      }
    }
  }

  static void Timers(sd_bus* bus, const std::vector<const Unit*>& units, MetricSink& sink) {
    for (const Unit* u : units) {
      if (!EndsWith(u->name, ".timer")) continue;
      uint64_t usec = 0;
      if (GetTrivial(bus, UnitPath(u->name), "org.freedesktop.systemd1.Timer", "LastTriggerUSec",
                     't', &usec) < 0) {
        continue;
      }
      sink.Gauge("node_systemd_timer_last_trigger_seconds", "Seconds since epoch of last trigger.",
                 {{"name", u->name}}, static_cast<double>(usec) / 1e6);
    }
  }

  static void Sockets(sd_bus* bus, const std::vector<const Unit*>& units, MetricSink& sink) {
    constexpr const char* kSocket = "org.freedesktop.systemd1.Socket";
    for (const Unit* u : units) {
      if (!EndsWith(u->name, ".socket")) continue;
      const std::string path = UnitPath(u->name);
      uint32_t v = 0;
      if (GetTrivial(bus, path, kSocket, "NAccepted", 'u', &v) < 0) continue;
      sink.Counter("node_systemd_socket_accepted_connections_total",
                   "Total number of accepted socket connections", {{"name", u->name}}, v);
      if (GetTrivial(bus, path, kSocket, "NConnections", 'u', &v) < 0) continue;
      sink.Gauge("node_systemd_socket_current_connections", "Current number of socket connections",
                 {{"name", u->name}}, v);
      // NRefused appeared in systemd 239.
      if (GetTrivial(bus, path, kSocket, "NRefused", 'u', &v) >= 0) {
        sink.Gauge("node_systemd_socket_refused_connections_total",
                   "Total number of refused socket connections", {{"name", u->name}}, v);
      }
    }
  }

  RE2 include_;
  RE2 exclude_;
  bool private_;
  bool tasks_;
  bool restarts_;
  bool start_time_;
};

REGISTER_COLLECTOR("systemd", false, SystemdCollector);

}  // namespace
}  // namespace exporter
