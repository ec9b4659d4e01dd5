// FakeSystemd: a private D-Bus daemon with a stand-in for systemd's
// org.freedesktop.systemd1 service on it, for testing the systemd collector on
// hosts (and containers) without systemd. It serves what node_exporter's
// systemd collector asks for: the Manager's ListUnits method and its Version
// and SystemState properties, and per-unit properties (Unit, Service, Mount,
// Timer and Socket interfaces) at the object paths systemd uses. A property
// left unset in FakeUnit answers with an error, as an older systemd does.
//
// Needs dbus-daemon on PATH; ok() is false when it cannot be started. Independent
// of gtest so that a stand-alone program can serve the same units to
// node_exporter for comparison.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace exporter::testing {

struct FakeUnit {
  std::string name;
  std::string load_state = "loaded";
  std::string active_state = "active";
  std::string sub_state = "running";
  std::string type;  // Service.Type / Mount.Type
  uint64_t active_enter_usec = 0;
  std::optional<uint32_t> n_restarts;
  std::optional<uint64_t> tasks_current, tasks_max;
  std::optional<uint64_t> last_trigger_usec;
  std::optional<uint32_t> n_accepted, n_connections, n_refused;
};

class FakeSystemd {
 public:
  FakeSystemd(std::string version, std::string system_state, std::vector<FakeUnit> units)
      : version_(std::move(version)), system_state_(std::move(system_state)) {
    for (auto& u : units) units_.push_back(std::move(u));
    char tmpl[] = "/tmp/fake_systemd_XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir_ = tmpl;
    address_ = "unix:path=" + dir_ + "/bus";
    if (!StartDaemon()) return;
    if (!StartService()) return;
    thread_ = std::thread([this] { Loop(); });
  }

  ~FakeSystemd() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (bus_) sd_bus_flush_close_unref(bus_);
    if (daemon_pid_ > 0) {
      kill(daemon_pid_, SIGTERM);
      waitpid(daemon_pid_, nullptr, 0);
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  FakeSystemd(const FakeSystemd&) = delete;
  FakeSystemd& operator=(const FakeSystemd&) = delete;

  bool ok() const { return thread_.joinable(); }
  // The bus address, for DBUS_SYSTEM_BUS_ADDRESS.
  const std::string& address() const { return address_; }
  const std::string& error() const { return error_; }

 private:
  bool StartDaemon() {
    const std::string conf = dir_ + "/bus.conf";
    std::ofstream(conf)
        << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           "<busconfig>\n"
           "  <type>custom</type>\n"
           "  <listen>"
        << address_
        << "</listen>\n"
           "  <auth>EXTERNAL</auth>\n"
           "  <policy context=\"default\">\n"
           "    <allow user=\"*\"/>\n"
           "    <allow own=\"*\"/>\n"
           "    <allow send_destination=\"*\"/>\n"
           "    <allow receive_sender=\"*\"/>\n"
           "  </policy>\n"
           "</busconfig>\n";
    pid_t pid = fork();
    if (pid < 0) {
      error_ = "fork failed";
      return false;
    }
    if (pid == 0) {
      int devnull = open("/dev/null", O_RDWR);
      if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
      }
      execlp("dbus-daemon", "dbus-daemon", ("--config-file=" + conf).c_str(), "--nofork",
             "--nopidfile", static_cast<char*>(nullptr));
      _exit(127);
    }
    daemon_pid_ = pid;
    const std::string sock = dir_ + "/bus";
    for (int i = 0; i < 500; ++i) {
      struct stat st;
      if (stat(sock.c_str(), &st) == 0) return true;
      int status;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        daemon_pid_ = -1;
        error_ = "dbus-daemon exited";
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    error_ = "dbus-daemon did not create its socket";
    return false;
  }

  bool StartService() {
    int r = sd_bus_new(&bus_);
    if (r >= 0) r = sd_bus_set_address(bus_, address_.c_str());
    if (r >= 0) r = sd_bus_set_bus_client(bus_, 1);
    if (r >= 0) r = sd_bus_start(bus_);
    if (r >= 0) r = sd_bus_request_name(bus_, "org.freedesktop.systemd1", 0);
    if (r >= 0) {
      r = sd_bus_add_object_vtable(bus_, nullptr, "/org/freedesktop/systemd1",
                                   "org.freedesktop.systemd1.Manager", kManagerVtable, this);
    }
    for (const Iface& i : kIfaces) {
      if (r < 0) break;
      r = sd_bus_add_fallback_vtable(bus_, nullptr, "/org/freedesktop/systemd1/unit", i.name,
                                     i.vtable, &FakeSystemd::FindUnit, this);
    }
    if (r < 0) {
      error_ = std::string("sd-bus: ") + strerror(-r);
      return false;
    }
    return true;
  }

  void Loop() {
    while (!stop_) {
      int r = sd_bus_process(bus_, nullptr);
      if (r > 0) continue;
      if (r < 0) break;
      sd_bus_wait(bus_, 50 * 1000);
    }
  }

  // --- Manager ---------------------------------------------------------------

  static int GetVersion(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                        void* self, sd_bus_error*) {
    return sd_bus_message_append(reply, "s", static_cast<FakeSystemd*>(self)->version_.c_str());
  }
  static int GetSystemState(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                            void* self, sd_bus_error*) {
    return sd_bus_message_append(reply, "s",
                                 static_cast<FakeSystemd*>(self)->system_state_.c_str());
  }
  static int ListUnits(sd_bus_message* m, void* self, sd_bus_error*) {
    auto* fake = static_cast<FakeSystemd*>(self);
    sd_bus_message* reply = nullptr;
    int r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0) r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
    for (const FakeUnit& u : fake->units_) {
      if (r < 0) break;
      char* path = nullptr;
      r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", u.name.c_str(), &path);
      if (r < 0) break;
      r = sd_bus_message_append(reply, "(ssssssouso)", u.name.c_str(), "A unit",
                                u.load_state.c_str(), u.active_state.c_str(), u.sub_state.c_str(),
                                "", path, 0u, "", "/");
      free(path);
    }
    if (r >= 0) r = sd_bus_message_close_container(reply);
    if (r >= 0) r = sd_bus_send(nullptr, reply, nullptr);
    sd_bus_message_unref(reply);
    return r;
  }

