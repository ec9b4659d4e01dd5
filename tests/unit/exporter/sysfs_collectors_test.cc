// Tests of the sysfs-based collectors (cpufreq, thermal_zone, powersupplyclass,
// edac, netclass, bonding, dmi, os, selinux, rapl, nvme, fibrechannel,
// infiniband, tapestats, bcache, btrfs) on the fixture trees
// tests/fixtures/sys and tests/fixtures/rootfs. Expected values are the
// fixture's, as node_exporter 1.5 reports them for the same tree.
#include <cmath>

#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

const std::string kSys = MS_SOURCE_DIR "/tests/fixtures/sys";

// Every collector here reports "no data" (or nothing) on an empty sysfs, and
// none fails hard.
TEST(SysfsCollectorsTest, EmptySysfs) {
  ScratchDir sys;
  for (const char* name : {"powersupplyclass", "netclass", "bonding", "dmi", "rapl", "nvme",
                           "fibrechannel", "infiniband", "tapestats"}) {
    common::Status s = UpdateStatus(name, SysAt(sys));
    EXPECT_TRUE(s.IsNotFound()) << name << ": " << s.ToString();
  }
  for (const char* name : {"cpufreq", "thermal_zone", "edac", "bcache", "btrfs"}) {
    MetricSink sink;
    common::Status s = RegisteredCollectors().at(name).factory(SysAt(sys))->Update(sink);
    EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
    EXPECT_TRUE(sink.families().empty()) << name;
  }
}

TEST(CpufreqCollectorTest, FrequenciesInHertz) {
  MetricSink s = RunCollector("cpufreq");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_frequency_hertz", {{"cpu", "0"}}), 1699932000);
  // cpu1 has no (root-only) cpuinfo_cur_freq.
  EXPECT_FALSE(Value(s, "node_cpu_frequency_hertz", {{"cpu", "1"}}).has_value());
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_frequency_min_hertz", {{"cpu", "1"}}), 800000000);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_frequency_max_hertz", {{"cpu", "0"}}), 2200000000);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_scaling_frequency_hertz", {{"cpu", "1"}}), 1800000000);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_scaling_frequency_min_hertz", {{"cpu", "1"}}),
                   1200000000);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_scaling_frequency_max_hertz", {{"cpu", "1"}}),
                   2000000000);
  EXPECT_EQ(SeriesCount(s, "node_cpu_scaling_frequency_hertz"), 2u);
  EXPECT_EQ(s.Find("node_cpu_frequency_hertz")->type, prometheus::MetricType::Gauge);
}

TEST(ThermalZoneCollectorTest, ZonesAndCoolingDevices) {
  MetricSink s = RunCollector("thermal_zone");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_thermal_zone_temp", {{"zone", "0"}, {"type", "acpitz"}}),
                   27.8);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_thermal_zone_temp", {{"zone", "1"}, {"type", "x86_pkg_temp"}}), 45);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_cooling_device_cur_state", {{"name", "0"}, {"type", "Processor"}}), 1);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_cooling_device_max_state", {{"name", "0"}, {"type", "Processor"}}), 3);
  // intel_powerclamp reports -1 while idle injection is off.
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_cooling_device_cur_state", {{"name", "1"}, {"type", "intel_powerclamp"}}),
      -1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cooling_device_max_state", {{"name", "1"}}), 50);
}

