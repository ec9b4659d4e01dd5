// The read endpoints' pure parts: remote_read frames (CRC-32C, layout), the
// XOR chunks they carry, request decoding and matcher conversion, and the
// /federate text over a real tsdb in a temp dir. The end-to-end behaviour
// against a real Prometheus is tests/integration/federation_test.cc.
#include <gtest/gtest.h>
#include <snappy.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "common/coding.h"
#include "model/value.h"
#include "server/api/federate.h"
#include "server/api/read_frames.h"
#include "server/api/remote_read.h"
#include "tsdb/chunk.h"

namespace server {
namespace {

using MT = tsdb::Matcher::Type;

class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/read_api_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ReadFramesTest, Crc32cKnownValues) {
  // RFC 3720 (iSCSI) appendix B.4 check values.
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(ReadFramesTest, FrameIsUvarintLengthBigEndianCrcAndMessage) {
  std::string message(300, 'x');  // a two-byte uvarint length
  std::string out = "prefix";
  AppendReadFrame(message, &out);
  std::string_view in(out);
  in.remove_prefix(6);
  uint64_t len = 0;
  ASSERT_TRUE(common::GetVarint64(&in, &len));
  EXPECT_EQ(len, 300u);
  ASSERT_EQ(in.size(), 4 + 300u);
  const uint32_t crc = Crc32c(message);
  EXPECT_EQ(static_cast<uint8_t>(in[0]), crc >> 24);
  EXPECT_EQ(static_cast<uint8_t>(in[3]), crc & 0xff);
  EXPECT_EQ(in.substr(4), message);
}

TEST(ReadFramesTest, ChunksHoldAtMost120SamplesAndRoundTripBitExactly) {
  model::SampleVector samples;
  for (int i = 0; i < 250; ++i) samples.push_back({1000 + i * 15000LL + (i % 7), i * 0.5});
  samples[10].v = model::kStaleNaN;
  samples[11].v = -0.0;
  samples[12].v = std::numeric_limits<double>::infinity();
  auto chunks = EncodeXorReadChunks(samples);
  ASSERT_EQ(chunks.size(), 3u);
  size_t i = 0;
  for (const auto& c : chunks) {
    auto it = tsdb::NewChunkIterator(tsdb::Encoding::kXor, c.data);
    int n = 0;
    EXPECT_EQ(c.min_time_ms, samples[i].t);
    while (it->Next()) {
      auto [t, v] = it->At();
      ASSERT_LT(i, samples.size());
      EXPECT_EQ(t, samples[i].t);
      EXPECT_EQ(std::bit_cast<uint64_t>(v), std::bit_cast<uint64_t>(samples[i].v)) << i;
      ++i;
      ++n;
    }
    EXPECT_TRUE(it->status().ok());
    EXPECT_LE(n, kMaxSamplesPerReadChunk);
    EXPECT_EQ(c.max_time_ms, samples[i - 1].t);
  }
  EXPECT_EQ(i, samples.size());
  EXPECT_TRUE(EncodeXorReadChunks({}).empty());
}

std::string Compressed(const ms::remote::ReadRequest& req) {
  std::string raw, out;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

TEST(RemoteReadDecodeTest, BadInputIsRejectedWithAReason) {
  auto bad_snappy = DecodeReadRequest("not snappy at all", 1 << 20);
  ASSERT_FALSE(bad_snappy.ok());
  EXPECT_TRUE(bad_snappy.status().IsInvalidArgument());
  EXPECT_NE(bad_snappy.status().message().find("snappy"), std::string::npos);

  std::string garbage = "\xff\xff\xff\xff garbage", packed;
  snappy::Compress(garbage.data(), garbage.size(), &packed);
  auto bad_proto = DecodeReadRequest(packed, 1 << 20);
  ASSERT_FALSE(bad_proto.ok());
  EXPECT_NE(bad_proto.status().message().find("ReadRequest"), std::string::npos);

  ms::remote::ReadRequest req;
  req.add_queries()->set_end_timestamp_ms(5);
  auto too_large = DecodeReadRequest(Compressed(req), 2);
  ASSERT_FALSE(too_large.ok());
  EXPECT_TRUE(too_large.status().IsTooLarge());
  auto ok = DecodeReadRequest(Compressed(req), 1 << 20);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->queries(0).end_timestamp_ms(), 5);
}

TEST(RemoteReadDecodeTest, MatchersDropExternalLabelEqualitiesAndRejectUnknownTypes) {
  ms::remote::Query q;
  auto add = [&](ms::remote::LabelMatcher::Type t, const char* n, const char* v) {
    auto* m = q.add_matchers();
    m->set_type(t);
    m->set_name(n);
    m->set_value(v);
  };
  add(ms::remote::LabelMatcher::EQ, "__name__", "up");
  add(ms::remote::LabelMatcher::EQ, "dc", "eu");     // an external label: dropped
  add(ms::remote::LabelMatcher::EQ, "region", "x");  // other value: kept
  add(ms::remote::LabelMatcher::NRE, "job", "a|b");
  add(ms::remote::LabelMatcher::EQ, "zone", "");  // kept (Prometheus drops it)
  const model::Labels external{{"dc", "eu"}, {"region", "y"}};
  auto ms = ReadQueryMatchers(q, external);
  ASSERT_TRUE(ms.ok()) << ms.status().ToString();
  ASSERT_EQ(ms->size(), 4u);
  EXPECT_EQ((*ms)[0].String(), "__name__=\"up\"");
  EXPECT_EQ((*ms)[1].String(), "region=\"x\"");
  EXPECT_EQ((*ms)[2].type(), MT::kRegexNoMatch);
  EXPECT_EQ((*ms)[3].String(), "zone=\"\"");

  q.mutable_matchers(0)->set_type(static_cast<ms::remote::LabelMatcher::Type>(7));
  auto bad = ReadQueryMatchers(q, external);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invalid matcher type 7"), std::string::npos);

  ms::remote::Query bad_re;
  bad_re.add_matchers()->set_type(ms::remote::LabelMatcher::RE);
  bad_re.mutable_matchers(0)->set_name("a");
  bad_re.mutable_matchers(0)->set_value("(");
  EXPECT_FALSE(ReadQueryMatchers(bad_re, {}).ok());
}

TEST(RemoteReadDecodeTest, NegotiatesTheFirstSupportedResponseType) {
  ms::remote::ReadRequest req;
  EXPECT_EQ(*NegotiateReadResponseType(req), ms::remote::ReadRequest::SAMPLES);
  req.add_accepted_response_types(static_cast<ms::remote::ReadRequest::ResponseType>(9));
  EXPECT_FALSE(NegotiateReadResponseType(req).ok());
  req.add_accepted_response_types(ms::remote::ReadRequest::STREAMED_XOR_CHUNKS);
  req.add_accepted_response_types(ms::remote::ReadRequest::SAMPLES);
  EXPECT_EQ(*NegotiateReadResponseType(req), ms::remote::ReadRequest::STREAMED_XOR_CHUNKS);
}

TEST(RemoteReadDecodeTest, ExternalLabelsAreAddedUnlessTheSeriesHasThem) {
  const model::Labels series{{"__name__", "up"}, {"dc", "us"}, {"job", "a"}};
  const model::Labels external{{"dc", "eu"}, {"zz", "1"}, {"abc", "2"}};
  EXPECT_EQ(WithExternalLabels(series, external).ToString(),
            "up{abc=\"2\", dc=\"us\", job=\"a\", zz=\"1\"}");
}

class FederationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tsdb::Options o;
    o.retention_ms = 100LL * 24 * 3600 * 1000;
    o.maintenance_interval_ms = 0;
    auto db = tsdb::DB::Open(dir_.path(), o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  void Add(const model::Labels& l, int64_t t, double v) {
    auto app = db_->NewAppender();
    app->Add(l, t, v);
    ASSERT_TRUE(app->Commit().status.ok());
  }
  std::string Render(const std::vector<std::string>& selectors, const model::Labels& external) {
    std::vector<std::vector<tsdb::Matcher>> sets;
    for (const auto& s : selectors) {
      // name="value" pairs separated by ';' keep the test free of the parser.
      std::vector<tsdb::Matcher> ms;
      size_t pos = 0;
      while (pos < s.size()) {
        size_t end = s.find(';', pos);
        if (end == std::string::npos) end = s.size();
        std::string kv = s.substr(pos, end - pos);
        size_t eq = kv.find('=');
        ms.push_back(tsdb::Matcher::MustMake(MT::kRegexMatch, kv.substr(0, eq), kv.substr(eq + 1)));
        pos = end + 1;
      }
      sets.push_back(ms);
    }
    auto r = RenderFederation(*db_, sets, kNow, 300000, external);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : "";
  }

  static constexpr int64_t kNow = 1'700'000'000'000;
  ScratchDir dir_;
  std::unique_ptr<tsdb::DB> db_;
};

TEST_F(FederationTest, LatestSampleWithinLookbackInPrometheusOrderAndFormat) {
  Add({{"__name__", "b_metric"}, {"job", "j"}, {"instance", "i1"}}, kNow - 60000, 1);
  Add({{"__name__", "b_metric"}, {"job", "j"}, {"instance", "i1"}}, kNow - 30000, 2.5e-7);
  // Uppercase sorts before "__name__": families still go by metric name.
  Add({{"__name__", "a_metric"}, {"Zone", "q\"\\\nx"}, {"job", "j"}}, kNow - 1000, 1e6);
  Add({{"__name__", "c_stale"}, {"job", "j"}}, kNow - 20000, 3);
  Add({{"__name__", "c_stale"}, {"job", "j"}}, kNow - 10000, model::kStaleNaN);
  Add({{"__name__", "d_old"}, {"job", "j"}}, kNow - 300001, 4);    // outside the lookback
  Add({{"__name__", "d_future"}, {"job", "j"}}, kNow + 1, 5);      // after now
  Add({{"__name__", "e_edge"}, {"job", "j"}}, kNow - 300000, -7);  // exactly at now - lookback
  Add({{"__name__", "f_nan"}, {"job", "j"}}, kNow, std::nan(""));
  // Matched by both selectors: listed once.
  EXPECT_EQ(Render({"job=j", "__name__=b_metric"}, model::Labels{{"dc", "eu"}}),
            "# TYPE a_metric untyped\n"
            "a_metric{Zone=\"q\\\"\\\\\\nx\",job=\"j\",dc=\"eu\",instance=\"\"} 1e+06 "
            "1699999999000\n"
            "# TYPE b_metric untyped\n"
            "b_metric{instance=\"i1\",job=\"j\",dc=\"eu\"} 2.5e-07 1699999970000\n"
            "# TYPE e_edge untyped\n"
            "e_edge{job=\"j\",dc=\"eu\",instance=\"\"} -7 1699999700000\n"
            "# TYPE f_nan untyped\n"
            "f_nan{job=\"j\",dc=\"eu\",instance=\"\"} NaN 1700000000000\n");
}

TEST_F(FederationTest, SeriesLabelsWinOverExternalOnesAndConfiguredInstanceIsUsed) {
  Add({{"__name__", "m"}, {"dc", "own"}}, kNow, 1);
  Add({{"__name__", "m"}, {"dc", "own"}, {"instance", "x"}}, kNow, 2);
  EXPECT_EQ(Render({"__name__=m"}, model::Labels{{"dc", "eu"}, {"instance", "fed"}, {"a", "1"}}),
            "# TYPE m untyped\n"
            "m{dc=\"own\",a=\"1\",instance=\"fed\"} 1 1700000000000\n"
            "m{dc=\"own\",instance=\"x\",a=\"1\"} 2 1700000000000\n");
  EXPECT_EQ(Render({"__name__=nothing"}, {}), "");
}

}  // namespace
}  // namespace server
