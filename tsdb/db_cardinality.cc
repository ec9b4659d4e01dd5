// DB::Cardinality: Prometheus's TSDB status statistics from the head's
// series (every series is in the head, with its labels).
#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "tsdb/db_impl.h"

namespace tsdb {

namespace {

using Entry = CardinalityStats::Entry;

// The `limit` largest entries, largest first, ties by name.
std::vector<Entry> Top(std::vector<Entry> all, size_t limit) {
  auto larger = [](const Entry& a, const Entry& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  };
  if (all.size() > limit) {
    std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(limit), all.end(), larger);
    all.resize(limit);
  } else {
    std::sort(all.begin(), all.end(), larger);
  }
  return all;
}

}  // namespace

CardinalityStats DBImpl::Cardinality(size_t limit) {
  CardinalityStats st;
  // The series stay alive (and their labels unchanged) while `all` holds
  // them, so the maps can key on views into their labels.
  const std::vector<std::shared_ptr<MemSeries>> all = series_.All();
  std::unordered_map<std::string_view, std::unordered_map<std::string_view, uint64_t>> by_name;
  int64_t min_time = std::numeric_limits<int64_t>::max();
  for (const auto& s : all) {
    {
      common::MutexLock lock(&s->mu);
      if (s->deleted) continue;
      if (s->head.num_samples() > 0) {
        ++st.head_chunks;
        min_time = std::min(min_time, s->head.min_time());
      }
    }
    ++st.num_series;
    s->labels.ForEach([&](std::string_view n, std::string_view v) { ++by_name[n][v]; });
  }
  st.min_time = min_time == std::numeric_limits<int64_t>::max() ? 0 : min_time;
  st.max_time = MaxTime();
  std::vector<Entry> value_counts, memory, pairs;
  for (const auto& [name, values] : by_name) {
    st.num_label_pairs += values.size();
    value_counts.push_back({std::string(name), values.size()});
    uint64_t bytes = 0;
    for (const auto& [value, count] : values) {
      bytes += value.size();
      if (name == model::kMetricNameLabel) {
        st.series_count_by_metric_name.push_back({std::string(value), count});
      }
    }
    memory.push_back({std::string(name), bytes});
  }
  // Pairs: only the largest per name can be in the overall top `limit`.
  for (const auto& [name, values] : by_name) {
    std::vector<Entry> of_name;
    of_name.reserve(values.size());
    for (const auto& [value, count] : values) {
      of_name.push_back({std::string(name) + "=" + std::string(value), count});
    }
    for (auto& e : Top(std::move(of_name), limit)) pairs.push_back(std::move(e));
  }
  st.series_count_by_metric_name = Top(std::move(st.series_count_by_metric_name), limit);
  st.label_value_count_by_label_name = Top(std::move(value_counts), limit);
  st.memory_in_bytes_by_label_name = Top(std::move(memory), limit);
  st.series_count_by_label_value_pair = Top(std::move(pairs), limit);
  return st;
}

}  // namespace tsdb
