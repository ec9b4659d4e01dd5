// The built-in notifier's configuration: Alertmanager 0.25's alertmanager.yml
// (global, route, receivers) restricted to what the built-in notifier does.
//
// Refused with "not supported by the built-in notifier; use Alertmanager":
// inhibit_rules, templates, time_intervals/mute_time_intervals, a route's
// mute/active_time_intervals, receiver kinds other than webhook, slack, email
// and ntfy, and the Slack/email fields that need Go templates or attachments.
// Every other unknown key is an error naming its field, e.g.
// "receivers[0].webhook_configs[0].url: unsupported scheme \"ftp\" for URL".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "notifier/receiver_config.h"

namespace notifier {

// One node of the routing tree, with the fields a child does not set already
// inherited from its parent (as Alertmanager's dispatch.NewRoute does).
struct Route {
  std::string receiver;
  // Labels to group by; {"..."} groups by all labels (one group per alert).
  std::vector<std::string> group_by;
  int64_t group_wait_ms = 30'000;
  int64_t group_interval_ms = 5 * 60'000;
  int64_t repeat_interval_ms = 4 * 3'600'000;
  // From `match:` (=), `match_re:` (=~) and `matchers:`, sorted as
  // Alertmanager sorts them (name, value, type). Empty on the root.
  std::vector<model::Matcher> matchers;
  bool continue_matching = false;  // `continue`
  std::vector<Route> routes;

  bool GroupByAll() const { return group_by.size() == 1 && group_by[0] == "..."; }
  // True if every matcher matches (a missing label is "").
  bool Matches(const model::Labels& labels) const;
};

struct NotifierConfig {
  int64_t resolve_timeout_ms = 5 * 60'000;  // global.resolve_timeout
  // global.smtp_*: the defaults of email_configs (already applied to them).
  std::string smtp_from;
  std::string smtp_smarthost;
  std::string smtp_hello = "localhost";
  std::string smtp_auth_username;
  std::string smtp_auth_password;
  bool smtp_require_tls = true;
  std::string slack_api_url;  // default of slack_configs' api_url (applied)
  Route route;
  std::vector<ReceiverConfig> receivers;

  // nullptr if there is no receiver of that name.
  const ReceiverConfig* FindReceiver(std::string_view name) const;
};

// Parses alertmanager.yml text; relative file names (url_file, password_file,
// tls files) resolve against base_dir. Errors are InvalidArgument and name
// the field ("route.routes[1].group_wait: ...").
common::Result<NotifierConfig> ParseNotifierConfig(std::string_view yaml,
                                                   const std::string& base_dir);

// Alertmanager's `matchers:` syntax (pkg/labels ParseMatchers, the classic
// parser of 0.25): `a="b"`, `a=~"x|y"`, `a!=b` (quotes optional), several
// separated by commas, optionally in braces.
common::Result<std::vector<model::Matcher>> ParseAlertmanagerMatchers(std::string_view s);

// Alertmanager's Matchers.String(): {a="b",c=~"d"} with values escaped as
// OpenMetrics does (backslash, quote, newline), in the given order. Route
// keys and group keys are built from it.
std::string AlertmanagerMatchersString(const std::vector<model::Matcher>& matchers);

// Sorts matchers as Alertmanager's labels.Matchers (name, value, type).
void SortAlertmanagerMatchers(std::vector<model::Matcher>* matchers);

}  // namespace notifier
