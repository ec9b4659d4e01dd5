#include "tsdb/packed_labels.h"

#include <vector>

namespace tsdb {

namespace {

void PutField(std::string* out, std::string_view s) {
  uint64_t n = s.size();
  while (n >= 0x80) {
    out->push_back(static_cast<char>(n | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
  out->append(s);
}

}  // namespace

PackedLabels::PackedLabels(const model::Labels& labels) {
  size_t size = 0;
  for (const auto& l : labels) size += l.name.size() + l.value.size() + 4;
  data_.reserve(size);
  for (const auto& l : labels) {
    PutField(&data_, l.name);
    PutField(&data_, l.value);
  }
  data_.shrink_to_fit();
}

model::Labels PackedLabels::Unpack() const {
  // Queries unpack every series they return: one allocation for the vector
  // (names and values mostly fit std::string's inline buffer).
  size_t n = 0;
  ForEach([&](std::string_view, std::string_view) { ++n; });
  std::vector<model::Label> out;
  out.reserve(n);
  ForEach([&](std::string_view name, std::string_view value) {
    out.push_back({std::string(name), std::string(value)});
  });
  return model::Labels::FromSortedUnchecked(std::move(out));
}

std::string_view PackedLabels::Get(std::string_view name) const {
  Reader r(data_);
  std::string_view n, v;
  while (r.Next(&n, &v)) {
    if (n == name) return v;
  }
  return {};
}

bool PackedLabels::Equals(const model::Labels& labels) const {
  Reader r(data_);
  std::string_view n, v;
  for (const auto& l : labels) {
    if (!r.Next(&n, &v) || n != l.name || v != l.value) return false;
  }
  return !r.Next(&n, &v);
}

int PackedLabels::Compare(const PackedLabels& other) const {
  Reader a(data_), b(other.data_);
  std::string_view an, av, bn, bv;
  for (;;) {
    const bool ha = a.Next(&an, &av);
    const bool hb = b.Next(&bn, &bv);
    if (!ha || !hb) return static_cast<int>(ha) - static_cast<int>(hb);
    if (int c = an.compare(bn); c != 0) return c;
    if (int c = av.compare(bv); c != 0) return c;
  }
}

}  // namespace tsdb
