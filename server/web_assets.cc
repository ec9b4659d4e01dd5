#include "server/web_assets.h"

#include <unistd.h>

#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/paths.h"

namespace server {

namespace fs = std::filesystem;

namespace {

std::string ContentType(const std::string& path) {
  auto ext = fs::path(path).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

std::string ExeDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  buf[n] = '\0';
  return fs::path(buf).parent_path().string();
}

}  // namespace

std::string ResolveWebDir(const std::string& web_dir) {
  std::vector<std::string> candidates;
  if (!web_dir.empty()) candidates.push_back(web_dir);
  if (const char* env = getenv("MONITOR_WEB_DIR"); env && *env) candidates.push_back(env);
  candidates.push_back(ExeDir() + "/../share/monitoring-stack/web");
#ifdef MS_SOURCE_DIR
  candidates.push_back(std::string(MS_SOURCE_DIR) + "/dashboards/web/dist");
#endif
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::exists(fs::path(c) / "index.html", ec)) return fs::weakly_canonical(c, ec).string();
  }
  return "";
}

void RegisterWebAssets(common::HttpServer& http, const std::string& web_dir) {
  std::string root = ResolveWebDir(web_dir);
  if (root.empty()) {
    spdlog::warn("dashboard assets not found (build them with `make web`); /dashboard shows a notice");
  } else {
    spdlog::info("serving the dashboard from {}", root);
  }
  auto redirect = [](common::HttpRequest&) {
    auto r = common::HttpResponse::Text(302, "see /dashboard/\n");
    r.headers.emplace_back("Location", "/dashboard/");
    return r;
  };
  http.Handle("/", redirect);
  http.Handle("/dashboard", redirect);
  http.HandlePrefix("/dashboard/", [root](common::HttpRequest& req) {
    if (root.empty()) {
      return common::HttpResponse::Text(
          503, "dashboard assets are not installed: run `make web` (or `make run`)\n");
    }
    std::string rel(req.path().substr(std::string_view("/dashboard/").size()));
    // Client-side routes (no file extension) all get the single page.
    if (rel.empty() || fs::path(rel).extension().empty()) rel = "index.html";
    // civetweb already removed ".." from the path; refuse anything odd anyway.
    if (rel.find("..") != std::string::npos) return common::HttpResponse::Text(400, "bad path\n");
    std::string file = root + "/" + rel;
    common::HttpResponse r;
    if (!common::ReadFileToString(file, &r.body)) {
      return common::HttpResponse::Text(404, "not found: /dashboard/" + rel + "\n");
    }
    r.content_type = ContentType(file);
    // Hashed asset names may be cached forever; the page itself never.
    r.headers.emplace_back("Cache-Control",
                           rel == "index.html" ? "no-cache" : "public, max-age=31536000, immutable");
    return r;
  });
}

}  // namespace server
