#include "notifier/outbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "notifier/receivers.h"

namespace notifier {

using common::Status;
using ojson = nlohmann::ordered_json;

namespace {

constexpr int kFileVersion = 1;

ojson LabelsToJson(const model::Labels& l) {
  ojson o = ojson::object();
  for (const model::Label& x : l) o[x.name] = x.value;
  return o;
}

// Annotations as an array of [name, value]: order and repeats kept.
ojson AnnotationsToJson(const Annotations& a) {
  ojson arr = ojson::array();
  for (const auto& [k, v] : a) arr.push_back(ojson::array({k, v}));
  return arr;
}

model::Labels LabelsFromJson(const ojson& j) {
  if (!j.is_object()) throw std::invalid_argument("labels: not an object");
  std::vector<model::Label> v;
  for (const auto& [k, val] : j.items()) v.push_back({k, val.get<std::string>()});
  return model::Labels::FromVector(std::move(v));
}

Annotations AnnotationsFromJson(const ojson& j) {
  if (!j.is_array()) throw std::invalid_argument("annotations: not an array");
  Annotations a;
  for (const ojson& p : j) {
    if (!p.is_array() || p.size() != 2) throw std::invalid_argument("annotation: not a pair");
    a.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  }
  return a;
}

ojson NotificationJson(const Notification& n) {
  ojson j = ojson::object();
  j["id"] = n.id;
  j["receiver"] = n.receiver;
  j["integration"] = n.integration;
  j["integration_index"] = n.integration_index;
  j["group_key"] = n.group_key;
  j["group_labels"] = LabelsToJson(n.group_labels);
  j["common_labels"] = LabelsToJson(n.common_labels);
  j["common_annotations"] = AnnotationsToJson(n.common_annotations);
  j["external_url"] = n.external_url;
  ojson alerts = ojson::array();
  for (const NotifiedAlert& a : n.alerts) {
    ojson x = ojson::object();
    x["status"] = AlertStatusString(a.status);
    x["labels"] = LabelsToJson(a.labels);
    x["annotations"] = AnnotationsToJson(a.annotations);
    x["starts_at_ms"] = a.starts_at_ms;
    x["ends_at_ms"] = a.ends_at_ms;
    x["generator_url"] = a.generator_url;
    x["fingerprint"] = a.fingerprint;
    alerts.push_back(std::move(x));
  }
  j["alerts"] = std::move(alerts);
  j["created_ms"] = n.created_ms;
  j["attempts"] = n.attempts;
  return j;
}

// Throws nlohmann::json::exception on a missing field or a wrong type.
Notification NotificationOf(const ojson& j) {
  Notification n;
  n.id = j.at("id").get<std::string>();
  n.receiver = j.at("receiver").get<std::string>();
  n.integration = j.at("integration").get<std::string>();
  n.integration_index = j.at("integration_index").get<int>();
  n.group_key = j.at("group_key").get<std::string>();
  n.group_labels = LabelsFromJson(j.at("group_labels"));
  n.common_labels = LabelsFromJson(j.at("common_labels"));
  n.common_annotations = AnnotationsFromJson(j.at("common_annotations"));
  n.external_url = j.at("external_url").get<std::string>();
  if (!j.at("alerts").is_array()) throw std::invalid_argument("alerts: not an array");
  for (const ojson& x : j.at("alerts")) {
    NotifiedAlert a;
    const std::string status = x.at("status").get<std::string>();
    if (status != "firing" && status != "resolved") {
      throw std::invalid_argument("bad alert status " + status);
    }
    a.status = status == "firing" ? AlertStatus::kFiring : AlertStatus::kResolved;
    a.labels = LabelsFromJson(x.at("labels"));
    a.annotations = AnnotationsFromJson(x.at("annotations"));
    a.starts_at_ms = x.at("starts_at_ms").get<int64_t>();
    a.ends_at_ms = x.at("ends_at_ms").get<int64_t>();
    a.generator_url = x.at("generator_url").get<std::string>();
    a.fingerprint = x.at("fingerprint").get<std::string>();
    n.alerts.push_back(std::move(a));
  }
  n.created_ms = j.at("created_ms").get<int64_t>();
  n.attempts = j.at("attempts").get<int>();
  return n;
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 200 || id[0] == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("fsync " + dir);
}

Status WriteFileDurably(const std::string& dir, const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create " + tmp);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("write " + tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    off += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno("fsync " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("rename " + tmp);
    ::unlink(tmp.c_str());
    return s;
  }
  return SyncDir(dir);
}

common::Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      Status s = Errno("read " + path);
      ::close(fd);
      return s;
    }
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return out;
}

}  // namespace

