// PackedLabels: a series' labels as the head keeps them, in one string
// (varint name length, name, varint value length, value, ...) instead of a
// vector of string pairs: about 130 instead of 430 bytes for a
// node_exporter series, for every active series (internal to tsdb/).
// Order, equality and lookups work on the packed bytes; Unpack() builds
// model::Labels for callers that need them.
#pragma once

#include <string>
#include <string_view>

#include "model/labels.h"

namespace tsdb {

class PackedLabels {
 public:
  explicit PackedLabels(const model::Labels& labels);

  model::Labels Unpack() const;
  // Value of the named label, "" if absent. Views into this object.
  std::string_view Get(std::string_view name) const;
  bool Equals(const model::Labels& labels) const;
  // The order of model::Labels (pairs compared by name, then value; a prefix
  // first): <0, 0, >0.
  int Compare(const PackedLabels& other) const;
  // Calls f(name, value) for each label in order; the views live as long as
  // this object.
  template <typename F>
  void ForEach(F&& f) const {
    Reader r(data_);
    std::string_view name, value;
    while (r.Next(&name, &value)) f(name, value);
  }
  size_t MemoryUsage() const { return sizeof(*this) + data_.capacity(); }

 private:
  class Reader {
   public:
    explicit Reader(std::string_view data) : data_(data) {}
    bool Next(std::string_view* name, std::string_view* value) {
      return Field(name) && Field(value);
    }

   private:
    bool Field(std::string_view* out) {
      uint64_t n = 0;
      int shift = 0;
      while (pos_ < data_.size()) {
        const auto b = static_cast<unsigned char>(data_[pos_++]);
        n |= static_cast<uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          *out = data_.substr(pos_, n);
          pos_ += n;
          return true;
        }
        shift += 7;
      }
      return false;
    }
    std::string_view data_;
    size_t pos_ = 0;
  };

  std::string data_;
};

}  // namespace tsdb
