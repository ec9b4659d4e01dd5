// os collector: the distribution's os-release file, <rootfs>/etc/os-release or
// else <rootfs>/usr/lib/os-release, as node_exporter 1.5's os_release.go
// (node_os_info, node_os_version). The file is parsed the way node_exporter's
// envparse does, and re-parsed only when its name or mtime changes.
#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// One KEY=value line as hashicorp/go-envparse reads it: "export " prefix,
// surrounding blanks trimmed; double quotes with \\ \" \n \t escapes, single
// quotes literal, '#' outside quotes starts a comment. nullopt on a malformed
// line, which makes the whole file malformed; key "" for an empty or comment
// line.
std::optional<std::pair<std::string, std::string>> ParseEnvLine(std::string_view ln) {
  // Blank lines and whole-line comments (after leading blanks) are skipped.
  std::string_view trimmed = sysfs::TrimSpace(ln);
  if (trimmed.empty() || trimmed[0] == '#') return std::make_pair(std::string(), std::string());
  size_t eq = ln.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::string_view key = sysfs::TrimSpace(ln.substr(0, eq));
  std::string_view value = sysfs::TrimSpace(ln.substr(eq + 1));
  if (key.substr(0, 7) == "export ") key.remove_prefix(7);
  if (key.empty()) return std::nullopt;
  char k0 = key[0];
  // envparse's own check: only the first character is restricted.
  if (k0 < 'A' || (k0 > 'Z' && k0 < 'a' && k0 != '_') || k0 > 'z') return std::nullopt;
  std::string out;
  size_t last_sig = 0;
  enum { kNormal, kDouble, kSingle, kEscape } mode = kNormal;
  for (char ch : value) {
    unsigned char v = static_cast<unsigned char>(ch);
    if (v < 32) return std::nullopt;
    if (v > 127) {
      if (mode == kEscape) return std::nullopt;
      last_sig = out.size();  // as envparse: the byte itself is not counted
      out.push_back(ch);
      continue;
    }
    switch (mode) {
      case kNormal:
        if (ch == '"') {
          mode = kDouble;
        } else if (ch == '\'') {
          mode = kSingle;
        } else if (ch == '#') {
          return std::make_pair(std::string(key), out.substr(0, last_sig));
        } else if (ch == ' ' || ch == '\t') {
          out.push_back(ch);
        } else {
          out.push_back(ch);
          last_sig = out.size();
        }
        break;
      case kDouble:
        if (ch == '"') {
          mode = kNormal;
        } else if (ch == '\\') {
          mode = kEscape;
        } else {
          out.push_back(ch);
          last_sig = out.size();
        }
        break;
      case kEscape:
        if (ch == '"' || ch == '\\') {
          out.push_back(ch);
        } else if (ch == 'n') {
          out.push_back('\n');
        } else if (ch == 't') {
          out.push_back('\t');
        } else {
          return std::nullopt;
        }
        last_sig = out.size();
        mode = kDouble;
        break;
      case kSingle:
        if (ch == '\'') {
          mode = kNormal;
        } else {
          out.push_back(ch);
          last_sig = out.size();
        }
        break;
    }
  }
  if (mode != kNormal) return std::nullopt;
  return std::make_pair(std::string(key), out);
}

// nullopt when any line is malformed (envparse then returns no map at all).
std::optional<std::map<std::string, std::string>> ParseEnv(std::string_view text) {
  std::map<std::string, std::string> env;
  for (std::string_view line : parse::Lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto kv = ParseEnvLine(line);
    if (!kv) return std::nullopt;
    if (!kv->first.empty()) env[kv->first] = kv->second;
  }
  return env;
}

// The leading "major[.minor]" of VERSION_ID as a number, 0 when there is none
// (node_exporter's ^[0-9]+\.?[0-9]*).
double MajorMinor(const std::string& version_id) {
  size_t i = 0;
  while (i < version_id.size() && version_id[i] >= '0' && version_id[i] <= '9') ++i;
  if (i == 0) return 0;
  if (i < version_id.size() && version_id[i] == '.') {
    ++i;
    while (i < version_id.size() && version_id[i] >= '0' && version_id[i] <= '9') ++i;
  }
  return parse::ToDouble(version_id.substr(0, i)).value_or(0);
}

class OsCollector : public Collector {
 public:
  explicit OsCollector(const CollectorConfig& c)
      : files_{c.paths.Root("etc/os-release"), c.paths.Root("usr/lib/os-release")} {}

  common::Status Update(MetricSink& sink) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < 2; ++i) {
      int err = UpdateCache(files_[i]);
      if (err == 0) break;
      if (err == ENOENT) {
        if (i == 1) return common::Status::NotFound("no os-release file found");
        continue;
      }
      return common::Status::IOError("cannot read os-release file " + files_[i]);
    }
    auto get = [&](const char* k) {
      auto it = env_.find(k);
      return it == env_.end() ? std::string() : it->second;
    };
    sink.Gauge("node_os_info",
               "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, "
               "image_version, name, pretty_name, variant, variant_id, version, version_codename, "
               "version_id.",
               {{"build_id", get("BUILD_ID")},
                {"id", get("ID")},
                {"id_like", get("ID_LIKE")},
                {"image_id", get("IMAGE_ID")},
                {"image_version", get("IMAGE_VERSION")},
                {"name", get("NAME")},
                {"pretty_name", get("PRETTY_NAME")},
                {"variant", get("VARIANT")},
                {"variant_id", get("VARIANT_ID")},
                {"version", get("VERSION")},
                {"version_codename", get("VERSION_CODENAME")},
                {"version_id", get("VERSION_ID")}},
               1);
    if (version_ > 0) {
      sink.Gauge("node_os_version", "Metric containing the major.minor part of the OS version.",
                 {{"id", get("ID")}, {"id_like", get("ID_LIKE")}, {"name", get("NAME")}}, version_);
    }
    return common::Status::OK();
  }

 private:
  // Returns 0 when the cache holds path's content, else the errno (EINVAL for
  // a malformed file). node_exporter records the file's name and mtime before
  // parsing, so it reports a malformed file once and then serves empty values
  // until the file changes; here a malformed file fails every scrape (the
  // service's start-up collection would otherwise swallow the one failure).
  int UpdateCache(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return errno;
    if (path == cached_path_ && st.st_mtim.tv_sec == mtime_.tv_sec &&
        st.st_mtim.tv_nsec == mtime_.tv_nsec) {
      return 0;
    }
    sysfs::Attr a = sysfs::ReadWhole(path);
    if (!a.ok()) return a.err;
    auto env = ParseEnv(a.value);
    if (!env) {
      cached_path_.clear();
      return EINVAL;
    }
    cached_path_ = path;
    mtime_ = st.st_mtim;
    env_ = std::move(*env);
    version_ = MajorMinor(get_version_id());
    return 0;
  }
  std::string get_version_id() const {
    auto it = env_.find("VERSION_ID");
    return it == env_.end() ? std::string() : it->second;
  }

  std::string files_[2];
  std::mutex mu_;
  std::string cached_path_;
  struct timespec mtime_ = {0, 0};
  std::map<std::string, std::string> env_;
  double version_ = 0;
};

REGISTER_COLLECTOR("os", true, OsCollector);

}  // namespace
}  // namespace exporter
