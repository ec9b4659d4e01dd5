// Tests of the systemd collector against FakeSystemd, a stand-in for systemd
// on a private D-Bus daemon (skipped when dbus-daemon is not installed).
#include <stdlib.h>

#include "tests/unit/exporter/fake_systemd.h"
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

constexpr uint64_t kInfinity = ~uint64_t{0};

FakeUnit MakeUnit(const std::string& name, const std::string& active_state,
                  const std::string& sub_state, const std::string& type = "") {
  FakeUnit u;
  u.name = name;
  u.active_state = active_state;
  u.sub_state = sub_state;
  u.type = type;
  return u;
}

std::vector<FakeUnit> Units() {
  std::vector<FakeUnit> u;
  FakeUnit ssh = MakeUnit("ssh.service", "active", "running", "notify");
  ssh.active_enter_usec = 1700000000123456;
  ssh.n_restarts = 2;
  ssh.tasks_current = 3;
  ssh.tasks_max = 4915;
  u.push_back(ssh);
  FakeUnit cron = MakeUnit("cron.service", "failed", "failed", "simple");
  cron.n_restarts = 0;
  cron.tasks_current = kInfinity;  // no accounting: not exported
  cron.tasks_max = kInfinity;
  u.push_back(cron);
  FakeUnit gone = MakeUnit("gone.service", "inactive", "dead");
  gone.load_state = "not-found";
  u.push_back(gone);
  u.push_back(MakeUnit("home.mount", "active", "mounted", "nfs4"));
  FakeUnit timer = MakeUnit("logrotate.timer", "active", "waiting");
  timer.last_trigger_usec = 1700003600000000;
  u.push_back(timer);
  FakeUnit sock = MakeUnit("docker.socket", "active", "listening");
  sock.n_accepted = 17;
  sock.n_connections = 1;
  sock.n_refused = 3;
  u.push_back(sock);
  FakeUnit old_sock = MakeUnit("old.socket", "activating", "start");
  old_sock.n_accepted = 5;
  old_sock.n_connections = 0;  // no NRefused: systemd < 239
  u.push_back(old_sock);
  u.push_back(MakeUnit("multi-user.target", "active", "active"));
  u.push_back(MakeUnit("nginx.service", "reloading", "reload", "forking"));
  return u;
}

class SystemdCollectorTest : public ::testing::Test {
 protected:
  void Start(const std::string& version, const std::string& state) {
    fake_ = std::make_unique<FakeSystemd>(version, state, Units());
    if (!fake_->ok()) GTEST_SKIP() << "no private D-Bus: " << fake_->error();
    const char* old = getenv("DBUS_SYSTEM_BUS_ADDRESS");
    if (old) old_address_ = old;
    had_address_ = old != nullptr;
    setenv("DBUS_SYSTEM_BUS_ADDRESS", fake_->address().c_str(), 1);
  }
  void TearDown() override {
    if (had_address_) {
      setenv("DBUS_SYSTEM_BUS_ADDRESS", old_address_.c_str(), 1);
    } else {
      unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    }
    fake_.reset();
  }

  std::unique_ptr<FakeSystemd> fake_;
  std::string old_address_;
  bool had_address_ = false;
};

