#include "common/web_guard.h"

#include <dlfcn.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/web_guard/abi.h"

namespace common {

struct WebGuard::Plugin {
  ms_web_guard_open_fn open = nullptr;
  ms_web_guard_close_fn close = nullptr;
  ms_web_guard_tls_fn tls = nullptr;
  ms_web_guard_new_ssl_ctx_fn new_ssl_ctx = nullptr;
  ms_web_guard_authorize_fn authorize = nullptr;
  ms_web_guard_headers_fn headers = nullptr;
  std::string error;  // non-empty: not loaded
};

namespace {

// The directories the plugin (and the civetweb TLS shims beside it) may be in.
std::vector<std::string> PluginDirs() {
  std::vector<std::string> dirs;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<size_t>(n));
    dir = dir.substr(0, dir.rfind('/'));
    dirs.push_back(dir + "/../lib/monitoring-stack");
    dirs.push_back(dir + "/../../lib/monitoring-stack");
  }
  dirs.push_back(MS_PLUGIN_INSTALL_DIR);
  return dirs;
}

const WebGuard::Plugin& LoadPlugin() {
  static const WebGuard::Plugin plugin = [] {
    WebGuard::Plugin p;
    void* lib = nullptr;
    std::vector<std::string> dirs = PluginDirs();
    for (const auto& dir : dirs) {
      std::string path = dir + "/libms-web-guard.so";
      if (access(path.c_str(), R_OK) != 0) continue;
      lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!lib) {
        const char* e = dlerror();
        p.error = "cannot load " + path + ": " + (e ? e : "unknown error");
        return p;
      }
      break;
    }
    if (!lib) {
      p.error = "libms-web-guard.so not found (looked in " + dirs.front() + " and " +
                MS_PLUGIN_INSTALL_DIR + ")";
      return p;
    }
    auto resolve = [&](auto* slot, const char* name) {
      *slot = reinterpret_cast<std::remove_pointer_t<decltype(slot)>>(dlsym(lib, name));
      if (!*slot && p.error.empty()) p.error = std::string("libms-web-guard.so lacks ") + name;
    };
    resolve(&p.open, "ms_web_guard_open");
    resolve(&p.close, "ms_web_guard_close");
    resolve(&p.tls, "ms_web_guard_tls");
    resolve(&p.new_ssl_ctx, "ms_web_guard_new_ssl_ctx");
    resolve(&p.authorize, "ms_web_guard_authorize");
    resolve(&p.headers, "ms_web_guard_headers");
    return p;
  }();
  return plugin;
}

void Log(int level, const char* msg) {
  if (level == 0) {
    spdlog::info("{}", msg);
  } else {
    spdlog::error("{}", msg);
  }
}

}  // namespace

Result<std::unique_ptr<WebGuard>> WebGuard::Open(const std::string& path) {
  const Plugin& p = LoadPlugin();
  if (!p.error.empty()) return Status::InvalidArgument("--web.config.file: " + p.error);
  char err[1024] = {0};
  ms_web_guard* handle = p.open(path.c_str(), &Log, err, sizeof err);
  if (!handle) return Status::InvalidArgument(err);
  std::unique_ptr<WebGuard> g(new WebGuard());
  g->plugin_ = &p;
  g->handle_ = handle;
  return g;
}

WebGuard::~WebGuard() {
  if (handle_) plugin_->close(static_cast<ms_web_guard*>(handle_));
}

bool WebGuard::tls() const { return plugin_->tls(static_cast<ms_web_guard*>(handle_)) == 1; }

void* WebGuard::NewSslContext(std::string* error) {
  char err[1024] = {0};
  void* ctx = plugin_->new_ssl_ctx(static_cast<ms_web_guard*>(handle_), err, sizeof err);
  if (!ctx) *error = err;
  return ctx;
}

bool WebGuard::Authorize(std::string_view authorization_header, std::string* user) {
  char name[256] = {0};
  bool ok = plugin_->authorize(static_cast<ms_web_guard*>(handle_), authorization_header.data(),
                               authorization_header.size(), name, sizeof name) == 1;
  if (ok) *user = name;
  return ok;
}

std::vector<std::pair<std::string, std::string>> WebGuard::Headers() {
  std::vector<std::pair<std::string, std::string>> out;
  plugin_->headers(
      static_cast<ms_web_guard*>(handle_),
      [](const char* name, const char* value, void* arg) {
        static_cast<std::vector<std::pair<std::string, std::string>>*>(arg)->emplace_back(name,
                                                                                          value);
      },
      &out);
  return out;
}

}  // namespace common
