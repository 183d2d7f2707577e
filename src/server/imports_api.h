// ImportsApi: file imports over HTTP for the console (docs/api.md, "Imports"). A client creates
// an import (source, file name, mapping TOML), uploads the file, and follows its progress; rows
// are mapped with src/import and stored through the same path as /v1/batch, so they are
// validated, de-duplicated and durable like any event. Rejected rows are kept in a rejects file
// to download. Each import runs on its own thread; the list lives in memory (an import cut short
// by a restart shows as gone, and can be run again: messageIds make it idempotent).
// Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "govern/control_store.h"
#include "import/runner.h"
#include "server/http_types.h"
#include "server/ingest.h"

namespace rapport {

class ImportsApi {
 public:
  static constexpr size_t kMaxUploadBytes = size_t{256} << 20;

  // Uploads and rejects files live under `dir` (created on demand).
  ImportsApi(std::string dir, ControlStore* control, IngestService* ingest, Clock* clock);
  ~ImportsApi();  // cancels running imports and waits for them

  void Create(HttpRequest& req, Responder respond);   // POST /api/v1/imports
  void Upload(HttpRequest& req, Responder respond);   // PUT /api/v1/imports/{id}/data
  void Get(HttpRequest& req, Responder respond);      // GET /api/v1/imports/{id}
  void List(HttpRequest& req, Responder respond);     // GET /api/v1/imports
  void Rejects(HttpRequest& req, Responder respond);  // GET /api/v1/imports/{id}/rejects

 private:
  struct Job;
  std::shared_ptr<Job> Find(const std::string& id);
  void Run(std::shared_ptr<Job> job);
  static std::string JobJson(const Job& job);

  const std::string dir_;
  ControlStore* control_;
  IngestService* ingest_;
  Clock* clock_;
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;  // guarded by mu_
  // One thread per running import; finished ones are joined when the next one starts.
  std::vector<std::pair<std::shared_ptr<Job>, std::thread>> threads_;  // guarded by mu_
};

}  // namespace rapport
