// Fuzz target: the forwarder's spool records and text stamping. A spool
// file may hold anything after a crash or a hand edit: opening the spool,
// reading the record back and stamping text readings must not crash, and a
// record reads back exactly as written.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "exporter/forwarder/forwarder.h"
#include "exporter/forwarder/spool.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  static const std::string dir = [] {
    // In memory when /dev/shm exists: disk writes would bound the
    // executions per second, not the code under test.
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/spool_fuzz_XXXXXX";
    return std::string(mkdtemp(tmpl.data()));
  }();
  const std::string record(reinterpret_cast<const char*>(data), size);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir + "/00000000000000000007.reading", std::ios::binary);
    f << record;
  }
  forwarder::Spool::Options o;
  o.dir = dir;
  auto spool = forwarder::Spool::Open(o);
  if (!spool.ok()) return 0;
  auto e = spool->Front();
  if (!e) std::abort();
  auto got = spool->Read(*e);
  if (!got.ok() || *got != record) std::abort();
  // As Drain does: a first line naming the content type, then the body.
  const size_t nl = got->find('\n');
  if (nl != std::string::npos && got->compare(0, nl, "text/plain") == 0) {
    (void)forwarder::StampTextWithTimestamp(got->substr(nl + 1), 1700000000000);
  }
  (void)forwarder::StampTextWithTimestamp(record, 1700000000000);
  if (!spool->PopFront().ok() || spool->Front()) std::abort();
  return 0;
}
