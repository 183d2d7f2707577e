// JourneyRunner: runs journeys inside the profile pipeline's batches, as a reactor of the
// audience engine. A profile's progress in journey J is kept in ProfileRecord::ext["j<J>"]
// (journey_state.h), so it commits atomically with the events that caused it and replays
// identically; the counts per journey and step are written to the state store's meta key
// "journeys" in the same batch (JourneyHooks gives the runner the batch).
//
// * Triggers: an event (OnEvent, after the profile's audiences are updated) or entering an
//   audience (OnTransition; the instance starts at the transition's time, through a wake-up, so
//   that every audience is current when its first step runs). Only triggers at or after the
//   journey's creation time start it. Re-entry: never, after the previous instance exited, or N
//   days after the previous entry; never two instances of one journey at once.
// * Steps run until one waits: wait (exactly its duration), wait_for (an event, or the timeout —
//   an event at the exact timeout is too late), branch (audience-language condition now), send
//   (consent purpose, frequency cap, quiet hours in the profile's time zone), exit. NextWake is
//   the earliest time an instance needs attention; the engine calls OnWake exactly then.
// * Sends are collected during the batch and handed to the JourneySender at Flush, before the
//   batch is written; a replayed batch sends the same idempotency keys again (at least once).
// * Merges: the survivor keeps its own instance of a journey, else adopts the merged-away
//   profile's (same idempotency keys); a second instance is dropped (counted as exited and
//   dropped). Entry and send history are combined.
//
// Reload, Counts and Problems are thread-safe; everything else runs on the pipeline thread.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "activate/catalog.h"
#include "activate/journey_def.h"
#include "activate/journey_state.h"
#include "activate/journey_tz.h"
#include "audience/engine.h"
#include "common/metrics.h"

namespace rapport {

// Where send steps go. Production: CatalogJourneySender; tests record.
class JourneySender {
 public:
  virtual ~JourneySender() = default;
  // The destination's consent purpose ("" for none); nullopt when it does not exist.
  virtual std::optional<std::string> Purpose(std::string_view destination) const = 0;
  // Enqueues `messages` for `destination` in one atomic, durable write. kNotFound when the
  // destination was deleted meanwhile.
  virtual Status Send(std::string_view destination,
                      const std::vector<DestinationMessage>& messages) = 0;
};

class CatalogJourneySender final : public JourneySender {
 public:
  explicit CatalogJourneySender(DestinationCatalog* catalog) : catalog_(catalog) {}
  std::optional<std::string> Purpose(std::string_view destination) const override;
  Status Send(std::string_view destination,
              const std::vector<DestinationMessage>& messages) override;

 private:
  DestinationCatalog* catalog_;
};

struct JourneyRunnerOptions {
  // The saved journeys (ids and creation times set); called by Reload.
  std::function<Result<std::vector<JourneyDef>>()> load;
  // The saved audiences' ids by name (triggers and `in audience`); called by Reload.
  std::function<Result<std::map<std::string, uint64_t>>()> audiences;
  JourneySender* sender = nullptr;  // must outlive the runner
  TimeZoneCache* zones = nullptr;   // nullptr: the runner's own over /usr/share/zoneinfo
  Registry* metrics = nullptr;      // may be nullptr
};

class JourneyRunner final : public AudienceReactor {
 public:
  explicit JourneyRunner(JourneyRunnerOptions options);
  ~JourneyRunner() override;

  // Re-reads the saved journeys and audiences; the pipeline takes them at its next batch. Also
  // called whenever the pipeline's definitions change (audiences created or deleted).
  Status Reload();
  // The committed counts of a journey (nullopt before the pipeline has taken it up).
  std::optional<JourneyCounts> Counts(uint64_t journey) const;
  // Problems found compiling the saved journeys, "journey \"x\": ..." (e.g. its trigger
  // audience was deleted: it does not start any more).
  std::vector<std::string> Problems() const;
  TimeZoneCache* zones() { return zones_; }

  // AudienceReactor (pipeline thread).
  void OnTransition(const AudienceTransition& t, ProfileRecord* profile) override;
  Status OnEvent(const AppliedEvent& applied, ProfileRecord* profile) override;
  Status OnWake(ProfileRecord* profile, int64_t now) override;
  int64_t NextWake(const ProfileRecord& profile) const override;
  Status Flush() override;
  void Discard() override { outgoing_.clear(); }

  // Batch bookkeeping, called by JourneyHooks (pipeline thread).
  Status Open(const StateStore* store);
  void ComputedChanged(const std::vector<ComputedDef>& defs);
  void BeginBatch(StateOverlay* overlay, StateBatch* batch);
  void EndBatch(bool* changed);
  void Committed();
  void Reset();

