// Real processes of the stack for integration tests: exporter, server,
// forwarder, each on free loopback ports in a temp dir, plus small helpers to
// query the server's API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "tests/integration/test_util.h"

namespace testutil {

// A process serving HTTP on a port, started and waited on (/healthz = 200).
class Service {
 public:
  Service(const std::string& binary, std::vector<std::string> args, const std::string& log,
          int port, std::vector<std::string> env = {});
  bool ready() const { return ready_; }
  int port() const { return port_; }
  std::string url(const std::string& path) const;
  Subprocess& proc() { return *proc_; }
  std::string log() const { return ReadFile(log_); }

 private:
  int port_;
  std::string log_;
  bool ready_ = false;
  std::unique_ptr<Subprocess> proc_;
};

std::unique_ptr<Service> StartExporter(const TempDir& dir, const std::string& name = "exporter");
// Extra args are appended (e.g. "--config", path).
std::unique_ptr<Service> StartServer(const TempDir& dir, const std::string& data_dir,
                                     std::vector<std::string> extra = {}, int port = 0);

// GET <server>/api/v1/<path> and parse the JSON (null json on failure).
nlohmann::json ApiGet(const Service& server, const std::string& path_and_query);
// Instant query at `time` (empty: now) returning data.result (null json on error).
nlohmann::json Query(const Service& server, const std::string& promql, const std::string& time = "");
int64_t NowMs();

}  // namespace testutil
