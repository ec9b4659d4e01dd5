// Parameters of the query API and fields of pushed /system JSON, fed the
// hostile values a client can send: each is refused with a message (or
// parsed exactly), never read past its end or converted with undefined
// behaviour (the sanitizer build runs these too).
#include <gtest/gtest.h>

#include <string>

#include "server/api/query_api.h"
#include "server/ingest/system_json.h"

namespace server {
namespace {

TEST(ApiTimeTest, ParsesUnixSecondsAndRfc3339) {
  EXPECT_EQ(*ParseApiTime("1700000000"), 1700000000000);
  EXPECT_EQ(*ParseApiTime("1700000000.123"), 1700000000123);
  EXPECT_EQ(*ParseApiTime("-1.5"), -1500);
  EXPECT_EQ(*ParseApiTime("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*ParseApiTime("2023-11-14T22:13:20.5Z"), 1700000000500);
  EXPECT_EQ(*ParseApiTime("2023-11-15T00:13:20+02:00"), 1700000000000);
  EXPECT_EQ(*ParseApiTime("2023-11-14T21:13:20-01:00"), 1700000000000);
}

TEST(ApiTimeTest, RefusesShortZoneOffsetsWithoutReadingPastTheEnd) {
  // "+1:2" used to pass sscanf("%2d:%2d") and then advance 6 bytes past a
  // 4-byte suffix.
  for (const char* s : {"2023-11-14T22:13:20+1:2", "2023-11-14T22:13:20+", "2023-11-14T22:13:20+01",
                        "2023-11-14T22:13:20+01:", "2023-11-14T22:13:20+01:2",
                        "2023-11-14T22:13:20+0a:00", "2023-11-14T22:13:20+01:00x"}) {
    auto t = ParseApiTime(s);
    EXPECT_FALSE(t.ok()) << s;
    if (!t.ok()) {
      EXPECT_NE(t.status().message().find("valid timestamp"), std::string::npos);
    }
  }
}

TEST(ApiTimeTest, RefusesTimesOutsideTheRepresentableRange) {
  for (const char* s : {"1e300", "-1e300", "9.3e15", "-9.3e15", "inf", "nan", "1e19"}) {
    EXPECT_FALSE(ParseApiTime(s).ok()) << s;
  }
  // The largest accepted times still leave end - start representable.
  auto hi = ParseApiTime("4.6e15"), lo = ParseApiTime("-4.6e15");
  ASSERT_TRUE(hi.ok());
  ASSERT_TRUE(lo.ok());
  int64_t diff = 0;
  EXPECT_FALSE(__builtin_sub_overflow(*hi, *lo, &diff));
}

TEST(ApiDurationTest, RefusesOverflowingDurations) {
  EXPECT_EQ(*ParseApiDuration("15"), 15000);
  EXPECT_EQ(*ParseApiDuration("1m30s"), 90000);
  EXPECT_FALSE(ParseApiDuration("1e300").ok());
  EXPECT_FALSE(ParseApiDuration("-1e300").ok());
  EXPECT_FALSE(ParseApiDuration("nan").ok());
}

std::string SystemBody(const std::string& ts_field) {
  return R"({"hostname": "h", )" + ts_field +
         R"(, "cpu": {}, "memory": {}, "swap": {}, "os": {}, "network": {},
            "disk_io": {}, "disks": [], "temperatures": []})";
}

TEST(SystemJsonTest, TimestampsInRangeAreKept) {
  auto r = ParseSystemJson(SystemBody(R"("timestamp_ms": 1700000000123)"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->timestamp_ms, 1700000000123);
  r = ParseSystemJson(SystemBody(R"("timestamp": 1700000000.5)"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->timestamp_ms, 1700000000500);
}

TEST(SystemJsonTest, OutOfRangeTimestampsAreRefusedByName) {
  // A double outside int64 used to be cast directly (undefined behaviour).
  for (const std::string f : {R"("timestamp_ms": 1e300)", R"("timestamp_ms": -1e19)",
                              R"("timestamp_ms": 18446744073709551615)", R"("timestamp": 1e17)"}) {
    auto r = ParseSystemJson(SystemBody(f));
    ASSERT_FALSE(r.ok()) << f;
    EXPECT_NE(r.status().message().find("out of range"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace server
