// Tests of the interrupts collector on tests/fixtures/proc/interrupts.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(InterruptsCollectorTest, NumberedAndNamedRows) {
  MetricSink s = RunCollector("interrupts");
  const auto* f = s.Find("node_interrupts_total");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, prometheus::MetricType::Counter);
  EXPECT_EQ(f->help, "Interrupt details.");
  // 32 rows of which ERR and MIS have a single column: 30 rows x 2 CPUs.
  EXPECT_EQ(f->metric.size(), 60u);

  // Numbered: the controller is "info", the rest (spaces kept) "devices".
  EXPECT_EQ(MustValue(s, "node_interrupts_total",
                      {{"cpu", "0"},
                       {"type", "27"},
                       {"info", "PCI-MSI"},
                       {"devices", "376832-edge ahci[0000:00:17.0]"}}),
            181245);
  EXPECT_EQ(
      MustValue(s, "node_interrupts_total", {{"cpu", "1"}, {"type", "27"}, {"info", "PCI-MSI"}}),
      69902);
  EXPECT_EQ(
      MustValue(
          s, "node_interrupts_total",
          {{"cpu", "0"}, {"type", "16"}, {"devices", "16-fasteoi ehci_hcd:usb1, i801_smbus"}}),
      2390);
  // Named: everything after the values is "info", devices empty.
  EXPECT_EQ(
      MustValue(
          s, "node_interrupts_total",
          {{"cpu", "1"}, {"type", "LOC"}, {"info", "Local timer interrupts"}, {"devices", ""}}),
      1726230);
  EXPECT_EQ(MustValue(s, "node_interrupts_total", {{"cpu", "0"}, {"type", "RES"}}), 202914);
  EXPECT_FALSE(Value(s, "node_interrupts_total", {{"type", "ERR"}}));
  EXPECT_FALSE(Value(s, "node_interrupts_total", {{"type", "MIS"}}));
}

TEST(InterruptsCollectorTest, MissingOrBadFileFails) {
  ScratchDir proc;
  auto st = UpdateStatus("interrupts", ProcAt(proc));
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(st.IsNotFound());

  proc.Write("interrupts", "");
  EXPECT_FALSE(UpdateStatus("interrupts", ProcAt(proc)).ok());

  proc.Write("interrupts", "  CPU0 CPU1\n  0:  12  x  IO-APIC 2-edge timer\n");
  MetricSink s;
  st = RegisteredCollectors().at("interrupts").factory(ProcAt(proc))->Update(s);
  EXPECT_FALSE(st.ok());
  // As in node_exporter, the values before the bad one are already out.
  EXPECT_EQ(SeriesCount(s, "node_interrupts_total"), 1u);
  EXPECT_EQ(MustValue(s, "node_interrupts_total", {{"cpu", "0"}, {"type", "0"}}), 12);
}

TEST(InterruptsCollectorTest, ColumnsFollowTheHeader) {
  ScratchDir proc;
  proc.Write("interrupts",
             "     CPU0  CPU1  CPU2\n"
             "  1:    1     2     3   IO-APIC   1-edge   i8042\n"
             "  2:    4     5     6   XT-PIC\n"
             "NMI:    7     8     9   Non-maskable interrupts\n"
             "ERR:    0\n");
  MetricSink s = RunCollector("interrupts", ProcAt(proc));
  EXPECT_EQ(SeriesCount(s, "node_interrupts_total"), 9u);
  EXPECT_EQ(MustValue(s, "node_interrupts_total",
                      {{"cpu", "2"}, {"type", "1"}, {"devices", "1-edge i8042"}}),
            3);
  EXPECT_EQ(MustValue(s, "node_interrupts_total",
                      {{"cpu", "1"}, {"type", "2"}, {"info", "XT-PIC"}, {"devices", ""}}),
            5);
  EXPECT_EQ(MustValue(s, "node_interrupts_total", {{"cpu", "2"}, {"type", "NMI"}}), 9);
}

}  // namespace
}  // namespace exporter::testing
