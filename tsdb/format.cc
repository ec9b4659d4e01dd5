#include "tsdb/format.h"

#include <bit>
#include <cstring>

#include "common/coding.h"

namespace tsdb::format {

using common::DecodeFixed64BE;
using common::PutFixed64BE;

std::string U64Key(uint64_t v) {
  std::string s;
  PutFixed64BE(&s, v);
  return s;
}

uint64_t DecodeU64Key(std::string_view key) { return DecodeFixed64BE(key.data()); }

std::string EncodeLabels(const model::Labels& labels) {
  std::string out;
  for (const auto& l : labels) {
    common::PutLengthPrefixed(&out, l.name);
    common::PutLengthPrefixed(&out, l.value);
  }
  return out;
}

bool DecodeLabels(std::string_view in, model::Labels* labels) {
  std::vector<model::Label> v;
  while (!in.empty()) {
    std::string_view n, val;
    if (!common::GetLengthPrefixed(&in, &n) || !common::GetLengthPrefixed(&in, &val)) {
      return false;
    }
    v.push_back({std::string(n), std::string(val)});
  }
  *labels = model::Labels::FromSortedUnchecked(std::move(v));
  return true;
}

std::string PostingNamePrefix(std::string_view name) {
  std::string s(name);
  s.push_back('\0');
  return s;
}

std::string PostingValuePrefix(std::string_view name, std::string_view value) {
  std::string s = PostingNamePrefix(name);
  s.append(value);
  s.push_back('\0');
  return s;
}

std::string PostingKey(std::string_view name, std::string_view value, uint64_t id) {
  std::string s = PostingValuePrefix(name, value);
  PutFixed64BE(&s, id);
  return s;
}

bool ParsePostingKey(std::string_view key, std::string_view* name, std::string_view* value,
                     uint64_t* id) {
  // Label names cannot contain \0; values could, so the value is whatever
  // lies between the first \0 and the 9 trailing bytes.
  size_t z = key.find('\0');
  if (z == std::string_view::npos || key.size() < z + 1 + 1 + 8) return false;
  if (key[key.size() - 9] != '\0') return false;
  *name = key.substr(0, z);
  *value = key.substr(z + 1, key.size() - 9 - (z + 1));
  *id = DecodeFixed64BE(key.data() + key.size() - 8);
  return true;
}

std::string ChunkKey(uint64_t id, int64_t mint) {
  std::string s;
  PutFixed64BE(&s, id);
  PutFixed64BE(&s, common::OrderedFromInt64(mint));
  return s;
}

void ParseChunkKey(std::string_view key, uint64_t* id, int64_t* mint) {
  *id = DecodeFixed64BE(key.data());
  *mint = common::Int64FromOrdered(DecodeFixed64BE(key.data() + 8));
}

std::string BlockKey(int64_t resolution_ms, uint64_t id, int64_t block_start) {
  std::string s;
  PutFixed64BE(&s, static_cast<uint64_t>(resolution_ms));
  PutFixed64BE(&s, id);
  PutFixed64BE(&s, common::OrderedFromInt64(block_start));
  return s;
}

void ParseBlockKey(std::string_view key, int64_t* resolution_ms, uint64_t* id,
                   int64_t* block_start) {
  *resolution_ms = static_cast<int64_t>(DecodeFixed64BE(key.data()));
  *id = DecodeFixed64BE(key.data() + 8);
  *block_start = common::Int64FromOrdered(DecodeFixed64BE(key.data() + 16));
}

std::string ColdIdKey(uint64_t id) {
  std::string s(1, 'i');
  PutFixed64BE(&s, id);
  return s;
}

std::string ColdHashPrefix(uint64_t hash) {
  std::string s(1, 'h');
  PutFixed64BE(&s, hash);
  return s;
}

std::string ColdHashKey(uint64_t hash, uint64_t id) {
  std::string s = ColdHashPrefix(hash);
  PutFixed64BE(&s, id);
  return s;
}

std::string OrderedTimeKey(int64_t t) {
  std::string s;
  PutFixed64BE(&s, common::OrderedFromInt64(t));
  return s;
}

int64_t DecodeOrderedTimeKey(std::string_view key) {
  return common::Int64FromOrdered(DecodeFixed64BE(key.data()));
}

std::string EncodeChunkValue(Encoding enc, int64_t min_time, int64_t max_time,
                             std::string_view data) {
  std::string s;
  s.reserve(11 + data.size());
  s.push_back(static_cast<char>(enc));
  common::PutVarint64(&s, static_cast<uint64_t>(max_time) - static_cast<uint64_t>(min_time));
  s.append(data);
  return s;
}

bool DecodeChunkValue(std::string_view in, int64_t min_time, ChunkValue* out) {
  if (in.empty()) return false;
  auto enc = static_cast<Encoding>(in[0]);
  if (enc != Encoding::kXor && enc != Encoding::kDecimal) return false;
  in.remove_prefix(1);
  uint64_t span;
  if (!common::GetVarint64(&in, &span) || in.size() < 2) return false;
  out->encoding = enc;
  out->max_time = static_cast<int64_t>(static_cast<uint64_t>(min_time) + span);
  out->num_samples = (static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]);
  out->data = in;
  return true;
}

