// The built-in notifier's alertmanager.yml: inheritance in the routing tree,
// matchers in their three spellings, receiver defaults from global, and a
// table of configurations Alertmanager (or the built-in notifier) refuses.
#include "notifier/notifier_config.h"

#include <gtest/gtest.h>

namespace notifier {
namespace {

TEST(NotifierConfigTest, RoutesInheritFromTheirParent) {
  auto c = ParseNotifierConfig(R"(
global:
  resolve_timeout: 1m
route:
  receiver: default
  group_by: [alertname]
  group_wait: 10s
  repeat_interval: 1h
  routes:
  - matchers: ['severity="critical"', 'job=~"a|b"']
    receiver: pager
    group_interval: 1m
    continue: true
    routes:
    - match: {team: db}
      group_by: ['...']
  - match_re: {service: "api.*"}
    match: {env: prod}
    group_by: [cluster]
receivers:
- name: default
- name: pager
  webhook_configs:
  - url: http://127.0.0.1:9/hook
)",
                               "/etc");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->resolve_timeout_ms, 60'000);
  const Route& root = c->route;
  EXPECT_EQ(root.receiver, "default");
  EXPECT_EQ(root.group_wait_ms, 10'000);
  EXPECT_EQ(root.group_interval_ms, 300'000);  // default
  EXPECT_EQ(root.repeat_interval_ms, 3'600'000);
  ASSERT_EQ(root.routes.size(), 2u);

  const Route& pager = root.routes[0];
  EXPECT_EQ(pager.receiver, "pager");
  EXPECT_EQ(pager.group_by, std::vector<std::string>{"alertname"});
  EXPECT_EQ(pager.group_wait_ms, 10'000);
  EXPECT_EQ(pager.group_interval_ms, 60'000);
  EXPECT_EQ(pager.repeat_interval_ms, 3'600'000);
  EXPECT_TRUE(pager.continue_matching);
  // Sorted by name: job before severity.
  EXPECT_EQ(AlertmanagerMatchersString(pager.matchers), R"({job=~"a|b",severity="critical"})");

  const Route& db = pager.routes[0];
  EXPECT_EQ(db.receiver, "pager");
  EXPECT_TRUE(db.GroupByAll());
  EXPECT_EQ(db.group_interval_ms, 60'000);
  EXPECT_FALSE(db.continue_matching);

  const Route& api = root.routes[1];
  EXPECT_EQ(api.receiver, "default");
  EXPECT_EQ(api.group_by, std::vector<std::string>{"cluster"});
  EXPECT_EQ(AlertmanagerMatchersString(api.matchers), R"({env="prod",service=~"api.*"})");
  EXPECT_TRUE(api.Matches(model::Labels{{"env", "prod"}, {"service", "api-gw"}}));
  EXPECT_FALSE(api.Matches(model::Labels{{"env", "prod"}, {"service", "web"}}));
}

TEST(NotifierConfigTest, ReceiversTakeGlobalDefaults) {
  auto c = ParseNotifierConfig(R"(
global:
  smtp_from: am@example.org
  smtp_smarthost: mail:587
  smtp_auth_username: u
  smtp_auth_password: p
  smtp_require_tls: false
  slack_api_url: https://hooks.slack.com/services/X
  http_config:
    basic_auth: {username: g, password: gp}
route: {receiver: r}
receivers:
- name: r
  email_configs:
  - to: ops@example.org
    headers: {subject: Hi}
  - to: b@example.org
    from: other@example.org
    smarthost: other:25
    require_tls: true
    send_resolved: true
  slack_configs:
  - channel: '#alerts'
  webhook_configs:
  - url: https://example.org/hook
    send_resolved: false
    max_alerts: 5
    http_config:
      authorization: {credentials: tok}
  - url_file: secret/url
  ntfy_configs:
  - url: https://ntfy.sh/topic
    priority: urgent
    tags: [warning, skull]
    basic_auth: {username: n, password: np}
)",
                               "/etc/ms");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const ReceiverConfig* r = c->FindReceiver("r");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(c->FindReceiver("nope"), nullptr);
  ASSERT_EQ(r->email_configs.size(), 2u);
  const EmailConfig& e0 = r->email_configs[0];
  EXPECT_EQ(e0.from, "am@example.org");
  EXPECT_EQ(e0.smarthost, "mail:587");
  EXPECT_EQ(e0.hello, "localhost");
  EXPECT_EQ(e0.auth_username, "u");
  EXPECT_EQ(e0.auth_password, "p");
  EXPECT_FALSE(e0.require_tls);
  EXPECT_FALSE(e0.send_resolved);
  ASSERT_EQ(e0.headers.size(), 1u);
  EXPECT_EQ(e0.headers[0].first, "Subject");
  const EmailConfig& e1 = r->email_configs[1];
  EXPECT_EQ(e1.from, "other@example.org");
  EXPECT_EQ(e1.smarthost, "other:25");
  EXPECT_TRUE(e1.require_tls);
  EXPECT_TRUE(e1.send_resolved);

  ASSERT_EQ(r->slack_configs.size(), 1u);
  EXPECT_EQ(r->slack_configs[0].api_url, "https://hooks.slack.com/services/X");
  EXPECT_FALSE(r->slack_configs[0].send_resolved);
  EXPECT_EQ(r->slack_configs[0].http.username, "g");  // global http_config

  ASSERT_EQ(r->webhook_configs.size(), 2u);
  EXPECT_FALSE(r->webhook_configs[0].send_resolved);
  EXPECT_EQ(r->webhook_configs[0].max_alerts, 5);
  EXPECT_EQ(r->webhook_configs[0].http.credentials, "tok");
  EXPECT_EQ(r->webhook_configs[0].http.username, "");  // its own http_config replaces global
  EXPECT_TRUE(r->webhook_configs[1].send_resolved);
  EXPECT_EQ(r->webhook_configs[1].url_file, "/etc/ms/secret/url");

  ASSERT_EQ(r->ntfy_configs.size(), 1u);
  EXPECT_EQ(r->ntfy_configs[0].priority, "urgent");
  EXPECT_EQ(r->ntfy_configs[0].tags, (std::vector<std::string>{"warning", "skull"}));
  EXPECT_EQ(r->ntfy_configs[0].http.username, "n");
  EXPECT_TRUE(r->ntfy_configs[0].send_resolved);
}

TEST(NotifierConfigTest, EmptyOptionalSectionsAreAccepted) {
  auto c = ParseNotifierConfig(
      "route: {receiver: r}\nreceivers: [{name: r}]\ninhibit_rules: []\ntemplates: []\n", "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->route.group_wait_ms, 30'000);
  EXPECT_EQ(c->route.group_interval_ms, 300'000);
  EXPECT_EQ(c->route.repeat_interval_ms, 4 * 3'600'000);
  EXPECT_EQ(c->resolve_timeout_ms, 300'000);
  EXPECT_TRUE(c->route.group_by.empty());
}

TEST(NotifierConfigTest, AlertmanagerMatcherSyntax) {
  struct Case {
    const char* in;
    const char* want;  // AlertmanagerMatchersString, or nullptr for an error
  } cases[] = {
      {R"(a="b")", R"({a="b"})"},
      {R"(a = b)", R"({a="b"})"},
      {R"({a=~"x|y", b!="c"})", R"({a=~"x|y",b!="c"})"},
      {R"(a!~"x,y")", R"({a!~"x,y"})"},
      {R"(a="quote\"d")", R"({a="quote\"d"})"},
      {R"(a="new\nline")", R"({a="new\nline"})"},
      {R"(a="x\y")", R"({a="x\\y"})"},
      {R"(a=)", R"({a=""})"},
      {R"(1a="b")", nullptr},
      {R"(a"b")", nullptr},
      {R"(a="b)", nullptr},
      {R"(a="b"c")", nullptr},
      {R"(a=~"(")", nullptr},
  };
  for (const auto& tc : cases) {
    auto m = ParseAlertmanagerMatchers(tc.in);
    if (!tc.want) {
      EXPECT_FALSE(m.ok()) << tc.in;
      continue;
    }
    ASSERT_TRUE(m.ok()) << tc.in << ": " << m.status().ToString();
    EXPECT_EQ(AlertmanagerMatchersString(*m), tc.want) << tc.in;
  }
}

TEST(NotifierConfigTest, RefusedConfigurations) {
  const std::string ok_receivers = "receivers: [{name: r}]\n";
  struct Case {
    std::string yaml;
    std::string want;  // substring of the error
  } cases[] = {
      {"receivers: [{name: r}]\n", "no routes provided"},
      {"route: {}\n" + ok_receivers, "root route must specify a default receiver"},
      {"route: {receiver: r, matchers: ['a=b']}\n" + ok_receivers,
       "root route must not have any matchers"},
      {"route: {receiver: r, match: {a: b}}\n" + ok_receivers,
       "root route must not have any matchers"},
      {"route: {receiver: r, continue: true}\n" + ok_receivers,
       "cannot have continue in root route"},
      {"route: {receiver: x}\n" + ok_receivers, "route: undefined receiver \"x\" used in route"},
      {"route: {receiver: r, routes: [{receiver: y}]}\n" + ok_receivers,
       "route.routes[0]: undefined receiver \"y\""},
      {"route: {receiver: r}\nreceivers: [{name: r}, {name: r}]\n",
       "receivers[1]: notification config name \"r\" is not unique"},
      {"route: {receiver: r}\nreceivers: [{webhook_configs: []}]\n", "missing name in receiver"},
      {"route: {receiver: r, group_interval: 0s}\n" + ok_receivers,
       "group_interval cannot be zero"},
      {"route: {receiver: r, repeat_interval: 0s}\n" + ok_receivers,
       "repeat_interval cannot be zero"},
      {"route: {receiver: r, group_wait: 5x}\n" + ok_receivers, "route.group_wait:"},
      {"route: {receiver: r, group_by: [a, a]}\n" + ok_receivers, "duplicated label \"a\""},
      {"route: {receiver: r, group_by: ['...', a]}\n" + ok_receivers, "cannot have wildcard"},
      {"route: {receiver: r, group_by: ['a-b']}\n" + ok_receivers, "invalid label name"},
      {"route: {receiver: r, routes: [{matchers: ['a=~\"(\"']}]}\n" + ok_receivers,
       "route.routes[0].matchers[0]:"},
      {"route: {receiver: r, routes: [{match_re: {a: '('}}]}\n" + ok_receivers,
       "route.routes[0].match_re.a:"},
      {"route: {receiver: r, bogus: 1}\n" + ok_receivers, "route.bogus: unknown field"},
      {"route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'http://x', urll: "
       "1}]}]\n",
       "receivers[0].webhook_configs[0].urll: unknown field"},
      {"route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{}]}]\n",
       "receivers[0].webhook_configs[0]: one of url or url_file must be configured"},
      {"route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'ftp://x/'}]}]\n",
       "receivers[0].webhook_configs[0].url: unsupported scheme \"ftp\" for URL"},
      {"route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'http://x', "
       "url_file: f}]}]\n",
       "at most one of url & url_file"},
      {"route: {receiver: r}\nreceivers: [{name: r, email_configs: [{smarthost: 'a:25', from: "
       "a@b}]}]\n",
       "receivers[0].email_configs[0]: missing to address in email config"},
      {"route: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a@b, from: a@b}]}]\n",
       "no global SMTP smarthost set"},
      {"route: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a@b, smarthost: "
       "'a:25'}]}]\n",
       "no global SMTP from set"},
      {"route: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a@b, from: a@b, "
       "smarthost: mail}]}]\n",
       "missing port in address"},
      {"route: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a@b, from: a@b, "
       "smarthost: 'a:25', html: x}]}]\n",
       "receivers[0].email_configs[0].html: not supported by the built-in notifier"},
      {"route: {receiver: r}\nreceivers: [{name: r, slack_configs: [{channel: x}]}]\n",
       "no global Slack API URL set"},
      {"route: {receiver: r}\nreceivers: [{name: r, slack_configs: [{api_url: 'https://x', "
       "color: red}]}]\n",
       "slack_configs[0].color: not supported by the built-in notifier; use Alertmanager"},
      {"route: {receiver: r}\nreceivers: [{name: r, pagerduty_configs: [{routing_key: k}]}]\n",
       "receivers[0].pagerduty_configs: not supported by the built-in notifier; use Alertmanager"},
      {"route: {receiver: r}\nreceivers: [{name: r, ntfy_configs: [{}]}]\n",
       "receivers[0].ntfy_configs[0].url: is required"},
      {"route: {receiver: r}\nreceivers: [{name: r, ntfy_configs: [{url: 'https://n/t', "
       "priority: max}]}]\n",
       "ntfy_configs[0].priority: unknown priority \"max\""},
      {"route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'http://x', "
       "http_config: {basic_auth: {password: p}}}]}]\n",
       "http_config.basic_auth.username: is required"},
      {"route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'http://x', "
       "http_config: {oauth2: {}}}]}]\n",
       "http_config.oauth2: not supported by the built-in notifier"},
      {"route: {receiver: r}\n" + ok_receivers + "inhibit_rules: [{source_matchers: [a=b]}]\n",
       "inhibit_rules: not supported by the built-in notifier; use Alertmanager"},
      {"route: {receiver: r}\n" + ok_receivers + "templates: ['x.tmpl']\n",
       "templates: not supported by the built-in notifier"},
      {"route: {receiver: r}\n" + ok_receivers + "time_intervals: [{name: x}]\n",
       "time_intervals: not supported by the built-in notifier"},
      {"route: {receiver: r, routes: [{mute_time_intervals: [x]}]}\n" + ok_receivers,
       "route.routes[0].mute_time_intervals: not supported by the built-in notifier"},
      {"route: {receiver: r}\n" + ok_receivers + "global: {resolve_timeout: 0s}\n",
       "resolve_timeout cannot be zero"},
      {"route: {receiver: r}\n" + ok_receivers + "global: {smtp_from: [x]}\n",
       "global.smtp_from: must be a string"},
      {"route: {receiver: r}\n" + ok_receivers + "extra: 1\n", "extra: unknown field"},
      {"route: [\n", "invalid YAML"},
  };
  for (const auto& tc : cases) {
    auto c = ParseNotifierConfig(tc.yaml, "");
    ASSERT_FALSE(c.ok()) << tc.yaml;
    EXPECT_TRUE(c.status().IsInvalidArgument()) << tc.yaml;
    EXPECT_NE(c.status().message().find(tc.want), std::string::npos)
        << "config:\n"
        << tc.yaml << "error: " << c.status().message() << "\nwant: " << tc.want;
  }
}

}  // namespace
}  // namespace notifier
