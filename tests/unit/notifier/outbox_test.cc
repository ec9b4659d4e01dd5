// The outbox: JSON round trip, retries with backoff persisted, permanent
// failures and old notifications dropped, restarts resuming, corrupt and
// half-written files.
#include "notifier/outbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "tests/integration/test_util.h"

namespace notifier {
namespace {

using common::Status;
using nlohmann::json;
using testutil::ReadFile;
using testutil::TempDir;
using testutil::WaitUntil;
using testutil::WriteFile;

Notification Make(const std::string& id, int64_t created_ms = 0) {
  Notification n;
  n.id = id;
  n.receiver = "team";
  n.integration = "webhook";
  n.integration_index = 1;
  n.group_key = "{}:{alertname=\"X\"}";
  n.group_labels = model::Labels{{"alertname", "X"}};
  n.common_labels = model::Labels{{"alertname", "X"}, {"job", "node"}};
  n.common_annotations = {{"summary", "s"}, {"a", "first"}};
  n.external_url = "http://mon:9090";
  NotifiedAlert a;
  a.status = AlertStatus::kFiring;
  a.labels = model::Labels{{"alertname", "X"}, {"job", "node"}, {"instance", "h1"}};
  a.annotations = {{"summary", "s"}, {"a", "first"}, {"unicode", "µ ✓ \"q\"\n"}};
  a.starts_at_ms = 1700000000123;
  a.generator_url = "http://p/graph?g0.expr=up&x=1";
  a.fingerprint = "0123456789abcdef";
  n.alerts.push_back(a);
  a.status = AlertStatus::kResolved;
  a.labels = model::Labels{{"alertname", "X"}, {"job", "node"}, {"instance", "h2"}};
  a.ends_at_ms = 1700000100000;
  n.alerts.push_back(a);
  n.created_ms = created_ms ? created_ms : common::NowMs();
  n.attempts = 0;
  return n;
}

OutboxOptions Fast() {
  OutboxOptions o;
  o.min_backoff = std::chrono::milliseconds(10);
  o.max_backoff = std::chrono::milliseconds(40);
  return o;
}

// Records what was delivered; fails as told.
class Receiver {
 public:
  explicit Receiver(std::function<Status(const Notification&, int call)> answer = nullptr)
      : answer_(std::move(answer)) {}
  Outbox::DeliverFn fn() {
    return [this](const Notification& n) {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(n);
      return answer_ ? answer_(n, static_cast<int>(calls_.size())) : Status::OK();
    };
  }
  std::vector<Notification> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<std::string> ids() {
    std::vector<std::string> out;
    for (const auto& n : calls()) out.push_back(n.id);
    return out;
  }

