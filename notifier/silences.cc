#include "notifier/silences.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "notifier/notifier.h"

namespace notifier {

namespace {

using common::Result;
using common::Status;
using nlohmann::json;

constexpr int kFileVersion = 1;

std::string NewUuidV4() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi, lo;
  {
    std::lock_guard<std::mutex> lock(mu);
    hi = rng();
    lo = rng();
  }
  hi = (hi & ~0xF000ULL) | 0x4000ULL;              // version 4
  lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);  // variant 10
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

json MatcherJson(const SilenceMatcher& m) {
  return json{
      {"name", m.name}, {"value", m.value}, {"isRegex", m.is_regex}, {"isEqual", m.is_equal}};
}

json SilenceJsonValue(const Silence& s, int64_t now_ms) {
  json matchers = json::array();
  for (const auto& m : s.matchers) matchers.push_back(MatcherJson(m));
  return json{{"id", s.id},
              {"status", {{"state", SilenceStateString(s.State(now_ms))}}},
              {"updatedAt", FormatRfc3339Millis(s.updated_at_ms)},
              {"matchers", std::move(matchers)},
              {"startsAt", FormatRfc3339Millis(s.starts_at_ms)},
              {"endsAt", FormatRfc3339Millis(s.ends_at_ms)},
              {"createdBy", s.created_by},
              {"comment", s.comment}};
}

Result<Silence> SilenceFromJsonValue(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("silence must be a JSON object");
  Silence s;
  auto str = [&](const char* key, std::string* out, bool required) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      return required ? Status::InvalidArgument(std::string(key) + " in body is required")
                      : Status::OK();
    }
    if (!it->is_string()) return Status::InvalidArgument(std::string(key) + " must be a string");
    *out = it->get<std::string>();
    return Status::OK();
  };
  auto time = [&](const char* key, int64_t* out, bool required) -> Status {
    std::string t;
    if (auto st = str(key, &t, required); !st.ok()) return st;
    if (t.empty()) return Status::OK();
    auto ms = ParseRfc3339Millis(t);
    if (!ms.ok()) return Status::InvalidArgument(std::string(key) + ": " + ms.status().message());
    *out = *ms;
    return Status::OK();
  };
  for (auto st :
       {str("id", &s.id, false), str("createdBy", &s.created_by, true),
        str("comment", &s.comment, true), time("startsAt", &s.starts_at_ms, true),
        time("endsAt", &s.ends_at_ms, true), time("updatedAt", &s.updated_at_ms, false)}) {
    if (!st.ok()) return st;
  }
  auto it = j.find("matchers");
  if (it == j.end() || !it->is_array()) {
    return Status::InvalidArgument("matchers in body is required");
  }
  for (const auto& m : *it) {
    if (!m.is_object()) return Status::InvalidArgument("matchers: each must be an object");
    SilenceMatcher sm;
    auto name = m.find("name");
    auto value = m.find("value");
    auto is_regex = m.find("isRegex");
    auto is_equal = m.find("isEqual");
    if (name == m.end() || !name->is_string()) {
      return Status::InvalidArgument("matchers.name in body is required");
    }
    if (value == m.end() || !value->is_string()) {
      return Status::InvalidArgument("matchers.value in body is required");
    }
    if (is_regex == m.end() || !is_regex->is_boolean()) {
      return Status::InvalidArgument("matchers.isRegex in body is required");
    }
    sm.name = name->get<std::string>();
    sm.value = value->get<std::string>();
    sm.is_regex = is_regex->get<bool>();
    if (is_equal != m.end() && !is_equal->is_null()) {
      if (!is_equal->is_boolean()) {
        return Status::InvalidArgument("matchers.isEqual must be a boolean");
      }
      sm.is_equal = is_equal->get<bool>();  // optional, default true
    }
    s.matchers.push_back(std::move(sm));
  }
  return s;
}

