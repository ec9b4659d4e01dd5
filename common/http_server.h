// HttpServer: a small embedded HTTP/1.1 server over civetweb.
//
// Handlers are plain functions from HttpRequest to HttpResponse, registered by
// exact path or by path prefix before Start(). They run on civetweb's worker
// threads, so a handler must be thread-safe. The request body is read lazily
// (ReadBody) so large uploads can be streamed; ReadAll enforces a size limit.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/body_writer.h"
#include "common/client_watcher.h"
#include "common/status.h"

struct mg_connection;

namespace common {

class HttpRequest {
 public:
  // `watcher` (may be null: ClientGone() then never becomes true) must
  // outlive the request.
  explicit HttpRequest(mg_connection* conn, ClientWatcher* watcher = nullptr);
  ~HttpRequest();
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;

  std::string_view method() const { return method_; }
  std::string_view path() const { return path_; }           // URL-decoded, no query
  std::string_view query_string() const { return query_; }  // raw, without '?'
  // Header value by case-insensitive name; empty if absent.
  std::string_view Header(std::string_view name) const;
  // Content-Length, or -1 when the client did not send one (chunked).
  long long content_length() const { return content_length_; }
  std::string_view remote_addr() const { return remote_addr_; }
  // The basic-auth user the server authenticated (--web.config.file), or
  // empty when no basic auth is in force.
  std::string_view user() const { return user_; }
  void set_user(std::string user) { user_ = std::move(user); }

  // Query parameter by name (URL-decoded); all values for repeated names.
  std::vector<std::string> QueryParams(std::string_view name) const;
  std::string QueryParam(std::string_view name) const;  // first value or ""

  // Reads up to n body bytes into buf. Returns bytes read, 0 at end, <0 on error.
  // A client that sent "Expect: 100-continue" (curl does for bodies over
  // 1 MB) is told "100 Continue" on the first read, so a handler that
  // refuses before reading (401, 413) never makes the client send the body.
  long ReadBody(char* buf, size_t n);
  // Reads the whole body. Fails with TooLarge if it exceeds max_bytes.
  Result<std::string> ReadAll(size_t max_bytes);
  // Reads and drops what is left of the body, up to max_bytes. True if the
  // body was read to its end (the connection can be kept alive); false if
  // the client was never told to send it (Expect: 100-continue) or more
  // than max_bytes were left.
  bool DiscardBody(size_t max_bytes);

  // A flag that becomes true once the client has closed its connection
  // (common/client_watcher.h), valid until the request ends. Long work for
  // the client (a query) passes it as its cancel flag, so a client that gave
  // up stops costing CPU and a handler thread. The first call starts the
  // watch; the server checks it every 100 ms.
  const std::atomic<bool>* ClientGone();

 private:
  mg_connection* conn_;
  ClientWatcher* watcher_;
  std::unique_ptr<ClientWatcher::Watch> watch_;  // set by ClientGone()
  std::string_view method_, path_, query_, remote_addr_;
  long long content_length_;
  std::string user_;
  bool awaiting_continue_ = false;  // Expect: 100-continue, not answered yet
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // If set, the body is produced by calling stream(writer) after the head
  // was sent (chunked transfer encoding; `body` is ignored), so a large body
  // is never held whole and the client reads while the rest is produced.
  // Runs on the handler's thread; should stop when the writer returns false.
  std::function<bool(const BodyWriter&)> stream;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);
  // Maps a failed Status to 400/404/413/429/503/500 with the message as body.
  static HttpResponse FromStatus(const Status& s);
};

// Splits "a=1&b=2" into decoded (name, value) pairs ('+' decodes to space).
std::vector<std::pair<std::string, std::string>> ParseUrlEncoded(std::string_view s);
std::string UrlDecode(std::string_view s, bool plus_is_space);

class HttpServer {
 public:
  struct Options {
    std::string host = "0.0.0.0";
    int port = 0;  // 0 picks a free port; see port()
    int threads = 4;
    int request_timeout_ms = 30000;
    // > 0: handlers run on a pool of `threads` threads with stacks of this
    // size (common/stack_pool.h) instead of on civetweb's workers, whose
    // stack size is fixed at the library's build (small on Debian): for
    // handlers that recurse over client input.
    size_t handler_stack_bytes = 0;
    // Prometheus's web configuration file (common/web_guard/web_config.h): TLS, basic
    // auth and response headers, re-read when it changes (common/web_guard.h).
    // Empty: plain HTTP, no auth.
    std::string web_config_file;
    // Paths answered without basic auth (e.g. health checks for a load
    // balancer); exact matches.
    std::vector<std::string> auth_exempt_paths;
  };
  using Handler = std::function<HttpResponse(HttpRequest&)>;

  HttpServer();
  ~HttpServer();  // stops the server if running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // REQUIRES: not started. A prefix route ("/api/") matches every path under it;
  // the longest matching route wins.
  void Handle(std::string path, Handler handler);
  void HandlePrefix(std::string prefix, Handler handler);

  // Binds and starts serving. Fails if the address is in use or invalid.
  Status Start(const Options& options);
  // Stops accepting and waits for running handlers to finish. Idempotent.
  void Stop();
  // The bound port (useful with port 0). REQUIRES: started.
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace common
