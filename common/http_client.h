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
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Headers = std::vector<std::pair<std::string, std::string>>;

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
};

}  // namespace common
