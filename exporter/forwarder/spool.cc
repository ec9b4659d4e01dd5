#include "exporter/forwarder/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/paths.h"

namespace forwarder {

namespace fs = std::filesystem;

namespace {
constexpr const char* kSuffix = ".reading";

// fsync(2), made durable on macOS too: there fsync only hands the data to
// the drive, whose cache can lose it on power loss, and F_FULLFSYNC asks the
// drive to flush (falling back to fsync where a filesystem refuses it).
int SyncFd(int fd) {
#if defined(__APPLE__)
  if (fcntl(fd, F_FULLFSYNC) == 0) return 0;
#endif
  return fsync(fd);
}

common::Status SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return common::Status::IOError("cannot open spool dir " + dir);
  const int rc = SyncFd(fd);
  close(fd);
  if (rc != 0) return common::Status::IOError("cannot fsync spool dir " + dir);
  return common::Status::OK();
}
}  // namespace

std::string Spool::PathFor(uint64_t seq) const {
  char name[64];
  snprintf(name, sizeof(name), "%020llu%s", static_cast<unsigned long long>(seq), kSuffix);
  return options_.dir + "/" + name;
}

common::Result<Spool> Spool::Open(const Options& options) {
  if (options.dir.empty()) return common::Status::InvalidArgument("spool dir is empty");
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return common::Status::IOError("cannot create spool dir " + options.dir + ": " + ec.message());
  }
  Spool spool(options);
  std::vector<std::pair<uint64_t, uint64_t>> found;
  for (const auto& de : fs::directory_iterator(options.dir, ec)) {
    std::string name = de.path().filename().string();
    if (name.size() == 20 + strlen(kSuffix) && name.ends_with(kSuffix)) {
      // Only names this spool wrote: 20 digits within uint64. Anything else
      // (a stray file someone copied in) is left alone, not parsed by a
      // throwing std::stoull.
      uint64_t seq = 0;
      auto [end, err] = std::from_chars(name.data(), name.data() + 20, seq);
      std::error_code size_ec;
      const uintmax_t size = de.file_size(size_ec);
      if (err != std::errc() || end != name.data() + 20 || size_ec) {
        spdlog::warn("spool: ignoring {} (not a reading this spool wrote)", name);
        continue;
      }
      found.emplace_back(seq, size);
    } else if (name.ends_with(".tmp")) {
      fs::remove(de.path(), ec);  // an append interrupted by a crash
    }
  }
  if (ec) return common::Status::IOError("cannot list spool dir: " + ec.message());
  std::sort(found.begin(), found.end());
  for (auto& e : found) {
    spool.entries_.push_back(e);
    spool.bytes_ += e.second;
  }
  if (!found.empty()) spool.next_seq_ = found.back().first + 1;
  return spool;
}

common::Status Spool::Append(const std::string& payload) {
  // Make room first, oldest out.
  while (!entries_.empty() && (entries_.size() + 1 > options_.max_entries ||
                               bytes_ + payload.size() > options_.max_bytes)) {
    ++dropped_;
    spdlog::warn("spool full ({} readings, {} bytes): dropping the oldest reading", entries_.size(),
                 bytes_);
    if (auto s = PopFront(); !s.ok()) return s;
  }
  uint64_t seq = next_seq_++;
  std::string path = PathFor(seq);
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return common::Status::IOError("cannot create " + tmp);
  size_t off = 0;
  while (off < payload.size()) {
    ssize_t n = write(fd, payload.data() + off, payload.size() - off);
    if (n <= 0) {
      close(fd);
      unlink(tmp.c_str());
      return common::Status::IOError("cannot write " + tmp);
    }
    off += static_cast<size_t>(n);
  }
  if (SyncFd(fd) != 0) {
    close(fd);
    unlink(tmp.c_str());
    return common::Status::IOError("cannot fsync " + tmp);
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return common::Status::IOError("cannot rename " + tmp);
  }
  // The rename is durable only once the directory is synced: without this a
  // power loss can forget a reading the forwarder already counted as spooled.
  if (auto s = SyncDir(options_.dir); !s.ok()) return s;
  entries_.emplace_back(seq, payload.size());
  bytes_ += payload.size();
  return common::Status::OK();
}

std::optional<Spool::Entry> Spool::Front() const {
  if (entries_.empty()) return std::nullopt;
  return Entry{entries_.front().first, PathFor(entries_.front().first)};
}

common::Result<std::string> Spool::Read(const Entry& e) const {
  std::string data;
  if (!common::ReadFileToString(e.path, &data)) {
    return common::Status::IOError("cannot read " + e.path);
  }
  return data;
}

common::Status Spool::PopFront() {
  if (entries_.empty()) return common::Status::OK();
  std::string path = PathFor(entries_.front().first);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return common::Status::IOError("cannot remove " + path);
  }
  bytes_ -= entries_.front().second;
  entries_.pop_front();
  return common::Status::OK();
}

}  // namespace forwarder
