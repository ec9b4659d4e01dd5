// The hand-written remote_write decoder against libprotobuf's generated
// parser for the same schema: random WriteRequests (valid ones built with
// the generated classes, then byte-level corruptions of them) must be
// accepted or refused alike and decode to the same content. Plus the wire
// cases the decoder's header promises, one by one.
#include "server/ingest/remote_write_decode.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "server/ingest/remote_write.pb.h"

namespace server::remote_write {
namespace {

// "" when both parsers agree, else what differs.
std::string Differ(const std::string& raw) {
  DecodedRequest ours;
  bool too_many = false;
  const bool ok = DecodeWriteRequest(raw, 1u << 24, &ours, &too_many);
  ms::remote::WriteRequest ref;
  const bool ref_ok = ref.ParseFromString(raw);
  if (ok != ref_ok) return std::string("accepted by ") + (ok ? "ours" : "libprotobuf") + " only";
  if (!ok) return "";
  if (ours.series.size() != static_cast<size_t>(ref.timeseries_size())) return "series count";
  for (size_t i = 0; i < ours.series.size(); ++i) {
    const DecodedSeries& s = ours.series[i];
    const auto& r = ref.timeseries(static_cast<int>(i));
    if (s.labels_end - s.labels_begin != static_cast<size_t>(r.labels_size())) return "labels";
    for (size_t k = s.labels_begin; k < s.labels_end; ++k) {
      const auto& l = r.labels(static_cast<int>(k - s.labels_begin));
      if (ours.labels[k].first != l.name() || ours.labels[k].second != l.value()) return "label";
    }
    if (s.samples_end - s.samples_begin != static_cast<size_t>(r.samples_size())) return "samples";
    for (size_t k = s.samples_begin; k < s.samples_end; ++k) {
      const auto& x = r.samples(static_cast<int>(k - s.samples_begin));
      const double v = x.value();
      if (ours.timestamps[k] != x.timestamp() || std::memcmp(&ours.values[k], &v, sizeof v) != 0) {
        return "sample";
      }
    }
  }
  if (ours.metadata.size() != static_cast<size_t>(ref.metadata_size())) return "metadata count";
  for (size_t i = 0; i < ours.metadata.size(); ++i) {
    const auto& m = ref.metadata(static_cast<int>(i));
    if (ours.metadata[i].type != m.type() ||
        ours.metadata[i].metric_family_name != m.metric_family_name() ||
        ours.metadata[i].help != m.help()) {
      return "metadata";
    }
  }
  return "";
}

std::string RandomString(std::mt19937_64& rng) {
  static const std::string kAlphabet[] = {"a", "__name__", "job", "é",    "\xe2\x82\xac",
                                          "",  "0",        "le",  "+Inf", "\xf0\x9f\x98\x80"};
  std::string s;
  const int parts = static_cast<int>(rng() % 4);
  for (int i = 0; i < parts; ++i) s += kAlphabet[rng() % std::size(kAlphabet)];
  return s;
}

std::string RandomRequest(std::mt19937_64& rng) {
  ms::remote::WriteRequest req;
  const int series = static_cast<int>(rng() % 5);
  for (int i = 0; i < series; ++i) {
    auto* ts = req.add_timeseries();
    const int labels = static_cast<int>(rng() % 4);
    for (int k = 0; k < labels; ++k) {
      auto* l = ts->add_labels();
      l->set_name(RandomString(rng));
      l->set_value(RandomString(rng));
    }
    const int samples = static_cast<int>(rng() % 5);
    for (int k = 0; k < samples; ++k) {
      auto* x = ts->add_samples();
      const double values[] = {0, -1.5, 1e308, NAN, INFINITY, static_cast<double>(rng())};
      x->set_value(values[rng() % std::size(values)]);
      x->set_timestamp(static_cast<int64_t>(rng()) >> (rng() % 64));
    }
  }
  if (rng() % 3 == 0) {
    auto* m = req.add_metadata();
    m->set_type(static_cast<ms::remote::MetricMetadata::MetricType>(rng() % 8));
    m->set_metric_family_name(RandomString(rng));
    m->set_help(RandomString(rng));
    m->set_unit(RandomString(rng));
  }
  return req.SerializeAsString();
}

TEST(RemoteWriteDecodeTest, AgreesWithLibprotobufOnRandomAndCorruptedRequests) {
  std::mt19937_64 rng(12345);
  int accepted = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string raw = RandomRequest(rng);
    if (i % 2 == 1 && !raw.empty()) {
      // Corrupt: flip, overwrite, truncate or insert bytes.
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !raw.empty(); ++e) {
        const size_t at = rng() % raw.size();
        switch (rng() % 4) {
          case 0:
            raw[at] ^= static_cast<char>(1u << (rng() % 8));
            break;
          case 1:
            raw[at] = static_cast<char>(rng());
            break;
          case 2:
            raw.resize(at);
            break;
          default:
            raw.insert(at, 1, static_cast<char>(rng()));
        }
      }
    }
    ASSERT_EQ(Differ(raw), "") << "input " << i << " of " << raw.size() << " bytes";
    DecodedRequest d;
    bool too_many = false;
    (DecodeWriteRequest(raw, 1u << 24, &d, &too_many) ? accepted : refused)++;
  }
  // Both branches were exercised.
  EXPECT_GT(accepted, 10000);
  EXPECT_GT(refused, 1000);
}

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Key(int field, int wire) { return Varint(static_cast<uint64_t>(field) << 3 | wire); }
std::string Bytes(int field, const std::string& payload) {
  return Key(field, 2) + Varint(payload.size()) + payload;
}