TEST(PowerSupplyClassCollectorTest, BatteryAndMains) {
  MetricSink s = RunCollector("powersupplyclass");
  const LabelPairs bat = {{"power_supply", "BAT0"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_capacity", bat), 81);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_cyclecount", bat), 137);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_energy_full", bat), 45.07);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_energy_full_design", bat), 47.52);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_energy_watthour", bat), 36.58);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_power_watt", bat), 4.83);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_voltage_volt", bat), 12.229);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_voltage_min_design", bat), 11.4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_present", bat), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_online", {{"power_supply", "AC"}}), 0);
  // "alarm" and the charge_control_*_threshold files are not reported.
  EXPECT_EQ(s.Find("node_power_supply_alarm"), nullptr);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_power_supply_info",
                             {{"capacity_level", "Normal"},
                              {"manufacturer", "SMP"},
                              {"model_name", "01AV430"},
                              {"power_supply", "BAT0"},
                              {"serial_number", "3347"},
                              {"status", "Discharging"},
                              {"technology", "Li-poly"},
                              {"type", "Battery"}}),
                   1);
  const auto* info = s.Find("node_power_supply_info");
  ASSERT_NE(info, nullptr);
  const auto* ac = FindMetric(*info, {{"power_supply", "AC"}});
  ASSERT_NE(ac, nullptr);
  EXPECT_EQ(ac->label.size(), 2u);  // power_supply and type; empty values left out
  EXPECT_EQ(LabelValue(*ac, "type"), "Mains");

  CollectorConfig c = FixtureConfig();
  c.flags["collector.powersupply.ignored-supplies"] = "^AC$";
  MetricSink ignored = RunCollector("powersupplyclass", c);
  EXPECT_FALSE(Value(ignored, "node_power_supply_online", {{"power_supply", "AC"}}).has_value());
  EXPECT_EQ(SeriesCount(ignored, "node_power_supply_info"), 1u);
}

TEST(PowerSupplyClassCollectorTest, MalformedNumberFails) {
  ScratchDir sys;
  sys.Write("class/power_supply/BAT1/capacity", "eighty\n");
  EXPECT_FALSE(UpdateStatus("powersupplyclass", SysAt(sys)).ok());
}

TEST(EdacCollectorTest, ControllersAndRows) {
  MetricSink s = RunCollector("edac");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_edac_correctable_errors_total", {{"controller", "0"}}), 5);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_edac_uncorrectable_errors_total", {{"controller", "0"}}), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_edac_correctable_errors_total", {{"controller", "1"}}), 11);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_edac_csrow_correctable_errors_total",
                             {{"controller", "0"}, {"csrow", "unknown"}}),
                   1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_edac_csrow_uncorrectable_errors_total",
                             {{"controller", "1"}, {"csrow", "unknown"}}),
                   3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_edac_csrow_correctable_errors_total",
                             {{"controller", "0"}, {"csrow", "0"}}),
                   3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_edac_csrow_uncorrectable_errors_total",
                             {{"controller", "0"}, {"csrow", "0"}}),
                   2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_edac_csrow_correctable_errors_total",
                             {{"controller", "1"}, {"csrow", "0"}}),
                   7);
  EXPECT_EQ(SeriesCount(s, "node_edac_csrow_correctable_errors_total"), 5u);
  EXPECT_EQ(s.Find("node_edac_correctable_errors_total")->type, prometheus::MetricType::Counter);
}

