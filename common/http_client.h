// HttpClient: blocking HTTP requests over libcurl, for the forwarder, the
// scrape manager and tests. One client per thread (not thread-safe); it keeps
// connections alive between calls.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace common {

struct HttpClientResponse {
  int status = 0;  // HTTP status code
  std::string body;
  std::string content_type;
  // The Retry-After header (429, 503), as sent; empty if absent.
  std::string retry_after;
};

// How a client authenticates itself and checks the server, in the shape of
// Prometheus's HTTP client config (scrape configs, remote_write, and the
// forwarder's flags): tls_config, basic_auth, authorization. Files are read
// on every request, so rotated secrets apply without a restart; their
// content is trimmed of surrounding white space, as Prometheus does.
struct HttpClientConfig {
  struct Tls {
    std::string ca_file;    // trust these CAs instead of the system's
    std::string cert_file;  // client certificate (mutual TLS), with key_file
    std::string key_file;
    std::string server_name;  // name to verify the server's certificate against
    bool insecure_skip_verify = false;
  } tls;
  // basic_auth: set when username is non-empty.
  std::string username, password, password_file;
  // authorization: "<type> <credentials>" header (type defaults to Bearer);
  // also what bearer_token / bearer_token_file set.
  std::string authorization_type, credentials, credentials_file;

  // Everything above, for telling two configs apart (no secret in clear:
  // secrets are hashed).
  std::string Key() const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Headers = std::vector<std::pair<std::string, std::string>>;

  // TLS and credentials for every later request.
  void SetConfig(HttpClientConfig config) { config_ = std::move(config); }

  // A transport failure (refused, timeout, DNS) is an Unavailable status; any
  // HTTP answer, 4xx and 5xx included, is OK with the status code set.
  Result<HttpClientResponse> Get(const std::string& url, double timeout_seconds = 10,
                                 const Headers& headers = {});
  Result<HttpClientResponse> Post(const std::string& url, const std::string& body,
                                  const std::string& content_type, double timeout_seconds = 10,
                                  const Headers& headers = {});

 private:
  Result<HttpClientResponse> Perform(const std::string& method, const std::string& url,
                                     const std::string* body, const std::string& content_type,
                                     double timeout_seconds, const Headers& headers);
  void* curl_;  // CURL*
  HttpClientConfig config_;
};

}  // namespace common
