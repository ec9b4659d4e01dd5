// Silences: validation, states over a fake clock, Alertmanager's update rule
// (replace an active silence whose matchers change), persistence across a
// reopen, garbage collection, and the API v2 JSON shape.
#include "notifier/silences.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace notifier {
namespace {

using nlohmann::json;

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kT0 = 1'700'000'000'000;

class SilencesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("silences_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Silences> Open(int64_t retention_ms = 120 * kHour) {
    Silences::Options o;
    o.path = (dir_ / "silences.json").string();
    o.retention_ms = retention_ms;
    o.now = [this] { return now_; };
    auto s = Silences::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  static Silence Make(std::vector<SilenceMatcher> m, int64_t start, int64_t end) {
    Silence s;
    s.matchers = std::move(m);
    s.starts_at_ms = start;
    s.ends_at_ms = end;
    s.created_by = "alice";
    s.comment = "maintenance";
    return s;
  }

  std::filesystem::path dir_;
  int64_t now_ = kT0;
};

TEST_F(SilencesTest, Validation) {
  auto s = Open();
  struct Case {
    Silence sil;
    std::string want;
  } cases[] = {
      {Make({}, kT0, kT0 + kHour), "at least one matcher required"},
      {Make({{"a-b", "x", false, true}}, kT0, kT0 + kHour), "invalid label name"},
      {Make({{"a", "(", true, true}}, kT0, kT0 + kHour), "invalid label matcher"},
      {Make({{"a", "", false, true}}, kT0, kT0 + kHour),
       "at least one matcher must not match the empty string"},
      {Make({{"a", ".*", true, true}, {"b", "x", false, false}}, kT0, kT0 + kHour),
       "at least one matcher must not match the empty string"},
      {Make({{"a", "x", false, true}}, kT0 + kHour, kT0), "end time must not be before start time"},
      {Make({{"a", "x", false, true}}, kT0, kT0), "start time must be before end time"},
      {Make({{"a", "x", false, true}}, kT0 - 2 * kHour, kT0 - kHour),
       "end time can't be in the past"},
  };
  for (auto& tc : cases) {
    auto r = s->Set(tc.sil);
    ASSERT_FALSE(r.ok()) << tc.want;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(tc.want), std::string::npos) << r.status().message();
  }
  Silence no_author = Make({{"a", "x", false, true}}, kT0, kT0 + kHour);
  no_author.created_by.clear();
  EXPECT_FALSE(s->Set(no_author).ok());
  Silence no_comment = Make({{"a", "x", false, true}}, kT0, kT0 + kHour);
  no_comment.comment.clear();
  EXPECT_FALSE(s->Set(no_comment).ok());
  Silence unknown = Make({{"a", "x", false, true}}, kT0, kT0 + kHour);
  unknown.id = "00000000-0000-4000-8000-000000000000";
  EXPECT_TRUE(s->Set(unknown).status().IsNotFound());
  EXPECT_TRUE(s->List().empty());
}

