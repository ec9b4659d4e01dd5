#include "exporter/forwarder/forwarder.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "common/text_parser.h"

namespace forwarder {

namespace {
// A spooled reading is "<content type>\n<body>".
std::string Envelope(const std::string& content_type, const std::string& body) {
  return content_type + "\n" + body;
}
}  // namespace

common::Result<std::string> StampTextWithTimestamp(const std::string& text, int64_t ts_ms) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  std::string_view rest = text;
  int64_t line_no = 0;
  std::string stamp = " " + std::to_string(ts_ms);
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line_no;
    common::TextParser p(line, line_no);
    auto e = p.Next();
    if (e == common::TextParser::Entry::kError) return p.status();
    out.append(line);
    if (e == common::TextParser::Entry::kSample && !p.timestamp_ms()) {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\r')) out.pop_back();
      out += stamp;
    }
    out += '\n';
  }
  return out;
}

common::Result<std::unique_ptr<Forwarder>> Forwarder::Create(const Options& options) {
  if (options.interval_seconds <= 0) {
    return common::Status::InvalidArgument("interval must be positive");
  }
  auto spool = Spool::Open(options.spool);
  if (!spool.ok()) return spool.status();
  if (!spool->empty()) {
    spdlog::info("spool {} holds {} readings from an earlier run; they will be sent first",
                 options.spool.dir, spool->size());
  }
  return std::unique_ptr<Forwarder>(new Forwarder(options, std::move(spool).value()));
}

common::Status Forwarder::Poll() {
  int64_t ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  auto r = source_client_.Get(options_.source_url, options_.timeout_seconds);
  auto fail = [this](common::Status s) {
    common::MutexLock lock(&mu_);
    ++stats_.poll_errors;
    return s;
  };
  if (!r.ok()) return fail(r.status());
  if (r->status != 200) {
    return fail(common::Status::Unavailable("source answered HTTP " + std::to_string(r->status)));
  }
  std::string content_type = r->content_type.empty() ? "application/json" : r->content_type;
  std::string body = std::move(r->body);
  if (content_type.starts_with("text/plain")) {
    // Exposition text has no timestamps: pin every sample to the reading's time
    // so a reading replayed after an outage lands where it was taken.
    auto stamped = StampTextWithTimestamp(body, ts_ms);
    if (!stamped.ok()) return fail(stamped.status().WithContext("source sent bad text"));
    body = std::move(stamped).value();
  }
  if (auto s = spool_.Append(Envelope(content_type, body)); !s.ok()) return fail(s);
  common::MutexLock lock(&mu_);
  ++stats_.polled;
  return common::Status::OK();
}

common::Status Forwarder::Drain() {
  common::HttpClient::Headers headers;
  if (!options_.token.empty()) headers.emplace_back("Authorization", "Bearer " + options_.token);
  while (auto entry = spool_.Front()) {
    auto data = spool_.Read(*entry);
    if (!data.ok()) {
      spdlog::error("dropping unreadable spooled reading: {}", data.status().ToString());
      if (auto s = spool_.PopFront(); !s.ok()) return s;
      continue;
    }
    size_t nl = data->find('\n');
    std::string content_type = nl == std::string::npos ? "application/json" : data->substr(0, nl);
    std::string body = nl == std::string::npos ? *data : data->substr(nl + 1);
    auto r = target_client_.Post(options_.target_url, body, content_type, options_.timeout_seconds,
                                 headers);
    common::MutexLock lock(&mu_);
    if (!r.ok() || r->status >= 500) {
      ++stats_.push_failures;
      return common::Status::Unavailable(
          r.ok() ? "server answered HTTP " + std::to_string(r->status) : r.status().message());
    }
    if (r->status >= 400) {
      ++stats_.rejected;
      spdlog::error("server rejected reading {} with HTTP {}: {} (dropped, not retried)",
                    entry->seq, r->status, r->body.substr(0, 500));
    } else {
      ++stats_.pushed;
    }
    if (auto s = spool_.PopFront(); !s.ok()) return s;
  }
  return common::Status::OK();
}

void Forwarder::Run() {
  using Clock = std::chrono::steady_clock;
  auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.interval_seconds));
  auto next_poll = Clock::now();
  double backoff = 1.0;
  bool server_down = false;
  for (;;) {
    auto now = Clock::now();
    if (now >= next_poll) {
      if (auto s = Poll(); !s.ok()) spdlog::warn("poll {}: {}", options_.source_url, s.message());
      // Fixed schedule: readings stay evenly spaced whatever a push costs.
      while (next_poll <= now) next_poll += interval;
    }
    auto s = Drain();
    auto wake = next_poll;
    if (!s.ok()) {
      if (!server_down) {
        spdlog::warn("push to {} failed ({}); spooling readings and retrying with backoff",
                     options_.target_url, s.message());
      }
      server_down = true;
      wake = std::min(next_poll, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                    std::chrono::duration<double>(backoff)));
      backoff = std::min(backoff * 2, options_.max_backoff_seconds);
    } else {
      if (server_down) spdlog::info("server is back; spool drained");
      server_down = false;
      backoff = 1.0;
    }
    common::MutexLock lock(&mu_);
    while (!stop_ && Clock::now() < wake) cv_.WaitUntil(&mu_, wake);
    if (stop_) return;
  }
}

void Forwarder::Stop() {
  common::MutexLock lock(&mu_);
  stop_ = true;
  cv_.SignalAll();
}

Stats Forwarder::stats() const {
  common::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace forwarder