TEST(NetClassCollectorTest, InterfaceAttributes) {
  MetricSink s = RunCollector("netclass");
  auto dev = [](const std::string& d) { return LabelPairs{{"device", d}}; };
  EXPECT_EQ(SeriesCount(s, "node_network_up"), 4u);  // bond0 eth0 eth1 lo; not bonding_masters
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_up", dev("eth0")), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_up", dev("lo")), 0);  // operstate "unknown"
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_speed_bytes", dev("eth0")), 125000000);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_speed_bytes", dev("eth1")), -125000);
  EXPECT_FALSE(Value(s, "node_network_speed_bytes", dev("lo")).has_value());
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_flags", dev("eth0")), 0x1003);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_flags", dev("bond0")), 0x5443);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_device_id", dev("eth0")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_address_assign_type", dev("bond0")), 3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_carrier_changes_total", dev("eth1")), 9);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_carrier_up_changes_total", dev("eth1")), 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_carrier_down_changes_total", dev("eth1")), 5);
  EXPECT_FALSE(Value(s, "node_network_carrier", dev("eth1")).has_value());
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_mtu_bytes", dev("lo")), 65536);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_iface_id", dev("bond0")), 5);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_name_assign_type", dev("eth0")), 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_protocol_type", dev("lo")), 772);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_transmit_queue_length", dev("eth1")), 1000);
  EXPECT_EQ(s.Find("node_network_carrier_changes_total")->type, prometheus::MetricType::Counter);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_info",
                             {{"address", "8c:16:45:3e:8a:12"},
                              {"broadcast", "ff:ff:ff:ff:ff:ff"},
                              {"device", "eth1"},
                              {"duplex", "unknown"},
                              {"ifalias", "backup uplink"},
                              {"operstate", "down"}}),
                   1);

  CollectorConfig c = FixtureConfig();
  c.flags["collector.netclass.ignore-invalid-speed"] = "true";
  c.flags["collector.netclass.ignored-devices"] = "^(lo|bond.*)$";
  MetricSink f = RunCollector("netclass", c);
  EXPECT_EQ(SeriesCount(f, "node_network_up"), 2u);
  EXPECT_FALSE(Value(f, "node_network_speed_bytes", dev("eth1")).has_value());
  EXPECT_DOUBLE_EQ(MustValue(f, "node_network_speed_bytes", dev("eth0")), 125000000);
}

// --collector.netclass.netlink reads the running kernel: every Linux network
// namespace has a loopback interface.
TEST(NetClassCollectorTest, NetlinkMode) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.netclass.netlink"] = "true";
  MetricSink s = RunCollector("netclass", c);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_protocol_type", {{"device", "lo"}}), 772);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_mtu_bytes", {{"device", "lo"}}) > 0, 1);
  EXPECT_EQ(s.Find("node_network_receive_bytes_total"), nullptr);  // only with with-stats
  // Not the fixture's interfaces.
  EXPECT_FALSE(Value(s, "node_network_up", {{"device", "bond0"}}).has_value());

  c.flags["collector.netclass_rtnl.with-stats"] = "true";
  MetricSink st = RunCollector("netclass", c);
  EXPECT_GE(MustValue(st, "node_network_receive_bytes_total", {{"device", "lo"}}), 0);

  c.flags["collector.netclass.ignored-devices"] = "^lo$";
  MetricSink ign = RunCollector("netclass", c);
  EXPECT_FALSE(Value(ign, "node_network_up", {{"device", "lo"}}).has_value());
}

TEST(BondingCollectorTest, SlavesAndActive) {
  MetricSink s = RunCollector("bonding");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_bonding_slaves", {{"master", "bond0"}}), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_bonding_active", {{"master", "bond0"}}), 1);

  // Older kernels link the slaves as slave_<iface>.
  ScratchDir sys;
  sys.Write("class/net/bonding_masters", "bond1 bond2\n");
  sys.Write("class/net/bond1/bonding/slaves", "eth3\n");
  sys.Write("class/net/bond1/slave_eth3/bonding_slave/mii_status", "up\n");
  sys.Write("class/net/bond2/bonding/slaves", "\n");
  MetricSink old = RunCollector("bonding", SysAt(sys));
  EXPECT_DOUBLE_EQ(MustValue(old, "node_bonding_active", {{"master", "bond1"}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(old, "node_bonding_slaves", {{"master", "bond2"}}), 0);
}

TEST(DmiCollectorTest, InfoLabels) {
  MetricSink s = RunCollector("dmi");
  ASSERT_EQ(SeriesCount(s, "node_dmi_info"), 1u);
  const auto& m = s.Find("node_dmi_info")->metric[0];
  EXPECT_EQ(m.label.size(), 20u);  // every DMI label; chassis_type is not one
  EXPECT_EQ(LabelValue(m, "bios_version"), "N2IET98W (1.76 )");
  EXPECT_EQ(LabelValue(m, "system_vendor"), "LENOVO");
  EXPECT_EQ(LabelValue(m, "product_sku"), "LENOVO_MT_20QD_BU_Think_FM_ThinkPad X1 Carbon 7th");
  EXPECT_EQ(LabelValue(m, "chassis_asset_tag"), "");
  EXPECT_EQ(LabelValue(m, "chassis_type"), "");
}

TEST(OsCollectorTest, OsRelease) {
  MetricSink s = RunCollector("os");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_os_info",
                             {{"build_id", ""},
                              {"id", "ubuntu"},
                              {"id_like", "debian"},
                              {"name", "Ubuntu"},
                              {"pretty_name", "Ubuntu 22.04.3 LTS"},
                              {"version", "22.04.3 LTS (Jammy Jellyfish)"},
                              {"version_codename", "jammy"},
                              {"version_id", "22.04"}}),
                   1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_os_version",
                             {{"id", "ubuntu"}, {"id_like", "debian"}, {"name", "Ubuntu"}}),
                   22.04);
}

