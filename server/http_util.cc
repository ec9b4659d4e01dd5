#include "server/http_util.h"

#include "common/constant_time.h"

namespace server {

Params Params::FromQuery(const common::HttpRequest& req) {
  Params p;
  p.kv_ = common::ParseUrlEncoded(req.query_string());
  return p;
}

common::Result<Params> Params::FromRequest(common::HttpRequest& req, size_t max_body) {
  Params p = FromQuery(req);
  if (req.method() == "POST" &&
      req.Header("Content-Type").starts_with("application/x-www-form-urlencoded")) {
    auto body = req.ReadAll(max_body);
    if (!body.ok()) return body.status();
    for (auto& kv : common::ParseUrlEncoded(*body)) p.kv_.push_back(std::move(kv));
  }
  return p;
}

std::string Params::Get(std::string_view name) const {
  for (const auto& [k, v] : kv_) {
    if (k == name) return v;
  }
  return {};
}

std::vector<std::string> Params::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : kv_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

bool Params::Has(std::string_view name) const {
  for (const auto& [k, v] : kv_) {
    if (k == name) return true;
  }
  return false;
}

namespace {
bool BearerMatches(const common::HttpRequest& req, const std::string& token) {
  std::string_view h = req.Header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!h.starts_with(kBearer)) return false;
  h.remove_prefix(kBearer.size());
  return common::ConstantTimeEquals(h, token);
}
}  // namespace

std::optional<common::HttpResponse> CheckWrite(const common::HttpRequest& req,
                                               const WriteAccess& access) {
  if (!req.user().empty()) {
    if (access.write_users.empty() || access.write_users.count(std::string(req.user()))) {
      return std::nullopt;
    }
    return common::HttpResponse::Text(
        403, "user " + std::string(req.user()) + " may read but not write (--web.write-users)\n");
  }
  if (access.token.empty() || BearerMatches(req, access.token)) return std::nullopt;
  auto r = common::HttpResponse::Text(401, "missing or wrong bearer token (MONITOR_WRITE_TOKEN)\n");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace server
