// The exporter writes /system and the server reads it back through one
// schema (common/system_schema.h): every field of the schema, written from a
// metric, comes back as that metric with the same value and labels. A field
// added to the schema is checked here without a test change.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/system_schema.h"
#include "exporter/metric_sink.h"
#include "exporter/system_snapshot.h"
#include "server/ingest/system_json.h"

namespace {

namespace schema = common::system_schema;

TEST(SystemSchemaTest, EveryFieldTheExporterWritesTheServerReadsBack) {
  exporter::MetricSink sink;
  std::map<std::string, double> want;  // Labels::ToString() -> value
  double next = 1;
  auto gauge = [&](const char* metric, exporter::LabelPairs labels) {
    const double v = next++;
    sink.Gauge(metric, "h", labels, v);
    std::vector<model::Label> l{{"__name__", metric}};
    for (const auto& p : labels) l.push_back({p.name, p.value});
    want[model::Labels::FromVector(l).ToString()] = v;
  };
  gauge(schema::kBootTime.metric, {});
  for (const auto& f : schema::kLoadFields) gauge(f.metric, {});
  for (const auto& f : schema::kMemoryFields) gauge(f.metric, {});
  for (const auto& f : schema::kSwapFields) gauge(f.metric, {});
  const exporter::LabelPairs disk{{"device", "/dev/vda1"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
  gauge(schema::kDiskTotal.metric, disk);
  gauge(schema::kDiskAvail.metric, disk);
  sink.Gauge(schema::kDiskFreeMetric, "h", disk, 0.5);
  sink.Gauge(schema::kDiskReadonly.metric, "h", disk, 1);
  want[model::Labels::FromVector({{"__name__", schema::kDiskReadonly.metric},
                                  {"device", "/dev/vda1"},
                                  {"fstype", "ext4"},
                                  {"mountpoint", "/"}})
           .ToString()] = 1;
  for (const auto& f : schema::kNetworkFields) gauge(f.metric, {{"device", "eth0"}});
  for (const auto& f : schema::kDiskIoFields) gauge(f.metric, {{"device", "vda"}});
  gauge(schema::kTemperature.metric, {{"chip", "platform_coretemp_0"}, {"sensor", "temp1"}});
  sink.Gauge(schema::kUnameMetric, "h",
             {{"nodename", "web-1"},
              {"sysname", "Linux"},
              {"release", "6.1.0"},
              {"version", "#1"},
              {"machine", "x86_64"}},
             1);

  const double now = 1700000000;
  auto counters = exporter::ExtractCounters(sink, now);
  const std::string body = exporter::BuildSystemSnapshot(sink, counters, nullptr).dump();
  auto r = server::ParseSystemJson(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << body;
  EXPECT_EQ(r->hostname, "web-1");
  std::map<std::string, double> got;
  for (const auto& s : r->samples) got[s.labels.ToString()] = s.value;
  for (const auto& [series, v] : want) {
    auto it = got.find(series);
    ASSERT_NE(it, got.end()) << series << " was written to /system but not read back\n" << body;
    EXPECT_EQ(it->second, v) << series;
  }
  // Derived on the way: uptime, and free bytes from total - used.
  EXPECT_EQ(got[model::Labels({{"__name__", schema::kUptime.metric}}).ToString()],
            now - 1);  // boot time 1
  EXPECT_EQ(got[model::Labels::FromVector({{"__name__", schema::kDiskFreeMetric},
                                           {"device", "/dev/vda1"},
                                           {"fstype", "ext4"},
                                           {"mountpoint", "/"}})
                    .ToString()],
            0.5);
  EXPECT_EQ(got[model::Labels::FromVector({{"__name__", schema::kUnameMetric},
                                           {"machine", "x86_64"},
                                           {"nodename", "web-1"},
                                           {"release", "6.1.0"},
                                           {"sysname", "Linux"},
                                           {"version", "#1"}})
                    .ToString()],
            1);
}

}  // namespace
