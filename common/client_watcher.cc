#include "common/client_watcher.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace common {

namespace {

// Port and printed address of a socket address; false for non-IP families.
bool Endpoint(const sockaddr_storage& sa, int* port, std::string* addr) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (sa.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    *port = ntohs(in->sin_port);
    if (addr != nullptr && inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf)) == nullptr) {
      return false;
    }
  } else if (sa.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    *port = ntohs(in6->sin6_port);
    if (addr != nullptr && inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf)) == nullptr) {
      return false;
    }
  } else {
    return false;
  }
  if (addr != nullptr) *addr = buf;
  return true;
}

// Calls fn(fd) for every open descriptor of this process.
template <typename Fn>
void ForEachOpenFd(Fn fn) {
  if (DIR* d = opendir("/proc/self/fd")) {  // Linux: only the open ones
    const int own = dirfd(d);
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      long fd = std::strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0' || fd == own) continue;
      fn(static_cast<int>(fd));
    }
    closedir(d);
    return;
  }
  const long max = std::min<long>(sysconf(_SC_OPEN_MAX), 65536);
  for (int fd = 0; fd < max; ++fd) fn(fd);
}

// True once the peer has closed its side: a hang-up, an error, or end of
// stream with nothing left to read. Pending data (a pipelined request) is not.
bool PeerClosed(int fd) {
  pollfd p{};
  p.fd = fd;
  p.events = POLLIN;
#ifdef POLLRDHUP
  p.events |= POLLRDHUP;
#endif
  if (poll(&p, 1, 0) <= 0) return false;
  if ((p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) return true;
#ifdef POLLRDHUP
  if ((p.revents & POLLRDHUP) != 0) return true;
#endif
  if ((p.revents & POLLIN) != 0) {
    char c;
    return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
  }
  return false;
}

}  // namespace

ClientWatcher::ClientWatcher(std::chrono::milliseconds period) : period_(period) {}

ClientWatcher::~ClientWatcher() {
  std::thread thread;
  {
    MutexLock lock(&mu_);
    stop_ = true;
    thread.swap(thread_);
  }
  cv_.SignalAll();
  if (thread.joinable()) thread.join();
}

void ClientWatcher::Add(Watch* w) {
  MutexLock lock(&mu_);
  w->added = std::chrono::steady_clock::now();
  watches_.push_back(w);
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  cv_.SignalAll();
}

void ClientWatcher::Remove(Watch* w) {
  MutexLock lock(&mu_);
  watches_.erase(std::remove(watches_.begin(), watches_.end(), w), watches_.end());
}

void ClientWatcher::Loop() {
  MutexLock lock(&mu_);
  while (!stop_) {
    if (watches_.empty()) {
      cv_.Wait(&mu_);
      continue;
    }
    const auto wake = std::chrono::steady_clock::now() + period_;
    while (!stop_ && std::chrono::steady_clock::now() < wake) cv_.WaitUntil(&mu_, wake);
    if (stop_) break;
    const auto older = std::chrono::steady_clock::now() - period_;
    std::vector<Watch*> unsearched;
    for (Watch* w : watches_) {
      if (!w->searched && w->added <= older) unsearched.push_back(w);
    }
    if (!unsearched.empty()) FindSockets(unsearched);
    for (Watch* w : watches_) {
      if (w->fd >= 0 && !w->gone.load(std::memory_order_relaxed) && PeerClosed(w->fd)) {
        w->gone.store(true);
      }
    }
  }
}

void ClientWatcher::FindSockets(const std::vector<Watch*>& unsearched) {
  for (Watch* w : unsearched) w->searched = true;
  size_t left = unsearched.size();
  ForEachOpenFd([&](int fd) {
    if (left == 0) return;
    sockaddr_storage local{}, peer{};
    socklen_t len = sizeof(local);
    int local_port = 0, peer_port = 0;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 ||
        !Endpoint(local, &local_port, nullptr)) {
      return;
    }
    bool wanted = false;
    for (const Watch* w : unsearched) wanted |= w->fd < 0 && w->local_port == local_port;
    if (!wanted) return;
    len = sizeof(peer);
    std::string peer_addr;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0 ||
        !Endpoint(peer, &peer_port, &peer_addr)) {
      return;
    }
    for (Watch* w : unsearched) {
      if (w->fd < 0 && w->local_port == local_port && w->remote_port == peer_port &&
          w->remote_addr == peer_addr) {
        w->fd = fd;
        --left;
        return;
      }
    }
  });
}

}  // namespace common
