#include "common/http_server.h"

#include "common/stack_pool.h"
#include "common/web_guard.h"

#include <civetweb.h>
#include <strings.h>

#include <algorithm>
#include <mutex>

#include <spdlog/spdlog.h>

namespace common {

HttpRequest::HttpRequest(mg_connection* conn, ClientWatcher* watcher)
    : conn_(conn), watcher_(watcher) {
  const mg_request_info* ri = mg_get_request_info(conn);
  method_ = ri->request_method ? ri->request_method : "";
  path_ = ri->local_uri ? ri->local_uri : "";
  query_ = ri->query_string ? ri->query_string : "";
  remote_addr_ = ri->remote_addr;
  content_length_ = ri->content_length;
  std::string_view expect = Header("Expect");
  awaiting_continue_ = expect.size() == 12 && strncasecmp(expect.data(), "100-continue", 12) == 0 &&
                       ri->http_version != nullptr && std::string_view(ri->http_version) == "1.1";
}

HttpRequest::~HttpRequest() {
  if (watch_ != nullptr && watcher_ != nullptr) watcher_->Remove(watch_.get());
}

const std::atomic<bool>* HttpRequest::ClientGone() {
  if (watch_ == nullptr) {
    const mg_request_info* ri = mg_get_request_info(conn_);
    watch_ =
        std::make_unique<ClientWatcher::Watch>(ri->remote_addr, ri->remote_port, ri->server_port);
    if (watcher_ != nullptr) watcher_->Add(watch_.get());
  }
  return &watch_->gone;
}

std::string_view HttpRequest::Header(std::string_view name) const {
  const mg_request_info* ri = mg_get_request_info(conn_);
  for (int i = 0; i < ri->num_headers; ++i) {
    std::string_view n = ri->http_headers[i].name;
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) {
      return ri->http_headers[i].value;
    }
  }
  return {};
}

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseUrlEncoded(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!s.empty()) {
    size_t amp = s.find('&');
    std::string_view part = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(UrlDecode(part, true), "");
    } else {
      out.emplace_back(UrlDecode(part.substr(0, eq), true), UrlDecode(part.substr(eq + 1), true));
    }
  }
  return out;
}

std::vector<std::string> HttpRequest::QueryParams(std::string_view name) const {
  std::vector<std::string> out;
  for (auto& [k, v] : ParseUrlEncoded(query_)) {
    if (k == name) out.push_back(std::move(v));
  }
  return out;
}

std::string HttpRequest::QueryParam(std::string_view name) const {
  auto all = QueryParams(name);
  return all.empty() ? std::string() : std::move(all.front());
}

long HttpRequest::ReadBody(char* buf, size_t n) {
  if (awaiting_continue_) {
    awaiting_continue_ = false;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    if (mg_write(conn_, kContinue.data(), kContinue.size()) <= 0) return -1;
  }
  return mg_read(conn_, buf, n);
}

bool HttpRequest::DiscardBody(size_t max_bytes) {
  if (awaiting_continue_) return false;
  char sink[16384];
  size_t total = 0;
  for (;;) {
    long n = ReadBody(sink, sizeof(sink));
    if (n == 0) return true;
    if (n < 0) return false;
    total += static_cast<size_t>(n);
    if (total > max_bytes) return false;
  }
}

