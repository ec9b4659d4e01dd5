// File names inside configuration files (the server's config, the web config
// file): relative names resolve against the directory of the file that
// names them, as Prometheus resolves them.
#pragma once

#include <string>

namespace common {

// The directory of a configuration file ("." for a bare name).
inline std::string ConfigDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// file as named in a configuration file in base_dir: unchanged when absolute,
// empty, or when there is no base_dir.
inline std::string ResolveConfigPath(const std::string& file, const std::string& base_dir) {
  if (file.empty() || file[0] == '/' || base_dir.empty()) return file;
  return base_dir + "/" + file;
}

}  // namespace common