TEST(OsCollectorTest, FallbackAndQuoting) {
  ScratchDir root;
  root.Write("usr/lib/os-release",
             "# Fedora\n  \nNAME='Fedora Linux'\nexport ID=fedora\nVERSION_ID=39\n"
             "PRETTY_NAME=\"Fedora \\\"39\\\"\" # comment\nVARIANT=Server Edition   # x\n");
  CollectorConfig c = FixtureConfig();
  c.paths.rootfs = root.path();
  MetricSink s = RunCollector("os", c);
  const auto* info = s.Find("node_os_info");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(LabelValue(info->metric[0], "name"), "Fedora Linux");
  EXPECT_EQ(LabelValue(info->metric[0], "id"), "fedora");
  EXPECT_EQ(LabelValue(info->metric[0], "pretty_name"), "Fedora \"39\"");
  EXPECT_EQ(LabelValue(info->metric[0], "variant"), "Server Edition");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_os_version"), 39);

  ScratchDir empty;
  c.paths.rootfs = empty.path();
  EXPECT_TRUE(UpdateStatus("os", c).IsNotFound());

  // A line without '=' makes the file malformed: the collector fails.
  ScratchDir bad;
  bad.Write("etc/os-release", "NAME=Foo\ngarbage\n");
  c.paths.rootfs = bad.path();
  common::Status st = UpdateStatus("os", c);
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(st.IsNotFound());
}

TEST(SelinuxCollectorTest, DisabledWithoutSelinuxfs) {
  MetricSink s = RunCollector("selinux");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_selinux_enabled"), 0);
  EXPECT_EQ(s.families().size(), 1u);
}

TEST(RaplCollectorTest, ZonesInJoules) {
  MetricSink s = RunCollector("rapl");
  const std::string pc = kSys + "/class/powercap/";
  EXPECT_DOUBLE_EQ(MustValue(s, "node_rapl_package_joules_total",
                             {{"index", "0"}, {"path", pc + "intel-rapl:0"}}),
                   240422.366267);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_rapl_package_joules_total",
                             {{"index", "1"}, {"path", pc + "intel-rapl:1"}}),
                   212785.374539);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_rapl_core_joules_total", {{"index", "0"}}), 118821.284256);
  // Two "dram" zones without an index in their name are numbered in order.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_rapl_dram_joules_total",
                             {{"index", "0"}, {"path", pc + "intel-rapl:0:2"}}),
                   24195.487503);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_rapl_dram_joules_total",
                             {{"index", "1"}, {"path", pc + "intel-rapl:1:0"}}),
                   20371.540418);
  EXPECT_EQ(s.Find("node_rapl_core_joules_total")->type, prometheus::MetricType::Counter);

  CollectorConfig c = FixtureConfig();
  c.flags["collector.rapl.enable-zone-label"] = "true";
  MetricSink z = RunCollector("rapl", c);
  EXPECT_EQ(SeriesCount(z, "node_rapl_joules_total"), 6u);
  EXPECT_DOUBLE_EQ(MustValue(z, "node_rapl_joules_total", {{"rapl_zone", "uncore"}}), 2.896331);
}

