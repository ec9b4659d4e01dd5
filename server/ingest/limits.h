// Ingest limits: what one request or one series may carry. Each is enforced
// before anything of the request is stored, and answered with a 4xx that
// names the limit. Documented in README.md ("Limits").
#pragma once

#include <cstddef>

namespace server {

struct Limits {
  size_t max_body_bytes = 64u << 20;            // 413 beyond (decompressed too)
  size_t max_import_body_bytes = 1ull << 34;    // streamed import: 16 GiB
  size_t max_labels_per_series = 64;            // 400 beyond
  size_t max_label_name_length = 256;           // 400 beyond
  size_t max_label_value_length = 4096;         // 400 beyond
  size_t max_series = 5'000'000;                // 429 when creating more
  size_t max_samples_per_request = 10'000'000;  // 413 beyond (non-streaming paths)
  // Samples stamped further ahead of the server's clock are refused (400,
  // counted as too_far_in_future): the retention follows the newest sample,
  // so one stamped years ahead would expire everything stored. 0: no limit.
  int64_t max_future_ms = 3600 * 1000;
};

}  // namespace server