TEST_F(SystemdCollectorTest, UnitStatesAndSummary) {
  Start("252.19-1~deb12u1", "running");
  MetricSink s = RunCollector("systemd");
  EXPECT_EQ(MustValue(s, "node_systemd_version", {{"version", "252.19-1~deb12u1"}}), 252.19);
  EXPECT_EQ(MustValue(s, "node_systemd_system_running"), 1);

  // All nine units count, by active state, including the unloaded one and the
  // state outside the usual five.
  EXPECT_EQ(SeriesCount(s, "node_systemd_units"), 6u);
  EXPECT_EQ(MustValue(s, "node_systemd_units", {{"state", "active"}}), 5);
  EXPECT_EQ(MustValue(s, "node_systemd_units", {{"state", "failed"}}), 1);
  EXPECT_EQ(MustValue(s, "node_systemd_units", {{"state", "inactive"}}), 1);
  EXPECT_EQ(MustValue(s, "node_systemd_units", {{"state", "activating"}}), 1);
  EXPECT_EQ(MustValue(s, "node_systemd_units", {{"state", "deactivating"}}), 0);
  EXPECT_EQ(MustValue(s, "node_systemd_units", {{"state", "reloading"}}), 1);

  // Per unit: loaded units not excluded by default (.mount, .target) nor
  // unloaded; five states each.
  const auto* f = s.Find("node_systemd_unit_state");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->help, "Systemd unit");
  EXPECT_EQ(f->metric.size(), 6u * 5);
  EXPECT_EQ(MustValue(s, "node_systemd_unit_state",
                      {{"name", "ssh.service"}, {"state", "active"}, {"type", "notify"}}),
            1);
  EXPECT_EQ(MustValue(s, "node_systemd_unit_state",
                      {{"name", "ssh.service"}, {"state", "failed"}, {"type", "notify"}}),
            0);
  EXPECT_EQ(MustValue(s, "node_systemd_unit_state",
                      {{"name", "cron.service"}, {"state", "failed"}, {"type", "simple"}}),
            1);
  // "reloading" is none of the five: all zero.
  for (const char* st : {"active", "activating", "deactivating", "inactive", "failed"}) {
    EXPECT_EQ(MustValue(s, "node_systemd_unit_state",
                        {{"name", "nginx.service"}, {"state", st}, {"type", "forking"}}),
              0);
  }
  EXPECT_EQ(MustValue(s, "node_systemd_unit_state",
                      {{"name", "logrotate.timer"}, {"state", "active"}, {"type", ""}}),
            1);
  EXPECT_FALSE(Value(s, "node_systemd_unit_state", {{"name", "home.mount"}}));
  EXPECT_FALSE(Value(s, "node_systemd_unit_state", {{"name", "multi-user.target"}}));
  EXPECT_FALSE(Value(s, "node_systemd_unit_state", {{"name", "gone.service"}}));

  EXPECT_EQ(MustValue(s, "node_systemd_timer_last_trigger_seconds", {{"name", "logrotate.timer"}}),
            1700003600);
  EXPECT_EQ(
      MustValue(s, "node_systemd_socket_accepted_connections_total", {{"name", "docker.socket"}}),
      17);
  EXPECT_EQ(s.Find("node_systemd_socket_accepted_connections_total")->type,
            prometheus::MetricType::Counter);
  EXPECT_EQ(MustValue(s, "node_systemd_socket_current_connections", {{"name", "docker.socket"}}),
            1);
  EXPECT_EQ(
      MustValue(s, "node_systemd_socket_refused_connections_total", {{"name", "docker.socket"}}),
      3);
  EXPECT_EQ(s.Find("node_systemd_socket_refused_connections_total")->type,
            prometheus::MetricType::Gauge);
  EXPECT_EQ(
      MustValue(s, "node_systemd_socket_accepted_connections_total", {{"name", "old.socket"}}), 5);
  EXPECT_FALSE(Value(s, "node_systemd_socket_refused_connections_total", {{"name", "old.socket"}}));

  // Optional metrics are off by default.
  EXPECT_EQ(s.Find("node_systemd_unit_tasks_current"), nullptr);
  EXPECT_EQ(s.Find("node_systemd_service_restart_total"), nullptr);
  EXPECT_EQ(s.Find("node_systemd_unit_start_time_seconds"), nullptr);
}

