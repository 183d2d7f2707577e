// ProfilePipeline: the consumer of the event log that builds profiles. One thread reads every
// partition, merges them by append time up to the log's durable watermark (so every replay sees
// the same order), and for each event resolves identity, merges profiles, applies traits, account
// membership, computed traits and the timeline. Each batch of events is committed to the
// StateStore in one atomic write together with the offsets it consumed: a crash loses and doubles
// nothing, and rebuilding from the log gives byte-for-byte the state incremental processing gave.
// Start/Stop from one thread; reads go to store(), which is thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/metrics.h"
#include "common/serial_worker.h"
#include "common/status.h"
#include "identity/identifier.h"
#include "log/event_log.h"
#include "profile/apply.h"
#include "profile/computed/computed_def.h"
#include "profile/hooks.h"
#include "profile/state_store.h"

namespace rapport {

struct PipelineOptions {
  EventLog* log = nullptr;  // must outlive the pipeline
  std::string dir;          // the state store's directory
  IdentitySettings identity;
  Registry* metrics = nullptr;        // may be nullptr
  size_t batch_events = 4096;         // events per atomic commit (at most)
  int64_t cache_mb = 0;               // profiles kept decoded in memory (StateCache::ForBudget)
  std::string consumer = "profiles";  // the log checkpoint that holds retention back
  // The computed-trait definitions in force; called at start and after DefinitionsChanged().
  std::function<Result<std::vector<ComputedDef>>()> load_definitions;
  // Takes part in every batch (profile/hooks.h); may be nullptr; must outlive the pipeline.
  PipelineHooks* hooks = nullptr;
  // Called before the log checkpoint moves (which lets retention delete what was consumed), after
  // the state is synced: other stores fed by the batches (the outbox) sync here too.
  std::function<Status()> sync_before_checkpoint;
};

class ProfilePipeline {
 public:
  static Result<std::unique_ptr<ProfilePipeline>> Open(PipelineOptions options);
  ~ProfilePipeline();  // stops

  // Runs the consumer thread until Stop(); failures are logged and retried with backoff.
  void Start();
  void Stop();

  // Processes everything durable in the log now, on the calling thread (tests, rebuild). Must
  // not be called while the thread runs.
  Status CatchUp();
  // Blocks until everything durable when called has been processed (or the timeout passes).
  bool WaitCaughtUp(int64_t timeout_us);
  // Re-reads the definitions (after the API changed them); new ones are computed over every
  // profile's history in the background.
  void DefinitionsChanged();

  const StateStore* store() const { return store_.get(); }
  const IdentitySettings& identity() const { return options_.identity; }
  // The definitions in force, and whether each has been computed over all history yet.
  struct DefinitionStatus {
    ComputedDef def;
    bool ready = false;
  };
  std::vector<DefinitionStatus> Definitions() const;

  struct Stats {
    uint64_t events = 0;        // processed since Open
    uint64_t unattributed = 0;  // events with no usable identifier
    uint64_t malformed = 0;     // records that did not decode (never expected)
    uint64_t merges = 0;
    uint64_t blocked = 0;
    int64_t processed_stamp = 0;  // log append time processed up to
  };
  Stats GetStats() const;

 private:
  explicit ProfilePipeline(PipelineOptions options);
  Status Init();
  void Run();
  // One round: reads what is durable, processes up to batch_events in append-time order,
  // commits. Sets *processed to the number of events.
  Status Step(size_t* processed);
  Status ReloadDefinitions();
  Status BackfillStep(bool* more);
  // The hooks' background work, in its own overlay and batch.
  Status HooksStep(bool* more);
  // Tells the hooks which definitions are in force and computed.
  void PublishDefinitions();
  Status WriteAppliedDefinitions(StateBatch* batch, const std::vector<bool>& is_ready);
  // Waits for the batch in flight; on success its offsets are committed and its events count
  // as processed.
  Status FinishWrite();
  // After a failure: forgets everything not in the store and resumes from the store's offsets.
  Status ResetToStore();
  // Fills the identifier cache with the whole identifier index when it fits, so that new
  // identifiers are known unbound without asking the store (IdentifierCache::complete).
  Status LoadIdentifierIndex();
  // Lets retention delete what the store holds: syncs the state (and sync_before_checkpoint),
  // then commits committed_next_ as the log checkpoint. At most once a second, on the checkpoint
  // worker so that the syncs do not hold up the batches; `force` does it now, on this thread.
  void CheckpointLog(bool force);
  Status SyncAndCheckpoint(const std::vector<uint64_t>& offsets);

  PipelineOptions options_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<EventApplier> applier_;
  StateCache cache_;
  ApplyStats stats_;  // pipeline thread; copied to the atomics below after each commit
  int64_t last_checkpoint_us_ = 0;
  // Read-ahead per partition: entries not yet processed, in offset order.
  std::vector<std::deque<LogEntry>> buffered_;
  std::vector<uint64_t> read_next_;       // next offset to read per partition
  std::vector<uint64_t> consumed_next_;   // next offset to process (applied, maybe in flight)
  std::vector<uint64_t> committed_next_;  // next offset after what the store holds
  // The batch being written on the writer's thread while the next one is applied (one at a
  // time).
  SerialWorker writer_{"state-write", SerialWorker::kBackground};
  SerialWorker checkpointer_{"checkpoint", SerialWorker::kBackground};
  std::future<Status> checkpoint_;  // the checkpoint running on checkpointer_, if any
  std::unique_ptr<StateBatch> writing_;
  std::future<Status> write_;
  std::vector<uint64_t> writing_next_;
  int64_t writing_stamp_ = 0;
  uint64_t next_profile_id_ = 1;
  // LoadIdentifierIndex ran since Init or the last reset. It runs before the first batch, on the
  // pipeline's thread, not in Open: a large index is a long scan, and the server is starting.
  bool identifiers_loaded_ = false;

  mutable std::mutex defs_mu_;
  std::vector<ComputedDef> defs_;  // guarded by defs_mu_ for readers; pipeline writes
  std::vector<bool> defs_ready_;   // parallel to defs_
  std::atomic<bool> defs_changed_{false};
  uint64_t backfill_from_ = 1;  // next profile id of the running backfill

  std::atomic<int64_t> processed_stamp_{0};
  std::mutex progress_mu_;
  std::condition_variable progress_cv_;

  bool needs_reset_ = false;  // Run: an error happened; ResetToStore before anything else
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  std::atomic<uint64_t> events_{0}, unattributed_{0}, malformed_{0}, merges_{0}, blocked_{0};
  Counter* events_counter_ = nullptr;
  Counter* merges_counter_ = nullptr;
};

}  // namespace rapport
