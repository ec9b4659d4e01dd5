#include "tests/integration/stack.h"

#include "common/clock.h"

#include <chrono>

namespace testutil {

using namespace std::chrono_literals;

Service::Service(const std::string& binary, std::vector<std::string> args, const std::string& log,
                 int port, std::vector<std::string> env)
    : port_(port), log_(log) {
  args.insert(args.begin(), binary);
  proc_ = std::make_unique<Subprocess>(args, log, env);
  common::HttpClient client;
  ready_ = WaitUntil(
      [&] {
        if (!proc_->running()) return false;
        auto r = client.Get(url("/healthz"), 1);
        return r.ok() && r->status == 200;
      },
      20s, 50ms);
}

std::string Service::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::unique_ptr<Service> StartExporter(const TempDir& dir, const std::string& name) {
  int port = FreePort();
  return std::make_unique<Service>(
      BinaryPath("exporter/system-stats-service"),
      std::vector<std::string>{"--host", "127.0.0.1", "--port", std::to_string(port)},
      dir.File(name + ".log"), port);
}

std::unique_ptr<Service> StartServer(const TempDir& dir, const std::string& data_dir,
                                     std::vector<std::string> extra, int port) {
  if (port == 0) port = FreePort();
  std::vector<std::string> args = {"--host",     "127.0.0.1", "--port",      std::to_string(port),
                                   "--data-dir", data_dir,    "--retention", "100y"};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<Service>(BinaryPath("server/monitoring-server"), args,
                                   dir.File("server.log"), port);
}

nlohmann::json ApiGet(const Service& server, const std::string& path_and_query) {
  common::HttpClient client;
  auto r = client.Get(server.url("/api/v1/" + path_and_query), 10);
  if (!r.ok()) return nullptr;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

nlohmann::json Query(const Service& server, const std::string& promql, const std::string& time) {
  std::string q = "query?query=" + UrlEncode(promql);
  if (!time.empty()) q += "&time=" + time;
  auto j = ApiGet(server, q);
  if (!j.is_object() || j["status"] != "success") return nullptr;
  return j["data"]["result"];
}

int64_t NowMs() { return common::NowMs(); }

}  // namespace testutil