 private:
  std::function<Status(const Notification&, int)> answer_;
  std::mutex mu_;
  std::vector<Notification> calls_;
};

bool Eventually(const std::function<bool()>& pred) {
  return WaitUntil(pred, std::chrono::seconds(10), std::chrono::milliseconds(5));
}

TEST(OutboxTest, JsonRoundTrip) {
  Notification n = Make("abc", 1700000000999);
  n.attempts = 3;
  const std::string j = NotificationToJson(n);
  auto back = NotificationFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(NotificationToJson(*back), j);
  EXPECT_EQ(back->id, "abc");
  EXPECT_EQ(back->receiver, "team");
  EXPECT_EQ(back->integration, "webhook");
  EXPECT_EQ(back->integration_index, 1);
  EXPECT_EQ(back->group_key, n.group_key);
  EXPECT_EQ(back->group_labels, n.group_labels);
  EXPECT_EQ(back->common_labels, n.common_labels);
  EXPECT_EQ(back->common_annotations, n.common_annotations);  // order kept
  EXPECT_EQ(back->external_url, n.external_url);
  EXPECT_EQ(back->created_ms, 1700000000999);
  EXPECT_EQ(back->attempts, 3);
  ASSERT_EQ(back->alerts.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->alerts[i].status, n.alerts[i].status);
    EXPECT_EQ(back->alerts[i].labels, n.alerts[i].labels);
    EXPECT_EQ(back->alerts[i].annotations, n.alerts[i].annotations);
    EXPECT_EQ(back->alerts[i].starts_at_ms, n.alerts[i].starts_at_ms);
    EXPECT_EQ(back->alerts[i].ends_at_ms, n.alerts[i].ends_at_ms);
    EXPECT_EQ(back->alerts[i].generator_url, n.alerts[i].generator_url);
    EXPECT_EQ(back->alerts[i].fingerprint, n.alerts[i].fingerprint);
  }
}

TEST(OutboxTest, JsonRejectsMalformed) {
  json good = json::parse(NotificationToJson(Make("a")));
  std::vector<std::string> bad = {"", "{", "[]", "null", "{}", R"({"id":1})"};
  json j = good;
  j.erase("alerts");
  bad.push_back(j.dump());
  j = good;
  j["alerts"][0]["status"] = "pending";
  bad.push_back(j.dump());
  j = good;
  j["alerts"][0]["labels"] = json::array();
  bad.push_back(j.dump());
  j = good;
  j["created_ms"] = "yesterday";
  bad.push_back(j.dump());
  j = good;
  j["common_annotations"] = json::array({json::array({"only-name"})});
  bad.push_back(j.dump());
  for (const std::string& s : bad) {
    auto r = NotificationFromJson(s);
    EXPECT_TRUE(r.status().IsCorruption()) << s;
  }
}

TEST(OutboxTest, DeliversInCreationOrderAndRemovesFiles) {
  TempDir dir;
  Receiver rx;
  // Enqueued before the worker could see them, out of creation order.
  auto box = Outbox::Open(dir.path(), Fast(), rx.fn());
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  (*box)->Stop();
  const int64_t now = common::NowMs();
  ASSERT_TRUE((*box)->Enqueue(Make("b", now - 2000)).ok());
  ASSERT_TRUE((*box)->Enqueue(Make("c", now - 1000)).ok());
  ASSERT_TRUE((*box)->Enqueue(Make("a", now - 3000)).ok());
  EXPECT_TRUE(std::filesystem::exists(dir.File("a.json")));
  box->reset();
  auto box2 = Outbox::Open(dir.path(), Fast(), rx.fn());
  ASSERT_TRUE(box2.ok());
  ASSERT_TRUE(Eventually([&] { return (*box2)->stats().delivered_total == 3; }));
  EXPECT_EQ(rx.ids(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ((*box2)->stats().loaded_total, 3u);
  EXPECT_EQ((*box2)->stats().queued, 0u);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  // An id is assigned when empty; created_ms when zero.
  Notification n = Make("");
  n.created_ms = 0;
  ASSERT_TRUE((*box2)->Enqueue(n).ok());
  ASSERT_TRUE(Eventually([&] { return (*box2)->stats().delivered_total == 4; }));
  EXPECT_FALSE(rx.calls().back().id.empty());
  EXPECT_GT(rx.calls().back().created_ms, 0);
}

TEST(OutboxTest, RetriesWithBackoffThenDelivers) {
  TempDir dir;
  Receiver rx([](const Notification&, int call) {
    return call <= 2 ? Status::Unavailable("HTTP 503") : Status::OK();
  });
  auto box = Outbox::Open(dir.path(), Fast(), rx.fn());
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE((*box)->Enqueue(Make("n1")).ok());
  ASSERT_TRUE(Eventually([&] { return (*box)->stats().delivered_total == 1; }));
  auto calls = rx.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].attempts, 0);
  EXPECT_EQ(calls[1].attempts, 1);
  EXPECT_EQ(calls[2].attempts, 2);
  auto st = (*box)->stats();
  EXPECT_EQ(st.retried_total, 2u);
  EXPECT_EQ(st.dropped_total.size(), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir.File("n1.json")));
}

TEST(OutboxTest, PersistsAttemptsAndNextAttempt) {
  TempDir dir;
  Receiver rx([](const Notification& n, int) {
    return n.id == "ra" ? Status::Unavailable("HTTP 429 (retry after 30 s)")
                        : Status::Unavailable("down");
  });
  OutboxOptions o;
  o.min_backoff = std::chrono::seconds(10);
  auto box = Outbox::Open(dir.path(), o, rx.fn());
  ASSERT_TRUE(box.ok());
  const int64_t before = common::NowMs();
  ASSERT_TRUE((*box)->Enqueue(Make("n1")).ok());
  ASSERT_TRUE((*box)->Enqueue(Make("ra")).ok());
  ASSERT_TRUE(Eventually([&] { return (*box)->stats().retried_total == 2; }));
  (*box)->Stop();
  json f = json::parse(ReadFile(dir.File("n1.json")));
  EXPECT_EQ(f["notification"]["attempts"], 1);
  // Jitter: between half the delay and the delay.
  const int64_t next = f["next_attempt_ms"];
  EXPECT_GE(next, before + 5000);
  EXPECT_LE(next, common::NowMs() + 10000);
  // Retry-After wins over a shorter backoff.
  json r = json::parse(ReadFile(dir.File("ra.json")));
  EXPECT_GE(r["next_attempt_ms"].get<int64_t>(), before + 30000);
  EXPECT_EQ((*box)->stats().queued, 2u);
}

