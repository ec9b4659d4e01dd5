// The receivers of the built-in notifier: Alertmanager 0.25's receiver
// configuration subset (webhook_configs, slack_configs, email_configs) plus
// ntfy_configs (ntfy.sh or a self-hosted ntfy server; not in Alertmanager).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/http_client.h"

namespace notifier {

struct WebhookConfig {
  bool send_resolved = true;
  std::string url;  // or url_file
  std::string url_file;
  int max_alerts = 0;  // 0: all; more are counted in truncatedAlerts
  common::HttpClientConfig http;
};

// Slack incoming webhooks (and compatibles: Mattermost, Rocket.Chat).
struct SlackConfig {
  bool send_resolved = false;
  std::string api_url;  // or api_url_file; default global.slack_api_url
  std::string api_url_file;
  std::string channel;
  std::string username;
  // Plain text here (Alertmanager's Go templates are not applied): empty
  // means the built-in summary of the group.
  std::string title;
  std::string text;
  common::HttpClientConfig http;
};

struct EmailConfig {
  bool send_resolved = false;
  std::string to;  // comma-separated addresses
  std::string from;       // default global.smtp_from
  std::string smarthost;  // host:port, default global.smtp_smarthost
  std::string hello;      // default global.smtp_hello ("localhost")
  std::string auth_username, auth_password, auth_password_file;
  bool require_tls = true;  // default global.smtp_require_tls (STARTTLS)
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Subject
};

struct NtfyConfig {
  bool send_resolved = true;
  std::string url;  // server + topic, e.g. https://ntfy.sh/my-alerts
  std::string priority;  // min, low, default, high, urgent (default: high when firing)
  std::vector<std::string> tags;
  common::HttpClientConfig http;  // basic_auth / authorization (access tokens)
};

struct ReceiverConfig {
  std::string name;
  std::vector<WebhookConfig> webhook_configs;
  std::vector<SlackConfig> slack_configs;
  std::vector<EmailConfig> email_configs;
  std::vector<NtfyConfig> ntfy_configs;
};

}  // namespace notifier
