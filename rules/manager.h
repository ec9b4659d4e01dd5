// Manager: the server's rule groups (Prometheus 2.42's rules.Manager). Each
// group runs on its own thread; Update() applies a new set of rule files the
// way Prometheus's reload does: an unchanged group keeps running untouched,
// a changed one replaces its predecessor and takes over its alerts and
// series, a removed one stops and marks its series stale.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rules/group.h"
#include "rules/rule_file.h"

namespace rules {

class Manager {
 public:
  // opts.eval's external labels and URL are replaced by Update's.
  explicit Manager(GroupOptions opts) : opts_(std::move(opts)) {}
  ~Manager() { Stop(); }

  // Installs the groups of `files`. The groups of the first call restore
  // their alerts' `for` state from ALERTS_FOR_STATE. On error (a rule that
  // does not build) nothing changes.
  common::Status Update(const std::vector<RuleFile>& files, int64_t default_interval_ms,
                        const model::Labels& external_labels, const std::string& external_url);
  // Stops every group (without staleness markers: the server is stopping
  // and the series end with it, as in Prometheus).
  void Stop();

  // The running groups, by file and name.
  std::vector<std::shared_ptr<Group>> Groups() const;

 private:
  GroupOptions opts_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Group>> groups_;
  bool loaded_once_ = false;
  model::Labels external_labels_;
  std::string external_url_;
};

}  // namespace rules