  struct CompiledJourney;
  struct JourneySet;

 private:
  struct Loaded {
    std::vector<JourneyDef> journeys;
    std::map<std::string, uint64_t> audiences;
  };

  void Adopt();  // takes newly loaded definitions, recompiles, reconciles counts
  JourneyCounts& CountsOf(const CompiledJourney& j);
  // Starts `j` for `p` at `now` unless re-entry forbids; runs its first steps when `run`.
  void Start(const CompiledJourney& j, ProfileRecord* p, int64_t now, std::string event, bool run);
  // Runs the instance until it waits or ends; `woken`: its wake time has come.
  void Run(const CompiledJourney& j, JourneyState* s, ProfileRecord* p, int64_t now, bool woken);
  void Leave(const CompiledJourney& j, JourneyState* s, size_t to, bool alt);
  // A send step: false when quiet hours hold it (s->wake_us set to their end).
  bool Send(const CompiledJourney& j, size_t step, JourneyState* s, ProfileRecord* p, int64_t now);
  bool BranchHolds(const CompiledJourney& j, size_t step, const ProfileRecord& p, int64_t now);
  // The profile's `timezone` trait when it names a known zone, else the journey's default.
  std::shared_ptr<const TimeZone> ZoneFor(const CompiledJourney& j, const ProfileRecord& p);
  // Folds a merged-away profile's journey states into the survivor's.
  void MergeIn(const AppliedEvent::Gone& gone, ProfileRecord* p);
  // Removes states of journeys that no longer exist.
  void DropDeleted(ProfileRecord* p);
  JourneyState Load(const ProfileRecord& p, uint64_t journey);
  void Store(ProfileRecord* p, uint64_t journey, const JourneyState& s);

  JourneyRunnerOptions options_;
  std::unique_ptr<TimeZoneCache> own_zones_;
  TimeZoneCache* zones_;

  mutable std::mutex mu_;
  std::shared_ptr<const Loaded> loaded_;         // GUARDED_BY(mu_)
  uint64_t loaded_generation_ = 0;               // GUARDED_BY(mu_)
  std::map<uint64_t, JourneyCounts> published_;  // GUARDED_BY(mu_): as committed
  std::vector<std::string> problems_;            // GUARDED_BY(mu_)

  // Pipeline thread.
  std::shared_ptr<const JourneySet> set_;
  uint64_t set_generation_ = 0;
  std::vector<ComputedDef> computed_;  // the user's computed traits
  bool recompile_ = false;
  bool reconcile_ = false;
  const StateStore* store_ = nullptr;
  std::map<uint64_t, JourneyCounts> counts_;  // as of the batch being built
  bool counts_changed_ = false;
  std::deque<std::optional<std::map<uint64_t, JourneyCounts>>> generations_;  // not committed
  StateOverlay* overlay_ = nullptr;
  StateBatch* batch_ = nullptr;
  bool warned_unwrapped_ = false;
  std::map<std::string, std::vector<DestinationMessage>> outgoing_;  // by destination

  Counter* started_ = nullptr;
  Counter* sent_ = nullptr;
  Counter* skipped_ = nullptr;
};

// The pipeline's hooks: the audience engine's, with the journey runner's batch bookkeeping
// around them (the runner reads its counts at Open and writes them at EndBatch, after the
// engine has flushed its reactors). Give this to PipelineOptions::hooks instead of the engine;
// the runner must also be one of the engine's reactors.
class JourneyHooks final : public PipelineHooks {
 public:
  JourneyHooks(PipelineHooks* engine, JourneyRunner* runner) : inner_(engine), runner_(runner) {}

  Status Open(StateStore* store) override;
  void DefinitionsChanged(const std::vector<ComputedDef>& defs,
                          const std::vector<bool>& ready) override;
  Status BeginBatch(StateOverlay* overlay, StateBatch* batch, int64_t limit) override;
  Status BeforeEvent(int64_t now) override { return inner_->BeforeEvent(now); }
  Status AfterEvent(const AppliedEvent& applied) override { return inner_->AfterEvent(applied); }
  Status EndBatch(int64_t done, bool* changed) override;
  void Committed() override;
  void Reset() override;
  Status BackgroundStep(bool* more) override { return inner_->BackgroundStep(more); }
  bool HasBackgroundWork() const override { return inner_->HasBackgroundWork(); }

 private:
  PipelineHooks* inner_;
  JourneyRunner* runner_;
};

// The send context (the destination template's input) — documented in docs/journeys.md.
std::string JourneyContext(const JourneyDef& journey, uint64_t audience_id, size_t step,
                           const JourneyState& state, const ProfileRecord& profile,
                           const std::string& key, int64_t now);

}  // namespace rapport
