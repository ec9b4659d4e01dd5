// The web configuration file of Prometheus's exporter-toolkit
// (--web.config.file), the file node_exporter and Prometheus accept, parsed
// and checked as the toolkit does:
//
//   tls_server_config:
//     cert_file, key_file            PEM; both or neither (then no TLS)
//     client_auth_type               NoClientCert (default), RequestClientCert,
//                                    RequireAnyClientCert, VerifyClientCertIfGiven,
//                                    RequireAndVerifyClientCert
//     client_ca_file                 PEM bundle; requires a verifying client_auth_type
//     min_version, max_version       TLS10..TLS13 (min default TLS12)
//     cipher_suites                  Go/IANA names (TLS 1.2 and below)
//     curve_preferences              CurveP256, CurveP384, CurveP521, X25519
//     prefer_server_cipher_suites    accepted (the server's order is always used)
//   http_server_config:
//     http2                          accepted (HTTP/1.1 is served)
//     headers                        Strict-Transport-Security, X-Content-Type-Options,
//                                    X-Frame-Options, X-XSS-Protection,
//                                    Content-Security-Policy
//   basic_auth_users                 user: bcrypt hash ($2a$, $2b$, $2y$)
//
// Unknown keys, and values of the wrong kind, are errors naming the key.
// Relative file names are taken relative to the configuration file's
// directory, as the toolkit does.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace common {

enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};

struct TlsServerConfig {
  std::string cert_file, key_file;  // absolute after parsing
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  std::string client_ca_file;
  int min_version = 0x0303;                    // TLS 1.2, as the toolkit's default
  int max_version = 0;                         // 0: the newest the library has
  std::vector<std::string> cipher_suites;      // IANA names
  std::vector<std::string> curve_preferences;  // OpenSSL group names (P-256 ...)
};

struct WebConfig {
  bool tls = false;  // tls_server_config with a certificate
  TlsServerConfig tls_server;
  std::vector<std::pair<std::string, std::string>> headers;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// Parses the YAML text; base_dir resolves relative file names.
Result<WebConfig> ParseWebConfig(const std::string& yaml, const std::string& base_dir);
// Reads and parses a file; errors start with the file name.
Result<WebConfig> LoadWebConfigFile(const std::string& path);

}  // namespace common
