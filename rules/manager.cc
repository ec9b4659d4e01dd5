#include "rules/manager.h"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

namespace rules {

common::Status Manager::Update(const std::vector<RuleFile>& files, int64_t default_interval_ms,
                               const model::Labels& external_labels,
                               const std::string& external_url) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool restore = !loaded_once_;
  // Groups that templates see through other external labels must restart.
  const bool context_changed = external_labels != external_labels_ || external_url != external_url_;
  GroupOptions gopts = opts_;
  gopts.eval.external_labels = external_labels;
  gopts.eval.external_url = external_url;

  std::vector<std::shared_ptr<Group>> fresh;
  for (const auto& f : files) {
    for (const auto& node : f.groups) {
      auto g = Group::Create(f.path, node, default_interval_ms, restore, gopts);
      if (!g.ok()) return g.status();
      fresh.push_back(std::move(g).value());
    }
  }

  std::map<std::string, std::shared_ptr<Group>> old;
  for (auto& g : groups_) old[g->Key()] = g;
  std::vector<std::shared_ptr<Group>> next;
  std::vector<std::shared_ptr<Group>> to_start;
  for (auto& g : fresh) {
    auto it = old.find(g->Key());
    if (it != old.end() && !context_changed && it->second->Equals(*g)) {
      next.push_back(it->second);  // unchanged: keeps running
      old.erase(it);
      continue;
    }
    if (it != old.end()) {
      it->second->Stop(/*mark_stale=*/false);
      g->CopyState(*it->second);
      old.erase(it);
    }
    next.push_back(g);
    to_start.push_back(g);
  }
  // Removed groups: their series end now.
  for (auto& [key, g] : old) g->Stop(/*mark_stale=*/true);
  std::sort(next.begin(), next.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a->file(), a->name()) < std::make_pair(b->file(), b->name());
  });
  groups_ = std::move(next);
  for (auto& g : to_start) g->Start();
  loaded_once_ = true;
  external_labels_ = external_labels;
  external_url_ = external_url;
  size_t rules = 0;
  for (const auto& g : groups_) rules += g->rules().size();
  spdlog::info("rules: {} groups, {} rules ({} started or restarted)", groups_.size(), rules,
               to_start.size());
  return common::Status::OK();
}

void Manager::Stop() {
  std::vector<std::shared_ptr<Group>> groups;
  {
    std::lock_guard<std::mutex> lock(mu_);
    groups = groups_;
  }
  for (auto& g : groups) g->Stop(false);
}

std::vector<std::shared_ptr<Group>> Manager::Groups() const {
  std::lock_guard<std::mutex> lock(mu_);
  return groups_;
}

}  // namespace rules
