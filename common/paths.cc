#include "common/paths.h"

#include <fcntl.h>
#include <unistd.h>

namespace common {

std::string HostPaths::Join(std::string_view root, std::string_view rel) {
  std::string out(root);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  out += '/';
  out += rel;
  return out;
}

bool ReadFileToString(const std::string& path, std::string* out) {
  out->clear();
  // Plain read(2): procfs files report size 0, so read until EOF.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      close(fd);
      out->clear();
      return false;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return true;
}

}  // namespace common
