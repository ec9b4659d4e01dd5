#include "server/ingest/text_ingest.h"

#include "common/text_parser.h"

namespace server {

model::Labels AttachTargetLabels(const model::Labels& scraped, const model::Labels& target) {
  if (target.empty()) return scraped;
  std::vector<model::Label> out;
  out.reserve(scraped.size() + target.size());
  for (const auto& l : scraped) {
    if (target.Has(l.name)) {
      out.push_back({"exported_" + l.name, l.value});
    } else {
      out.push_back(l);
    }
  }
  for (const auto& l : target) out.push_back(l);
  return model::Labels::FromVector(std::move(out));
}

common::Result<TextIngestResult> IngestText(Ingester& ingester, std::string_view text,
                                            const TextIngestOptions& options, bool collect_refs) {
  // The cache key must include the target labels: the same raw series from
  // two targets are two series.
  std::string key_prefix;
  for (const auto& l : options.target_labels) key_prefix += l.name + "\x01" + l.value + "\x01";
  key_prefix += '\x02';
  std::string key;

  TextIngestResult result;
  std::vector<tsdb::RefSample> batch;
  Ingester::SeriesBatch series(&ingester);  // created only once all lines are valid
  common::TextParser parser(text);
  for (;;) {
    auto e = parser.Next();
    if (e == common::TextParser::Entry::kEnd) break;
    if (e == common::TextParser::Entry::kError) return parser.status();
    if (e == common::TextParser::Entry::kType) {
      if (options.metadata) options.metadata->SetType(parser.meta_name(), parser.meta_text());
      continue;
    }
    if (e == common::TextParser::Entry::kHelp) {
      if (options.metadata) options.metadata->SetHelp(parser.meta_name(), parser.meta_text());
      continue;
    }
    if (batch.size() >= ingester.limits().max_samples_per_request) {
      return common::Status::TooLarge("body has more than " +
                                      std::to_string(ingester.limits().max_samples_per_request) +
                                      " samples");
    }
    key.assign(key_prefix);
    key.append(parser.series());
    auto ref = series.Resolve(key, [&]() -> common::Result<model::Labels> {
      model::Labels scraped;
      if (auto s = common::ParseSeriesLabels(parser.series(), &scraped); !s.ok()) return s;
      return AttachTargetLabels(scraped, options.target_labels);
    });
    if (!ref.ok()) {
      return ref.status().WithContext("line " + std::to_string(parser.line_number()));
    }
    if (collect_refs) result.refs.push_back(*ref);
    batch.push_back(
        {*ref, parser.timestamp_ms().value_or(options.default_timestamp_ms), parser.value()});
  }
  if (auto s = series.Create(&batch, collect_refs ? &result.refs : nullptr); !s.ok()) return s;
  result.samples = batch.size();
  result.append = ingester.Commit(batch);
  return result;
}

}  // namespace server
