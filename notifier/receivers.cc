#include "notifier/receivers.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace notifier {

using common::Status;
using ojson = nlohmann::ordered_json;

const char* AlertStatusString(AlertStatus s) {
  return s == AlertStatus::kFiring ? "firing" : "resolved";
}

const char* NotificationStatus(const Notification& n) {
  for (const NotifiedAlert& a : n.alerts) {
    if (a.status == AlertStatus::kFiring) return "firing";
  }
  return "resolved";
}

namespace {

bool IsFiring(const Notification& n) { return std::string_view(NotificationStatus(n)) == "firing"; }

size_t FiringCount(const Notification& n) {
  return static_cast<size_t>(std::count_if(n.alerts.begin(), n.alerts.end(), [](const auto& a) {
    return a.status == AlertStatus::kFiring;
  }));
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

// Annotations as a map: sorted by name, the last of repeated names wins
// (what decoding them into Go's map gives).
std::map<std::string, std::string> AnnotationMap(const Annotations& a) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : a) m[k] = v;
  return m;
}

std::string_view AnnotationValue(const Annotations& a, std::string_view name) {
  std::string_view v;
  for (const auto& [k, val] : a) {
    if (k == name) v = val;
  }
  return v;
}

// Go's encoding/json output from nlohmann's: '<', '>' and '&' as \u003c,
// \u003e, \u0026 (Go's HTML-safe default), U+2028/U+2029 escaped, \b and \f
// as \u0008 and \u000c. Only string contents hold these characters.
std::string GoJson(const ojson& j) {
  const std::string in = j.dump(-1, ' ', false, ojson::error_handler_t::replace);
  std::string out;
  out.reserve(in.size() + 16);
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '\\' && i + 1 < in.size()) {
      const char e = in[++i];
      if (e == 'b') {
        out += "\\u0008";
      } else if (e == 'f') {
        out += "\\u000c";
      } else {
        out += '\\';
        out += e;
      }
    } else if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < in.size() &&
               static_cast<unsigned char>(in[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(in[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(in[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(in[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  out += '\n';  // json.Encoder.Encode ends with a newline
  return out;
}

ojson LabelsJson(const model::Labels& l) {
  ojson o = ojson::object();
  for (const model::Label& x : l) o[x.name] = x.value;
  return o;
}

ojson AnnotationsJson(const Annotations& a) {
  ojson o = ojson::object();
  for (const auto& [k, v] : AnnotationMap(a)) o[k] = v;
  return o;
}

// The labels every alert has with the same value.
model::Labels CommonLabels(const std::vector<NotifiedAlert>& alerts) {
  if (alerts.empty()) return {};
  std::vector<model::Label> common = alerts[0].labels.items();
  for (size_t i = 1; i < alerts.size(); ++i) {
    std::erase_if(common,
                  [&](const model::Label& l) { return alerts[i].labels.Get(l.name) != l.value; });
  }
  return model::Labels::FromSortedUnchecked(std::move(common));
}

Annotations CommonAnnotations(const std::vector<NotifiedAlert>& alerts) {
  if (alerts.empty()) return {};
  std::map<std::string, std::string> common = AnnotationMap(alerts[0].annotations);
  for (size_t i = 1; i < alerts.size(); ++i) {
    const auto m = AnnotationMap(alerts[i].annotations);
    std::erase_if(common, [&](const auto& kv) {
      auto it = m.find(kv.first);
      return it == m.end() || it->second != kv.second;
    });
  }
  return Annotations(common.begin(), common.end());
}

// Reads a URL kept in a file (url_file, api_url_file), trimmed.
common::Result<std::string> ReadUrlFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Unavailable("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return Trim(ss.str());
}

// Replaces every occurrence of secret in s (URLs carry tokens: Slack's, a
// webhook's, an ntfy topic).
std::string Redact(std::string s, const std::string& secret) {
  if (secret.empty()) return s;
  for (size_t p = s.find(secret); p != std::string::npos; p = s.find(secret, p)) {
    s.replace(p, secret.size(), "<redacted>");
  }
  return s;
}

// POSTs and classifies the answer (receivers.h: Errors).
Status Post(const std::string& what, const std::string& url, const std::string& body,
            const std::string& content_type, const common::HttpClientConfig& http,
            const ReceiverGlobals& g, const common::HttpClient::Headers& headers,
            common::HttpClientResponse* response = nullptr) {
  if (url.empty()) return Status::InvalidArgument(what + ": no URL configured");
  common::HttpClient client;
  client.SetConfig(http);
  auto r = client.Post(url, body, content_type, g.timeout_seconds, headers);
  if (!r.ok()) return Status::Unavailable(what + ": " + Redact(r.status().message(), url));
  const int code = r->status;
  if (code >= 200 && code < 300) {
    if (response) *response = std::move(*r);
    return Status::OK();
  }
  std::string detail = Trim(r->body.substr(0, 256));
  std::string msg = what + ": HTTP " + std::to_string(code) + (detail.empty() ? "" : ": " + detail);
  if (code >= 500 || code == 429) {
    // Retry-After in seconds (the HTTP-date form is not used by the
    // services we talk to) becomes the outbox's least delay.
    const std::string& ra = r->retry_after;
    if (!ra.empty() && ra.size() < 9 &&
        std::all_of(ra.begin(), ra.end(), [](unsigned char ch) { return std::isdigit(ch); })) {
      msg += " (retry after " + ra + " s)";
    }
    return Status::Unavailable(msg);
  }
  return Status::InvalidArgument(msg);
}

// RFC 2047 "B" encoded words for a header value that is not plain ASCII;
// each word encodes whole UTF-8 characters.
std::string EncodeHeaderValue(const std::string& v) {
  bool ascii = std::all_of(v.begin(), v.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (ascii) return v;
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto b64 = [](std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); i += 3) {
      uint32_t n = static_cast<unsigned char>(in[i]) << 16;
      if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
      if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
      out += kB64[(n >> 18) & 63];
      out += kB64[(n >> 12) & 63];
      out += i + 1 < in.size() ? kB64[(n >> 6) & 63] : '=';
      out += i + 2 < in.size() ? kB64[n & 63] : '=';
    }
    return out;
  };
  std::string out;
  size_t i = 0;
  while (i < v.size()) {
    size_t end = std::min(v.size(), i + 45);
    // Do not split a UTF-8 sequence: back up to a lead byte.
    while (end < v.size() && end > i + 1 && (static_cast<unsigned char>(v[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + b64(std::string_view(v).substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

// A header value on one line (no header injection through labels).
std::string OneLine(std::string v) {
  std::replace_if(
      v.begin(), v.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return v;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// Cuts s to at most max bytes on a UTF-8 character boundary.
std::string CutUtf8(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s;
}

}  // namespace

std::string FormatGoTime(int64_t ms) {
  if (ms == 0) return "0001-01-01T00:00:00Z";
  int64_t secs = ms / 1000, frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (frac) {
    char f[8];
    std::snprintf(f, sizeof f, ".%03d", static_cast<int>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + "Z";
}

Notification AlertsToSend(const Notification& n, bool send_resolved, int max_alerts,
                          int* truncated) {
  Notification out = n;
  bool changed = false;
  if (!send_resolved) {
    size_t before = out.alerts.size();
    std::erase_if(out.alerts,
                  [](const NotifiedAlert& a) { return a.status != AlertStatus::kFiring; });
    changed = out.alerts.size() != before;
  }
  int cut = 0;
  if (max_alerts > 0 && out.alerts.size() > static_cast<size_t>(max_alerts)) {
    cut = static_cast<int>(out.alerts.size()) - max_alerts;
    out.alerts.resize(static_cast<size_t>(max_alerts));
    changed = true;
  }
  if (truncated) *truncated = cut;
  if (changed) {
    out.common_labels = CommonLabels(out.alerts);
    out.common_annotations = CommonAnnotations(out.alerts);
  }
  return out;
}

std::string WebhookPayload(const Notification& n, const std::string& receiver, int max_alerts) {
  int truncated = 0;
  const Notification s = AlertsToSend(n, /*send_resolved=*/true, max_alerts, &truncated);
  // Field order: template.Data's (embedded), then Message's own.
  ojson j = ojson::object();
  j["receiver"] = receiver;
  j["status"] = NotificationStatus(s);
  ojson alerts = ojson::array();
  for (const NotifiedAlert& a : s.alerts) {
    ojson x = ojson::object();
    x["status"] = AlertStatusString(a.status);
    x["labels"] = LabelsJson(a.labels);
    x["annotations"] = AnnotationsJson(a.annotations);
    x["startsAt"] = FormatGoTime(a.starts_at_ms);
    // Alertmanager hides the end of an alert that has not ended.
    x["endsAt"] = FormatGoTime(a.status == AlertStatus::kFiring ? 0 : a.ends_at_ms);
    x["generatorURL"] = a.generator_url;
    x["fingerprint"] = a.fingerprint;
    alerts.push_back(std::move(x));
  }
  j["alerts"] = std::move(alerts);
  j["groupLabels"] = LabelsJson(s.group_labels);
  j["commonLabels"] = LabelsJson(s.common_labels);
  j["commonAnnotations"] = AnnotationsJson(s.common_annotations);
  j["externalURL"] = s.external_url;
  j["version"] = "4";
  j["groupKey"] = s.group_key;
  j["truncatedAlerts"] = truncated;
  return GoJson(j);
}

std::string NotificationTitle(const Notification& n) {
  std::string t = IsFiring(n) ? "[FIRING:" + std::to_string(FiringCount(n)) + "]" : "[RESOLVED]";
  std::vector<std::string> group, rest;
  for (const model::Label& l : n.group_labels) group.push_back(l.value);
  for (const model::Label& l : n.common_labels) {
    if (!n.group_labels.Has(l.name)) rest.push_back(l.value);
  }
  t += " " + Join(group, " ");
  if (n.common_labels.size() > n.group_labels.size() && !rest.empty()) {
    t += " (" + Join(rest, " ") + ")";
  }
  return OneLine(Trim(t));
}

std::string NotificationText(const Notification& n, bool markdown, int max_alerts) {
  std::string out;
  int listed = 0;
  for (const NotifiedAlert& a : n.alerts) {
    if (max_alerts > 0 && listed == max_alerts) {
      out += "... and " + std::to_string(n.alerts.size() - static_cast<size_t>(listed)) + " more\n";
      break;
    }
    ++listed;
    const std::string name(a.labels.Get("alertname"));
    const std::string_view summary = AnnotationValue(a.annotations, "summary");
    const std::string_view description = AnnotationValue(a.annotations, "description");
    const std::string status = a.status == AlertStatus::kFiring ? "FIRING" : "RESOLVED";
    if (markdown) {
      out += "*[" + status + "] " + (name.empty() ? std::string("alert") : name) + "*";
    } else {
      out += "[" + status + "] " + (name.empty() ? std::string("alert") : name);
    }
    if (!summary.empty()) out += " - " + std::string(summary);
    out += "\n";
    if (!description.empty()) out += std::string(description) + "\n";
    std::vector<std::string> labels;
    for (const model::Label& l : a.labels) {
      if (l.name == "alertname") continue;
      labels.push_back(markdown ? "`" + l.name + "=" + l.value + "`" : l.name + "=" + l.value);
    }
    if (!labels.empty()) out += (markdown ? "*Labels:* " : "Labels: ") + Join(labels, " ") + "\n";
    if (!a.generator_url.empty()) {
      out += markdown ? "<" + a.generator_url + "|Source>\n" : "Source: " + a.generator_url + "\n";
    }
  }
  return out;
}

std::string SlackPayload(const Notification& n, const SlackConfig& c) {
  const std::string title = c.title.empty() ? NotificationTitle(n) : c.title;
  const std::string text = c.text.empty() ? NotificationText(n, /*markdown=*/true) : c.text;
  ojson att = ojson::object();
  att["title"] = title;
  if (!n.external_url.empty()) att["title_link"] = n.external_url;
  att["text"] = text;
  att["fallback"] = title + (n.external_url.empty() ? "" : " | " + n.external_url);
  att["callback_id"] = "";
  att["footer"] = "";
  att["color"] = IsFiring(n) ? "danger" : "good";
  att["mrkdwn_in"] = ojson::array({"fallback", "pretext", "text"});
  ojson j = ojson::object();
  if (!c.channel.empty()) j["channel"] = c.channel;
  if (!c.username.empty()) j["username"] = c.username;
  j["attachments"] = ojson::array({att});
  return GoJson(j);
}

NtfyMessage NtfyRequest(const Notification& n, const NtfyConfig& c) {
  NtfyMessage m;
  const bool firing = IsFiring(n);
  std::string body;
  constexpr size_t kMaxBody = 4096;  // larger messages become attachments
  for (size_t i = 0; i < n.alerts.size(); ++i) {
    const NotifiedAlert& a = n.alerts[i];
    std::string line = a.status == AlertStatus::kFiring ? "[FIRING] " : "[RESOLVED] ";
    const std::string_view summary = AnnotationValue(a.annotations, "summary");
    if (!summary.empty()) {
      line += OneLine(std::string(summary));
    } else {
      line += std::string(a.labels.Get("alertname"));
      std::vector<std::string> labels;
      for (const model::Label& l : a.labels) {
        if (l.name != "alertname") labels.push_back(l.name + "=" + l.value);
      }
      if (!labels.empty()) line += " (" + Join(labels, ", ") + ")";
    }
    line += "\n";
    const std::string more = "... and " + std::to_string(n.alerts.size() - i) + " more\n";
    if (body.size() + line.size() + (i + 1 < n.alerts.size() ? more.size() : 0) > kMaxBody) {
      body += body.size() + more.size() <= kMaxBody ? more : "";
      if (body.empty()) body = CutUtf8(line, kMaxBody);
      break;
    }
    body += line;
  }
  if (!body.empty() && body.back() == '\n') body.pop_back();
  m.body = std::move(body);
  m.headers.emplace_back("Title", EncodeHeaderValue(NotificationTitle(n)));
  m.headers.emplace_back("Priority",
                         !c.priority.empty() ? c.priority : (firing ? "high" : "default"));
  std::vector<std::string> tags = c.tags;
  tags.push_back(firing ? "rotating_light" : "white_check_mark");
  m.headers.emplace_back("Tags", OneLine(Join(tags, ",")));
  return m;
}

// --- email ---

namespace {

// The bare address of "Name <a@b>" or "a@b".
std::string BareAddress(std::string_view s) {
  size_t lt = s.rfind('<'), gt = s.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
    return Trim(s.substr(lt + 1, gt - lt - 1));
  }
  return Trim(s);
}

// Splits an address list on commas outside quotes and angle brackets.
std::vector<std::string> SplitAddresses(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  int angle = 0;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '<') ++angle;
    if (!quoted && c == '>' && angle > 0) --angle;
    if (c == ',' && !quoted && angle == 0) {
      if (!Trim(cur).empty()) out.push_back(Trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!Trim(cur).empty()) out.push_back(Trim(cur));
  return out;
}

// Quoted-printable (RFC 2045) with CRLF line ends.
std::string QuotedPrintable(std::string_view in) {
  std::string out, line;
  auto flush_line = [&](bool hard) {
    // Trailing white space must be encoded.
    if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
      char c = line.back();
      line.pop_back();
      line += c == ' ' ? "=20" : "=09";
    }
    out += line;
    out += hard ? "\r\n" : "=\r\n";
    line.clear();
  };
  static const char* kHex = "0123456789ABCDEF";
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '\n') {
      flush_line(true);
      continue;
    }
    if (c == '\r' && i + 1 < in.size() && in[i + 1] == '\n') continue;
    std::string enc;
    if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
      enc = std::string(1, static_cast<char>(c));
    } else {
      enc = {'=', kHex[c >> 4], kHex[c & 15]};
    }
    if (line.size() + enc.size() > 75) flush_line(false);
    line += enc;
  }
  if (!line.empty()) flush_line(true);
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EmailHtml(const Notification& n, const std::string& title) {
  std::string h = "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>" +
                  HtmlEscape(title) + "</title></head>\n<body>\n<h2>" + HtmlEscape(title) +
                  "</h2>\n";
  if (!n.external_url.empty()) {
    h += "<p><a href=\"" + HtmlEscape(n.external_url) + "\">" + HtmlEscape(n.external_url) +
         "</a></p>\n";
  }
  for (AlertStatus st : {AlertStatus::kFiring, AlertStatus::kResolved}) {
    size_t count = static_cast<size_t>(std::count_if(
        n.alerts.begin(), n.alerts.end(), [&](const auto& a) { return a.status == st; }));
    if (count == 0) continue;
    h += "<h3>[" + std::to_string(count) + "] " +
         (st == AlertStatus::kFiring ? "Firing" : "Resolved") + "</h3>\n";
    for (const NotifiedAlert& a : n.alerts) {
      if (a.status != st) continue;
      h += "<p><strong>Labels</strong><br>\n";
      for (const model::Label& l : a.labels) {
        h += HtmlEscape(l.name) + " = " + HtmlEscape(l.value) + "<br>\n";
      }
      if (!a.annotations.empty()) h += "<strong>Annotations</strong><br>\n";
      for (const auto& [k, v] : AnnotationMap(a.annotations)) {
        h += HtmlEscape(k) + " = " + HtmlEscape(v) + "<br>\n";
      }
      if (!a.generator_url.empty()) {
        h += "<a href=\"" + HtmlEscape(a.generator_url) + "\">Source</a><br>\n";
      }
      h += "</p>\n";
    }
  }
  return h + "</body></html>\n";
}

std::string RfcDate(int64_t now_ms) {
  time_t t = static_cast<time_t>(now_ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

uint64_t RandomU64() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  return rng();
}

std::string Hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

bool EqualFold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct ReadState {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadBody(char* buf, size_t size, size_t nitems, void* userdata) {
  auto* s = static_cast<ReadState*>(userdata);
  size_t n = std::min(size * nitems, s->data->size() - s->pos);
  std::memcpy(buf, s->data->data() + s->pos, n);
  s->pos += n;
  return n;
}

size_t DiscardBody(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

}  // namespace

common::Result<EmailMessage> EmailRequest(const Notification& n, const EmailConfig& c,
                                          const ReceiverGlobals& g, int64_t now_ms) {
  EmailMessage m;
  const std::string from = c.from.empty() ? g.smtp_from : c.from;
  if (from.empty()) return Status::InvalidArgument("email: no from address (from, smtp_from)");
  if (Trim(c.to).empty()) return Status::InvalidArgument("email: no to address");
  m.from = BareAddress(from);
  for (const std::string& a : SplitAddresses(c.to)) m.to.push_back(BareAddress(a));
  if (m.to.empty()) return Status::InvalidArgument("email: no to address");

  const std::string title = NotificationTitle(n);
  // Default headers, then the configured ones replace or add (by name,
  // case-insensitively).
  std::vector<std::pair<std::string, std::string>> headers = {
      {"From", from}, {"To", c.to}, {"Subject", title}};
  for (const auto& configured : c.headers) {
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const auto& h) { return EqualFold(h.first, configured.first); });
    if (it != headers.end()) {
      it->second = configured.second;
    } else {
      headers.push_back(configured);
    }
  }
  auto has = [&](std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return EqualFold(h.first, name); });
  };
  if (!has("Date")) headers.emplace_back("Date", RfcDate(now_ms));
  if (!has("Message-Id")) {
    headers.emplace_back("Message-Id", "<" + std::to_string(now_ms) + "." +
                                           std::to_string(RandomU64()) + "@" + Hostname() + ">");
  }
  headers.emplace_back("MIME-Version", "1.0");
  const std::string boundary = "=_ms_" + std::to_string(RandomU64());
  headers.emplace_back("Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");

  std::string d;
  for (const auto& [k, v] : headers)
    d += OneLine(k) + ": " + EncodeHeaderValue(OneLine(v)) + "\r\n";
  d += "\r\n";
  auto part = [&](const std::string& type, const std::string& body) {
    d += "--" + boundary + "\r\n";
    d += "Content-Type: " + type + "; charset=UTF-8\r\n";
    d += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    d += QuotedPrintable(body);
  };
  std::string text = title + "\n\n" + NotificationText(n, /*markdown=*/false, /*max_alerts=*/0);
  if (!n.external_url.empty()) text += "\n" + n.external_url + "\n";
  part("text/plain", text);
  part("text/html", EmailHtml(n, title));
  d += "--" + boundary + "--\r\n";
  m.data = std::move(d);
  return m;
}

Status SendWebhook(const Notification& n, const WebhookConfig& c, const ReceiverGlobals& g) {
  std::string url = c.url;
  if (url.empty() && !c.url_file.empty()) {
    auto u = ReadUrlFile(c.url_file);
    if (!u.ok()) return u.status().WithContext("webhook");
    url = *u;
  }
  return Post("webhook", url, WebhookPayload(n, n.receiver, c.max_alerts), "application/json",
              c.http, g, {});
}

Status SendSlack(const Notification& n, const SlackConfig& c, const ReceiverGlobals& g) {
  std::string url = c.api_url;
  std::string file = c.api_url_file;
  if (url.empty() && file.empty()) {
    url = g.slack_api_url;
    file = g.slack_api_url_file;
  }
  if (url.empty() && !file.empty()) {
    auto u = ReadUrlFile(file);
    if (!u.ok()) return u.status().WithContext("slack");
    url = *u;
  }
  common::HttpClientResponse resp;
  Status s = Post("slack", url, SlackPayload(n, c), "application/json", c.http, g, {}, &resp);
  if (!s.ok()) return s;
  // Slack's web API answers some errors with 200 and {"ok": false, ...}.
  if (resp.content_type.rfind("application/json", 0) == 0) {
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    if (j.is_object() && j.contains("ok") && j["ok"].is_boolean() && !j["ok"].get<bool>()) {
      std::string err = j.contains("error") && j["error"].is_string()
                            ? j["error"].get<std::string>()
                            : resp.body.substr(0, 256);
      return Status::InvalidArgument("slack: error response: " + err);
    }
  }
  return Status::OK();
}

Status SendNtfy(const Notification& n, const NtfyConfig& c, const ReceiverGlobals& g) {
  NtfyMessage m = NtfyRequest(n, c);
  return Post("ntfy", c.url, m.body, "text/plain; charset=utf-8", c.http, g, m.headers);
}

Status SendEmail(const Notification& n, const EmailConfig& c, const ReceiverGlobals& g) {
  auto msg = EmailRequest(n, c, g, common::NowMs());
  if (!msg.ok()) return msg.status();
  const std::string smarthost = c.smarthost.empty() ? g.smtp_smarthost : c.smarthost;
  if (smarthost.empty()) return Status::InvalidArgument("email: no smarthost (smtp_smarthost)");
  const std::string hello = !c.hello.empty()        ? c.hello
                            : !g.smtp_hello.empty() ? g.smtp_hello
                                                    : "localhost";
  std::string username = c.auth_username, password = c.auth_password,
              password_file = c.auth_password_file;
  if (username.empty()) {
    username = g.smtp_auth_username;
    password = g.smtp_auth_password;
    password_file = g.smtp_auth_password_file;
  }
  if (!username.empty() && !password_file.empty()) {
    auto p = ReadUrlFile(password_file);
    if (!p.ok()) return p.status().WithContext("email");
    password = *p;
  }
  // Port 465 is SMTP over TLS from the first byte (as Alertmanager does);
  // others speak plain SMTP, upgraded with STARTTLS when require_tls.
  const size_t colon = smarthost.rfind(':');
  const std::string port = colon == std::string::npos ? "" : smarthost.substr(colon + 1);
  if (port.empty())
    return Status::InvalidArgument("email: smarthost needs host:port: " + smarthost);
  const std::string url = (port == "465" ? "smtps://" : "smtp://") + smarthost + "/" + hello;

  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (!curl) return Status::Unavailable("email: curl_easy_init failed");
  curl_slist* rcpt = nullptr;
  for (const std::string& to : msg->to) rcpt = curl_slist_append(rcpt, ("<" + to + ">").c_str());
  ReadState rs{&msg->data, 0};
  const std::string mail_from = "<" + msg->from + ">";
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(g.timeout_seconds * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(g.timeout_seconds, 5.0) * 1000));
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   static_cast<long>(c.require_tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadBody);
  curl_easy_setopt(curl, CURLOPT_READDATA, &rs);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(msg->data.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &DiscardBody);
  if (!username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl);
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc == CURLE_OK) return Status::OK();
  std::string what = "email via " + smarthost + ": " + curl_easy_strerror(rc);
  if (reply > 0) what += " (SMTP " + std::to_string(reply) + ")";
  if (rc == CURLE_USE_SSL_FAILED) {
    return Status::InvalidArgument(what + ": require_tls is set but the server offers no STARTTLS");
  }
  if (rc == CURLE_LOGIN_DENIED || rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ||
      (reply >= 500 && reply < 600)) {
    return Status::InvalidArgument(what);
  }
  return Status::Unavailable(what);
}

Status Deliver(const Notification& n, const ReceiverConfig& r, const ReceiverGlobals& g) {
  const std::string where =
      "receiver " + r.name + ", " + n.integration + "[" + std::to_string(n.integration_index) + "]";
  auto pick = [&](const auto& configs) -> decltype(&configs[0]) {
    if (n.integration_index < 0 || static_cast<size_t>(n.integration_index) >= configs.size()) {
      return nullptr;
    }
    return &configs[static_cast<size_t>(n.integration_index)];
  };
  auto send = [&](const auto* c, auto fn) -> Status {
    if (!c) return Status::InvalidArgument(where + ": no such integration");
    Notification s = AlertsToSend(n, c->send_resolved);
    if (s.alerts.empty()) return Status::OK();  // only resolved alerts, not sent
    Status st = fn(s, *c, g);
    return st.ok() ? st : st.WithContext(where);
  };
  if (n.integration == "webhook") return send(pick(r.webhook_configs), &SendWebhook);
  if (n.integration == "slack") return send(pick(r.slack_configs), &SendSlack);
  if (n.integration == "email") return send(pick(r.email_configs), &SendEmail);
  if (n.integration == "ntfy") return send(pick(r.ntfy_configs), &SendNtfy);
  return Status::InvalidArgument(where + ": unknown integration");
}

bool IsRetryable(const Status& s) {
  return s.IsUnavailable() || s.IsIOError() || s.IsResourceExhausted();
}

std::optional<int64_t> RetryAfterSeconds(const Status& s) {
  const std::string& m = s.message();
  static const std::string kTag = "(retry after ";
  size_t p = m.rfind(kTag);
  if (p == std::string::npos) return std::nullopt;
  size_t i = p + kTag.size();
  int64_t v = 0;
  bool digits = false;
  while (i < m.size() && std::isdigit(static_cast<unsigned char>(m[i]))) {
    v = v * 10 + (m[i] - '0');
    digits = true;
    ++i;
    if (v > 86400 * 365) return std::nullopt;
  }
  if (!digits || m.compare(i, 3, " s)") != 0) return std::nullopt;
  return v;
}

}  // namespace notifier