Result<std::string> HttpRequest::ReadAll(size_t max_bytes) {
  if (content_length_ > 0 && static_cast<unsigned long long>(content_length_) > max_bytes) {
    return Status::TooLarge("request body of " + std::to_string(content_length_) +
                            " bytes exceeds the limit of " + std::to_string(max_bytes) + " bytes");
  }
  std::string body;
  if (content_length_ > 0) body.reserve(static_cast<size_t>(content_length_));
  char buf[16384];
  for (;;) {
    long n = ReadBody(buf, sizeof(buf));
    if (n < 0) return Status::IOError("error reading request body");
    if (n == 0) break;
    body.append(buf, static_cast<size_t>(n));
    if (body.size() > max_bytes) {
      return Status::TooLarge("request body exceeds the limit of " + std::to_string(max_bytes) +
                              " bytes");
    }
  }
  return body;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::FromStatus(const Status& s) {
  int code = 500;
  switch (s.code()) {
    case Status::Code::kOk:
      code = 200;
      break;
    case Status::Code::kInvalidArgument:
    case Status::Code::kCorruption:
      code = 400;
      break;
    case Status::Code::kNotFound:
      code = 404;
      break;
    case Status::Code::kResourceExhausted:
      code = 429;
      break;
    case Status::Code::kTooLarge:
      code = 413;
      break;
    case Status::Code::kUnavailable:
    case Status::Code::kIOError:
      code = 503;
      break;
    case Status::Code::kInternal:
      code = 500;
      break;
  }
  return Text(code, s.message() + "\n");
}

// Bodies up to this size are sent in the same write as the response head.
constexpr size_t kCoalesceBytes = 64 << 10;
// Unread request bodies up to this size are read and dropped after the
// handler so the connection can be kept alive.
constexpr size_t kDrainBytes = 1 << 20;

struct HttpServer::Impl {
  struct Route {
    std::string path;
    bool prefix;
    Handler handler;
  };
  std::vector<Route> routes;
  mg_context* ctx = nullptr;
  std::mutex mu;                    // guards ctx across Stop() calls
  std::unique_ptr<StackPool> pool;  // set by Start when handler_stack_bytes > 0
  ClientWatcher watcher;            // for HttpRequest::ClientGone
  std::unique_ptr<WebGuard> guard;  // set by Start with a web config file
  std::vector<std::string> auth_exempt_paths;

  const Route* Match(std::string_view path) const {
    const Route* best = nullptr;
    for (const Route& r : routes) {
      bool hit = r.prefix ? path.substr(0, r.path.size()) == r.path : path == r.path;
      if (hit && (!best || r.path.size() > best->path.size())) best = &r;
    }
    return best;
  }

  static int Dispatch(mg_connection* conn, void* cbdata) {
    auto* self = static_cast<Impl*>(cbdata);
    HttpRequest req(conn, &self->watcher);
    HttpResponse resp;
    const Route* route = self->Match(req.path());
    const bool exempt = std::find(self->auth_exempt_paths.begin(), self->auth_exempt_paths.end(),
                                  req.path()) != self->auth_exempt_paths.end();
    std::string user;
    if (self->guard && !exempt && !self->guard->Authorize(req.Header("Authorization"), &user)) {
      resp = HttpResponse::Text(401, "Unauthorized\n");
      resp.headers.emplace_back("WWW-Authenticate", "Basic");
    } else if (!route) {
      resp = HttpResponse::Text(404, "404 page not found\n");
    } else {
      req.set_user(std::move(user));
      auto run = [&] {
        try {
          resp = route->handler(req);
        } catch (const std::exception& e) {
          spdlog::error("handler for {} threw: {}", req.path(), e.what());
          resp = HttpResponse::Text(500, std::string("internal error: ") + e.what() + "\n");
        }
      };
      if (self->pool) {
        self->pool->Run(run);
      } else {
        run();
      }
    }
    // Drain a small unread body so a keep-alive connection stays in sync;
    // otherwise close it (civetweb does not keep a connection whose body
    // was not read to its end), rather than read megabytes nobody wants or
    // ask a client that waits for "100 Continue" to send them.
    if (!req.DiscardBody(kDrainBytes)) resp.headers.emplace_back("Connection", "close");
    if (self->guard) {
      for (auto& h : self->guard->Headers()) resp.headers.push_back(std::move(h));
    }
    std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                       mg_get_response_code_text(conn, resp.status) + "\r\n";
    head += "Content-Type: " + resp.content_type + "\r\n";
    for (auto& [k, v] : resp.headers) head += k + ": " + v + "\r\n";
    const bool head_only = req.method() == "HEAD";
    if (resp.stream) {
      const mg_request_info* info = mg_get_request_info(conn);
      const bool http11 = info != nullptr && info->http_version != nullptr &&
                          std::string_view(info->http_version) != "1.0";
      if (!http11 || head_only) {
        // HTTP/1.0 has no chunked encoding: collect the body and send it whole.
        std::string body;
        resp.stream([&body](std::string_view piece) {
          body.append(piece);
          return true;
        });
        resp.body = std::move(body);
      } else {
        head += "Transfer-Encoding: chunked\r\n\r\n";
        if (mg_write(conn, head.data(), head.size()) <= 0) return resp.status;
        const bool complete = resp.stream([conn](std::string_view piece) {
          return piece.empty() ||
                 mg_send_chunk(conn, piece.data(), static_cast<unsigned>(piece.size())) > 0;
        });
        // Without the terminating chunk the client sees a truncated body
        // rather than a complete-looking one.
        if (complete) mg_write(conn, "0\r\n\r\n", 5);
        return resp.status;
      }
    }
    head += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
    head += "\r\n";
    // Small bodies go out in the same write as the head (one segment, no
    // Nagle/delayed-ACK stall even where TCP_NODELAY is off); large ones are
    // written separately rather than copied (query results reach 100+ MB).
    bool send_body = !head_only && !resp.body.empty();
    if (send_body && resp.body.size() <= kCoalesceBytes) {
      head += resp.body;
      send_body = false;
    }
    mg_write(conn, head.data(), head.size());
    if (send_body) mg_write(conn, resp.body.data(), resp.body.size());
    return resp.status;
  }
};

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {}
HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string path, Handler handler) {
  impl_->routes.push_back({std::move(path), false, std::move(handler)});
}
void HttpServer::HandlePrefix(std::string prefix, Handler handler) {
  impl_->routes.push_back({std::move(prefix), true, std::move(handler)});
}

