// ScratchDir: a temporary directory tree for collector tests that need inputs
// the shared fixtures cannot hold (malformed files, missing files). Removed
// with everything in it when the ScratchDir is destroyed.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/unit/exporter/collector_test_util.h"

namespace exporter::testing {

class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/collector_test_XXXXXX";
    const char* d = mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    dir_ = d ? d : "/nonexistent";
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return dir_; }

  // Writes text to rel (relative to the scratch dir), creating parent dirs.
  void Write(const std::string& rel, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(dir_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void MakeDir(const std::string& rel) const {
    std::filesystem::create_directories(std::filesystem::path(dir_) / rel);
  }
  void Symlink(const std::string& target, const std::string& rel) const {
    std::filesystem::path p = std::filesystem::path(dir_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }

 private:
  std::string dir_;
};

// FixtureConfig with procfs (or sysfs) replaced by a scratch dir.
inline CollectorConfig ProcAt(const ScratchDir& proc) {
  CollectorConfig c = FixtureConfig();
  c.paths.procfs = proc.path();
  return c;
}
inline CollectorConfig SysAt(const ScratchDir& sys) {
  CollectorConfig c = FixtureConfig();
  c.paths.sysfs = sys.path();
  return c;
}

// Runs the named collector and returns its status, whatever it is.
inline common::Status UpdateStatus(const std::string& name, const CollectorConfig& config) {
  MetricSink sink;
  return RegisteredCollectors().at(name).factory(config)->Update(sink);
}

}  // namespace exporter::testing
