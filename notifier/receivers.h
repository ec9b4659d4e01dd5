// Delivery of one Notification to one integration of a receiver: the payload
// of each integration (pure functions, unit-tested field by field) and the
// senders (HTTP through common::HttpClient, email through libcurl's SMTP).
//
// Payloads follow Alertmanager 0.25: the webhook body is its version "4"
// message byte for byte (Go's encoding/json output: keys in struct order,
// maps sorted, '<' '>' '&' escaped, a trailing newline); slack and email use
// the summary of its default templates ("[FIRING:2] HighLoad (node)").
// Alertmanager's Go templates are not applied: configured titles and texts
// are sent as they are.
//
// Errors: Deliver's Status tells the outbox what to do with the notification:
//   OK                    delivered (or nothing to send: see send_resolved);
//   Unavailable           retry later: transport failures (refused, timeout,
//                         DNS), HTTP 5xx and 429, SMTP 4xx replies;
//   InvalidArgument       permanent: any other HTTP status (3xx, 4xx), SMTP
//                         5xx replies and refused authentication, a
//                         configuration that cannot work (no URL, unknown
//                         integration or index, require_tls without STARTTLS).
// A retryable Status whose message ends in "(retry after N s)" asks for no
// new attempt before N seconds (RetryAfterSeconds reads it; the Outbox
// honours it). No sender produces it yet: common::HttpClient does not expose
// response headers, so an HTTP Retry-After is not seen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "notifier/notification.h"
#include "notifier/receiver_config.h"

namespace notifier {

// The global section's fields that integrations fall back on when their own
// are empty (Alertmanager's global: smtp_*, slack_api_url[_file]).
// smtp_require_tls is not consulted: EmailConfig::require_tls has no "unset"
// state, so the config parser resolves it from the global (as Alertmanager's
// config loading does).
struct ReceiverGlobals {
  std::string smtp_from;
  std::string smtp_smarthost;  // host:port
  std::string smtp_hello = "localhost";
  std::string smtp_auth_username, smtp_auth_password, smtp_auth_password_file;
  bool smtp_require_tls = true;
  std::string slack_api_url, slack_api_url_file;
  // Each HTTP request or SMTP session gives up after this long (Unavailable).
  double timeout_seconds = 10;
};
using SmtpGlobals = ReceiverGlobals;

// Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros cut, in
// UTC): "2023-11-14T22:13:20.123Z", "2023-11-14T22:13:20Z"; 0 is Go's zero
// time "0001-01-01T00:00:00Z" (Alertmanager's endsAt of a firing alert).
std::string FormatGoTime(int64_t ms);

// The alerts an integration sends: without the resolved ones unless
// send_resolved, at most max_alerts (0: all). Status, common labels and
// common annotations are recomputed over what is left when alerts were cut,
// as Alertmanager computes its template data from the alerts it sends.
// Sets *truncated (if given) to the number cut by max_alerts.
Notification AlertsToSend(const Notification& n, bool send_resolved, int max_alerts = 0,
                          int* truncated = nullptr);

// Alertmanager 0.25's webhook body (version "4"): receiver, status, alerts
// (status, labels, annotations, startsAt, endsAt, generatorURL,
// fingerprint), groupLabels, commonLabels, commonAnnotations, externalURL,
// version, groupKey, truncatedAlerts. max_alerts: 0 sends all; more are
// counted in truncatedAlerts.
std::string WebhookPayload(const Notification& n, const std::string& receiver, int max_alerts);

// Alertmanager's default subject: "[FIRING:2] <group label values>
// (<other common label values>)" or "[RESOLVED] ..." (the trailing blank
// Alertmanager leaves when there is no parenthesis is trimmed).
std::string NotificationTitle(const Notification& n);

// The built-in text of a notification: per alert its name and summary, its
// description and its labels (slack mrkdwn when markdown, plain text
// otherwise); at most max_alerts alerts listed ("... and N more").
std::string NotificationText(const Notification& n, bool markdown, int max_alerts = 50);

// A Slack incoming-webhook body: channel and username when set, one
// attachment {title, title_link (external URL), text, fallback, color
// "danger" when firing / "good" when resolved, mrkdwn_in}. Empty title and
// text take NotificationTitle and NotificationText.
std::string SlackPayload(const Notification& n, const SlackConfig& c);

// An ntfy publish request: POST the body to the topic URL with these headers.
struct NtfyMessage {
  std::string body;  // one line per alert, at most 4096 bytes (ntfy's limit)
  std::vector<std::pair<std::string, std::string>> headers;  // Title, Priority, Tags
};
NtfyMessage NtfyRequest(const Notification& n, const NtfyConfig& c);

// An email: the envelope and the whole RFC 5322 message (CRLF line ends).
struct EmailMessage {
  std::string from;             // envelope sender (bare address)
  std::vector<std::string> to;  // envelope recipients (bare addresses)
  std::string data;             // headers, blank line, MIME body
};
// Headers From, To, Subject (NotificationTitle), Date, Message-Id,
// MIME-Version and a multipart/alternative body (text/plain and text/html,
// quoted-printable); configured headers replace those of the same name
// (case-insensitively) or are added. from/to fall back on the globals.
// now_ms: the Date header's time.
common::Result<EmailMessage> EmailRequest(const Notification& n, const EmailConfig& c,
                                          const ReceiverGlobals& g, int64_t now_ms);

// Sends to one integration. REQUIRES: nothing; thread-safe (each call uses
// its own connections).
common::Status SendWebhook(const Notification& n, const WebhookConfig& c, const ReceiverGlobals& g);
common::Status SendSlack(const Notification& n, const SlackConfig& c, const ReceiverGlobals& g);
common::Status SendNtfy(const Notification& n, const NtfyConfig& c, const ReceiverGlobals& g);
common::Status SendEmail(const Notification& n, const EmailConfig& c, const ReceiverGlobals& g);

// Picks r's config by n.integration ("webhook", "slack", "email", "ntfy")
// and n.integration_index, drops resolved alerts unless that config's
// send_resolved (OK without sending when nothing is left) and sends.
// Thread-safe.
common::Status Deliver(const Notification& n, const ReceiverConfig& r, const ReceiverGlobals& g);

// True if a delivery that failed with s is worth another attempt.
bool IsRetryable(const common::Status& s);
// The delay a failed delivery asked for ("(retry after N s)" at the end of
// its message), if any.
std::optional<int64_t> RetryAfterSeconds(const common::Status& s);

}  // namespace notifier
