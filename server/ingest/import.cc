#include "server/ingest/import.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/text_parser.h"

namespace server {

namespace {
constexpr size_t kReadBlock = 1 << 20;
constexpr size_t kCommitEvery = 1 << 16;

void Account(ImportResult& r, const tsdb::AppendResult& a) {
  r.accepted += a.accepted;
  r.out_of_order += a.out_of_order;
  r.duplicate += a.duplicate_conflict;
  r.too_old += a.too_old;
  r.too_far_in_future += a.too_far_in_future;
  r.series_limit += a.series_limit;
  r.invalid += a.invalid;
  r.series_removed += a.series_removed;
}

// Commits batch into the result; false if the store could not persist it
// (then nothing of the batch is stored and the import must stop: a storage
// error outranks a parse error found after the batch).
bool CommitBatch(Ingester& ingester, std::vector<tsdb::RefSample>& batch, ImportResult& r) {
  tsdb::AppendResult a = ingester.Commit(batch);
  Account(r, a);
  if (!a.status.IsIOError()) return true;
  r.status = a.status;
  r.storage_error = true;
  return false;
}
}  // namespace

ImportResult ImportText(Ingester& ingester, const std::function<long(char*, size_t)>& read,
                        int64_t default_timestamp_ms, uint64_t max_bytes) {
  ImportResult result;
  // buf[0, len) holds the carried-over partial line followed by new data. A
  // plain heap array, not a std::string: resizing a string zero-fills the
  // whole block before every read.
  size_t cap = kReadBlock * 2;
  auto buf = std::make_unique_for_overwrite<char[]>(cap);
  size_t len = 0;
  std::vector<tsdb::RefSample> batch;
  batch.reserve(kCommitEvery);
  int64_t next_line = 1;
  uint64_t total = 0;
  bool eof = false;
  // Bulk text usually lists many samples of one series in a row: the ref of
  // the previous line's series is reused when the text is identical, which
  // skips hashing and the cache lookup for those lines, and the parser takes
  // it as a hint so it does not rescan the label set either.
  std::string last_series;
  tsdb::SeriesRef last_ref = 0;
  bool have_last = false;
  while (!eof) {
    if (cap - len < kReadBlock) {  // a line longer than a block: grow
      size_t ncap = std::max(cap * 2, len + kReadBlock);
      auto nbuf = std::make_unique_for_overwrite<char[]>(ncap);
      std::memcpy(nbuf.get(), buf.get(), len);
      buf = std::move(nbuf);
      cap = ncap;
    }
    long n = read(buf.get() + len, kReadBlock);
    if (n < 0) {
      result.status = common::Status::IOError("error reading request body");
      break;
    }
    const size_t scan_from = len;
    len += static_cast<size_t>(n);
    total += static_cast<uint64_t>(n);
    if (total > max_bytes) {
      result.status = common::Status::TooLarge("body exceeds the import limit of " +
                                               std::to_string(max_bytes) + " bytes");
      break;
    }
    eof = n == 0;
    // Parse only complete lines; keep the tail for the next block. Only the
    // new bytes can hold the last newline (the carry has none).
    size_t end = len;
    if (!eof) {
      const void* nl = memrchr(buf.get() + scan_from, '\n', len - scan_from);
      if (nl == nullptr) continue;  // a line longer than a block: read on
      end = static_cast<size_t>(static_cast<const char*>(nl) - buf.get()) + 1;
    }
    std::string_view complete(buf.get(), end);
    common::TextParser parser(complete, next_line);
    if (have_last) parser.SetSeriesHint(last_series);
    bool failed = false;
    for (;;) {
      auto e = parser.Next();
      if (e == common::TextParser::Entry::kEnd) break;
      if (e == common::TextParser::Entry::kError) {
        result.status = parser.status();
        failed = true;
        break;
      }
      if (e != common::TextParser::Entry::kSample) continue;
      ++result.samples;
      std::string_view series = parser.series();
      if (!have_last || series != last_series) {
        auto ref = ingester.Resolve(series, [&]() -> common::Result<model::Labels> {
          model::Labels labels;
          if (auto s = common::ParseSeriesLabels(series, &labels); !s.ok()) return s;
          return labels;
        });
        if (!ref.ok()) {
          result.status = ref.status().WithContext("line " + std::to_string(parser.line_number()));
          result.storage_error = ref.status().IsIOError();
          failed = true;
          break;
        }
        last_series.assign(series);
        parser.SetSeriesHint(last_series);
        last_ref = *ref;
        have_last = true;
      }
      batch.push_back(
          {last_ref, parser.timestamp_ms().value_or(default_timestamp_ms), parser.value()});
      if (batch.size() >= kCommitEvery && !CommitBatch(ingester, batch, result)) {
        failed = true;
        break;
      }
    }
    if (failed) break;
    // The block ends at a line end, so the parser has counted every line of
    // it: the next block continues at the following line number.
    next_line = parser.line_number() + 1;
    std::memmove(buf.get(), buf.get() + end, len - end);
    len -= end;
  }
  if (!batch.empty()) (void)CommitBatch(ingester, batch, result);
  return result;
}

}  // namespace server
