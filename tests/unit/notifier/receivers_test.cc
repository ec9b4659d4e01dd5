// The built-in notifier's integrations: payloads field by field, the webhook
// body byte for byte against a real Alertmanager 0.25, delivery to
// in-process HTTP sinks and to an SMTP server (aiosmtpd), and how failures
// are classified (retry or drop).
#include "notifier/receivers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/http_client.h"
#include "common/http_server.h"
#include "tests/integration/test_util.h"

namespace notifier {
namespace {

using nlohmann::json;
using testutil::FreePort;
using testutil::ReadFile;
using testutil::Subprocess;
using testutil::TempDir;
using testutil::WaitUntil;
using testutil::WriteFile;

// 2023-11-14T22:13:20.123Z
constexpr int64_t kStart = 1700000000123;

NotifiedAlert MakeAlert(const std::string& instance, AlertStatus status = AlertStatus::kFiring) {
  NotifiedAlert a;
  a.status = status;
  a.labels = model::Labels{
      {"alertname", "HighLoad"}, {"instance", instance}, {"job", "node"}, {"severity", "page"}};
  a.annotations = {{"summary", "Load is high on " + instance}, {"description", "load > 4"}};
  a.starts_at_ms = kStart;
  a.ends_at_ms = status == AlertStatus::kResolved ? kStart + 3600000 : 0;
  a.generator_url = "http://p:9090/graph?g0.expr=up&g0.tab=1";
  a.fingerprint = instance == "h1" ? "1111111111111111" : "2222222222222222";
  return a;
}

Notification MakeNotification(std::vector<NotifiedAlert> alerts) {
  Notification n;
  n.id = "n1";
  n.receiver = "team";
  n.integration = "webhook";
  n.group_key = "{}:{alertname=\"HighLoad\"}";
  n.group_labels = model::Labels{{"alertname", "HighLoad"}};
  n.alerts = std::move(alerts);
  n.common_labels = model::Labels{{"alertname", "HighLoad"}, {"job", "node"}, {"severity", "page"}};
  n.common_annotations = {{"description", "load > 4"}};
  n.external_url = "http://mon.example:9090";
  n.created_ms = kStart;
  return n;
}

TEST(ReceiversTest, GoTimeFormat) {
  EXPECT_EQ(FormatGoTime(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatGoTime(kStart), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatGoTime(1700000000100), "2023-11-14T22:13:20.1Z");
  EXPECT_EQ(FormatGoTime(1700000000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatGoTime(1700000000020), "2023-11-14T22:13:20.02Z");
}

// The exact bytes Alertmanager 0.25 sends for this group (fixed from a real
// run: see AgreesWithRealAlertmanager): struct field order, sorted maps,
// Go's escaping of & < >, Go's zero time for a firing alert's endsAt, a
// trailing newline.
TEST(ReceiversTest, WebhookPayloadIsAlertmanagers) {
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2", AlertStatus::kResolved)});
  n.alerts[0].annotations.push_back({"note", "a<b & c>d"});
  const std::string got = WebhookPayload(n, "team", 0);
  const std::string want =
      R"({"receiver":"team","status":"firing","alerts":[)"
      R"({"status":"firing","labels":{"alertname":"HighLoad","instance":"h1","job":"node","severity":"page"},)"
      R"("annotations":{"description":"load \u003e 4","note":"a\u003cb \u0026 c\u003ed","summary":"Load is high on h1"},)"
      R"("startsAt":"2023-11-14T22:13:20.123Z","endsAt":"0001-01-01T00:00:00Z",)"
      R"("generatorURL":"http://p:9090/graph?g0.expr=up\u0026g0.tab=1","fingerprint":"1111111111111111"},)"
      R"({"status":"resolved","labels":{"alertname":"HighLoad","instance":"h2","job":"node","severity":"page"},)"
      R"("annotations":{"description":"load \u003e 4","summary":"Load is high on h2"},)"
      R"("startsAt":"2023-11-14T22:13:20.123Z","endsAt":"2023-11-14T23:13:20.123Z",)"
      R"("generatorURL":"http://p:9090/graph?g0.expr=up\u0026g0.tab=1","fingerprint":"2222222222222222"}],)"
      R"("groupLabels":{"alertname":"HighLoad"},"commonLabels":{"alertname":"HighLoad","job":"node","severity":"page"},)"
      R"("commonAnnotations":{"description":"load \u003e 4"},"externalURL":"http://mon.example:9090",)"
      R"("version":"4","groupKey":"{}:{alertname=\"HighLoad\"}","truncatedAlerts":0})"
      "\n";
  EXPECT_EQ(got, want);
}

TEST(ReceiversTest, WebhookMaxAlertsTruncatesAndRecomputesCommonLabels) {
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2")});
  json j = json::parse(WebhookPayload(n, "team", 1));
  ASSERT_EQ(j["alerts"].size(), 1u);
  EXPECT_EQ(j["truncatedAlerts"], 1);
  // Over the one alert sent, instance is common too (as Alertmanager
  // computes its template data from the alerts it sends).
  EXPECT_EQ(j["commonLabels"]["instance"], "h1");
  EXPECT_EQ(j["commonAnnotations"]["summary"], "Load is high on h1");
  json all = json::parse(WebhookPayload(n, "team", 0));
  EXPECT_EQ(all["alerts"].size(), 2u);
  EXPECT_EQ(all["truncatedAlerts"], 0);
  EXPECT_FALSE(all["commonLabels"].contains("instance"));
}

TEST(ReceiversTest, AlertsToSendDropsResolvedUnlessSendResolved) {
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2", AlertStatus::kResolved)});
  EXPECT_EQ(AlertsToSend(n, true).alerts.size(), 2u);
  Notification f = AlertsToSend(n, false);
  ASSERT_EQ(f.alerts.size(), 1u);
  EXPECT_EQ(f.alerts[0].labels.Get("instance"), "h1");
  EXPECT_EQ(f.common_labels.Get("instance"), "h1");
}

TEST(ReceiversTest, TitleIsAlertmanagersDefaultSubject) {
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2")});
  EXPECT_EQ(NotificationTitle(n), "[FIRING:2] HighLoad (node page)");
  n.alerts[1].status = AlertStatus::kResolved;
  EXPECT_EQ(NotificationTitle(n), "[FIRING:1] HighLoad (node page)");
  n.alerts[0].status = AlertStatus::kResolved;
  EXPECT_EQ(NotificationTitle(n), "[RESOLVED] HighLoad (node page)");
  n.common_labels = n.group_labels;  // nothing beyond the group labels
  EXPECT_EQ(NotificationTitle(n), "[RESOLVED] HighLoad");
}

TEST(ReceiversTest, SlackPayload) {
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2")});
  SlackConfig c;
  c.channel = "#ops";
  json j = json::parse(SlackPayload(n, c));
  EXPECT_EQ(j["channel"], "#ops");
  EXPECT_FALSE(j.contains("username"));
  ASSERT_EQ(j["attachments"].size(), 1u);
  const json& a = j["attachments"][0];
  EXPECT_EQ(a["title"], "[FIRING:2] HighLoad (node page)");
  EXPECT_EQ(a["title_link"], "http://mon.example:9090");
  EXPECT_EQ(a["color"], "danger");
  EXPECT_EQ(a["fallback"], "[FIRING:2] HighLoad (node page) | http://mon.example:9090");
  EXPECT_EQ(a["mrkdwn_in"], json({"fallback", "pretext", "text"}));
  const std::string text = a["text"];
  EXPECT_NE(text.find("*[FIRING] HighLoad* - Load is high on h1\nload > 4\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("`instance=h2`"), std::string::npos) << text;
  // Resolved: green; configured title and text are sent as they are.
  for (auto& a2 : n.alerts) a2.status = AlertStatus::kResolved;
  c.title = "custom title";
  c.text = "custom text";
  c.username = "bot";
  j = json::parse(SlackPayload(n, c));
  EXPECT_EQ(j["username"], "bot");
  EXPECT_EQ(j["attachments"][0]["color"], "good");
  EXPECT_EQ(j["attachments"][0]["title"], "custom title");
  EXPECT_EQ(j["attachments"][0]["text"], "custom text");
}

TEST(ReceiversTest, NtfyRequest) {
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2")});
  n.alerts[1].annotations.clear();
  NtfyConfig c;
  c.tags = {"server"};
  NtfyMessage m = NtfyRequest(n, c);
  EXPECT_EQ(m.body,
            "[FIRING] Load is high on h1\n"
            "[FIRING] HighLoad (instance=h2, job=node, severity=page)");
  auto header = [&](const std::string& name) {
    for (const auto& [k, v] : m.headers) {
      if (k == name) return v;
    }
    return std::string("<absent>");
  };
  EXPECT_EQ(header("Title"), "[FIRING:2] HighLoad (node page)");
  EXPECT_EQ(header("Priority"), "high");
  EXPECT_EQ(header("Tags"), "server,rotating_light");
  for (auto& a : n.alerts) a.status = AlertStatus::kResolved;
  m = NtfyRequest(n, c);
  EXPECT_EQ(header("Priority"), "default");
  EXPECT_EQ(header("Tags"), "server,white_check_mark");
  c.priority = "urgent";
  m = NtfyRequest(n, c);
  EXPECT_EQ(header("Priority"), "urgent");
  // Non-ASCII titles go as RFC 2047 encoded words (ntfy decodes them).
  n.group_labels = model::Labels{{"alertname", "Überlast"}};
  m = NtfyRequest(n, c);
  EXPECT_EQ(header("Title").rfind("=?UTF-8?B?", 0), 0u) << header("Title");
  // A huge group stays under ntfy's 4096-byte message limit.
  Notification big = MakeNotification({});
  for (int i = 0; i < 500; ++i) big.alerts.push_back(MakeAlert("h" + std::to_string(i)));
  m = NtfyRequest(big, c);
  EXPECT_LE(m.body.size(), 4096u);
  EXPECT_NE(m.body.find(" more"), std::string::npos);
}

TEST(ReceiversTest, EmailMessage) {
  Notification n = MakeNotification({MakeAlert("h1")});
  EmailConfig c;
  c.to = "Ops Team <ops@example.com>, \"Doe, J\" <j@example.com>";
  c.headers = {{"subject", "custom subject"}, {"X-Team", "infra"}};
  ReceiverGlobals g;
  g.smtp_from = "Alerts <alerts@example.com>";
  auto m = EmailRequest(n, c, g, kStart);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->from, "alerts@example.com");
  EXPECT_EQ(m->to, (std::vector<std::string>{"ops@example.com", "j@example.com"}));
  const std::string& d = m->data;
  EXPECT_NE(d.find("From: Alerts <alerts@example.com>\r\n"), std::string::npos) << d;
  EXPECT_NE(d.find("To: " + c.to + "\r\n"), std::string::npos) << d;
  EXPECT_NE(d.find("Subject: custom subject\r\n"), std::string::npos) << d;
  EXPECT_EQ(d.find("Subject: [FIRING"), std::string::npos) << d;
  EXPECT_NE(d.find("X-Team: infra\r\n"), std::string::npos) << d;
  EXPECT_NE(d.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"), std::string::npos) << d;
  EXPECT_NE(d.find("Message-Id: <"), std::string::npos) << d;
  EXPECT_NE(d.find("Content-Type: multipart/alternative;"), std::string::npos) << d;
  EXPECT_NE(d.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos) << d;
  EXPECT_NE(d.find("Content-Type: text/html; charset=UTF-8"), std::string::npos) << d;
  // Quoted-printable: '=' is escaped, lines stay under 77 characters.
  EXPECT_NE(d.find("instance=3Dh1"), std::string::npos) << d;
  size_t start = 0;
  for (size_t p = d.find("\r\n"); p != std::string::npos;
       start = p + 2, p = d.find("\r\n", start)) {
    EXPECT_LE(p - start, 998u);
  }
  // The default subject; a missing from or to is a configuration error.
  c.headers.clear();
  m = EmailRequest(n, c, g, kStart);
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->data.find("Subject: [FIRING:1] HighLoad (node page)\r\n"), std::string::npos);
  EXPECT_TRUE(EmailRequest(n, c, ReceiverGlobals{}, kStart).status().IsInvalidArgument());
  c.to = "";
  EXPECT_TRUE(EmailRequest(n, c, g, kStart).status().IsInvalidArgument());
}

TEST(ReceiversTest, RetryAfterParsing) {
  EXPECT_EQ(RetryAfterSeconds(common::Status::Unavailable("x: HTTP 429 (retry after 30 s)")), 30);
  EXPECT_FALSE(RetryAfterSeconds(common::Status::Unavailable("x: HTTP 503")).has_value());
  EXPECT_TRUE(IsRetryable(common::Status::Unavailable("")));
  EXPECT_FALSE(IsRetryable(common::Status::InvalidArgument("")));
}

// An HTTP sink on loopback: records requests, answers with respond().
class Sink {
 public:
  struct Request {
    std::string path, body, content_type;
    std::map<std::string, std::string> headers;
  };
  // respond: the answer to a request for a path (default 200 "ok").
  explicit Sink(std::function<common::HttpResponse(const std::string& path)> respond = nullptr)
      : respond_(std::move(respond)) {
    http_.HandlePrefix("/", [this](common::HttpRequest& req) {
      auto b = req.ReadAll(1 << 20);
      Request r;
      r.path = std::string(req.path());
      r.body = b.ok() ? *b : "";
      r.content_type = std::string(req.Header("Content-Type"));
      for (const char* h : {"Title", "Priority", "Tags", "Authorization"}) {
        r.headers[h] = std::string(req.Header(h));
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(r);
      }
      return respond_ ? respond_(r.path) : common::HttpResponse::Text(200, "ok");
    });
    common::HttpServer::Options o;
    o.host = "127.0.0.1";
    EXPECT_TRUE(http_.Start(o).ok());
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http_.port()) + path;
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::function<common::HttpResponse(const std::string&)> respond_;
  common::HttpServer http_;
  std::mutex mu_;
  std::vector<Request> requests_;
};

TEST(ReceiversTest, DeliverWebhookSlackNtfyToSinks) {
  Sink sink;
  ReceiverConfig r;
  r.name = "team";
  r.webhook_configs.resize(2);
  r.webhook_configs[1].url = sink.url("/hook");
  r.webhook_configs[1].http.credentials = "secret-token";
  r.slack_configs.resize(1);
  r.slack_configs[0].api_url = sink.url("/slack");
  r.ntfy_configs.resize(1);
  r.ntfy_configs[0].url = sink.url("/alerts");
  ReceiverGlobals g;
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2", AlertStatus::kResolved)});

  n.integration = "webhook";
  n.integration_index = 1;
  ASSERT_TRUE(Deliver(n, r, g).ok());
  n.integration = "slack";
  n.integration_index = 0;
  ASSERT_TRUE(Deliver(n, r, g).ok());
  n.integration = "ntfy";
  ASSERT_TRUE(Deliver(n, r, g).ok());
  auto reqs = sink.requests();
  ASSERT_EQ(reqs.size(), 3u);

  EXPECT_EQ(reqs[0].path, "/hook");
  EXPECT_EQ(reqs[0].content_type, "application/json");
  EXPECT_EQ(reqs[0].headers["Authorization"], "Bearer secret-token");
  EXPECT_EQ(reqs[0].body, WebhookPayload(n, "team", 0));

  // Slack's send_resolved defaults to false: only the firing alert.
  EXPECT_EQ(reqs[1].path, "/slack");
  json s = json::parse(reqs[1].body);
  EXPECT_EQ(s["attachments"][0]["title"], "[FIRING:1] HighLoad (h1 node page)");

  EXPECT_EQ(reqs[2].path, "/alerts");
  EXPECT_EQ(reqs[2].body, "[FIRING] Load is high on h1\n[RESOLVED] Load is high on h2");
  EXPECT_EQ(reqs[2].headers["Title"], "[FIRING:1] HighLoad (node page)");
  EXPECT_EQ(reqs[2].headers["Priority"], "high");
  EXPECT_EQ(reqs[2].headers["Tags"], "rotating_light");

  // Only resolved alerts and send_resolved false: nothing sent, OK.
  for (auto& a : n.alerts) a.status = AlertStatus::kResolved;
  n.integration = "slack";
  EXPECT_TRUE(Deliver(n, r, g).ok());
  EXPECT_EQ(sink.requests().size(), 3u);

  // Configuration problems are permanent.
  n.integration = "webhook";
  n.integration_index = 0;  // no URL
  EXPECT_TRUE(Deliver(n, r, g).IsInvalidArgument());
  n.integration_index = 7;
  EXPECT_TRUE(Deliver(n, r, g).IsInvalidArgument());
  n.integration = "pagerduty";
  EXPECT_TRUE(Deliver(n, r, g).IsInvalidArgument());
}

TEST(ReceiversTest, HttpFailuresAreClassified) {
  // /<code> answers with that code; /slack-error with Slack's 200 error.
  Sink sink([](const std::string& path) {
    if (path == "/slack-error")
      return common::HttpResponse::Json(200, R"({"ok":false,"error":"no"})");
    if (path == "/ok") return common::HttpResponse::Text(200, "ok");
    if (path == "/busy") {
      auto r = common::HttpResponse::Text(429, "slow down");
      r.headers.emplace_back("Retry-After", "17");
      return r;
    }
    return common::HttpResponse::Text(std::stoi(path.substr(1)), "nope");
  });
  {
    // A 429's Retry-After becomes the outbox's least delay.
    WebhookConfig c;
    c.url = sink.url("/busy");
    common::Status s = SendWebhook(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
    EXPECT_TRUE(IsRetryable(s)) << s.ToString();
    EXPECT_EQ(RetryAfterSeconds(s), 17) << s.ToString();
  }
  for (auto [code, retry] : std::vector<std::pair<int, bool>>{
           {500, true}, {503, true}, {429, true}, {400, false}, {404, false}, {301, false}}) {
    WebhookConfig c;
    c.url = sink.url("/" + std::to_string(code));
    common::Status s = SendWebhook(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
    ASSERT_FALSE(s.ok()) << code;
    EXPECT_EQ(IsRetryable(s), retry) << code << " " << s.ToString();
    EXPECT_NE(s.message().find("HTTP " + std::to_string(code)), std::string::npos) << s.ToString();
  }
  // Nobody listening: retry, and the URL (a secret) is not in the message.
  WebhookConfig c;
  c.url = "http://127.0.0.1:" + std::to_string(FreePort()) + "/token-abc";
  common::Status s = SendWebhook(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_EQ(s.message().find("token-abc"), std::string::npos) << s.ToString();
  // Slack's 200 with {"ok": false}: permanent.
  SlackConfig sc;
  sc.api_url = sink.url("/slack-error");
  s = SendSlack(MakeNotification({MakeAlert("h1")}), sc, ReceiverGlobals{});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  // The global api URL, read from a file.
  TempDir dir;
  WriteFile(dir.File("url"), sink.url("/ok") + "\n");
  ReceiverGlobals g;
  g.slack_api_url_file = dir.File("url");
  EXPECT_TRUE(SendSlack(MakeNotification({MakeAlert("h1")}), SlackConfig{}, g).ok());
  EXPECT_EQ(sink.requests().back().path, "/ok");
}

// --- SMTP, against aiosmtpd ---

constexpr const char* kSmtpServer = R"PY(
import os, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

out = sys.argv[1]
port = int(sys.argv[2])
count = [0]

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('reject'):
            return '550 5.1.1 no such user'
        if address.startswith('later'):
            return '451 4.3.0 try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        auth = session.auth_data.login.decode() if session.authenticated else ''
        head = 'FROM: %s\nTO: %s\nAUTH: %s\n\n' % (envelope.mail_from, ','.join(envelope.rcpt_tos), auth)
        with open(os.path.join(out, 'msg-%d.tmp' % count[0]), 'wb') as f:
            f.write(head.encode() + envelope.original_content)
        os.rename(os.path.join(out, 'msg-%d.tmp' % count[0]), os.path.join(out, 'msg-%d.eml' % count[0]))
        return '250 Message accepted'

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b'user' and auth_data.password == b'pass'
    return AuthResult(success=ok, handled=False, auth_data=auth_data)

c = Controller(Handler(), hostname='127.0.0.1', port=port, authenticator=authenticator,
               auth_require_tls=False)
c.start()
open(os.path.join(out, 'ready'), 'w').close()
while True:
    time.sleep(1)
)PY";

class SmtpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string out;
    if (testutil::RunCommand("/usr/bin/python3 -c 'import aiosmtpd'", &out) != 0) {
      GTEST_SKIP() << "python3-aiosmtpd not installed";
    }
    port_ = FreePort();
    WriteFile(dir_.File("smtpd.py"), kSmtpServer);
    std::filesystem::create_directory(dir_.File("out"));
    server_ = std::make_unique<Subprocess>(
        std::vector<std::string>{"/usr/bin/python3", dir_.File("smtpd.py"), dir_.File("out"),
                                 std::to_string(port_)},
        dir_.File("smtpd.log"));
    ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(dir_.File("out/ready")); },
                          std::chrono::seconds(20)))
        << ReadFile(dir_.File("smtpd.log"));
  }
  EmailConfig Config() const {
    EmailConfig c;
    c.smarthost = "127.0.0.1:" + std::to_string(port_);
    c.from = "alerts@example.com";
    c.to = "ops@example.com";
    c.require_tls = false;
    return c;
  }
  std::string Message(int i) const {
    return ReadFile(dir_.File("out/msg-" + std::to_string(i) + ".eml"));
  }

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Subprocess> server_;
};

TEST_F(SmtpTest, SendsMail) {
  EmailConfig c = Config();
  c.to = "ops@example.com, Other <other@example.com>";
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2")});
  common::Status s = SendEmail(n, c, ReceiverGlobals{});
  ASSERT_TRUE(s.ok()) << s.ToString() << ReadFile(dir_.File("smtpd.log"));
  const std::string m = Message(1);
  EXPECT_NE(m.find("FROM: alerts@example.com\nTO: ops@example.com,other@example.com\nAUTH: \n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("Subject: [FIRING:2] HighLoad (node page)"), std::string::npos) << m;
  EXPECT_NE(m.find("Load is high on h2"), std::string::npos) << m;
}

TEST_F(SmtpTest, AuthenticatesWhenConfigured) {
  EmailConfig c = Config();
  c.auth_username = "user";
  c.auth_password = "pass";
  common::Status sent = SendEmail(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
  ASSERT_TRUE(sent.ok()) << sent.ToString() << ReadFile(dir_.File("smtpd.log"));
  EXPECT_NE(Message(1).find("AUTH: user\n"), std::string::npos) << Message(1);
  c.auth_password = "wrong";
  common::Status s = SendEmail(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();  // 535: permanent
}

TEST_F(SmtpTest, FailuresAreClassified) {
  EmailConfig c = Config();
  c.to = "reject@example.com";
  common::Status s = SendEmail(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("550"), std::string::npos) << s.ToString();
  c.to = "later@example.com";
  s = SendEmail(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  // require_tls against a server without STARTTLS: a configuration problem.
  c = Config();
  c.require_tls = true;
  s = SendEmail(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  // Nobody listening: retry.
  c.require_tls = false;
  c.smarthost = "127.0.0.1:" + std::to_string(FreePort());
  s = SendEmail(MakeNotification({MakeAlert("h1")}), c, ReceiverGlobals{});
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_.File("out/msg-1.eml")));
}

// --- the webhook body against a real Alertmanager 0.25 ---

TEST(ReceiversTest, AgreesWithRealAlertmanager) {
  if (!testutil::HaveCommand("prometheus-alertmanager")) GTEST_SKIP() << "no alertmanager";
  Sink sink;
  TempDir dir;
  const int am_port = FreePort();
  WriteFile(dir.File("am.yml"),
            "route:\n  receiver: hook\n  group_by: [alertname]\n"
            "  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n"
            "receivers:\n  - name: hook\n    webhook_configs:\n"
            "      - url: " +
                sink.url("/hook") + "\n        send_resolved: true\n");
  Subprocess am({"/usr/bin/prometheus-alertmanager", "--config.file=" + dir.File("am.yml"),
                 "--storage.path=" + dir.File("am-data"),
                 "--web.listen-address=127.0.0.1:" + std::to_string(am_port),
                 "--web.external-url=http://am.example:9093/", "--cluster.listen-address="},
                dir.File("am.log"));
  const std::string am_url = "http://127.0.0.1:" + std::to_string(am_port);
  ASSERT_TRUE(WaitUntil(
      [&] {
        common::HttpClient c;
        auto r = c.Get(am_url + "/-/ready", 1);
        return r.ok() && r->status == 200;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << ReadFile(dir.File("am.log"));

  // Started now: an alert older than group_wait would flush its group at
  // once, perhaps before the second alert joined it.
  const int64_t start = common::NowMs();
  auto post = [&](const std::string& ends_at) {
    json alerts = json::array();
    for (const std::string inst : {"h1", "h2"}) {
      NotifiedAlert a = MakeAlert(inst);
      a.starts_at_ms = start;
      json labels = json::object(), annotations = json::object();
      for (const auto& l : a.labels) labels[l.name] = l.value;
      for (const auto& [k, v] : a.annotations) annotations[k] = v;
      annotations["note"] = "a<b & c>d";
      alerts.push_back({{"labels", labels},
                        {"annotations", annotations},
                        {"startsAt", FormatGoTime(a.starts_at_ms)},
                        {"endsAt", ends_at},
                        {"generatorURL", a.generator_url}});
    }
    common::HttpClient c;
    auto r = c.Post(am_url + "/api/v2/alerts", alerts.dump(), "application/json", 5);
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
  };
  // Firing until an hour from now.
  post(FormatGoTime(common::NowMs() + 3600 * 1000));
  ASSERT_TRUE(WaitUntil([&] { return sink.requests().size() >= 1; }, std::chrono::seconds(30)))
      << ReadFile(dir.File("am.log"));
  const std::string firing = sink.requests()[0].body;
  // Resolved (ended in the past).
  const int64_t ended = common::NowMs() - 100;
  post(FormatGoTime(ended));
  ASSERT_TRUE(WaitUntil([&] { return sink.requests().size() >= 2; }, std::chrono::seconds(30)))
      << ReadFile(dir.File("am.log"));
  const std::string resolved = sink.requests()[1].body;

  // The same group as a Notification; fingerprints are Alertmanager's.
  json fj = json::parse(firing);
  ASSERT_EQ(fj["alerts"].size(), 2u) << firing;
  Notification n = MakeNotification({MakeAlert("h1"), MakeAlert("h2")});
  for (size_t i = 0; i < 2; ++i) {
    n.alerts[i].annotations.push_back({"note", "a<b & c>d"});
    n.alerts[i].fingerprint = fj["alerts"][i]["fingerprint"];
    n.alerts[i].starts_at_ms = start;
    n.alerts[i].ends_at_ms = common::NowMs() + 3600 * 1000;  // hidden while firing
  }
  n.common_annotations = {{"description", "load > 4"}, {"note", "a<b & c>d"}};
  n.external_url = "http://am.example:9093";
  EXPECT_EQ(WebhookPayload(n, "hook", 0), firing);

  for (auto& a : n.alerts) {
    a.status = AlertStatus::kResolved;
    a.ends_at_ms = ended;
  }
  EXPECT_EQ(WebhookPayload(n, "hook", 0), resolved);
}

}  // namespace
}  // namespace notifier