int Digits(std::string_view s, size_t pos, size_t n, bool* ok) {
  int v = 0;
  if (pos + n > s.size()) {
    *ok = false;
    return 0;
  }
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      *ok = false;
      return 0;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Alertmanager's API order (api/v2 SortSilences).
int StateRank(SilenceState s) {
  switch (s) {
    case SilenceState::kActive:
      return 0;
    case SilenceState::kPending:
      return 1;
    case SilenceState::kExpired:
      return 2;
  }
  return 3;
}

Status WriteFileAtomically(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError("cannot write " + tmp);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IOError("cannot fsync " + tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot rename " + tmp + " to " + path);
  }
  // The directory entry too.
  std::string dir = path.substr(0, path.rfind('/') == std::string::npos ? 0 : path.rfind('/'));
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return Status::OK();
}

// Alertmanager's canUpdate: may sil replace prev in place at now?
bool CanUpdate(const Silence& prev, const Silence& sil, int64_t now) {
  if (prev.matchers != sil.matchers) return false;
  switch (prev.State(now)) {
    case SilenceState::kActive:
      if (sil.starts_at_ms != prev.starts_at_ms) return false;
      if (sil.ends_at_ms < now) return false;
      break;
    case SilenceState::kPending:
      if (sil.starts_at_ms < now) return false;
      break;
    case SilenceState::kExpired:
      return false;
  }
  return true;
}

}  // namespace

const char* SilenceStateString(SilenceState s) {
  switch (s) {
    case SilenceState::kPending:
      return "pending";
    case SilenceState::kActive:
      return "active";
    case SilenceState::kExpired:
      return "expired";
  }
  return "unknown";
}

SilenceState Silence::State(int64_t now_ms) const {
  if (now_ms < starts_at_ms) return SilenceState::kPending;
  if (now_ms > ends_at_ms) return SilenceState::kExpired;
  return SilenceState::kActive;
}

std::string SilenceToJson(const Silence& s, int64_t now_ms) {
  return SilenceJsonValue(s, now_ms).dump();
}

std::string SilencesToJson(const std::vector<Silence>& silences, int64_t now_ms) {
  json arr = json::array();
  for (const auto& s : silences) arr.push_back(SilenceJsonValue(s, now_ms));
  return arr.dump();
}

Result<Silence> SilenceFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("invalid JSON");
  return SilenceFromJsonValue(j);
}

