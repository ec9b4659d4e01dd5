// WebGuard: what --web.config.file (common/web_guard/web_config.h) asks of a server at
// run time — TLS (certificates, client certificates, versions, ciphers,
// curves), basic auth against bcrypt hashes, and response headers.
//
// The file is re-read when it changes (checked at most once a second, on
// requests and TLS handshakes), so certificates, client CAs, users and
// headers are replaced without a restart; a file that no longer parses, or
// whose certificates do not load, is logged and the previous settings stay.
// Turning TLS itself on or off needs a restart (the listener's kind is fixed).
//
// The work is done by a plugin, libms-web-guard.so (common/web_guard/),
// loaded with dlopen only when a server is given a web config file: it holds
// the YAML parser, the TLS setup over OpenSSL (libssl.so.3, libcrypto.so.3,
// themselves loaded then) and bcrypt (libcrypt), so that a server without a
// web config, the exporter above all, carries none of them in memory. It is
// found in <binary's dir>/../lib/monitoring-stack (the build tree and an
// installed prefix alike) or the configured install directory. It also
// lets Debian 12's civetweb, built for OpenSSL 1.1's names, run TLS over
// OpenSSL 3 (see common/web_guard/libssl_shim.cc).
//
// Basic auth: a wrong password, an unknown user (which still costs one bcrypt
// run, so the two cannot be told apart by time) or a missing header is
// refused; a verified (user, password, hash) is remembered by its SHA-256
// so that scrapes do not pay bcrypt's cost each time. Credentials are never
// logged. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace common {

class WebGuard {
 public:
  // Loads the file and everything it names (certificates, libraries).
  static Result<std::unique_ptr<WebGuard>> Open(const std::string& path);
  ~WebGuard();

  // Whether the listener must speak TLS (fixed at Open).
  bool tls() const;
  // A new OpenSSL SSL_CTX* for the listener; each handshake takes the
  // current settings from this guard. nullptr with *error on failure.
  void* NewSslContext(std::string* error);

  // True if the request may go on: no users configured, or the
  // Authorization header carries a configured user and their password (then
  // *user is set to that user).
  bool Authorize(std::string_view authorization_header, std::string* user);
  // The configured response headers (empty without a file's headers).
  std::vector<std::pair<std::string, std::string>> Headers();

  struct Plugin;

 private:
  WebGuard() = default;
  const Plugin* plugin_ = nullptr;
  void* handle_ = nullptr;  // the plugin's guard
};

}  // namespace common