Status HttpServer::Start(const Options& options) {
  static std::once_flag init_once;
  std::call_once(init_once, [] { mg_init_library(0); });
  std::string host = options.host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  if (!options.web_config_file.empty() && !impl_->guard) {
    auto guard = WebGuard::Open(options.web_config_file);
    if (!guard.ok()) return guard.status();
    impl_->guard = std::move(*guard);
  }
  impl_->auth_exempt_paths = options.auth_exempt_paths;
  const bool tls = impl_->guard && impl_->guard->tls();
  std::string listen = host + ":" + std::to_string(options.port) + (tls ? "s" : "");
  std::string threads = std::to_string(std::max(1, options.threads));
  std::string timeout = std::to_string(options.request_timeout_ms);
  const char* opts[] = {"listening_ports",
                        listen.c_str(),
                        "num_threads",
                        threads.c_str(),
                        "request_timeout_ms",
                        timeout.c_str(),
                        "enable_keep_alive",
                        "yes",
                        "keep_alive_timeout_ms",
                        "60000",
                        "tcp_nodelay",
                        "1",
                        nullptr};
  if (options.handler_stack_bytes > 0 && !impl_->pool) {
    impl_->pool =
        std::make_unique<StackPool>(std::max(1, options.threads), options.handler_stack_bytes);
  }
  mg_callbacks callbacks{};
  // civetweb logs bind failures through this callback; keep them in our log.
  callbacks.log_message = [](const mg_connection*, const char* msg) {
    spdlog::debug("civetweb: {}", msg);
    return 1;
  };
  // TLS: the guard makes the SSL_CTX, and each handshake takes its current
  // certificates and settings (so they reload without a restart).
  callbacks.external_ssl_ctx = [](void** ssl_ctx, void* user_data) {
    auto* impl = static_cast<Impl*>(user_data);
    if (!impl->guard || !impl->guard->tls()) return 0;
    if (*ssl_ctx != nullptr) return 0;  // civetweb frees it at stop
    std::string error;
    *ssl_ctx = impl->guard->NewSslContext(&error);
    if (!*ssl_ctx) {
      spdlog::error("TLS: {}", error);
      return -1;
    }
    return 1;
  };
  char errbuf[256] = {0};
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = impl_.get();
  init.configuration_options = opts;
  mg_error_data err{};
  err.text = errbuf;
  err.text_buffer_size = sizeof(errbuf);
  mg_context* ctx = mg_start2(&init, &err);
  if (!ctx) {
    return Status::IOError("cannot listen on " + listen + ": " +
                           (errbuf[0] ? errbuf : "unknown error"));
  }
  mg_set_request_handler(ctx, "/", &Impl::Dispatch, impl_.get());
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->ctx = ctx;
  return Status::OK();
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->ctx) {
    mg_stop(impl_->ctx);
    impl_->ctx = nullptr;
  }
}

int HttpServer::port() const {
  mg_server_port ports[4];
  int n = mg_get_server_ports(impl_->ctx, 4, ports);
  return n > 0 ? ports[0].port : -1;
}

}  // namespace common