void AppendWalSeries(std::string* out, uint64_t id, const int64_t* ts, const double* vs, size_t n) {
  common::PutVarint64(out, id);
  common::PutVarint64(out, n);
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    common::PutVarint64(out, common::ZigZagEncode(static_cast<int64_t>(
                                 static_cast<uint64_t>(ts[i]) - static_cast<uint64_t>(prev))));
    prev = ts[i];
  }
  size_t pos = out->size();
  out->resize(pos + 8 * n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t b = std::bit_cast<uint64_t>(vs[i]);
    std::memcpy(out->data() + pos + 8 * i, &b, 8);  // little-endian hosts only
  }
}

bool DecodeWalRecord(std::string_view in, std::vector<WalSeries>* out) {
  while (!in.empty()) {
    WalSeries s;
    uint64_t n;
    if (!common::GetVarint64(&in, &s.id) || !common::GetVarint64(&in, &n)) return false;
    if (n > in.size()) return false;
    s.ts.resize(n);
    s.vs.resize(n);
    int64_t prev = 0;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t zz;
      if (!common::GetVarint64(&in, &zz)) return false;
      prev = static_cast<int64_t>(static_cast<uint64_t>(prev) +
                                  static_cast<uint64_t>(common::ZigZagDecode(zz)));
      s.ts[i] = prev;
    }
    if (in.size() < 8 * n) return false;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t b;
      std::memcpy(&b, in.data() + 8 * i, 8);
      s.vs[i] = std::bit_cast<double>(b);
    }
    in.remove_prefix(8 * n);
    out->push_back(std::move(s));
  }
  return true;
}

bool DecodeWalRecordFlat(std::string_view in, std::vector<uint64_t>* ids,
                         std::vector<uint32_t>* offsets, std::vector<int64_t>* ts,
                         std::vector<double>* vs) {
  if (offsets->empty()) offsets->push_back(static_cast<uint32_t>(ts->size()));
  while (!in.empty()) {
    uint64_t id, n;
    if (!common::GetVarint64(&in, &id) || !common::GetVarint64(&in, &n)) return false;
    if (n > in.size()) return false;
    int64_t prev = 0;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t zz;
      if (!common::GetVarint64(&in, &zz)) return false;
      prev = static_cast<int64_t>(static_cast<uint64_t>(prev) +
                                  static_cast<uint64_t>(common::ZigZagDecode(zz)));
      ts->push_back(prev);
    }
    if (in.size() < 8 * n) return false;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t b;
      std::memcpy(&b, in.data() + 8 * i, 8);
      vs->push_back(std::bit_cast<double>(b));
    }
    in.remove_prefix(8 * n);
    ids->push_back(id);
    offsets->push_back(static_cast<uint32_t>(ts->size()));
  }
  return true;
}

}  // namespace tsdb::format
