// Serves the built-in dashboard's static files under /dashboard/ (and
// redirects / there). Files come from web_dir, or when empty the first
// existing of: $MONITOR_WEB_DIR, <binary dir>/../share/monitoring-stack/web,
// <source tree>/dashboards/web/dist (a development build).
#pragma once

#include <string>

#include "common/http_server.h"

namespace server {

void RegisterWebAssets(common::HttpServer& http, const std::string& web_dir);
// The directory that would be served ("" if none exists).
std::string ResolveWebDir(const std::string& web_dir);

}  // namespace server
