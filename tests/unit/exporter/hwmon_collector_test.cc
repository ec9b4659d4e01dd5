// Tests of the hwmon collector on tests/fixtures/sys/class/hwmon: hwmon0
// (coretemp, platform device), hwmon1 (acpitz, no device), hwmon2 (nct6775,
// sensors also in its device dir), hwmon3 (neither device nor name) and hwmon9
// (a dangling link).
#include <set>

#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

const std::string kCoretemp = "platform_coretemp_0";
const std::string kNct = "platform_nct6775_656";

LabelPairs At(const std::string& chip, const std::string& sensor) {
  return {{"chip", chip}, {"sensor", sensor}};
}

TEST(HwmonCollectorTest, ChipNames) {
  MetricSink s = RunCollector("hwmon");
  EXPECT_EQ(SeriesCount(s, "node_hwmon_chip_names"), 3u);
  EXPECT_EQ(MustValue(s, "node_hwmon_chip_names", {{"chip", kCoretemp}, {"chip_name", "coretemp"}}),
            1);
  EXPECT_EQ(MustValue(s, "node_hwmon_chip_names", {{"chip", "acpitz"}, {"chip_name", "acpitz"}}),
            1);
  EXPECT_EQ(MustValue(s, "node_hwmon_chip_names", {{"chip", kNct}, {"chip_name", "nct6775"}}), 1);
  // Every chip label in use.
  std::set<std::string> chips;
  for (const auto& f : s.families()) {
    for (const auto& m : f.metric) chips.emplace(LabelValue(m, "chip"));
  }
  EXPECT_EQ(chips, (std::set<std::string>{kCoretemp, "acpitz", kNct, "hwmon3"}));
}

TEST(HwmonCollectorTest, Temperatures) {
  MetricSink s = RunCollector("hwmon");
  EXPECT_EQ(SeriesCount(s, "node_hwmon_temp_celsius"), 5u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_celsius", At(kCoretemp, "temp1")), 55);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_celsius", At(kCoretemp, "temp2")), 53);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_max_celsius", At(kCoretemp, "temp1")), 84);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_crit_celsius", At(kCoretemp, "temp2")), 100);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_crit_alarm_celsius", At(kCoretemp, "temp1")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_celsius", At("acpitz", "temp1")), 27.8);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_crit_celsius", At("acpitz", "temp1")), 119);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_celsius", At(kNct, "temp7")), 35);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_celsius", At("hwmon3", "temp1")), 41.5);
  // temp<n>_type is not a temperature.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_type", At(kNct, "temp7")), 4);
  // An unparsable value is skipped, not a failure.
  EXPECT_FALSE(Value(s, "node_hwmon_temp_celsius", At(kNct, "temp9")).has_value());
  const auto* f = s.Find("node_hwmon_temp_celsius");
  EXPECT_EQ(f->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(f->help, "Hardware monitor for temperature (input)");
  for (const auto& m : f->metric) EXPECT_EQ(m.label.size(), 2u);
}

TEST(HwmonCollectorTest, SensorLabels) {
  MetricSink s = RunCollector("hwmon");
  EXPECT_EQ(SeriesCount(s, "node_hwmon_sensor_label"), 4u);
  EXPECT_EQ(MustValue(s, "node_hwmon_sensor_label",
                      {{"chip", kCoretemp}, {"sensor", "temp1"}, {"label", "Package id 0"}}),
            1);
  EXPECT_EQ(MustValue(s, "node_hwmon_sensor_label",
                      {{"chip", kCoretemp}, {"sensor", "temp2"}, {"label", "Core 0"}}),
            1);
  EXPECT_EQ(MustValue(s, "node_hwmon_sensor_label",
                      {{"chip", kNct}, {"sensor", "in0"}, {"label", "Vcore"}}),
            1);
  EXPECT_EQ(MustValue(s, "node_hwmon_sensor_label",
                      {{"chip", kNct}, {"sensor", "temp7"}, {"label", "SYSTIN"}}),
            1);
}

TEST(HwmonCollectorTest, OtherSensorTypesAndUnits) {
  MetricSink s = RunCollector("hwmon");
  // Super-I/O chip: volts, fans, pwm, alarms, beeps; cpu0_vid and vrm come
  // from the device directory.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_in_volts", At(kNct, "in0")), 1.048);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_in_max_volts", At(kNct, "in0")), 1.744);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_in_min_volts", At(kNct, "in0")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_in_alarm", At(kNct, "in0")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_in_beep_enabled", At(kNct, "in0")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_fan_rpm", At(kNct, "fan1")), 1214);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_fan_min_rpm", At(kNct, "fan1")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_fan_target_rpm", At(kNct, "fan1")), 1200);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_fan_alarm", At(kNct, "fan1")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_fan_div", At(kNct, "fan1")), 8);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_pwm", At(kNct, "pwm1")), 128);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_pwm_enable", At(kNct, "pwm1")), 5);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_intrusion_alarm", At(kNct, "intrusion0")), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_beep_enabled", At(kNct, "beep_enable0")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_cpu_vid_volts", At(kNct, "cpu0")), 1.15);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_voltage_regulator_version", At(kNct, "vrm0")), 12);
  EXPECT_EQ(s.Find("node_hwmon_fan_alarm")->help, "Hardware sensor alarm status (fan)");
  EXPECT_EQ(s.Find("node_hwmon_fan_rpm")->help,
            "Hardware monitor for fan revolutions per minute (input)");

  // Nameless chip: current, power, energy, humidity, update interval.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_curr_amps", At("hwmon3", "curr1")), 2.5);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_power_watt", At("hwmon3", "power1")), 15);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_power_accuracy", At("hwmon3", "power1")), 0.95);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_hwmon_power_average_interval_seconds", At("hwmon3", "power1")), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_energy_joule_total", At("hwmon3", "energy1")),
                   123.456789);
  EXPECT_EQ(s.Find("node_hwmon_energy_joule_total")->type, prometheus::MetricType::Counter);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_humidity", At("hwmon3", "humidity1")), 0.045);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_hwmon_update_interval_seconds", At("hwmon3", "update_interval0")), 1);
  // A bare "in1" (no property suffix) gets node_exporter's HELP "voltage ()",
  // which disagrees with the family's "(input)": dropped when gathering, as
  // node_exporter drops it, and counted as a gathering error.
  EXPECT_FALSE(Value(s, "node_hwmon_in_volts", At("hwmon3", "in1")).has_value());
  EXPECT_GE(s.errors(), 1u);
}

