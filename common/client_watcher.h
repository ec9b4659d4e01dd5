// ClientWatcher: notices HTTP clients that close their connection while the
// server is still working on their request, so that long work for them (a
// PromQL query) can stop, the way Go's net/http cancels a request's context
// when its client goes away (Prometheus relies on that).
//
// Why it matters: a dashboard or load balancer that gives up on a slow query
// asks again. Without cancellation the abandoned query keeps its CPU and its
// handler thread, each retry makes every query slower, and the server
// collapses into a stall until the queries' own timeouts end them.
//
// How: civetweb hands handlers no socket, so the watcher finds the request's
// socket from its addresses: the one socket whose local port is the port
// the request came in on and whose peer is the client's address and port (a
// TCP connection is unique by those four). It looks only for requests that
// have run longer than one period (most finish sooner, and cost nothing
// here), once each, then polls their sockets every period. End of stream or
// a hang-up means the client is gone; a pipelined next request is data and
// does not count.
//
//   ClientWatcher watcher;
//   ClientWatcher::Watch w{"127.0.0.1", 53422, 9090};
//   watcher.Add(&w);
//   engine.Query(..., &w.gone);   // stops once w.gone becomes true
//   watcher.Remove(&w);
//
// Thread-safe. One thread, started on the first Add.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace common {

class ClientWatcher {
 public:
  struct Watch {
    Watch(std::string remote_addr, int remote_port, int local_port)
        : remote_addr(std::move(remote_addr)), remote_port(remote_port), local_port(local_port) {}
    const std::string remote_addr;  // as inet_ntop prints it (civetweb's remote_addr)
    const int remote_port;
    const int local_port;
    // Becomes true, and stays true, once the client has closed the connection.
    std::atomic<bool> gone{false};

   private:
    friend class ClientWatcher;
    // Under the watcher's mutex.
    std::chrono::steady_clock::time_point added;
    int fd = -1;            // the socket, once found
    bool searched = false;  // looked for once (not found: never polled)
  };

  explicit ClientWatcher(std::chrono::milliseconds period = std::chrono::milliseconds(100));
  ~ClientWatcher();  // stops the thread; REQUIRES: every Watch removed
  ClientWatcher(const ClientWatcher&) = delete;
  ClientWatcher& operator=(const ClientWatcher&) = delete;

  // REQUIRES: w stays valid and its connection open until Remove(w).
  void Add(Watch* w);
  // After it returns the watcher no longer touches w or its socket.
  void Remove(Watch* w);

 private:
  void Loop();
  // Finds the sockets of the watches not searched yet.
  void FindSockets(const std::vector<Watch*>& unsearched) REQUIRES(mu_);

  const std::chrono::milliseconds period_;
  Mutex mu_;
  CondVar cv_;  // on mu_: a watch was added, or stop
  std::vector<Watch*> watches_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_ GUARDED_BY(mu_);  // started by the first Add
};

}  // namespace common
