// Helpers for integration tests that run real processes on loopback: temp
// dirs, free ports, child processes, bounded waits, and running commands.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace testutil {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read, close).
int FreePort();
// A blocking TCP connection to 127.0.0.1:port, or -1; for tests that speak raw
// HTTP (pipelining, hanging up). The caller closes it.
int ConnectLoopback(int port);

// A child process started with execv; killed (SIGKILL) on destruction if still
// running. stdout and stderr go to log_path (appended) when given.
class Subprocess {
 public:
  Subprocess(const std::vector<std::string>& argv, const std::string& log_path = "",
             const std::vector<std::string>& extra_env = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends sig and waits up to timeout for exit; returns the exit status as
  // from waitpid (or -1 if it did not exit in time; then it is SIGKILLed).
  int Stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// Polls pred every interval until it is true or timeout passes.
bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = std::chrono::milliseconds(100));

// Runs a shell command; returns its exit code and puts stdout+stderr in output.
int RunCommand(const std::string& cmd, std::string* output);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

// Paths of the binaries this build produced.
std::string BinaryPath(const std::string& relative);  // under MS_BINARY_DIR

// True if an executable with this name is on PATH.
bool HaveCommand(const std::string& name);

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string UrlEncode(const std::string& s);

// A real Prometheus (Debian's, /usr/bin/prometheus) on a free loopback port,
// scraping every second; its data and log live in dir. scrape_configs: the
// YAML list items of scrape_configs, each starting "  - job_name: ...".
class PrometheusProcess {
 public:
  PrometheusProcess(const TempDir& dir, const std::string& scrape_configs);
  // The value of an instant query's first series ("" when there is none).
  std::string QueryValue(const std::string& promql);
  // Waits until up{job="<job>"} is 1.
  bool WaitUp(const std::string& job, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  std::string log() const;

 private:
  std::string log_path_;
  int port_;
  Subprocess proc_;
};

}  // namespace testutil