std::string NotificationToJson(const Notification& n) {
  return NotificationJson(n).dump(-1, ' ', false, ojson::error_handler_t::replace);
}

common::Result<Notification> NotificationFromJson(std::string_view json) {
  ojson j = ojson::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Status::Corruption("notification: not a JSON object");
  try {
    return NotificationOf(j);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("notification: ") + e.what());
  }
}

Outbox::Outbox(std::string dir, OutboxOptions opts, DeliverFn deliver)
    : dir_(std::move(dir)),
      opts_(opts),
      deliver_(std::move(deliver)),
      rng_(std::random_device{}()) {}

common::Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& dir, OutboxOptions opts,
                                                     DeliverFn deliver) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Errno("mkdir " + dir);
  std::unique_ptr<Outbox> box(new Outbox(dir, opts, std::move(deliver)));
  Status s = box->Load();
  if (!s.ok()) return s;
  box->worker_ = std::thread([b = box.get()] { b->Run(); });
  return box;
}

Outbox::~Outbox() { Stop(); }

Status Outbox::Load() {
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return Errno("opendir " + dir_);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  common::MutexLock lock(&mu_);
  for (const std::string& name : names) {
    const std::string path = dir_ + "/" + name;
    if (EndsWith(name, ".json.tmp")) {
      // An Enqueue (or a retry's rewrite) that did not finish: its caller
      // was never told the notification was queued.
      ::unlink(path.c_str());
      continue;
    }
    if (!EndsWith(name, ".json")) continue;
    const std::string id = name.substr(0, name.size() - 5);
    bool good = false;
    Item item;
    if (auto data = ReadWholeFile(path); data.ok()) {
      ojson j = ojson::parse(*data, nullptr, false);
      if (j.is_object()) {
        try {
          if (j.at("version").get<int>() == kFileVersion) {
            item.seq = j.at("seq").get<uint64_t>();
            item.next_attempt_ms = j.at("next_attempt_ms").get<int64_t>();
            item.n = NotificationOf(j.at("notification"));
            good = item.n.id == id && ids_.count(id) == 0 &&
                   items_.count({item.n.created_ms, item.seq}) == 0;
          }
        } catch (const std::exception&) {
          good = false;
        }
      }
    }
    if (!good) {
      ::rename(path.c_str(), (path + ".corrupt").c_str());
      stats_.dropped_total["corrupt"]++;
      continue;
    }
    next_seq_ = std::max(next_seq_, item.seq + 1);
    ids_.insert(id);
    items_.emplace(std::make_pair(item.n.created_ms, item.seq), std::move(item));
    stats_.loaded_total++;
  }
  return Status::OK();
}

Status Outbox::WriteItem(const Item& item) const {
  ojson j = ojson::object();
  j["version"] = kFileVersion;
  j["seq"] = item.seq;
  j["next_attempt_ms"] = item.next_attempt_ms;
  j["notification"] = NotificationJson(item.n);
  return WriteFileDurably(dir_, PathOf(item.n.id),
                          j.dump(-1, ' ', false, ojson::error_handler_t::replace));
}

void Outbox::RemoveFile(const std::string& id) const { ::unlink(PathOf(id).c_str()); }

Status Outbox::Enqueue(Notification n) {
  Item item;
  {
    common::MutexLock lock(&mu_);
    if (n.id.empty()) {
      // Unique among the files: seq only grows, across restarts too.
      char buf[48];
      std::snprintf(buf, sizeof buf, "%013lld-%06llu", static_cast<long long>(common::NowMs()),
                    static_cast<unsigned long long>(next_seq_));
      n.id = buf;
    }
    if (!ValidId(n.id)) return Status::InvalidArgument("outbox: bad notification id " + n.id);
    if (!ids_.insert(n.id).second) {
      return Status::InvalidArgument("outbox: notification " + n.id + " already queued");
    }
    if (n.created_ms == 0) n.created_ms = common::NowMs();
    item.seq = next_seq_++;
  }
  item.n = std::move(n);
  item.next_attempt_ms = 0;
  Status s = WriteItem(item);
  common::MutexLock lock(&mu_);
  if (!s.ok()) {
    ids_.erase(item.n.id);
    return s.WithContext("outbox");
  }
  stats_.enqueued_total++;
  items_.emplace(std::make_pair(item.n.created_ms, item.seq), std::move(item));
  cv_.SignalAll();
  return Status::OK();
}