TEST(NvmeCollectorTest, Info) {
  MetricSink s = RunCollector("nvme");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nvme_info",
                             {{"device", "nvme0"},
                              {"firmware_revision", "2B2QEXM7"},
                              {"model", "Samsung SSD 970 EVO Plus 1TB"},
                              {"serial", "S4EWNX0R123456"},
                              {"state", "live"}}),
                   1);
}

TEST(FibreChannelCollectorTest, HostInfoAndCounters) {
  MetricSink s = RunCollector("fibrechannel");
  const LabelPairs h = {{"fc_host", "host0"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_fibrechannel_info",
                             {{"fc_host", "host0"},
                              {"speed", "16 Gbit"},
                              {"port_state", "Online"},
                              {"port_type", "NPort (fabric via point-to-point)"},
                              {"port_name", "10000090fa1b2c3d"},
                              {"fabric_name", "100050eb1a2b3c4d"},
                              {"port_id", "010a00"},
                              {"dev_loss_tmo", "30"},
                              {"supported_classes", "Class 3"},
                              {"supported_speeds", "4 Gbit, 8 Gbit, 16 Gbit"}}),
                   1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_fibrechannel_rx_frames_total", h), 0x3a4b2c);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_fibrechannel_tx_words_total", h), 0x15a6b7c8);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_fibrechannel_invalid_tx_words_total", h), 0x8a);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_fibrechannel_seconds_since_last_reset_total", h), 2000000);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_fibrechannel_error_frames_total", h), 0);
  // All-ones marks counters the HBA does not implement.
  EXPECT_EQ(s.Find("node_fibrechannel_dumped_frames_total"), nullptr);
  EXPECT_EQ(s.Find("node_fibrechannel_nos_total"), nullptr);
}

TEST(InfinibandCollectorTest, PortsAndCounters) {
  MetricSink s = RunCollector("infiniband");
  const LabelPairs p1 = {{"device", "mlx4_0"}, {"port", "1"}};
  const LabelPairs p2 = {{"device", "mlx4_0"}, {"port", "2"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_info",
                             {{"device", "mlx4_0"},
                              {"board_id", "MT_1090120019"},
                              {"firmware_version", "2.42.5000"},
                              {"hca_type", "MT4099"}}),
                   1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_state_id", p1), 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_physical_state_id", p2), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_rate_bytes_per_second", p1), 5e9);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_rate_bytes_per_second", p2), 1.25e9);
  // Data counters count 4-byte words per lane.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_port_data_received_bytes_total", p1),
                   2221223609.0 * 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_legacy_data_received_bytes_total", p1),
                   8884894436.0 * 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_vl15_dropped_total", p1), 13);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_port_transmit_wait_total", p1), 3599);
  EXPECT_FALSE(Value(s, "node_infiniband_legacy_data_received_bytes_total", p2).has_value());
  // "N/A (no PMA)" counters are skipped.
  EXPECT_FALSE(Value(s, "node_infiniband_multicast_packets_received_total", p2).has_value());
  EXPECT_DOUBLE_EQ(MustValue(s, "node_infiniband_symbol_error_total", p2), 0);
}

TEST(TapestatsCollectorTest, StNDevicesOnly) {
  MetricSink s = RunCollector("tapestats");
  EXPECT_EQ(SeriesCount(s, "node_tape_io_now"), 2u);  // st0, st1; not nst0 or st0a
  const LabelPairs st0 = {{"device", "st0"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_tape_io_now", st0), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_tape_io_time_seconds_total", st0), 9247011087720 * 1e-9);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_tape_write_time_seconds_total", st0), 5233597394395 * 1e-9);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_tape_written_bytes_total", st0), 1496246784000);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_tape_io_others_total", st0), 1409);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_tape_residual_total", st0), 19);

  CollectorConfig c = FixtureConfig();
  c.flags["collector.tapestats.ignored-devices"] = "^st1$";
  EXPECT_EQ(SeriesCount(RunCollector("tapestats", c), "node_tape_io_now"), 1u);
}

