// Tests of the mountstats collector on tests/fixtures/proc/self/mountstats
// (self -> 4242) and mountinfo.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

const LabelPairs kHome = {
    {"export", "192.168.1.10:/export/home"}, {"protocol", "tcp"}, {"mountaddr", "192.168.1.10"}};
const LabelPairs kMedia = {
    {"export", "10.0.0.5:/srv/media"}, {"protocol", "udp"}, {"mountaddr", "10.0.0.5"}};

LabelPairs With(LabelPairs l, const std::string& k, const std::string& v) {
  l.push_back({k, v});
  return l;
}

TEST(MountstatsCollectorTest, NfsMounts) {
  MetricSink s = RunCollector("mountstats");
  // Two NFS exports; the second mount of 192.168.1.10:/export/home is skipped.
  EXPECT_EQ(SeriesCount(s, "node_mountstats_nfs_age_seconds_total"), 2u);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_age_seconds_total", kHome), 1204312);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_age_seconds_total", kMedia), 86017);

  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_read_bytes_total", kHome), 2795120411.0);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_write_bytes_total", kHome), 1877310212.0);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_direct_read_bytes_total", kMedia), 1048576);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_total_write_bytes_total", kHome), 1877732604.0);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_read_pages_total", kMedia), 3140446);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_write_pages_total", kHome), 458433);

  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_bind_total", kHome), 1);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_connect_total", kHome), 2);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_idle_time_seconds", kHome), 11);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_sends_total", kHome), 184313);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_receives_total", kHome), 184307);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_backlog_queue_total", kHome), 0);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_maximum_rpc_slots", kHome), 32);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_sending_queue_total", kHome), 231089);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_pending_queue_total", kHome), 110473);
  // udp has no connection fields: the rest keep their meaning.
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_connect_total", kMedia), 0);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_idle_time_seconds", kMedia), 0);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_sends_total", kMedia), 105558);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_bad_transaction_ids_total", kMedia), 6);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_maximum_rpc_slots", kMedia), 16);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_pending_queue_total", kMedia), 97);

  EXPECT_EQ(SeriesCount(s, "node_mountstats_nfs_operations_requests_total"), 17u);
  auto read = With(kHome, "operation", "READ");
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_operations_requests_total", read), 21833);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_operations_sent_bytes_total", read), 3836016);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_operations_received_bytes_total", read),
            2795934124.0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_mountstats_nfs_operations_queue_time_seconds_total", read),
                   1.403);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_mountstats_nfs_operations_response_time_seconds_total", read),
                   150.322);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_mountstats_nfs_operations_request_time_seconds_total", read),
                   153.183);
  auto write = With(kHome, "operation", "WRITE");
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_operations_transmissions_total", write), 9189);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_operations_major_timeouts_total", write), 1);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_operations_major_timeouts_total",
                      With(kMedia, "operation", "READ")),
            3);

  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_event_inode_revalidate_total", kHome), 41202);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_event_vfs_open_total", kHome), 3671);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_event_vfs_file_release_total", kHome), 3608);
  // The 19th events field (congestion wait) is skipped.
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_event_truncation_total", kHome), 71);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_event_write_extension_total", kHome), 2901);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_event_short_read_total", kMedia), 5);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_event_jukebox_delay_total", kMedia), 2);

  EXPECT_EQ(s.Find("node_mountstats_nfs_transport_idle_time_seconds")->type,
            prometheus::MetricType::Gauge);
  EXPECT_EQ(s.Find("node_mountstats_nfs_operations_requests_total")->type,
            prometheus::MetricType::Counter);
  // 1 + 8 + 10 + 26 families per mount and 8 per operation.
  EXPECT_EQ(s.families().size(), 53u);
}

const char kNfsBlock[] =
    "device srv:/x mounted on /x with fstype nfs statvers=1.1\n"
    "\topts:\trw,vers=3\n"
    "\tage:\t10\n"
    "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27\n"
    "\tbytes:\t1 2 3 4 5 6 7 8\n"
    "\txprt:\ttcp 0 1 2 0 9007199254740999 6 7 8 9 10 11 12 13\n"
    "\tper-op statistics\n"
    "\t        NULL: 1 1 0 44 24 9007199254740993 0 0\n"
    "\n";

TEST(MountstatsCollectorTest, AddressByPositionAndMantissaWrap) {
  ScratchDir proc;
  proc.Symlink("77", "self");
  proc.Write("77/mountstats",
             std::string("device proc mounted on /proc with fstype proc\n") + kNfsBlock);
  // mountinfo has one line fewer: the NFS mount gets no address.
  proc.Write("77/mountinfo", "23 28 0:22 / /proc rw shared:13 - proc proc rw\n");
  MetricSink s = RunCollector("mountstats", ProcAt(proc));
  LabelPairs l = {{"export", "srv:/x"}, {"protocol", "tcp"}, {"mountaddr", ""}};
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_age_seconds_total", l), 10);
  EXPECT_EQ(MustValue(s, "node_mountstats_nfs_transport_idle_time_seconds", l), 7);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_mountstats_nfs_operations_queue_time_seconds_total",
                             With(l, "operation", "NULL")),
                   0.001);
}

TEST(MountstatsCollectorTest, Failures) {
  {
    ScratchDir proc;  // no self link
    EXPECT_FALSE(UpdateStatus("mountstats", ProcAt(proc)).ok());
  }
  {
    ScratchDir proc;
    proc.Symlink("77", "self");
    proc.Write("77/mountstats", kNfsBlock);  // no mountinfo
    MetricSink s;
    auto st = RegisteredCollectors().at("mountstats").factory(ProcAt(proc))->Update(s);
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(s.families().empty());
  }
  const std::string kBadStats[] = {
      "device srv:/x mounted on /x with fstype\n",
      "device srv:/x mounted at /x with fstype nfs\n",
      "device srv:/x mounted on /x with fstype nfs statvers=1.1\n\tbytes:\t1 2 3\n",
      "device srv:/x mounted on /x with fstype nfs statvers=1.1\n\txprt:\trdma 0 1 2\n",
      "device srv:/x mounted on /x with fstype nfs statvers=1.1\n\tper-op statistics\n"
      "\tNULL: 1 1 0\n",
  };
  for (const std::string& bad : kBadStats) {
    SCOPED_TRACE(bad);
    ScratchDir proc;
    proc.Symlink("77", "self");
    proc.Write("77/mountstats", bad);
    proc.Write("77/mountinfo", "23 28 0:22 / /x rw - nfs srv:/x rw,addr=1.2.3.4\n");
    EXPECT_FALSE(UpdateStatus("mountstats", ProcAt(proc)).ok());
  }
  {
    ScratchDir proc;
    proc.Symlink("77", "self");
    proc.Write("77/mountstats", kNfsBlock);
    proc.Write("77/mountinfo", "23 28 0:22 / /x rw nfs srv:/x rw,addr=1.2.3.4\n");  // no "-"
    EXPECT_FALSE(UpdateStatus("mountstats", ProcAt(proc)).ok());
  }
}

TEST(MountstatsCollectorTest, NoNfsMountsIsEmptySuccess) {
  ScratchDir proc;
  proc.Symlink("77", "self");
  proc.Write("77/mountstats", "device proc mounted on /proc with fstype proc\n");
  proc.Write("77/mountinfo", "23 28 0:22 / /proc rw shared:13 - proc proc rw\n");
  MetricSink s = RunCollector("mountstats", ProcAt(proc));
  EXPECT_TRUE(s.families().empty());
}

}  // namespace
}  // namespace exporter::testing
