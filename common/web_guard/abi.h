// The C interface of libms-web-guard.so, the plugin that holds what
// --web.config.file needs (the YAML parser, TLS setup, bcrypt), between it
// and its loader, common::WebGuard (common/web_guard.h). Plain C, so that the
// plugin and the binary need not share a C++ runtime: the exporter carries
// libstdc++ statically, and so does the plugin.
#pragma once

#include <stddef.h>

extern "C" {

struct ms_web_guard;
// level: 0 info, 1 error. msg is never a credential.
typedef void (*ms_web_guard_log_fn)(int level, const char* msg);

// Loads the file (and the certificates and libraries it names). nullptr with
// the reason in err on failure.
typedef ms_web_guard* (*ms_web_guard_open_fn)(const char* path, ms_web_guard_log_fn log, char* err,
                                              size_t err_len);
typedef void (*ms_web_guard_close_fn)(ms_web_guard* g);
// 1 if the listener must speak TLS.
typedef int (*ms_web_guard_tls_fn)(ms_web_guard* g);
// A new SSL_CTX* whose handshakes take the guard's current settings.
typedef void* (*ms_web_guard_new_ssl_ctx_fn)(ms_web_guard* g, char* err, size_t err_len);
// 1 if a request with this Authorization header (may be empty) may go on;
// then user (NUL-terminated, truncated to user_len) is the authenticated
// basic-auth user, or "" when no users are configured.
typedef int (*ms_web_guard_authorize_fn)(ms_web_guard* g, const char* header, size_t len,
                                         char* user, size_t user_len);
// Calls fn for every configured response header.
typedef void (*ms_web_guard_headers_fn)(ms_web_guard* g,
                                        void (*fn)(const char* name, const char* value, void* arg),
                                        void* arg);
}
