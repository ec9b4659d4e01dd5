// RemoteStorage: the server's remote_write destinations (one QueueManager
// each), kept in step with the config, and their self-metrics under
// Prometheus's names (prometheus_remote_storage_*).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/remote/queue_manager.h"
#include "tsdb/db.h"

namespace server::remote {

class RemoteStorage {
 public:
  RemoteStorage(tsdb::DB* db, std::string user_agent);
  ~RemoteStorage();

  // Starts the configured destinations; on a reload, destinations whose
  // config (and the external labels) did not change keep running, changed
  // ones restart where they stood, and removed ones are stopped and their
  // position in the store's log is dropped (so the log is not kept for
  // them). Also drops positions of destinations configured in an earlier
  // run but not now.
  common::Status ApplyConfig(const std::vector<RemoteWriteConfig>& configs,
                             const model::Labels& external_labels);
  void Stop();
  // Exposition text of the self-metrics.
  std::string RenderMetrics() const;

 private:
  tsdb::DB* const db_;
  const std::string user_agent_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<QueueManager>> queues_;  // by reader name
};

}  // namespace server::remote