int64_t Outbox::Backoff(int attempts, const Status& failure) {
  const int64_t min_ms = std::max<int64_t>(1, opts_.min_backoff.count());
  const int64_t max_ms = std::max<int64_t>(min_ms, opts_.max_backoff.count());
  int64_t delay = min_ms;
  for (int i = 1; i < attempts && delay < max_ms; ++i) delay *= 2;
  delay = std::min(delay, max_ms);
  // Jitter: uniform in [delay/2, delay], so failed receivers are not hit
  // by every notification at once.
  std::uniform_int_distribution<int64_t> jitter(delay / 2, delay);
  delay = jitter(rng_);
  if (auto ra = RetryAfterSeconds(failure)) delay = std::max(delay, *ra * 1000);
  return delay;
}

void Outbox::Run() {
  mu_.Lock();
  while (!stopping_) {
    const int64_t now = common::NowMs();
    const int64_t max_age = opts_.max_age.count();
    int64_t wake = std::numeric_limits<int64_t>::max();
    auto due = items_.end();
    for (auto it = items_.begin(); it != items_.end();) {
      Item& item = it->second;
      if (now - item.n.created_ms > max_age) {
        RemoveFile(item.n.id);
        ids_.erase(item.n.id);
        stats_.dropped_total["expired"]++;
        it = items_.erase(it);
        continue;
      }
      if (item.next_attempt_ms <= now) {
        due = it;
        break;
      }
      wake = std::min({wake, item.next_attempt_ms, item.n.created_ms + max_age + 1});
      ++it;
    }
    if (due == items_.end()) {
      if (wake == std::numeric_limits<int64_t>::max()) {
        cv_.Wait(&mu_);
      } else {
        cv_.WaitFor(&mu_, std::chrono::milliseconds(std::max<int64_t>(1, wake - now)));
      }
      continue;
    }
    const auto key = due->first;
    Item attempt = due->second;  // a copy to work on without the lock
    mu_.Unlock();

    const Status s = deliver_(attempt.n);
    enum class Outcome { kDelivered, kRetry, kDropped } outcome;
    if (s.ok()) {
      outcome = Outcome::kDelivered;
      RemoveFile(attempt.n.id);
    } else if (IsRetryable(s)) {
      outcome = Outcome::kRetry;
      attempt.n.attempts++;
      attempt.next_attempt_ms = common::NowMs() + Backoff(attempt.n.attempts, s);
      // Not written: the file keeps the older count and time, and the
      // notification is still delivered.
      (void)WriteItem(attempt);
    } else {
      outcome = Outcome::kDropped;
      RemoveFile(attempt.n.id);
    }

    mu_.Lock();
    auto it = items_.find(key);
    if (outcome == Outcome::kRetry) {
      stats_.retried_total++;
      if (it != items_.end()) {
        it->second.n.attempts = attempt.n.attempts;
        it->second.next_attempt_ms = attempt.next_attempt_ms;
      }
    } else {
      if (outcome == Outcome::kDelivered) {
        stats_.delivered_total++;
      } else {
        stats_.dropped_total["permanent"]++;
      }
      ids_.erase(attempt.n.id);
      if (it != items_.end()) items_.erase(it);
    }
  }
  mu_.Unlock();
}

void Outbox::Stop() {
  {
    common::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  if (worker_.joinable()) worker_.join();
}

Outbox::Stats Outbox::stats() const {
  common::MutexLock lock(&mu_);
  Stats s = stats_;
  s.queued = items_.size();
  return s;
}

std::vector<std::string> Outbox::QueuedIds() const {
  common::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [key, item] : items_) ids.push_back(item.n.id);
  return ids;
}

}  // namespace notifier