TEST(OutboxTest, PermanentFailureAndOldNotificationsAreDropped) {
  TempDir dir;
  Receiver rx([](const Notification&, int) { return Status::InvalidArgument("HTTP 400"); });
  auto box = Outbox::Open(dir.path(), Fast(), rx.fn());
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE((*box)->Enqueue(Make("p")).ok());
  ASSERT_TRUE((*box)->Enqueue(Make("old", common::NowMs() - 25 * 3600 * 1000LL)).ok());
  ASSERT_TRUE(Eventually([&] {
    auto st = (*box)->stats();
    return st.dropped_total["permanent"] == 1 && st.dropped_total["expired"] == 1;
  }));
  EXPECT_EQ(rx.ids(), std::vector<std::string>{"p"});  // the old one was never tried
  EXPECT_EQ((*box)->stats().delivered_total, 0u);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(OutboxTest, ExpiresWhileRetrying) {
  TempDir dir;
  Receiver rx([](const Notification&, int) { return Status::Unavailable("down"); });
  OutboxOptions o = Fast();
  o.max_age = std::chrono::milliseconds(300);
  auto box = Outbox::Open(dir.path(), o, rx.fn());
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE((*box)->Enqueue(Make("n")).ok());
  ASSERT_TRUE(Eventually([&] { return (*box)->stats().dropped_total["expired"] == 1; }));
  EXPECT_GE((*box)->stats().retried_total, 2u);
  EXPECT_FALSE(std::filesystem::exists(dir.File("n.json")));
}

TEST(OutboxTest, RestartResumesUndelivered) {
  TempDir dir;
  std::atomic<bool> up{false};
  Receiver rx([&](const Notification&, int) {
    return up ? Status::OK() : Status::Unavailable("connection refused");
  });
  {
    auto box = Outbox::Open(dir.path(), Fast(), rx.fn());
    ASSERT_TRUE(box.ok());
    for (const char* id : {"x1", "x2", "x3"}) ASSERT_TRUE((*box)->Enqueue(Make(id)).ok());
    // Each tried at least once (the attempt in flight finishes on Stop).
    ASSERT_TRUE(Eventually([&] {
      auto ids = rx.ids();
      return std::set<std::string>(ids.begin(), ids.end()).size() == 3;
    }));
  }  // destroyed: the files stay
  EXPECT_TRUE(std::filesystem::exists(dir.File("x1.json")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("x3.json")));
  up = true;
  auto box = Outbox::Open(dir.path(), Fast(), rx.fn());
  ASSERT_TRUE(box.ok());
  EXPECT_EQ((*box)->stats().loaded_total, 3u);
  ASSERT_TRUE(Eventually([&] { return (*box)->stats().delivered_total == 3; }));
  // The attempts made before the restart were kept.
  int resumed_with_attempts = 0;
  auto calls = rx.calls();
  for (size_t i = calls.size() - 3; i < calls.size(); ++i) {
    if (calls[i].attempts >= 1) ++resumed_with_attempts;
  }
  EXPECT_EQ(resumed_with_attempts, 3);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(OutboxTest, CorruptAndHalfWrittenFilesAreIgnored) {
  TempDir dir;
  {
    Receiver none([](const Notification&, int) { return Status::Unavailable("down"); });
    auto box = Outbox::Open(dir.path(), Fast(), none.fn());
    ASSERT_TRUE(box.ok());
    (*box)->Stop();
    ASSERT_TRUE((*box)->Enqueue(Make("good")).ok());
  }
  WriteFile(dir.File("garbage.json"), "{\"version\":1,\"seq\":");
  WriteFile(dir.File("wrongid.json"), ReadFile(dir.File("good.json")));  // id mismatch
  WriteFile(dir.File("half.json.tmp"), "{\"vers");
  WriteFile(dir.File("README"), "not ours");
  Receiver rx;
  auto box = Outbox::Open(dir.path(), Fast(), rx.fn());
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE(Eventually([&] { return (*box)->stats().delivered_total == 1; }));
  EXPECT_EQ(rx.ids(), std::vector<std::string>{"good"});
  EXPECT_EQ((*box)->stats().dropped_total["corrupt"], 2u);
  EXPECT_TRUE(std::filesystem::exists(dir.File("garbage.json.corrupt")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("wrongid.json.corrupt")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("half.json.tmp")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("README")));
  // Reopening does not count the corrupt files again.
  box->reset();
  auto again = Outbox::Open(dir.path(), Fast(), rx.fn());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->stats().dropped_total["corrupt"], 0u);
}

TEST(OutboxTest, RejectsBadAndDuplicateIds) {
  TempDir dir;
  Receiver rx([](const Notification&, int) { return Status::Unavailable("down"); });
  OutboxOptions o;
  o.min_backoff = std::chrono::hours(1);
  auto box = Outbox::Open(dir.path(), o, rx.fn());
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE((*box)->Enqueue(Make("same")).ok());
  EXPECT_TRUE((*box)->Enqueue(Make("same")).IsInvalidArgument());
  for (const char* bad : {"../x", "a/b", ".hidden", "sp ace"}) {
    EXPECT_TRUE((*box)->Enqueue(Make(bad)).IsInvalidArgument()) << bad;
  }
  EXPECT_EQ((*box)->QueuedIds(), std::vector<std::string>{"same"});
}

TEST(OutboxTest, OpenFailsOnUnusableDir) {
  TempDir dir;
  WriteFile(dir.File("file"), "x");
  auto box = Outbox::Open(dir.File("file/sub"), OutboxOptions{},
                          [](const Notification&) { return Status::OK(); });
  EXPECT_FALSE(box.ok());
}

}  // namespace
}  // namespace notifier