TEST_F(SilencesTest, StatesAndMutes) {
  auto s = Open();
  auto active = s->Set(Make({{"alertname", "X", false, true}, {"env", "prod|stage", true, true}},
                            kT0 - kHour, kT0 + kHour));
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  auto pending = s->Set(Make({{"alertname", "X", false, true}}, kT0 + kHour, kT0 + 2 * kHour));
  ASSERT_TRUE(pending.ok());
  auto negative = s->Set(
      Make({{"alertname", "Y", false, true}, {"env", "prod", false, false}}, kT0, kT0 + kHour));
  ASSERT_TRUE(negative.ok());
  // A start in the past is moved to now, as Alertmanager does.
  EXPECT_EQ(s->Get(*active)->starts_at_ms, kT0);
  EXPECT_EQ(s->Get(*active)->updated_at_ms, kT0);
  EXPECT_EQ(active->size(), 36u);
  EXPECT_EQ((*active)[14], '4');  // UUID version 4

  model::Labels x_prod{{"alertname", "X"}, {"env", "prod"}};
  EXPECT_EQ(s->Mutes(x_prod, kT0), std::vector<std::string>{*active});
  EXPECT_TRUE(s->Mutes(model::Labels{{"alertname", "X"}, {"env", "dev"}}, kT0).empty());
  EXPECT_EQ(s->Mutes(model::Labels{{"alertname", "Y"}, {"env", "dev"}}, kT0),
            std::vector<std::string>{*negative});
  EXPECT_TRUE(s->Mutes(model::Labels{{"alertname", "Y"}, {"env", "prod"}}, kT0).empty());
  // Pending until its start, both active in the overlap, then expired.
  EXPECT_EQ(s->Get(*pending)->State(kT0), SilenceState::kPending);
  auto both = s->Mutes(x_prod, kT0 + kHour);
  EXPECT_EQ(both.size(), 2u);
  EXPECT_EQ(s->Mutes(x_prod, kT0 + kHour + 1), std::vector<std::string>{*pending});
  EXPECT_TRUE(s->Mutes(x_prod, kT0 + 2 * kHour + 1).empty());

  // API order: active by end, pending by start, expired latest first.
  auto list = s->List();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[2].id, *pending);

  // Expire: active ends now, pending becomes expired, expired stays an error.
  now_ = kT0 + 10 * kMin;
  ASSERT_TRUE(s->Expire(*active).ok());
  EXPECT_EQ(s->Get(*active)->ends_at_ms, now_);
  ASSERT_TRUE(s->Expire(*pending).ok());
  now_ += 1;
  EXPECT_EQ(s->Get(*pending)->State(now_), SilenceState::kExpired);
  EXPECT_TRUE(s->Expire(*active).IsInvalidArgument());
  EXPECT_TRUE(s->Expire("nope").IsNotFound());
  EXPECT_TRUE(s->Mutes(x_prod, now_).empty());
}

TEST_F(SilencesTest, UpdatesInPlaceOrReplaces) {
  auto s = Open();
  Silence sil = Make({{"alertname", "X", false, true}}, kT0, kT0 + kHour);
  auto id = s->Set(sil);
  ASSERT_TRUE(id.ok());
  now_ += kMin;

  // Same matchers and start, new end and comment: updated in place.
  sil.id = *id;
  sil.ends_at_ms = kT0 + 2 * kHour;
  sil.comment = "longer";
  auto same = s->Set(sil);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, *id);
  EXPECT_EQ(s->Get(*id)->comment, "longer");
  EXPECT_EQ(s->Get(*id)->updated_at_ms, now_);
  EXPECT_EQ(s->List().size(), 1u);

  // New matchers on an active silence: the old one expires, a new one is made.
  now_ += kMin;
  sil.matchers = {{"alertname", "Y", false, true}};
  auto replaced = s->Set(sil);
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(*replaced, *id);
  EXPECT_EQ(s->Get(*id)->ends_at_ms, now_);
  EXPECT_EQ(s->Get(*replaced)->starts_at_ms, now_);
  now_ += 1;
  EXPECT_EQ(s->Get(*id)->State(now_), SilenceState::kExpired);
  EXPECT_EQ(s->Mutes(model::Labels{{"alertname", "Y"}}, now_), std::vector<std::string>{*replaced});

  // Updating an expired silence creates a new one and leaves the old as it was.
  Silence old = *s->Get(*id);
  old.ends_at_ms = now_ + kHour;
  auto revived = s->Set(old);
  ASSERT_TRUE(revived.ok());
  EXPECT_NE(*revived, *id);
  EXPECT_EQ(s->Get(*id)->State(now_), SilenceState::kExpired);
  EXPECT_EQ(s->List().size(), 3u);
}

