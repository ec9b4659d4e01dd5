#include "common/process.h"

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string_view>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace common {

namespace {

// %Q: the message as a quoted, escaped string (valid in logfmt and JSON).
class QuotedMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    dest.push_back('"');
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"':
          Append(dest, "\\\"");
          break;
        case '\\':
          Append(dest, "\\\\");
          break;
        case '\n':
          Append(dest, "\\n");
          break;
        case '\t':
          Append(dest, "\\t");
          break;
        case '\r':
          Append(dest, "\\r");
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            snprintf(buf, sizeof(buf), "\\u%04x", c);
            Append(dest, buf);
          } else {
            dest.push_back(c);
          }
      }
    }
    dest.push_back('"');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<QuotedMessageFlag>();
  }

 private:
  static void Append(spdlog::memory_buf_t& dest, std::string_view s) {
    dest.append(s.data(), s.data() + s.size());
  }
};

}  // namespace

Status SetupLogging(const std::string& level, const std::string& format) {
  if (format != "text" && format != "logfmt" && format != "json") {
    return Status::InvalidArgument("unknown log format '" + format +
                                   "' (want text, logfmt or json)");
  }
  auto lvl = spdlog::level::from_str(level);
  // from_str maps unknown names to "off"; only accept "off" when asked for.
  if (lvl == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("unknown log level '" + level +
                                   "' (want trace, debug, info, warn, error or off)");
  }
  auto logger = spdlog::stderr_color_mt("main");
  spdlog::set_default_logger(logger);
  spdlog::set_level(lvl);
  if (format == "text") {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  } else {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<QuotedMessageFlag>('Q');
    formatter->set_pattern(format == "logfmt"
                               ? "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l msg=%Q"
                               : "{\"ts\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",\"msg\":%Q}");
    spdlog::set_formatter(std::move(formatter));
  }
  return Status::OK();
}

namespace {
sigset_t TerminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A peer closing a connection mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
}

int WaitForTermination(const std::function<void()>& on_hangup) {
  sigset_t set = TerminationSet();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      if (on_hangup) on_hangup();
      continue;
    }
    return sig;
  }
}

}  // namespace common