Result<int64_t> ParseRfc3339Millis(std::string_view s) {
  auto bad = [&] {
    return Status::InvalidArgument("invalid RFC 3339 time \"" + std::string(s) + "\"");
  };
  bool ok = true;
  int year = Digits(s, 0, 4, &ok);
  int month = Digits(s, 5, 2, &ok);
  int day = Digits(s, 8, 2, &ok);
  int hour = Digits(s, 11, 2, &ok);
  int min = Digits(s, 14, 2, &ok);
  int sec = Digits(s, 17, 2, &ok);
  if (!ok || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return bad();
  }
  size_t i = 19;
  int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    int64_t scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ms += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return bad();
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    int oh = Digits(s, i + 1, 2, &ok);
    int om = Digits(s, i + 4, 2, &ok);
    if (!ok || s[i + 3] != ':') return bad();
    offset_s = sign * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  // Days from civil (Howard Hinnant's algorithm), no time zone involved.
  int y = year - (month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_s;
  return secs * 1000 + ms;
}

Result<std::vector<model::Matcher>> CompileSilenceMatchers(
    const std::vector<SilenceMatcher>& matchers) {
  std::vector<model::Matcher> out;
  for (const auto& m : matchers) {
    if (!model::IsValidLabelName(m.name)) {
      return Status::InvalidArgument("invalid label matcher: invalid label name \"" + m.name +
                                     "\"");
    }
    using T = model::Matcher::Type;
    T type = m.is_regex ? (m.is_equal ? T::kRegexMatch : T::kRegexNoMatch)
                        : (m.is_equal ? T::kEqual : T::kNotEqual);
    auto mm = model::Matcher::Make(type, m.name, m.value);
    if (!mm.ok()) {
      return Status::InvalidArgument("invalid label matcher: " + mm.status().message());
    }
    out.push_back(std::move(*mm));
  }
  return out;
}

Status ValidateSilence(const Silence& s) {
  if (s.matchers.empty()) return Status::InvalidArgument("at least one matcher required");
  auto compiled = CompileSilenceMatchers(s.matchers);
  if (!compiled.ok()) return compiled.status();
  bool all_match_empty = true;
  for (const auto& m : *compiled) all_match_empty = all_match_empty && m.MatchesEmpty();
  if (all_match_empty) {
    return Status::InvalidArgument("at least one matcher must not match the empty string");
  }
  if (s.starts_at_ms == 0) return Status::InvalidArgument("invalid zero start timestamp");
  if (s.ends_at_ms == 0) return Status::InvalidArgument("invalid zero end timestamp");
  if (s.ends_at_ms < s.starts_at_ms) {
    return Status::InvalidArgument("end time must not be before start time");
  }
  if (s.created_by.empty()) return Status::InvalidArgument("createdBy in body is required");
  if (s.comment.empty()) return Status::InvalidArgument("comment in body is required");
  return Status::OK();
}

Result<std::unique_ptr<Silences>> Silences::Open(Options opts) {
  if (!opts.now) {
    opts.now = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  std::unique_ptr<Silences> s(new Silences(std::move(opts)));
  if (auto st = s->Load(); !st.ok()) return st;
  return s;
}

int64_t Silences::Now() const { return opts_.now(); }

Status Silences::Load() {
  if (opts_.path.empty()) return Status::OK();
  std::string text;
  if (::access(opts_.path.c_str(), F_OK) != 0) return Status::OK();  // none yet
  if (!common::ReadFileToString(opts_.path, &text)) {
    return Status::IOError("cannot read " + opts_.path);
  }
  json j = json::parse(text, nullptr, false);
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(opts_.path + ": " + why);
  };
  if (j.is_discarded() || !j.is_object()) return corrupt("not a JSON object");
  if (j.value("version", 0) != kFileVersion) return corrupt("unknown version");
  auto it = j.find("silences");
  if (it == j.end() || !it->is_array()) return corrupt("no silences array");
  common::MutexLock lock(&mu_);
  for (const auto& sj : *it) {
    auto s = SilenceFromJsonValue(sj);
    if (!s.ok()) return corrupt(s.status().message());
    auto compiled = CompileSilenceMatchers(s->matchers);
    if (!compiled.ok() || s->id.empty()) return corrupt("silence " + s->id + " is invalid");
    std::string id = s->id;
    silences_[id] = Entry{std::move(*s), std::move(*compiled)};
  }
  GcLocked(Now());
  return Status::OK();
}

Status Silences::Persist() {
  if (opts_.path.empty()) return Status::OK();
  json arr = json::array();
  int64_t now = Now();
  for (const auto& [id, e] : silences_) arr.push_back(SilenceJsonValue(e.silence, now));
  json doc{{"version", kFileVersion}, {"silences", std::move(arr)}};
  return WriteFileAtomically(opts_.path, doc.dump(1) + "\n");
}

Status Silences::Store(Silence s, int64_t now) {
  auto compiled = CompileSilenceMatchers(s.matchers);
  if (!compiled.ok()) return compiled.status();
  s.updated_at_ms = now;
  std::string id = s.id;
  auto before = silences_;
  silences_[id] = Entry{std::move(s), std::move(*compiled)};
  GcLocked(now);
  if (auto st = Persist(); !st.ok()) {
    silences_ = std::move(before);
    return st;
  }
  return Status::OK();
}

Result<std::string> Silences::Set(Silence s) {
  if (auto st = ValidateSilence(s); !st.ok()) return st;
  // API v2's checks on every posted silence.
  if (s.starts_at_ms >= s.ends_at_ms) {
    return Status::InvalidArgument("start time must be before end time");
  }
  common::MutexLock lock(&mu_);
  const int64_t now = Now();
  if (s.ends_at_ms < now) return Status::InvalidArgument("end time can't be in the past");
  auto before = silences_;
  if (!s.id.empty()) {
    auto it = silences_.find(s.id);
    if (it == silences_.end()) return Status::NotFound("silence " + s.id + " not found");
    const Silence& prev = it->second.silence;
    if (CanUpdate(prev, s, now)) {
      std::string id = s.id;
      if (auto st = Store(std::move(s), now); !st.ok()) return st;
      return id;
    }
    if (prev.State(now) != SilenceState::kExpired) {
      // Cannot update in place: expire the old one, create a replacement.
      Silence old = prev;
      if (old.State(now) == SilenceState::kPending) old.starts_at_ms = now;
      old.ends_at_ms = now;
      old.updated_at_ms = now;
      it->second.silence = old;
    }
  }
  s.id = NewUuidV4();
  if (s.starts_at_ms < now) s.starts_at_ms = now;
  std::string id = s.id;
  if (auto st = Store(std::move(s), now); !st.ok()) {
    silences_ = std::move(before);
    return st;
  }
  return id;
}

Status Silences::Expire(const std::string& id) {
  common::MutexLock lock(&mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return Status::NotFound("silence " + id + " not found");
  const int64_t now = Now();
  Silence s = it->second.silence;
  switch (s.State(now)) {
    case SilenceState::kExpired:
      return Status::InvalidArgument("silence " + id + " already expired");
    case SilenceState::kActive:
      s.ends_at_ms = now;
      break;
    case SilenceState::kPending:
      s.starts_at_ms = now;
      s.ends_at_ms = now;
      break;
  }
  return Store(std::move(s), now);
}

std::vector<Silence> Silences::List() const {
  common::MutexLock lock(&mu_);
  const int64_t now = Now();
  std::vector<Silence> out;
  for (const auto& [id, e] : silences_) out.push_back(e.silence);
  std::stable_sort(out.begin(), out.end(), [now](const Silence& a, const Silence& b) {
    int ra = StateRank(a.State(now)), rb = StateRank(b.State(now));
    if (ra != rb) return ra < rb;
    switch (a.State(now)) {
      case SilenceState::kActive:
        return a.ends_at_ms < b.ends_at_ms;
      case SilenceState::kPending:
        return a.starts_at_ms < b.starts_at_ms;
      case SilenceState::kExpired:
        return a.ends_at_ms > b.ends_at_ms;
    }
    return false;
  });
  return out;
}

Result<Silence> Silences::Get(const std::string& id) const {
  common::MutexLock lock(&mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return Status::NotFound("silence " + id + " not found");
  return it->second.silence;
}

std::vector<std::string> Silences::Mutes(const model::Labels& labels, int64_t now_ms) const {
  common::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, e] : silences_) {
    if (e.silence.State(now_ms) != SilenceState::kActive) continue;
    bool all = true;
    for (const auto& m : e.matchers) {
      if (!m.MatchesLabels(labels)) {
        all = false;
        break;
      }
    }
    if (all) ids.push_back(id);
  }
  return ids;  // std::map keeps them sorted
}

size_t Silences::GarbageCollect() {
  common::MutexLock lock(&mu_);
  auto before = silences_;
  size_t n = GcLocked(Now());
  if (n > 0 && !Persist().ok()) {
    silences_ = std::move(before);
    return 0;
  }
  return n;
}

size_t Silences::GcLocked(int64_t now) {
  size_t n = 0;
  for (auto it = silences_.begin(); it != silences_.end();) {
    if (it->second.silence.ends_at_ms + opts_.retention_ms < now) {
      it = silences_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

}  // namespace notifier
