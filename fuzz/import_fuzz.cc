// Fuzz target: the streamed bulk import (POST /api/v1/import/prometheus)
// over a real store in a temp dir. The body arrives in reads of varying size
// (the first byte picks them), so lines split across read blocks are
// exercised. Properties: no crash or UB; the counts add up (every parsed
// sample is accepted or counted under a reason, or the import stopped with
// a status); a malformed body says why.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "server/ingest/import.h"
#include "server/ingest/ingester.h"
#include "tsdb/db.h"

namespace {

struct Store {
  std::string dir;
  std::unique_ptr<tsdb::DB> db;
  std::unique_ptr<server::Ingester> ingester;
  Store() {
    // In memory when /dev/shm exists: disk writes would bound the
    // executions per second, not the code under test.
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/import_fuzz_XXXXXX";
    dir = mkdtemp(tmpl.data());
    tsdb::Options o;
    o.max_series = 100000;  // bounds the store over millions of inputs
    db = std::move(tsdb::DB::Open(dir, o)).value();
    server::Limits limits;
    ingester = std::make_unique<server::Ingester>(db.get(), limits);
  }
  ~Store() {
    ingester.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 1 << 16) return 0;
  static Store* store = new Store();  // one store for the run: opening one per input is slow
  const size_t piece = 1 + data[0] % 97;
  const char* body = reinterpret_cast<const char*>(data) + 1;
  size_t left = size - 1;
  auto read = [&](char* buf, size_t n) -> long {
    const size_t k = std::min({n, piece, left});
    std::memcpy(buf, body, k);
    body += k;
    left -= k;
    return static_cast<long>(k);
  };
  server::ImportResult r = server::ImportText(*store->ingester, read, 1700000000000, 1 << 20);
  const uint64_t counted = r.accepted + r.out_of_order + r.duplicate + r.too_old +
                           r.too_far_in_future + r.series_limit + r.invalid + r.series_removed;
  // Samples repeating a stored value are ignored without a count, so the
  // counts may be below the parsed samples, never above.
  if (counted > r.samples) std::abort();
  if (!r.status.ok() && r.status.message().empty()) std::abort();
  return 0;
}
