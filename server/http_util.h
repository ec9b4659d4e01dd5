// Helpers shared by the server's HTTP handlers.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http_server.h"
#include "common/status.h"

namespace server {

// Request parameters from the query string and, for form POSTs
// (application/x-www-form-urlencoded), the body — as Prometheus's API reads them.
class Params {
 public:
  // Reads the form body when present. Fails on an oversized body.
  static common::Result<Params> FromRequest(common::HttpRequest& req, size_t max_body);
  // Only the query string (for handlers whose body is data, not a form).
  static Params FromQuery(const common::HttpRequest& req);
  std::string Get(std::string_view name) const;  // first value or ""
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> kv_;
};

// True when the request carries "Authorization: Bearer <token>" (constant-time
// comparison), or when token is empty.
bool Authorized(const common::HttpRequest& req, const std::string& token);
common::HttpResponse Unauthorized();

}  // namespace server
