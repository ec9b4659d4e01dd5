// The remote_write sender (server/remote/) against an in-process receiver
// that decodes every request with the generated protobuf classes: what
// arrives, exactly once, in order per series, across failures, restarts in
// the middle of a segment, relabeling and external labels.
#include <gtest/gtest.h>
#include <snappy.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "common/http_server.h"
#include "model/relabel.h"
#include "server/ingest/remote_write.pb.h"
#include "server/remote/queue_manager.h"
#include "server/remote/write_request.h"
#include "tsdb/db.h"

namespace server::remote {
namespace {

using Samples = std::vector<std::pair<int64_t, double>>;

class Receiver {
 public:
  // decide(request number, labels of the request's series) -> HTTP status;
  // only 2xx requests are recorded.
  using Decide = std::function<int(int, const std::vector<std::string>&)>;

  Receiver() {
    http_.Handle("/write", [this](common::HttpRequest& req) {
      auto body = req.ReadAll(64 << 20);
      std::string raw;
      ms::remote::WriteRequest wr;
      if (!body.ok() || req.Header("Content-Encoding") != "snappy" ||
          !snappy::Uncompress(body->data(), body->size(), &raw) || !wr.ParseFromString(raw)) {
        bad_.fetch_add(1);
        return common::HttpResponse::Text(400, "undecodable\n");
      }
      std::vector<std::string> names;
      std::map<std::string, Samples> got;
      for (const auto& ts : wr.timeseries()) {
        std::string key;
        for (const auto& l : ts.labels()) key += l.name() + "=" + l.value() + ",";
        names.push_back(key);
        for (const auto& s : ts.samples()) got[key].push_back({s.timestamp(), s.value()});
      }
      std::lock_guard<std::mutex> lock(mu_);
      const int status = decide_ ? decide_(requests_++, names) : 200;
      if (status / 100 == 2) {
        for (auto& [k, v] : got) {
          auto& dst = series_[k];
          dst.insert(dst.end(), v.begin(), v.end());
        }
      }
      auto r = common::HttpResponse::Text(status, status / 100 == 2 ? "" : "no\n");
      if (status == 429) r.headers.push_back({"Retry-After", "0"});
      return r;
    });
    common::HttpServer::Options o;
    o.host = "127.0.0.1";
    EXPECT_TRUE(http_.Start(o).ok());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_.port()) + "/write"; }
  void set_decide(Decide d) {
    std::lock_guard<std::mutex> lock(mu_);
    decide_ = std::move(d);
  }
  std::map<std::string, Samples> series() {
    std::lock_guard<std::mutex> lock(mu_);
    return series_;
  }
  size_t total() {
    size_t n = 0;
    for (const auto& [k, v] : series()) n += v.size();
    return n;
  }
  int bad() const { return bad_.load(); }