TEST(HwmonCollectorTest, ExactFamilySet) {
  MetricSink s = RunCollector("hwmon");
  std::set<std::string> names;
  for (const auto& f : s.families()) {
    names.insert(f.name);
    EXPECT_EQ(f.help.find_first_of("\\\n"), std::string::npos) << f.name;
  }
  const std::set<std::string> want = {
      "node_hwmon_chip_names",
      "node_hwmon_sensor_label",
      "node_hwmon_temp_celsius",
      "node_hwmon_temp_max_celsius",
      "node_hwmon_temp_crit_celsius",
      "node_hwmon_temp_crit_alarm_celsius",
      "node_hwmon_temp_type",
      "node_hwmon_in_volts",
      "node_hwmon_in_max_volts",
      "node_hwmon_in_min_volts",
      "node_hwmon_in_alarm",
      "node_hwmon_in_beep_enabled",
      "node_hwmon_fan_rpm",
      "node_hwmon_fan_min_rpm",
      "node_hwmon_fan_target_rpm",
      "node_hwmon_fan_alarm",
      "node_hwmon_fan_div",
      "node_hwmon_pwm",
      "node_hwmon_pwm_enable",
      "node_hwmon_intrusion_alarm",
      "node_hwmon_beep_enabled",
      "node_hwmon_cpu_vid_volts",
      "node_hwmon_voltage_regulator_version",
      "node_hwmon_curr_amps",
      "node_hwmon_power_watt",
      "node_hwmon_power_accuracy",
      "node_hwmon_power_average_interval_seconds",
      "node_hwmon_energy_joule_total",
      "node_hwmon_humidity",
      "node_hwmon_update_interval_seconds",
  };
  EXPECT_EQ(names, want);
}

TEST(HwmonCollectorTest, NoHwmonClassIsNoData) {
  ScratchDir sys;  // no class/hwmon: as node_exporter's ErrNoData
  auto st = UpdateStatus("hwmon", SysAt(sys));
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
}

TEST(HwmonCollectorTest, EmptyHwmonClassIsSuccess) {
  ScratchDir sys;
  sys.MakeDir("class/hwmon");
  MetricSink s = RunCollector("hwmon", SysAt(sys));
  EXPECT_TRUE(s.families().empty());
}

TEST(HwmonCollectorTest, MalformedTreesFailWithoutCrashing) {
  {
    // class/hwmon is a file, not a directory.
    ScratchDir sys;
    sys.Write("class/hwmon", "x\n");
    auto st = UpdateStatus("hwmon", SysAt(sys));
    EXPECT_TRUE(st.IsIOError()) << st.ToString();
  }
  {
    // A chip no name can be derived for fails the collector; the good chip
    // next to it is still exported.
    ScratchDir sys;
    sys.Write("class/hwmon/hwmon0/name", "k10temp\n");
    sys.Write("class/hwmon/hwmon0/temp1_input", "48125\n");
    sys.Write("class/hwmon/___/temp1_input", "1000\n");
    MetricSink s;
    auto st = RegisteredCollectors().at("hwmon").factory(SysAt(sys))->Update(s);
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    EXPECT_DOUBLE_EQ(MustValue(s, "node_hwmon_temp_celsius", At("k10temp", "temp1")), 48.125);
    EXPECT_EQ(SeriesCount(s, "node_hwmon_temp_celsius"), 1u);
  }
  {
    // Odd file names and values are skipped.
    ScratchDir sys;
    const char* const kOdd[][2] = {
        {"temp1_input", ""},     {"temp2_input", "12abc"}, {"temp3_input", "\n\n"},
        {"temp_input", "1000"},  {"temp4_", "1000"},       {"temp5x", "1000"},
        {"1temp_input", "1000"}, {"in0_input", "nan-ish"}, {"fan1_input", " 1200"},
    };
    sys.Write("class/hwmon/hwmon0/name", "odd\n");
    for (const auto& [file, value] : kOdd) {
      sys.Write(std::string("class/hwmon/hwmon0/") + file, value);
    }
    MetricSink s = RunCollector("hwmon", SysAt(sys));
    // Only the chip annotation survives ("temp_input" has no number: sensor
    // type "temp_input" is not a hwmon type).
    std::string names;
    for (const auto& f : s.families()) names += f.name + " ";
    ASSERT_EQ(s.families().size(), 1u) << names;
    EXPECT_EQ(s.families()[0].name, "node_hwmon_chip_names");
  }
}

}  // namespace
}  // namespace exporter::testing