  // --- Units -----------------------------------------------------------------

  static bool HasSuffix(const std::string& s, const char* suffix) {
    size_t n = strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
  }

  static int FindUnit(sd_bus*, const char* path, const char* iface, void* self, void** found,
                      sd_bus_error*) {
    auto* fake = static_cast<FakeSystemd*>(self);
    char* name = nullptr;
    if (sd_bus_path_decode(path, "/org/freedesktop/systemd1/unit", &name) <= 0) return 0;
    std::string n(name);
    free(name);
    std::string i(iface);
    for (FakeUnit& u : fake->units_) {
      if (u.name != n) continue;
      bool has = i == "org.freedesktop.systemd1.Unit" ||
                 (i == "org.freedesktop.systemd1.Service" && HasSuffix(n, ".service")) ||
                 (i == "org.freedesktop.systemd1.Mount" && HasSuffix(n, ".mount")) ||
                 (i == "org.freedesktop.systemd1.Timer" && HasSuffix(n, ".timer")) ||
                 (i == "org.freedesktop.systemd1.Socket" && HasSuffix(n, ".socket"));
      if (!has) return 0;
      *found = &u;
      return 1;
    }
    return 0;
  }

  static int Missing(sd_bus_error* err, const char* property) {
    return sd_bus_error_setf(err, SD_BUS_ERROR_UNKNOWN_PROPERTY, "Unknown property %s", property);
  }
  template <typename T>
  static int AppendOpt(sd_bus_message* reply, const char* sig, const std::optional<T>& v,
                       sd_bus_error* err, const char* property) {
    if (!v) return Missing(err, property);
    return sd_bus_message_append(reply, sig, *v);
  }

  static int GetUnitProp(sd_bus*, const char*, const char*, const char* property,
                         sd_bus_message* reply, void* unit, sd_bus_error* err) {
    const FakeUnit& u = *static_cast<FakeUnit*>(unit);
    std::string p(property);
    if (p == "Type") return sd_bus_message_append(reply, "s", u.type.c_str());
    if (p == "ActiveEnterTimestamp") return sd_bus_message_append(reply, "t", u.active_enter_usec);
    if (p == "NRestarts") return AppendOpt(reply, "u", u.n_restarts, err, property);
    if (p == "TasksCurrent") return AppendOpt(reply, "t", u.tasks_current, err, property);
    if (p == "TasksMax") return AppendOpt(reply, "t", u.tasks_max, err, property);
    if (p == "LastTriggerUSec") return AppendOpt(reply, "t", u.last_trigger_usec, err, property);
    if (p == "NAccepted") return AppendOpt(reply, "u", u.n_accepted, err, property);
    if (p == "NConnections") return AppendOpt(reply, "u", u.n_connections, err, property);
    if (p == "NRefused") return AppendOpt(reply, "u", u.n_refused, err, property);
    return Missing(err, property);
  }

  static constexpr sd_bus_vtable kManagerVtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Version", "s", GetVersion, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("SystemState", "s", GetSystemState, 0, 0),
      SD_BUS_METHOD("ListUnits", "", "a(ssssssouso)", ListUnits, 0),
      SD_BUS_VTABLE_END,
  };
  static constexpr sd_bus_vtable kUnitVtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("ActiveEnterTimestamp", "t", GetUnitProp, 0, 0),
      SD_BUS_VTABLE_END,
  };
  static constexpr sd_bus_vtable kServiceVtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Type", "s", GetUnitProp, 0, 0),
      SD_BUS_PROPERTY("NRestarts", "u", GetUnitProp, 0, 0),
      SD_BUS_PROPERTY("TasksCurrent", "t", GetUnitProp, 0, 0),
      SD_BUS_PROPERTY("TasksMax", "t", GetUnitProp, 0, 0),
      SD_BUS_VTABLE_END,
  };
  static constexpr sd_bus_vtable kMountVtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Type", "s", GetUnitProp, 0, 0),
      SD_BUS_VTABLE_END,
  };
  static constexpr sd_bus_vtable kTimerVtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("LastTriggerUSec", "t", GetUnitProp, 0, 0),
      SD_BUS_VTABLE_END,
  };
  static constexpr sd_bus_vtable kSocketVtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("NAccepted", "u", GetUnitProp, 0, 0),
      SD_BUS_PROPERTY("NConnections", "u", GetUnitProp, 0, 0),
      SD_BUS_PROPERTY("NRefused", "u", GetUnitProp, 0, 0),
      SD_BUS_VTABLE_END,
  };
  struct Iface {
    const char* name;
    const sd_bus_vtable* vtable;
  };
  static constexpr Iface kIfaces[] = {
      {"org.freedesktop.systemd1.Unit", kUnitVtable},
      {"org.freedesktop.systemd1.Service", kServiceVtable},
      {"org.freedesktop.systemd1.Mount", kMountVtable},
      {"org.freedesktop.systemd1.Timer", kTimerVtable},
      {"org.freedesktop.systemd1.Socket", kSocketVtable},
  };

  std::string version_, system_state_;
  std::vector<FakeUnit> units_;
  std::string dir_, address_, error_;
  pid_t daemon_pid_ = -1;
  sd_bus* bus_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace exporter::testing
