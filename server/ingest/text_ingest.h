// Prometheus text exposition -> Ingester, for scrapes and POST /metrics.
//
// The whole body is parsed and every series validated before anything is
// appended, so a malformed body (answered 400 with the line number) stores
// nothing. Target labels are attached the way Prometheus does with
// honor_labels: false: a scraped label that clashes with a target label is
// kept as exported_<name>.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "server/ingest/ingester.h"
#include "server/metadata.h"

namespace server {

struct TextIngestOptions {
  model::Labels target_labels;        // e.g. {job="node", instance="host:9100"}
  int64_t default_timestamp_ms = 0;   // for samples without a timestamp
  MetadataStore* metadata = nullptr;  // optional: receives TYPE/HELP
};

struct TextIngestResult {
  size_t samples = 0;                 // parsed samples
  std::vector<tsdb::SeriesRef> refs;  // only when collect_refs: the series of each sample
  tsdb::AppendResult append;
};

// Parses and validates all of text, then appends in one commit.
// InvalidArgument (nothing stored) on malformed text, invalid series or when
// the body has more samples than the limit.
common::Result<TextIngestResult> IngestText(Ingester& ingester, std::string_view text,
                                            const TextIngestOptions& options,
                                            bool collect_refs = false);

// Applies target labels to a scraped series (Prometheus honor_labels: false).
model::Labels AttachTargetLabels(const model::Labels& scraped, const model::Labels& target);

}  // namespace server
