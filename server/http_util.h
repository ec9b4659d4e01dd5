// Helpers shared by the server's HTTP handlers.
#pragma once

#include <optional>
#include <set>
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

// Who may write (push, import, remote_write, reload): the read/write model.
//  - With basic auth in force (a web config file with basic_auth_users),
//    every request already carries an authenticated user; writing needs that
//    user in write_users, or any user when write_users is empty. Otherwise 403.
//  - Without basic auth, writing needs "Authorization: Bearer <token>" when
//    token is set (401 otherwise; constant-time comparison).
struct WriteAccess {
  std::string token;
  std::set<std::string> write_users;
};
// nullopt when the request may write; else the response refusing it.
std::optional<common::HttpResponse> CheckWrite(const common::HttpRequest& req,
                                               const WriteAccess& access);

}  // namespace server