TEST_F(SilencesTest, PersistsAcrossReopenAndCollectsGarbage) {
  std::string a, b;
  {
    auto s = Open(kHour);
    a = *s->Set(Make({{"alertname", "A", false, true}}, kT0, kT0 + kHour));
    b = *s->Set(
        Make({{"job", "n.*", true, false}, {"x", "y", false, true}}, kT0 + kMin, kT0 + 3 * kHour));
    ASSERT_TRUE(std::filesystem::exists(dir_ / "silences.json"));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "silences.json.tmp"));
  }
  {
    auto s = Open(kHour);
    ASSERT_EQ(s->List().size(), 2u);
    auto got = s->Get(b);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->starts_at_ms, kT0 + kMin);
    EXPECT_EQ(got->ends_at_ms, kT0 + 3 * kHour);
    EXPECT_EQ(got->created_by, "alice");
    ASSERT_EQ(got->matchers.size(), 2u);
    EXPECT_EQ(got->matchers[0], (SilenceMatcher{"job", "n.*", true, false}));
    EXPECT_EQ(s->Mutes(model::Labels{{"alertname", "A"}}, kT0 + 1), std::vector<std::string>{a});
  }
  // A's end plus the retention has passed: dropped on open.
  now_ = kT0 + 2 * kHour + 1;
  {
    auto s = Open(kHour);
    EXPECT_TRUE(s->Get(a).status().IsNotFound());
    EXPECT_TRUE(s->Get(b).ok());
    now_ = kT0 + 4 * kHour + 1;
    EXPECT_EQ(s->GarbageCollect(), 1u);
  }
  {
    auto s = Open(kHour);
    EXPECT_TRUE(s->List().empty());
  }
}

TEST_F(SilencesTest, CorruptFileIsAnError) {
  {
    FILE* f = std::fopen((dir_ / "silences.json").c_str(), "w");
    std::fputs("{not json", f);
    std::fclose(f);
  }
  Silences::Options o;
  o.path = (dir_ / "silences.json").string();
  auto s = Silences::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsCorruption());
}

TEST_F(SilencesTest, ApiJson) {
  auto parsed = SilenceFromJson(R"({
    "matchers": [{"name": "alertname", "value": "X", "isRegex": false},
                 {"name": "env", "value": "dev.*", "isRegex": true, "isEqual": false}],
    "startsAt": "2023-11-14T22:13:20.5Z",
    "endsAt": "2023-11-15T00:13:20+02:00",
    "createdBy": "bob",
    "comment": "c"})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->starts_at_ms, kT0 + 500);
  EXPECT_EQ(parsed->ends_at_ms, kT0);
  ASSERT_EQ(parsed->matchers.size(), 2u);
  EXPECT_TRUE(parsed->matchers[0].is_equal);  // isEqual defaults to true
  EXPECT_FALSE(parsed->matchers[1].is_equal);
  EXPECT_TRUE(parsed->matchers[1].is_regex);

  EXPECT_FALSE(SilenceFromJson(R"({"matchers": [], "startsAt": "x", "endsAt": "y",
                                   "createdBy": "b", "comment": "c"})")
                   .ok());
  EXPECT_FALSE(SilenceFromJson(R"({"startsAt": "2023-11-14T22:13:20Z",
                                   "endsAt": "2023-11-14T22:13:20Z", "createdBy": "b"})")
                   .ok());
  EXPECT_FALSE(SilenceFromJson("[").ok());

  Silence s = *parsed;
  s.id = "id-1";
  s.updated_at_ms = kT0;
  json j = json::parse(SilenceToJson(s, kT0));
  EXPECT_EQ(j["id"], "id-1");
  EXPECT_EQ(j["status"]["state"], "pending");
  EXPECT_EQ(j["startsAt"], "2023-11-14T22:13:20.500Z");
  EXPECT_EQ(j["updatedAt"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j["createdBy"], "bob");
  EXPECT_EQ(j["comment"], "c");
  EXPECT_EQ(j["matchers"][1],
            (json{{"name", "env"}, {"value", "dev.*"}, {"isRegex", true}, {"isEqual", false}}));
  json arr = json::parse(SilencesToJson({s, s}, kT0 + 1000));
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0]["status"]["state"], "expired");
}

}  // namespace
}  // namespace notifier
