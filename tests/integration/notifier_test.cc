// The built-in notifier end to end: the real server evaluating rules, routing
// and grouping the alerts, delivering to a webhook, Slack and ntfy sinks on
// loopback and to an SMTP sink (Debian's python3-aiosmtpd); grouping, repeat,
// resolution, and a notification that survives a kill -9 in the outbox.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "common/http_server.h"
#include "tests/integration/stack.h"

namespace testutil {
namespace {

using nlohmann::json;

struct Received {
  std::string path;
  std::string body;
  std::string title;  // ntfy's Title header
};

class Sinks {
 public:
  Sinks() {
    for (const char* path : {"/hook", "/slack", "/ntfy/alerts"}) {
      http_.Handle(path, [this, path](common::HttpRequest& req) {
        auto body = req.ReadAll(1 << 20);
        if (std::string_view(path) == "/hook" && fail_hook.load()) {
          return common::HttpResponse::Text(503, "down for the test\n");
        }
        std::lock_guard<std::mutex> lock(mu_);
        got_.push_back({path, body.ok() ? *body : "", std::string(req.Header("Title"))});
        return common::HttpResponse::Text(200, "ok\n");
      });
    }
    common::HttpServer::Options o;
    o.host = "127.0.0.1";
    ok_ = http_.Start(o).ok();
  }
  bool ok() const { return ok_; }
  int port() const { return http_.port(); }
  std::vector<Received> got(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Received> out;
    for (const auto& r : got_) {
      if (r.path == path) out.push_back(r);
    }
    return out;
  }
  std::vector<json> hooks() {
    std::vector<json> out;
    for (const auto& r : got("/hook")) out.push_back(json::parse(r.body, nullptr, false));
    return out;
  }
  std::atomic<bool> fail_hook{false};