TEST_F(SystemdCollectorTest, OptionalMetricsAndFilters) {
  Start("249", "degraded");
  CollectorConfig c = FixtureConfig();
  c.flags["collector.systemd.enable-task-metrics"] = "true";
  c.flags["collector.systemd.enable-restarts-metrics"] = "true";
  c.flags["collector.systemd.enable-start-time-metrics"] = "true";
  c.flags["collector.systemd.unit-include"] = ".*service|home.*";  // anchored on both ends
  // Anchored too: "nginx" excludes no unit; nor does it exclude .mount any more.
  c.flags["collector.systemd.unit-exclude"] = "nginx";
  MetricSink s = RunCollector("systemd", c);
  EXPECT_EQ(MustValue(s, "node_systemd_version", {{"version", "249"}}), 249);
  EXPECT_EQ(MustValue(s, "node_systemd_system_running"), 0);

  EXPECT_EQ(SeriesCount(s, "node_systemd_unit_state"), 4u * 5);
  EXPECT_EQ(MustValue(s, "node_systemd_unit_state",
                      {{"name", "home.mount"}, {"state", "active"}, {"type", "nfs4"}}),
            1);
  EXPECT_EQ(MustValue(s, "node_systemd_unit_state",
                      {{"name", "nginx.service"}, {"state", "active"}, {"type", "forking"}}),
            0);

  EXPECT_EQ(MustValue(s, "node_systemd_unit_tasks_current", {{"name", "ssh.service"}}), 3);
  EXPECT_EQ(MustValue(s, "node_systemd_unit_tasks_max", {{"name", "ssh.service"}}), 4915);
  EXPECT_FALSE(Value(s, "node_systemd_unit_tasks_current", {{"name", "cron.service"}}));
  EXPECT_FALSE(Value(s, "node_systemd_unit_tasks_max", {{"name", "cron.service"}}));

  EXPECT_EQ(MustValue(s, "node_systemd_service_restart_total", {{"name", "ssh.service"}}), 2);
  EXPECT_EQ(MustValue(s, "node_systemd_service_restart_total", {{"name", "cron.service"}}), 0);
  // nginx has no NRestarts property: skipped.
  EXPECT_FALSE(Value(s, "node_systemd_service_restart_total", {{"name", "nginx.service"}}));

  EXPECT_DOUBLE_EQ(MustValue(s, "node_systemd_unit_start_time_seconds", {{"name", "ssh.service"}}),
                   1700000000.123456);
  // Not active: 0 without asking.
  EXPECT_EQ(MustValue(s, "node_systemd_unit_start_time_seconds", {{"name", "cron.service"}}), 0);
  EXPECT_EQ(SeriesCount(s, "node_systemd_unit_start_time_seconds"), 4u);
}

TEST_F(SystemdCollectorTest, OldSystemdHasNoStateOrTimers) {
  Start("systemd 208", "running");
  MetricSink s = RunCollector("systemd");
  EXPECT_EQ(MustValue(s, "node_systemd_version", {{"version", "systemd 208"}}), 208);
  EXPECT_EQ(s.Find("node_systemd_system_running"), nullptr);
  EXPECT_EQ(s.Find("node_systemd_timer_last_trigger_seconds"), nullptr);
  EXPECT_EQ(SeriesCount(s, "node_systemd_socket_current_connections"), 2u);
}

TEST_F(SystemdCollectorTest, UnparsableVersionIsZero) {
  Start("v2", "running");
  MetricSink s = RunCollector("systemd");
  EXPECT_EQ(MustValue(s, "node_systemd_version", {{"version", ""}}), 0);
  EXPECT_EQ(s.Find("node_systemd_system_running"), nullptr);
  EXPECT_EQ(SeriesCount(s, "node_systemd_units"), 6u);
}

TEST(SystemdCollectorNoBusTest, NoBusFails) {
  ScratchDir dir;
  const char* old = getenv("DBUS_SYSTEM_BUS_ADDRESS");
  std::string saved = old ? old : "";
  setenv("DBUS_SYSTEM_BUS_ADDRESS", ("unix:path=" + dir.path() + "/none").c_str(), 1);
  CollectorConfig c = FixtureConfig();
  MetricSink s;
  auto st = RegisteredCollectors().at("systemd").factory(c)->Update(s);
  if (old) {
    setenv("DBUS_SYSTEM_BUS_ADDRESS", saved.c_str(), 1);
  } else {
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  }
  // As root the private socket is tried too; neither exists in a test
  // environment without systemd.
  if (access("/run/systemd/private", F_OK) == 0) GTEST_SKIP() << "systemd is running here";
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(st.IsNotFound());
  EXPECT_TRUE(s.families().empty());
}

}  // namespace
}  // namespace exporter::testing
