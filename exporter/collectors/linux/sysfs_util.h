// Helpers shared by the sysfs-based collectors (cpufreq, netclass, nvme, ...):
// reading small attribute files the way prometheus/procfs does, and listing
// directories. Internal to collectors.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/paths.h"
#include "common/status.h"
#include "exporter/collectors/parse_util.h"

namespace exporter::sysfs {

// Strips what Go's strings.TrimSpace strips (ASCII whitespace).
inline std::string_view TrimSpace(std::string_view s) {
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// The outcome of reading one attribute: its trimmed text, or the errno that
// stopped the read (ENOENT for a missing file matters to most callers).
struct Attr {
  int err = 0;
  std::string value;
  bool ok() const { return err == 0; }
};

// Reads a sysfs attribute with one read(2) of at most 128 bytes, like procfs'
// util.SysReadFile: some drivers return EAGAIN forever and a retrying reader
// would spin. The value is whitespace-trimmed.
// dir_fd: a directory opened with O_PATH or O_DIRECTORY, for reading many
// attributes of one device without walking its (symlinked) path each time.
inline Attr ReadAttrAt(int dir_fd, const char* name) {
  Attr a;
  int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    a.err = errno;
    return a;
  }
  char buf[128];
  ssize_t n = read(fd, buf, sizeof(buf));
  int read_errno = errno;
  close(fd);
  if (n < 0) {
    a.err = read_errno == 0 ? EIO : read_errno;
    return a;
  }
  a.value = std::string(TrimSpace(std::string_view(buf, static_cast<size_t>(n))));
  return a;
}

inline Attr ReadAttr(const std::string& path) { return ReadAttrAt(AT_FDCWD, path.c_str()); }

// Reads a whole file (procfs' ReadFileNoStat / os.ReadFile), untrimmed.
inline Attr ReadWhole(const std::string& path) {
  Attr a;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    a.err = errno;
    return a;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      a.err = errno == 0 ? EIO : errno;
      break;
    }
    if (n == 0) break;
    a.value.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return a;
}

// Go's strconv.ParseUint / ParseInt (base 10) on a trimmed attribute.
inline std::optional<uint64_t> ReadUint(const std::string& path) {
  Attr a = ReadWhole(path);
  if (!a.ok()) return std::nullopt;
  return parse::ToUint(TrimSpace(a.value));
}

// The magnitude part of Go's strconv.ParseUint(s, 0, 64): a 0x/0o/0b prefix
// or a leading 0 for octal, and '_' between digits only with a prefix.
inline std::optional<uint64_t> ParseMagnitudeBase0(std::string_view s) {
  int base = 10;
  bool prefixed = false;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    prefixed = true;
  }
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  bool last_underscore = true;  // no leading '_'
  for (char c : s) {
    if (c == '_') {
      if (!prefixed || last_underscore) return std::nullopt;
      last_underscore = true;
      continue;
    }
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
      d = (c | 0x20) - 'a' + 10;
    } else {
      return std::nullopt;
    }
    if (d >= base) return std::nullopt;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      return std::nullopt;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    last_underscore = false;
  }
  if (last_underscore) return std::nullopt;
  return v;
}

// Go's strconv.ParseUint(s, 0, 64).
inline std::optional<uint64_t> ParseUintBase0(std::string_view s) {
  if (s.size() == 1 && s[0] == '0') return 0;
  return ParseMagnitudeBase0(s);
}

// Go's strconv.ParseInt(s, 0, 64).
inline std::optional<int64_t> ParseIntBase0(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  auto v = ParseUintBase0(s);
  if (!v) return std::nullopt;
  if (neg) {
    if (*v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - *v);
  }
  if (*v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(*v);
}

inline bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

inline bool IsDir(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

// The sorted entry names of dir (os.ReadDir order). A missing directory gives
// NotFound, any other failure IOError.
inline common::Result<std::vector<std::string>> ListDir(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return common::Status::NotFound("no such directory: " + dir);
    }
    return common::Status::IOError("cannot list " + dir + ": " + ec.message());
  }
  for (std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return common::Status::IOError("cannot list " + dir + ": " + ec.message());
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Names in dir matching filepath.Glob's "<prefix>[0-9]*": prefix, one digit,
// then anything. A missing or unreadable dir yields none, as Glob does.
inline std::vector<std::string> GlobDigits(const std::string& dir, std::string_view prefix) {
  std::vector<std::string> out;
  auto names = ListDir(dir);
  if (!names.ok()) return out;
  for (const std::string& n : *names) {
    if (n.size() > prefix.size() && n.compare(0, prefix.size(), prefix) == 0 &&
        n[prefix.size()] >= '0' && n[prefix.size()] <= '9') {
      out.push_back(n);
    }
  }
  return out;
}

// Go's strings.ToValidUTF8(s, "\uFFFD"): each run of invalid bytes becomes one
// replacement character, so label values stay valid UTF-8.
inline std::string ToValidUtf8(const std::string& s) {
  std::string out;
  bool in_bad = false;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len == 2) ok = c >= 0xC2;
    if (ok && len == 3) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!ok) {
      if (!in_bad) out += "\xEF\xBF\xBD";
      in_bad = true;
      ++i;
      continue;
    }
    in_bad = false;
    out.append(s, i, len);
    i += len;
  }
  return out;
}

inline std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace exporter::sysfs
