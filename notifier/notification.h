// What the built-in notifier delivers: one notification of one alert group
// to one integration of a receiver (Alertmanager's notify stage input).
// Created by the Dispatcher, persisted by the Outbox until delivered, turned
// into each integration's payload by receivers.h.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/labels.h"

namespace notifier {

using Annotations = std::vector<std::pair<std::string, std::string>>;

enum class AlertStatus { kFiring, kResolved };
const char* AlertStatusString(AlertStatus s);  // "firing", "resolved"

struct NotifiedAlert {
  AlertStatus status = AlertStatus::kFiring;
  model::Labels labels;
  Annotations annotations;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;  // 0: not resolved (Alertmanager sends Go's zero time)
  std::string generator_url;
  // Alertmanager's fingerprint of the labels: 16 lower-case hex digits.
  std::string fingerprint;
};

struct Notification {
  std::string id;           // unique; the outbox file name
  std::string receiver;     // receiver name
  std::string integration;  // "webhook", "slack", "email" or "ntfy"
  int integration_index = 0;  // which of the receiver's configs of that kind
  std::string group_key;    // Alertmanager's groupKey, e.g. {}:{alertname="X"}
  model::Labels group_labels;
  model::Labels common_labels;
  Annotations common_annotations;
  std::string external_url;
  std::vector<NotifiedAlert> alerts;  // in Alertmanager's order (job, instance, labels)
  int64_t created_ms = 0;
  int attempts = 0;  // delivery attempts so far (the outbox keeps it)
};

// "firing" if any alert fires, else "resolved".
const char* NotificationStatus(const Notification& n);

}  // namespace notifier
