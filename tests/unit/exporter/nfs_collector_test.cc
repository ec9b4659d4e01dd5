// Tests of the nfs and nfsd collectors on tests/fixtures/proc/net/rpc.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

LabelPairs Req(const char* proto, const char* method) {
  return {{"proto", proto}, {"method", method}};
}

TEST(NfsCollectorTest, ClientStats) {
  MetricSink s = RunCollector("nfs");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_packets_total", {{"protocol", "udp"}}), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_packets_total", {{"protocol", "tcp"}}), 918102);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_connections_total"), 171);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_rpcs_total"), 918104);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_rpc_retransmissions_total"), 17);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_rpc_authentication_refreshes_total"), 918104);
  // 18 v2 + 22 v3 + 59 v4 procedures, Null included.
  EXPECT_EQ(SeriesCount(s, "node_nfs_requests_total"), 99u);
  EXPECT_EQ(s.Find("node_nfs_requests_total")->type, prometheus::MetricType::Counter);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("2", "Null")), 77);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("2", "Lookup")), 734516);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("2", "FsStat")), 78);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("3", "Access")), 65);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "Null")), 53);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "Commit")), 8374072);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "Open")), 4321789);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "FsInfo")), 6700990);
  // LayoutGet is the kernel's column before GetDeviceInfo.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "LayoutGet")), 767);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "GetDeviceInfo")), 7669);
  // The 69-value line of a newer kernel: the first 59 are mapped.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "LayoutStats")), 34);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "Clone")), 17);
}

TEST(NfsCollectorTest, ShortV4LineIsPaddedAndErrors) {
  ScratchDir d;
  d.Write("net/rpc/nfs", "net 1 2 3 4\nrpc 5 6 7\nproc4 3 10 11 12\n");
  MetricSink s = RunCollector("nfs", ProcAt(d));
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "Write")), 12);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("4", "Clone")), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfs_requests_total", Req("3", "Commit")), 0);
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("nfs", ProcAt(empty)).IsNotFound());
  ScratchDir bad;
  bad.Write("net/rpc/nfs", "rpc 5 6\n");
  EXPECT_FALSE(UpdateStatus("nfs", ProcAt(bad)).ok());
  ScratchDir unknown;
  unknown.Write("net/rpc/nfs", "foo 5 6\n");
  EXPECT_FALSE(UpdateStatus("nfs", ProcAt(unknown)).ok());
}

TEST(NfsdCollectorTest, ServerStats) {
  MetricSink s = RunCollector("nfsd");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_reply_cache_hits_total"), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_reply_cache_misses_total"), 286417);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_reply_cache_nocache_total"), 5903113);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_file_handles_stale_total"), 3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_disk_bytes_read_total"), 1734590612);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_disk_bytes_written_total"), 4413879102);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_server_threads"), 16);
  EXPECT_EQ(s.Find("node_nfsd_server_threads")->type, prometheus::MetricType::Gauge);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_read_ahead_cache_size_blocks"), 32);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_read_ahead_cache_not_found_total"), 117);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_packets_total", {{"proto", "udp"}}), 12);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_packets_total", {{"proto", "tcp"}}), 6189448);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_connections_total"), 1921);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_rpc_errors_total", {{"error", "fmt"}}), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_rpc_errors_total", {{"error", "auth"}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_rpc_errors_total", {{"error", "cInt"}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_server_rpcs_total"), 6189492);
  // Null procedures are not exported; 17 v2 + 21 v3 + 33 v4.
  EXPECT_EQ(SeriesCount(s, "node_nfsd_requests_total"), 71u);
  EXPECT_FALSE(Value(s, "node_nfsd_requests_total", Req("3", "Null")));
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("2", "GetAttr")), 10);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("2", "FsStat")), 8975014);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("3", "GetAttr")), 131806);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("3", "Access")), 397668);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("3", "Write")), 2702957);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("4", "SecInfo")), 2912160);
  // As node_exporter 1.5 maps them: two columns before the kernel's.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("4", "Verify")), 23);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("4", "Write")), 172);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nfsd_requests_total", Req("4", "RelLockOwner")), 839637);
}

TEST(NfsdCollectorTest, MissingAndMalformed) {
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("nfsd", ProcAt(empty)).IsNotFound());
  ScratchDir bad;
  bad.Write("net/rpc/nfsd", "rc 1 2\n");
  EXPECT_FALSE(UpdateStatus("nfsd", ProcAt(bad)).ok());
  ScratchDir unknown;
  unknown.Write("net/rpc/nfsd", "wdeleg_getattr 0\n");
  EXPECT_FALSE(UpdateStatus("nfsd", ProcAt(unknown)).ok());
}

}  // namespace
}  // namespace exporter::testing
