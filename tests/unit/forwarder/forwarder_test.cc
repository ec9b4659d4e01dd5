// Forwarder against in-process HTTP servers on loopback standing in for the
// exporter and the monitoring server, so failures can be scripted.
#include "exporter/forwarder/forwarder.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "common/http_server.h"
#include "tests/integration/test_util.h"

namespace forwarder {
namespace {

using namespace std::chrono_literals;

class FakeEndpoints {
 public:
  FakeEndpoints() {
    server_.Handle("/system", [this](common::HttpRequest&) {
      return common::HttpResponse::Json(200, "{\"n\":" + std::to_string(++readings_) + "}");
    });
    server_.Handle("/metrics-text", [](common::HttpRequest&) {
      return common::HttpResponse::Text(200, "# TYPE a gauge\na 1\nb{x=\"y\"} 2 5\n");
    });
    server_.Handle("/push", [this](common::HttpRequest& req) {
      std::lock_guard<std::mutex> lock(mu_);
      auto body = req.ReadAll(1 << 20);
      auths_.push_back(std::string(req.Header("Authorization")));
      if (next_status_ >= 300) return common::HttpResponse::Text(next_status_, "nope\n");
      received_.push_back(*body);
      content_types_.push_back(std::string(req.Header("Content-Type")));
      return common::HttpResponse::Text(204, "");
    });
    common::HttpServer::Options o;
    o.host = "127.0.0.1";
    EXPECT_TRUE(server_.Start(o).ok());
  }
  std::string url(const std::string& p) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + p;
  }
  void set_status(int s) {
    std::lock_guard<std::mutex> lock(mu_);
    next_status_ = s;
  }
  std::vector<std::string> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  std::vector<std::string> auths() {
    std::lock_guard<std::mutex> lock(mu_);
    return auths_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard<std::mutex> lock(mu_);
    return content_types_;
  }

 private:
  common::HttpServer server_;
  std::atomic<int> readings_{0};
  std::mutex mu_;
  int next_status_ = 204;
  std::vector<std::string> received_, auths_, content_types_;
};

Options MakeOptions(const FakeEndpoints& f, const testutil::TempDir& dir) {
  Options o;
  o.source_url = f.url("/system");
  o.target_url = f.url("/push");
  o.spool.dir = dir.File("spool");
  o.timeout_seconds = 2;
  o.token = "s3cret";
  return o;
}

TEST(ForwarderTest, OutageIsBufferedAndReplayedInOrder) {
  FakeEndpoints f;
  testutil::TempDir dir;
  auto fwd = Forwarder::Create(MakeOptions(f, dir));
  ASSERT_TRUE(fwd.ok());
  f.set_status(503);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE((*fwd)->Poll().ok());
    EXPECT_FALSE((*fwd)->Drain().ok());
  }
  EXPECT_EQ((*fwd)->spooled(), 4u);
  EXPECT_TRUE(f.received().empty());
  f.set_status(204);
  ASSERT_TRUE((*fwd)->Drain().ok());
  EXPECT_EQ(f.received(), (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}",
                                                     "{\"n\":4}"}));
  EXPECT_EQ((*fwd)->spooled(), 0u);
  EXPECT_EQ(f.auths().back(), "Bearer s3cret");
  EXPECT_EQ(f.content_types().back(), "application/json");
  EXPECT_EQ((*fwd)->stats().pushed, 4u);
  EXPECT_EQ((*fwd)->stats().push_failures, 4u);
}

TEST(ForwarderTest, ServerDownEntirelyThenSpoolSurvivesRestartOfForwarder) {
  FakeEndpoints f;
  testutil::TempDir dir;
  Options o = MakeOptions(f, dir);
  o.target_url = "http://127.0.0.1:" + std::to_string(testutil::FreePort()) + "/push";
  {
    auto fwd = Forwarder::Create(o);
    ASSERT_TRUE(fwd.ok());
    ASSERT_TRUE((*fwd)->Poll().ok());
    ASSERT_TRUE((*fwd)->Poll().ok());
    EXPECT_TRUE((*fwd)->Drain().IsUnavailable());
  }
  o.target_url = f.url("/push");
  auto fwd = Forwarder::Create(o);
  ASSERT_TRUE(fwd.ok());
  EXPECT_EQ((*fwd)->spooled(), 2u);
  ASSERT_TRUE((*fwd)->Drain().ok());
  EXPECT_EQ(f.received().size(), 2u);
}

TEST(ForwarderTest, RejectedReadingIsDroppedNotRetried) {
  FakeEndpoints f;
  testutil::TempDir dir;
  auto fwd = Forwarder::Create(MakeOptions(f, dir));
  ASSERT_TRUE(fwd.ok());
  f.set_status(400);
  ASSERT_TRUE((*fwd)->Poll().ok());
  EXPECT_TRUE((*fwd)->Drain().ok());
  EXPECT_EQ((*fwd)->spooled(), 0u);
  EXPECT_EQ((*fwd)->stats().rejected, 1u);
  EXPECT_EQ(f.auths().size(), 1u);
}

TEST(ForwarderTest, TextReadingsGetTheReadingTimestamp) {
  FakeEndpoints f;
  testutil::TempDir dir;
  Options o = MakeOptions(f, dir);
  o.source_url = f.url("/metrics-text");
  auto fwd = Forwarder::Create(o);
  ASSERT_TRUE(fwd.ok());
  ASSERT_TRUE((*fwd)->Poll().ok());
  ASSERT_TRUE((*fwd)->Drain().ok());
  ASSERT_EQ(f.received().size(), 1u);
  const std::string body = f.received()[0];
  EXPECT_NE(body.find("# TYPE a gauge\n"), std::string::npos);
  EXPECT_NE(body.find("b{x=\"y\"} 2 5\n"), std::string::npos);  // kept its own timestamp
  auto pos = body.find("a 1 ");
  ASSERT_NE(pos, std::string::npos) << body;
  int64_t ts = std::stoll(body.substr(pos + 4));
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  EXPECT_NEAR(static_cast<double>(ts), static_cast<double>(now), 10000);
  EXPECT_EQ(f.content_types()[0].rfind("text/plain", 0), 0u);
}

TEST(ForwarderTest, RunLoopPollsOnScheduleAndStops) {
  FakeEndpoints f;
  testutil::TempDir dir;
  Options o = MakeOptions(f, dir);
  o.interval_seconds = 0.2;
  auto fwd = Forwarder::Create(o);
  ASSERT_TRUE(fwd.ok());
  std::thread t([&] { (*fwd)->Run(); });
  bool got = testutil::WaitUntil([&] { return f.received().size() >= 3; }, 10s, 20ms);
  (*fwd)->Stop();
  t.join();
  EXPECT_TRUE(got);
}

TEST(StampTextTest, MalformedTextFails) {
  auto r = StampTextWithTimestamp("ok 1\nbad{ 2\n", 7);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace forwarder
