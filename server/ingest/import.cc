#include "server/ingest/import.h"

#include <cstring>
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
  r.series_limit += a.series_limit;
}
}  // namespace

ImportResult ImportText(Ingester& ingester, const std::function<long(char*, size_t)>& read,
                        int64_t default_timestamp_ms, uint64_t max_bytes) {
  ImportResult result;
  std::string buf;  // carry-over partial line + new block
  std::vector<Ingester::Sample> batch;
  batch.reserve(kCommitEvery);
  int64_t next_line = 1;
  uint64_t total = 0;
  bool eof = false;
  std::string key;
  while (!eof) {
    size_t carry = buf.size();
    buf.resize(carry + kReadBlock);
    long n = read(buf.data() + carry, kReadBlock);
    if (n < 0) {
      result.status = common::Status::IOError("error reading request body");
      break;
    }
    buf.resize(carry + static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
    if (total > max_bytes) {
      result.status = common::Status::TooLarge(
          "body exceeds the import limit of " + std::to_string(max_bytes) + " bytes");
      break;
    }
    eof = n == 0;
    // Parse only complete lines; keep the tail for the next block.
    size_t end = eof ? buf.size() : buf.rfind('\n');
    if (end == std::string::npos) continue;  // a line longer than a block: read on
    if (!eof) ++end;
    std::string_view complete(buf.data(), end);
    common::TextParser parser(complete, next_line);
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
      key.assign(parser.series());
      auto ref = ingester.Resolve(key, [&]() -> common::Result<common::Labels> {
        common::Labels labels;
        if (auto s = common::ParseSeriesLabels(parser.series(), &labels); !s.ok()) return s;
        return labels;
      });
      if (!ref.ok()) {
        result.status =
            ref.status().WithContext("line " + std::to_string(parser.line_number()));
        failed = true;
        break;
      }
      batch.push_back({*ref, parser.timestamp_ms().value_or(default_timestamp_ms),
                       parser.value()});
      if (batch.size() >= kCommitEvery) Account(result, ingester.Commit(batch));
    }
    if (failed) break;
    // Count the lines consumed so messages keep absolute line numbers.
    for (size_t i = 0; i < end; ++i) next_line += complete[i] == '\n';
    buf.erase(0, end);
  }
  if (!batch.empty()) Account(result, ingester.Commit(batch));
  return result;
}

}  // namespace server
