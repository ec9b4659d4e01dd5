// Silences as Alertmanager 0.25 keeps them (silence/silence.go), stored in
// one JSON file.
//
// A silence mutes the alerts all its matchers match while it is active:
// pending before startsAt, active from startsAt to endsAt (both included),
// expired after. Set() creates (empty id) or updates; an update that changes
// the matchers of an active silence, or moves its start, or touches an
// expired one, expires the old silence and creates a new one with a new id,
// as Alertmanager does. Every change is written to the file at once (temp
// file, fsync, rename); expired silences are kept for `retention` after
// their end, then dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "model/labels.h"
#include "model/matcher.h"

namespace notifier {

struct SilenceMatcher {
  std::string name;
  std::string value;
  bool is_regex = false;
  bool is_equal = true;  // false: != or !~
  bool operator==(const SilenceMatcher&) const = default;
};

enum class SilenceState { kPending, kActive, kExpired };
const char* SilenceStateString(SilenceState s);  // "pending", "active", "expired"

struct Silence {
  std::string id;  // UUID v4; empty in Set() to create
  std::vector<SilenceMatcher> matchers;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  int64_t updated_at_ms = 0;  // set by Silences
  std::string created_by;
  std::string comment;

  SilenceState State(int64_t now_ms) const;
};

// Alertmanager API v2 gettableSilence: {id, status:{state}, updatedAt,
// matchers:[{name,value,isRegex,isEqual}], startsAt, endsAt, createdBy,
// comment}; times RFC 3339 with milliseconds, UTC.
std::string SilenceToJson(const Silence& s, int64_t now_ms);
// A JSON array of gettableSilence.
std::string SilencesToJson(const std::vector<Silence>& silences, int64_t now_ms);
// postableSilence (id optional; status and updatedAt ignored). Times accept
// RFC 3339 with any fraction and offset. InvalidArgument naming the problem.
common::Result<Silence> SilenceFromJson(std::string_view json);
// RFC 3339 ("2024-01-02T03:04:05.123456Z", "...+02:00") to Unix ms.
common::Result<int64_t> ParseRfc3339Millis(std::string_view s);

// Alertmanager's validation of a silence (validateSilence plus API v2's
// required createdBy and comment): at least one matcher, valid label names,
// regexes that compile, not every matcher matching "", both times set, end
// not before start.
common::Status ValidateSilence(const Silence& s);

class Silences {
 public:
  struct Options {
    std::string path;                        // the JSON file; empty keeps silences in memory only
    int64_t retention_ms = 120 * 3'600'000;  // --data.retention
    std::function<int64_t()> now;            // default: the system clock (ms)
  };

  // Loads the file if it exists (a corrupt file is an error, not emptied).
  static common::Result<std::unique_ptr<Silences>> Open(Options opts);

  // Creates (s.id empty) or updates a silence; returns its id, which is new
  // when the update had to replace it. NotFound for an unknown id.
  // InvalidArgument for an invalid silence, or a new one ending in the past.
  // IOError if it could not be persisted (then nothing changed).
  common::Result<std::string> Set(Silence s) EXCLUDES(mu_);
  // Ends a silence now. NotFound, or InvalidArgument if already expired.
  common::Status Expire(const std::string& id) EXCLUDES(mu_);
  // All silences kept, in Alertmanager's API order: active by end, then
  // pending by start, then expired by end, latest first.
  std::vector<Silence> List() const EXCLUDES(mu_);
  common::Result<Silence> Get(const std::string& id) const EXCLUDES(mu_);
  // Ids of the silences active at now_ms that mute these labels, sorted.
  std::vector<std::string> Mutes(const model::Labels& labels, int64_t now_ms) const EXCLUDES(mu_);
  // Drops silences expired more than the retention ago (also done by Set and
  // Expire); returns how many.
  size_t GarbageCollect() EXCLUDES(mu_);

 private:
  // A silence with its compiled matchers.
  struct Entry {
    Silence silence;
    std::vector<model::Matcher> matchers;
  };

  explicit Silences(Options opts) : opts_(std::move(opts)) {}
  int64_t Now() const;
  common::Status Load() EXCLUDES(mu_);
  // Writes every silence to the file; on failure the map is restored by the
  // caller from `before`.
  common::Status Persist() REQUIRES(mu_);
  // Stores s (updated_at = now) and persists; restores the old state on failure.
  common::Status Store(Silence s, int64_t now) REQUIRES(mu_);
  size_t GcLocked(int64_t now) REQUIRES(mu_);

  const Options opts_;
  mutable common::Mutex mu_;
  std::map<std::string, Entry> silences_ GUARDED_BY(mu_);
};

// Compiles a silence's matchers (InvalidArgument for a bad name or regex).
common::Result<std::vector<model::Matcher>> CompileSilenceMatchers(
    const std::vector<SilenceMatcher>& matchers);

}  // namespace notifier