 private:
  common::HttpServer http_;
  std::mutex mu_;
  Decide decide_;
  int requests_ = 0;
  std::map<std::string, Samples> series_;
  std::atomic<int> bad_{0};
};

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/rw_sender_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool WaitFor(const std::function<bool()>& pred, int ms = 20000) {
  for (int i = 0; i < ms / 20; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

class RemoteWriteSender : public ::testing::Test {
 protected:
  void OpenDb(int64_t retention_ms = 15LL * 24 * 3600 * 1000) {
    db_.reset();
    tsdb::Options o;
    o.retention_ms = retention_ms;
    o.maintenance_interval_ms = 0;
    o.max_samples_per_chunk = 120;
    auto r = tsdb::DB::Open(dir_.path(), o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  void SetUp() override { OpenDb(); }

  RemoteWriteConfig Config() {
    RemoteWriteConfig c;
    c.url = receiver_.url();
    c.name = "test";
    c.queue.capacity = 50;
    c.queue.max_shards = 4;
    c.queue.max_samples_per_send = 20;
    c.queue.batch_send_deadline_ms = 50;
    c.queue.min_backoff_ms = 5;
    c.queue.max_backoff_ms = 40;
    return c;
  }

  // `series` series of `per_series` samples each, one batch per timestamp
  // (as scrapes write them); returns what each series holds.
  std::map<std::string, Samples> Ingest(int series, int per_series, int64_t t0) {
    std::map<std::string, Samples> want;
    for (int k = 0; k < per_series; ++k) {
      auto app = db_->NewAppender();
      for (int s = 0; s < series; ++s) {
        model::Labels l{{"__name__", "m"}, {"s", std::to_string(s)}};
        const int64_t t = t0 + k * 1000;
        const double v = s * 1000 + k + 0.25;
        app->Add(l, t, v);
        want["__name__=m,s=" + std::to_string(s) + ","].push_back({t, v});
      }
      EXPECT_TRUE(app->Commit().status.ok());
    }
    return want;
  }

  TempDir dir_;
  Receiver receiver_;
  std::unique_ptr<tsdb::DB> db_;
};

TEST_F(RemoteWriteSender, EncodedRequestDecodesAsAWriteRequest) {
  model::Labels l{{"__name__", "up"}, {"job", "a\"b\n"}};
  WriteRequestEncoder enc;
  const int64_t ts[] = {-5, 0, 1700000000123};
  const double vs[] = {-0.0, 1.5, std::numeric_limits<double>::infinity()};
  enc.AddSeries(LabelsField(l), ts, vs, 3);
  enc.AddSeries(LabelsField(l), ts, vs, 0);
  const std::string& body = enc.Finish();
  std::string raw;
  ASSERT_TRUE(snappy::Uncompress(body.data(), body.size(), &raw));
  ms::remote::WriteRequest wr;
  ASSERT_TRUE(wr.ParseFromString(raw));
  ASSERT_EQ(wr.timeseries_size(), 2);
  const auto& s = wr.timeseries(0);
  ASSERT_EQ(s.labels_size(), 2);
  EXPECT_EQ(s.labels(1).name(), "job");
  EXPECT_EQ(s.labels(1).value(), "a\"b\n");
  ASSERT_EQ(s.samples_size(), 3);
  EXPECT_EQ(s.samples(0).timestamp(), -5);
  EXPECT_TRUE(std::signbit(s.samples(0).value()));
  EXPECT_EQ(s.samples(2).timestamp(), 1700000000123);
  EXPECT_TRUE(std::isinf(s.samples(2).value()));
  EXPECT_EQ(wr.timeseries(1).samples_size(), 0);
}

TEST_F(RemoteWriteSender, SendsEverySampleOnceInOrderThroughFailures) {
  // Every third request fails with 500, every fifth with a 429: all are
  // retried, nothing is lost or doubled.
  receiver_.set_decide([](int n, const std::vector<std::string>&) {
    return n % 3 == 1 ? 500 : n % 5 == 2 ? 429 : 204;
  });
  QueueManager q(db_.get(), Config(), model::Labels{}, "test");
  {
    auto started = q.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  auto want = Ingest(30, 40, 1'000'000);
  ASSERT_TRUE(WaitFor([&] { return receiver_.total() >= 1200; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(receiver_.series(), want);
  EXPECT_EQ(receiver_.bad(), 0);
  QueueStats st = q.Stats();
  EXPECT_EQ(st.samples_sent, 1200u);
  EXPECT_GT(st.samples_retried, 0u);
  EXPECT_EQ(st.samples_failed, 0u);
  EXPECT_EQ(st.highest_sent_ms, 1'000'000 + 39 * 1000);
}

TEST_F(RemoteWriteSender, RestartInTheMiddleOfASegmentSendsTheRestExactlyOnce) {
  // Series s=3 is refused with 503 (retried forever) while the others get
  // through, so the segment stays half done; then the sender stops, the
  // store is reopened and a new sender (receiver healed) finishes it.
  receiver_.set_decide([](int, const std::vector<std::string>& names) {
    for (const auto& n : names) {
      if (n.find("s=3,") != std::string::npos) return 503;
    }
    return 200;
  });
  auto cfg = Config();
  cfg.queue.capacity = 1000;  // one segment for everything, split 4 ways
  cfg.queue.min_shards = 4;
  cfg.queue.batch_send_deadline_ms = 300;
  {
    QueueManager q(db_.get(), cfg, model::Labels{}, "test");
    {
    auto started = q.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
    auto want = Ingest(8, 30, 1'000'000);
    ASSERT_TRUE(WaitFor([&] { return q.Stats().samples_retried > 0; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    q.Stop();
    EXPECT_GT(receiver_.total(), 0u);
    EXPECT_LT(receiver_.total(), 240u);
  }
  OpenDb();
  receiver_.set_decide(nullptr);
  QueueManager q(db_.get(), cfg, model::Labels{}, "test");
  {
    auto started = q.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  ASSERT_TRUE(WaitFor([&] { return receiver_.total() >= 240; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::map<std::string, Samples> want;
  for (int s = 0; s < 8; ++s) {
    for (int k = 0; k < 30; ++k) {
      want["__name__=m,s=" + std::to_string(s) + ","].push_back({1'000'000 + k * 1000,
                                                                   s * 1000 + k + 0.25});
    }
  }
  EXPECT_EQ(receiver_.series(), want);
}

TEST_F(RemoteWriteSender, RefusedRequestsAreDroppedAndCounted) {
  receiver_.set_decide([](int n, const std::vector<std::string>&) { return n == 0 ? 400 : 200; });
  auto cfg = Config();
  cfg.queue.retry_on_http_429 = false;
  QueueManager q(db_.get(), cfg, model::Labels{}, "test");
  {
    auto started = q.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  Ingest(5, 10, 1'000'000);
  ASSERT_TRUE(WaitFor([&] {
    QueueStats st = q.Stats();
    return st.samples_sent + st.samples_failed == 50;
  }));
  QueueStats st = q.Stats();
  EXPECT_GT(st.samples_failed, 0u);
  EXPECT_EQ(receiver_.total(), st.samples_sent);
}

TEST_F(RemoteWriteSender, ExternalLabelsAndWriteRelabelConfigs) {
  auto cfg = Config();
  model::RelabelConfig drop;
  drop.source_labels = {"s"};
  drop.regex = "[0-4]";
  drop.action = model::RelabelAction::kDrop;
  ASSERT_TRUE(drop.Compile().ok());
  cfg.write_relabel_configs = {drop};
  // The series' own "s" wins over the external label of the same name.
  QueueManager q(db_.get(), cfg, model::Labels{{"cluster", "eu"}, {"s", "x"}}, "test");
  {
    auto started = q.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  Ingest(10, 4, 1'000'000);
  ASSERT_TRUE(WaitFor([&] { return q.Stats().dropped_relabel == 20 && receiver_.total() == 20; }));
  auto got = receiver_.series();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_TRUE(got.count("__name__=m,cluster=eu,s=7,"));
}

TEST_F(RemoteWriteSender, StartsAtTheEndAndKeepsItsPositionAcrossReopen) {
  Ingest(3, 5, 1'000'000);  // before the destination existed: not sent
  {
    QueueManager q(db_.get(), Config(), model::Labels{}, "test");
    {
    auto started = q.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
    Ingest(3, 5, 2'000'000);
    ASSERT_TRUE(WaitFor([&] { return receiver_.total() == 15; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Ingest(3, 5, 3'000'000);  // while the sender is down
  OpenDb();
  QueueManager q(db_.get(), Config(), model::Labels{}, "test");
  {
    auto started = q.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  ASSERT_TRUE(WaitFor([&] { return receiver_.total() >= 30; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(receiver_.total(), 30u);
  for (const auto& [k, v] : receiver_.series()) {
    ASSERT_EQ(v.size(), 10u) << k;
    EXPECT_EQ(v.front().first, 2'000'000);
    EXPECT_EQ(v.back().first, 3'004'000);
  }
}

TEST_F(RemoteWriteSender, SamplesThatLeaveTheRetentionWhileWaitingAreDroppedAndCounted) {
  OpenDb(/*retention_ms=*/60'000);
  std::atomic<bool> down{true};
  receiver_.set_decide([&](int, const std::vector<std::string>&) { return down ? 503 : 200; });
  QueueManager q(db_.get(), Config(), model::Labels{}, "test");
  {
    auto started = q.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  Ingest(4, 10, 1'000'000);  // t = 1000 s .. 1009 s
  ASSERT_TRUE(WaitFor([&] { return q.Stats().samples_retried > 0; }));
  // Newer data moves the retention past the first batch: 1009 s + 61 s.
  Ingest(4, 1, 1'070'000);
  down = false;
  ASSERT_TRUE(WaitFor([&] {
    QueueStats st = q.Stats();
    return st.samples_sent + st.dropped_too_old == 44;
  }));
  QueueStats st = q.Stats();
  EXPECT_EQ(st.dropped_too_old, 40u);
  EXPECT_EQ(st.samples_sent, 4u);
  EXPECT_EQ(receiver_.total(), 4u);
}

}  // namespace
}  // namespace server::remote
