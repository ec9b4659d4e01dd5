#include "exporter/metric_sink.h"

#include <algorithm>

namespace exporter {

prometheus::MetricFamily* MetricSink::Family(std::string_view name, std::string_view help,
                                             prometheus::MetricType type) {
  auto it = index_.find(std::string(name));
  if (it != index_.end()) {
    prometheus::MetricFamily& f = families_[it->second];
    return f.type == type && f.help == help ? &f : nullptr;
  }
  index_.emplace(std::string(name), families_.size());
  families_.push_back(prometheus::MetricFamily{std::string(name), std::string(help), type, {}});
  return &families_.back();
}

bool MetricSink::Add(std::string_view name, std::string_view help, prometheus::MetricType type,
                     prometheus::ClientMetric metric) {
  prometheus::MetricFamily* f = Family(name, help, type);
  if (!f) {
    ++errors_;
    return false;
  }
  f->metric.push_back(std::move(metric));
  return true;
}

void MetricSink::AddValue(std::string_view name, std::string_view help, prometheus::MetricType type,
                          LabelPairs labels, double value) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  switch (type) {
    case prometheus::MetricType::Counter:
      m.counter.value = value;
      break;
    case prometheus::MetricType::Gauge:
      m.gauge.value = value;
      break;
    default:
      m.untyped.value = value;
  }
  Add(name, help, type, std::move(m));
}

void MetricSink::Gauge(std::string_view name, std::string_view help, LabelPairs labels,
                       double value) {
  AddValue(name, help, prometheus::MetricType::Gauge, std::move(labels), value);
}

void MetricSink::Counter(std::string_view name, std::string_view help, LabelPairs labels,
                         double value) {
  AddValue(name, help, prometheus::MetricType::Counter, std::move(labels), value);
}

void MetricSink::Untyped(std::string_view name, std::string_view help, LabelPairs labels,
                         double value) {
  AddValue(name, help, prometheus::MetricType::Untyped, std::move(labels), value);
}

std::vector<prometheus::MetricFamily> MetricSink::TakeFamilies() {
  index_.clear();
  return std::move(families_);
}

const prometheus::MetricFamily* MetricSink::Find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &families_[it->second];
}

const prometheus::ClientMetric* FindMetric(const prometheus::MetricFamily& family,
                                           const LabelPairs& match) {
  for (const auto& m : family.metric) {
    bool all = std::all_of(match.begin(), match.end(), [&](const auto& want) {
      return LabelValue(m, want.name) == want.value;
    });
    if (all) return &m;
  }
  return nullptr;
}

double MetricValue(const prometheus::MetricFamily& family, const prometheus::ClientMetric& m) {
  switch (family.type) {
    case prometheus::MetricType::Counter:
      return m.counter.value;
    case prometheus::MetricType::Gauge:
      return m.gauge.value;
    default:
      return m.untyped.value;
  }
}

std::string_view LabelValue(const prometheus::ClientMetric& m, std::string_view name) {
  for (const auto& l : m.label) {
    if (l.name == name) return l.value;
  }
  return {};
}

}  // namespace exporter