 private:
  common::HttpServer http_;
  std::mutex mu_;
  std::vector<Received> got_;
  bool ok_ = false;
};

std::string Config(int sink_port, int smtp_port) {
  const std::string sink = "http://127.0.0.1:" + std::to_string(sink_port);
  return "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nnotifications:\n"
         "  global:\n    smtp_smarthost: 127.0.0.1:" +
         std::to_string(smtp_port) +
         "\n    smtp_from: alerts@example.org\n    smtp_require_tls: false\n"
         "  route:\n    receiver: all\n    group_by: [alertname]\n    group_wait: 1s\n"
         "    group_interval: 2s\n    repeat_interval: 5s\n"
         "  receivers:\n    - name: all\n"
         "      webhook_configs: [{url: '" +
         sink + "/hook', send_resolved: true}]\n      slack_configs: [{api_url: '" + sink +
         "/slack', send_resolved: true}]\n      ntfy_configs: [{url: '" + sink +
         "/ntfy/alerts'}]\n      email_configs: [{to: ops@example.org, send_resolved: true}]\n";
}

constexpr char kRules[] = R"(groups:
  - name: hot
    interval: 1s
    rules:
      - alert: Hot
        expr: hot > 0
        labels: {severity: page}
        annotations: {summary: '{{ $labels.host }} is hot'}
)";

TEST(BuiltinNotifierTest, GroupsRepeatsResolvesToEveryReceiverAndSurvivesAKill) {
  if (RunCommand("/usr/bin/python3 -c 'import aiosmtpd'", nullptr) != 0) {
    GTEST_SKIP() << "python3-aiosmtpd not installed";
  }
  TempDir dir;
  Sinks sinks;
  ASSERT_TRUE(sinks.ok());
  // SMTP sink: each message into its own file.
  const int smtp_port = FreePort();
  const std::string mail_dir = dir.File("mail");
  std::filesystem::create_directories(mail_dir);
  WriteFile(dir.File("smtp.py"), R"(import os, signal, sys
from aiosmtpd.controller import Controller
out = sys.argv[2]
class Handler:
    async def handle_DATA(self, server, session, envelope):
        n = len(os.listdir(out))
        with open(os.path.join(out, '%04d.eml' % n), 'wb') as f:
            f.write(envelope.original_content or envelope.content)
        return '250 OK'
c = Controller(Handler(), hostname='127.0.0.1', port=int(sys.argv[1]))
c.start()
signal.sigwait([signal.SIGTERM, signal.SIGINT])
c.stop()
)");
  Subprocess smtp({"/usr/bin/python3", dir.File("smtp.py"), std::to_string(smtp_port), mail_dir},
                  dir.File("smtp.log"));
  WriteFile(dir.File("rules.yml"), kRules);
  WriteFile(dir.File("config.yml"), Config(sinks.port(), smtp_port));
  TempDir data;
  const int port = FreePort();
  const std::vector<std::string> args = {"--config", dir.File("config.yml")};
  auto ours = StartServer(dir, data.path(), args, port);
  ASSERT_TRUE(ours->ready()) << ours->log();

  std::atomic<double> value{1};
  std::atomic<bool> stop{false};
  std::thread pusher([&] {
    common::HttpClient c;
    while (!stop.load()) {
      std::string v = std::to_string(value.load());
      (void)c.Post("http://127.0.0.1:" + std::to_string(port) + "/metrics",
                   "hot{host=\"a\"} " + v + "\nhot{host=\"b\"} " + v + "\n", "text/plain", 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  auto stop_pusher = [&] {
    stop = true;
    if (pusher.joinable()) pusher.join();
  };

  // Grouping: both instances' alerts in one notification per receiver.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto h = sinks.hooks();
        return !h.empty() && h[0]["alerts"].size() == 2;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << ours->log();
  json first = sinks.hooks()[0];
  EXPECT_EQ(first["version"], "4");
  EXPECT_EQ(first["status"], "firing");
  EXPECT_EQ(first["receiver"], "all");
  EXPECT_EQ(first["groupLabels"], (json{{"alertname", "Hot"}}));
  EXPECT_EQ(first["commonLabels"]["severity"], "page");
  EXPECT_EQ(first["alerts"][0]["annotations"]["summary"], "a is hot");
  ASSERT_TRUE(
      WaitUntil([&] { return !sinks.got("/slack").empty() && !sinks.got("/ntfy/alerts").empty(); },
                std::chrono::seconds(10), std::chrono::milliseconds(200)));
  json slack = json::parse(sinks.got("/slack")[0].body, nullptr, false);
  EXPECT_NE(slack.dump().find("Hot"), std::string::npos) << slack.dump();
  EXPECT_NE(sinks.got("/ntfy/alerts")[0].title.find("Hot"), std::string::npos);
  EXPECT_NE(sinks.got("/ntfy/alerts")[0].body.find("a is hot"), std::string::npos)
      << sinks.got("/ntfy/alerts")[0].body;
  ASSERT_TRUE(WaitUntil([&] { return !std::filesystem::is_empty(mail_dir); },
                        std::chrono::seconds(10), std::chrono::milliseconds(200)))
      << ReadFile(dir.File("smtp.log")) << ours->log();
  std::string mail = ReadFile(mail_dir + "/0000.eml");
  EXPECT_NE(mail.find("Subject: [FIRING:2] Hot"), std::string::npos) << mail;
  EXPECT_NE(mail.find("To: ops@example.org"), std::string::npos) << mail;

  // Repeat: still firing, nothing changed: sent again after repeat_interval.
  ASSERT_TRUE(WaitUntil([&] { return sinks.hooks().size() >= 2; }, std::chrono::seconds(15),
                        std::chrono::milliseconds(200)));
  EXPECT_EQ(sinks.hooks()[1]["status"], "firing");
  EXPECT_EQ(sinks.hooks()[1]["alerts"].size(), 2u);

  // Resolve: the webhook (send_resolved) hears of it.
  value = 0;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto h = sinks.hooks();
        return !h.empty() && h.back()["status"] == "resolved";
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << ours->log();
  EXPECT_NE(sinks.hooks().back()["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");

  // A notification the webhook refuses stays in the outbox across kill -9
  // and is delivered after the restart, although the restarted server no
  // longer has the rule that caused it.
  sinks.fail_hook = true;
  const size_t before = sinks.hooks().size();
  value = 1;
  ASSERT_TRUE(WaitUntil(
      [&] {
        // The other receivers got the new firing notification: the webhook's
        // copy is in the outbox being retried.
        auto s = sinks.got("/slack");
        return !s.empty() &&
               json::parse(s.back().body, nullptr, false).dump().find("FIRING") !=
                   std::string::npos &&
               s.size() >= 3;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << ours->log();
  stop_pusher();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ours->proc().Stop(SIGKILL);  // kill -9: no flush, no goodbye
  EXPECT_EQ(sinks.hooks().size(), before);
  WriteFile(dir.File("rules.yml"), "groups: []\n");
  sinks.fail_hook = false;
  ours = StartServer(dir, data.path(), args, port);
  ASSERT_TRUE(ours->ready()) << ours->log();
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto h = sinks.hooks();
        return h.size() > before && h.back()["status"] == "firing";
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << ours->log();
  common::HttpClient c;
  auto m = c.Get(ours->url("/metrics"), 5);
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->body.find("monitor_notifications_delivered_total"), std::string::npos);
  smtp.Stop(SIGTERM);
}

}  // namespace
}  // namespace testutil