TEST(RemoteWriteDecodeTest, WireCasesMatchLibprotobuf) {
  const std::string label = Bytes(1, Bytes(1, "__name__") + Bytes(2, "up"));
  const std::string sample = Bytes(2, Key(1, 1) + std::string(8, '\0') + Key(2, 0) + Varint(5));
  const std::string series = Bytes(1, label + sample);
  const struct {
    const char* name;
    std::string raw;
  } cases[] = {
      {"empty", ""},
      {"one series", series},
      {"unknown varint field", series + Key(9, 0) + Varint(300)},
      {"unknown fixed32/64", Key(10, 5) + "abcd" + Key(11, 1) + "abcdefgh" + series},
      {"group", Key(12, 3) + Key(1, 0) + Varint(1) + Key(12, 4) + series},
      {"unbalanced group", Key(12, 3) + Key(1, 0) + Varint(1)},
      {"mismatched end group", Key(12, 3) + Key(13, 4)},
      {"field 0", Key(0, 0) + Varint(1)},
      {"known field, wrong wire type", Key(1, 0) + Varint(7) + series},
      {"truncated length", series.substr(0, series.size() - 1)},
      {"length past the end", Key(1, 2) + Varint(1000) + "x"},
      {"overlong varint", Key(9, 0) + std::string(11, '\xff') + "\x01"},
      {"invalid utf-8 label", Bytes(1, Bytes(1, Bytes(1, "\xff\xfe")))},
      {"repeated scalar, last wins",
       Bytes(1, label + Bytes(2, Key(2, 0) + Varint(1) + Key(2, 0) + Varint(9)))},
      {"packed-looking sample bytes", Bytes(1, Bytes(2, Key(1, 2) + Varint(8) + "12345678"))},
  };
  for (const auto& tc : cases) EXPECT_EQ(Differ(tc.raw), "") << tc.name;
}

TEST(RemoteWriteDecodeTest, SampleLimitIsReportedApart) {
  const std::string label = Bytes(1, Bytes(1, "__name__") + Bytes(2, "up"));
  std::string samples;
  for (int i = 0; i < 10; ++i) samples += Bytes(2, Key(2, 0) + Varint(i));
  DecodedRequest d;
  bool too_many = false;
  // Valid, but over the limit: reported apart (413, not 400), nothing past
  // the limit kept.
  EXPECT_TRUE(DecodeWriteRequest(Bytes(1, label + samples), 9, &d, &too_many));
  EXPECT_TRUE(too_many);
  EXPECT_EQ(d.timestamps.size(), 9u);
  // Over the limit and malformed: malformed wins (400).
  EXPECT_FALSE(DecodeWriteRequest(Bytes(1, label + samples) + "\x0a", 9, &d, &too_many));
  too_many = false;
  EXPECT_TRUE(DecodeWriteRequest(Bytes(1, label + samples), 10, &d, &too_many));
  EXPECT_FALSE(too_many);
  EXPECT_EQ(d.timestamps.size(), 10u);
}

}  // namespace
}  // namespace server::remote_write