TEST(BcacheCollectorTest, HumanUnits) {
  MetricSink s = RunCollector("bcache");
  const std::string uuid = "deaddd54-c735-46d5-868e-f331c5fd7c74";
  const LabelPairs u = {{"uuid", uuid}};
  const LabelPairs b = {{"backing_device", "bdev0"}, {"uuid", uuid}};
  const LabelPairs c = {{"cache_device", "cache0"}, {"uuid", uuid}};
  // "24.5k": bcache prints the fraction in 1/10.24 steps.
  EXPECT_NEAR(MustValue(s, "node_bcache_average_key_size_sectors", u), 24 * 1024 + 500, 1);
  EXPECT_NEAR(MustValue(s, "node_bcache_btree_cache_size_bytes", u), 20 * 1048576 + 512000, 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_bcache_cache_available_percent", u), 97);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_bcache_btree_read_average_duration_seconds", u), 1305e-9);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_bcache_cache_read_races_total", u), 3);
  EXPECT_NEAR(MustValue(s, "node_bcache_dirty_data_bytes", b), 1073741824 + 838860800, 1);
  EXPECT_NEAR(MustValue(s, "node_bcache_writeback_rate", b), 1048576 + 102400, 1);
  EXPECT_NEAR(MustValue(s, "node_bcache_writeback_rate_proportional_term", b),
              -(253.0 * 1048576 + 102400), 1);
  EXPECT_NEAR(MustValue(s, "node_bcache_writeback_change", b), -(4096 + 200), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_bcache_cache_hits_total", b), 860001);
  EXPECT_NEAR(MustValue(s, "node_bcache_written_bytes_total", c), 17.0 * 1073741824 + 943718400, 1);
  EXPECT_FALSE(Value(s, "node_bcache_priority_stats_unused_percent", c).has_value());

  CollectorConfig cfg = FixtureConfig();
  cfg.flags["collector.bcache.priorityStats"] = "true";
  MetricSink p = RunCollector("bcache", cfg);
  EXPECT_DOUBLE_EQ(MustValue(p, "node_bcache_priority_stats_unused_percent", c), 1);
  EXPECT_DOUBLE_EQ(MustValue(p, "node_bcache_priority_stats_metadata_percent", c), 1);
}

TEST(BtrfsCollectorTest, AllocationAndDevices) {
  MetricSink s = RunCollector("btrfs");
  const std::string root = "0abb23a9-579b-43e6-ad30-227ef47fcb9d";
  const std::string raid = "7f07c59f-6136-449c-ab87-e1cf2328731b";  // no metadata_uuid file
  EXPECT_DOUBLE_EQ(MustValue(s, "node_btrfs_info", {{"label", "root"}, {"uuid", root}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_btrfs_info", {{"label", ""}, {"uuid", raid}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_btrfs_global_rsv_size_bytes", {{"uuid", root}}), 167624704);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_btrfs_reserved_bytes", {{"block_group_type", "metadata"}, {"uuid", root}}),
      131072);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_btrfs_used_bytes",
                             {{"block_group_type", "data"}, {"mode", "single"}, {"uuid", root}}),
                   219870273536);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_btrfs_allocation_ratio",
                             {{"block_group_type", "metadata"}, {"mode", "dup"}, {"uuid", root}}),
                   2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_btrfs_size_bytes",
                             {{"block_group_type", "data"}, {"mode", "raid1"}, {"uuid", raid}}),
                   2198486384640);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_btrfs_device_size_bytes", {{"device", "sda3"}, {"uuid", root}}),
      974848000.0 * 512);
  EXPECT_EQ(SeriesCount(s, "node_btrfs_device_size_bytes"), 3u);
  EXPECT_EQ(SeriesCount(s, "node_btrfs_allocation_ratio"), 7u);
}

}  // namespace
}  // namespace exporter::testing
