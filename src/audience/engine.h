// AudienceEngine: keeps every profile's audience memberships current, inside the profile
// pipeline's batches (PipelineHooks), so memberships commit atomically with the events that
// caused them and replay identically.
//
// * An event re-evaluates, for its profile only, the audiences that can depend on it: those
//   whose `performed` leaves or computed traits the event matched, that read a trait the event
//   set, account traits (a group call: every member of the account), consent (an event carrying
//   consent); a merge re-evaluates every audience for the merged profile. Dependents of an
//   audience whose membership changed follow, in dependency order.
// * Time: each evaluation also yields when the answer can next change with no new event
//   (a window sliding past an event). The profile keeps the earliest such time and a timer key
//   in the store; timers fire in log-time order (before any event appended after them), and the
//   change is recorded at the exact due time.
// * Entering and leaving add "Audience Entered" / "Audience Exited" entries to the profile's
//   timeline (source "_audiences") and update the audience's member index and size.
// * A new audience waits until its hidden definitions are computed over history, then is
//   evaluated over every existing profile in background steps (with progress), then is live.
//
// All PipelineHooks calls come from the pipeline thread; Statuses() is thread-safe.
#pragma once

#include <bitset>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "audience/compile.h"
#include "common/metrics.h"
#include "profile/hooks.h"

namespace rapport {

struct AudienceEngineOptions {
  // The saved audiences; called when the engine opens and whenever definitions change.
  std::function<Result<std::vector<AudienceDef>>()> load;
  Registry* metrics = nullptr;  // may be nullptr
};

// One membership change, as recorded on the timeline.
struct AudienceTransition {
  uint64_t audience = 0;
  std::string name;
  uint64_t profile = 0;
  bool entered = false;
  int64_t at_us = 0;
  std::string key;  // unique per transition ("aud-<audience>-<profile>-<at>-in|out")
};

// Reacts, inside the batch being built, to what the engine decides and to what happens to a
// profile (src/activate: audience sync to destinations, journeys). All calls come from the
// pipeline thread; changes a reactor makes to the profile record (e.g. ProfileRecord::ext) are
// written with the batch.
class AudienceReactor {
 public:
  virtual ~AudienceReactor() = default;
  // `profile` entered or left an audience (the record as of the change).
  virtual void OnTransition(const AudienceTransition& t, ProfileRecord* profile) = 0;
  // An event was applied to `profile` and its audiences are up to date.
  virtual Status OnEvent(const AppliedEvent& applied, ProfileRecord* profile) {
    return Status::OK();
  }
  // `now` is the wake time NextWake asked for (or later, at the first event after it).
  virtual Status OnWake(ProfileRecord* profile, int64_t now) { return Status::OK(); }
  // When the reactor next needs OnWake for `profile` with no new event (0: never).
  virtual int64_t NextWake(const ProfileRecord& profile) const { return 0; }
  // Before the batch is written: hand over what was produced (e.g. enqueue deliveries). A
  // failure fails the batch; the pipeline then replays it from the log, so the same transitions
  // come again (consumers dedup by the transition's key).
  virtual Status Flush() = 0;
  // The batch was abandoned: forget what was not flushed.
  virtual void Discard() = 0;
};

class AudienceEngine final : public PipelineHooks {
 public:
  explicit AudienceEngine(AudienceEngineOptions options);

  // The hidden latest_times definitions `audiences` need (the pipeline must compute them:
  // add them to PipelineOptions::load_definitions).
  static std::vector<ComputedDef> HiddenDefinitions(const std::vector<AudienceDef>& audiences);

  enum class Phase : uint8_t { kWaiting = 0, kScanning = 1, kLive = 2 };
  // Transitions of one UTC day. A profile merged away counts as an exit of its audiences.
  struct DayCount {
    uint64_t entered = 0;
    uint64_t exited = 0;
    bool operator==(const DayCount&) const = default;
  };
  static constexpr size_t kHistoryDays = 400;  // days of DayCounts kept per audience
  struct AudienceStatus {
    uint64_t id = 0;
    std::string name;
    Phase phase = Phase::kWaiting;
    uint64_t scanned = 0;  // kScanning: profiles evaluated so far (by id)
    int64_t size = 0;      // members, as committed
  };
  std::vector<AudienceStatus> Statuses() const;
  // The audience's transitions by UTC day (days since 1970-01-01), as committed; the last
  // kHistoryDays days with any. Empty for an unknown audience.
  std::map<int64_t, DayCount> History(uint64_t audience) const;
  // Problems found compiling the saved audiences (none expected).
  std::vector<std::string> Problems() const;

  // Told of every transition and event (in the order added); must outlive the engine's use.
  void AddReactor(AudienceReactor* reactor) { reactors_.push_back(reactor); }
  void ClearReactors() { reactors_.clear(); }

  // PipelineHooks.
  Status Open(StateStore* store) override;
  void DefinitionsChanged(const std::vector<ComputedDef>& defs,
                          const std::vector<bool>& ready) override;
  Status BeginBatch(StateOverlay* overlay, StateBatch* batch, int64_t limit) override;
  Status BeforeEvent(int64_t now) override;
  Status AfterEvent(const AppliedEvent& applied) override;
  Status EndBatch(int64_t done, bool* changed) override;
  void Committed() override;
  void Reset() override;
  Status BackgroundStep(bool* more) override;
  bool HasBackgroundWork() const override;

 private:
  struct Run {
    Phase phase = Phase::kWaiting;
    uint64_t cursor = 1;  // kScanning: profiles with a smaller id are evaluated
    int64_t size = 0;
  };
  using Days = std::map<int64_t, DayCount>;
  // A waiting audience can start: what it reads is computed over history, the audiences it
  // reads are live.
  bool Startable(const CompiledAudience& a) const;
  struct Generation {
    std::vector<std::pair<int64_t, uint64_t>> timers;  // put in that batch
    std::map<uint64_t, Run> runs;                      // as of that batch
    std::map<uint64_t, Days> days;                     // the histories that batch changed
  };

  // Whether the audience at index i (in set_ order) is kept for profile `profile`: live, or
  // scanning and past it.
  bool Active(size_t i, uint64_t profile) const;
  // Rebuilds run_at_ after runs_ gained or lost audiences.
  void IndexRuns();
  // Re-evaluates the audiences flagged in `affected` (indices; extended with dependents) and
  // those due by `now` for profile `p`, recording transitions at `now`.
  Status EvaluateProfile(ProfileRecord* p, int64_t now, std::vector<bool> affected);
  Status FireDue(int64_t up_to);
  // Wakes the reactors whose wake time for `p` has come, then reschedules `p`.
  Status WakeReactors(ProfileRecord* p, int64_t now);
  void Schedule(ProfileRecord* p);
  void RecordTransition(const CompiledAudience& a, ProfileRecord* p, bool entered, int64_t at);
  uint64_t TransitionSeq(uint64_t audience, uint64_t profile, int64_t at);
  // Counts a transition of `audience` in its day history (written at EndBatch).
  void CountDay(uint64_t audience, int64_t at, bool entered);
  // Forgets memberships of a profile merged away (at `now`).
  void DropMerged(const AppliedEvent::Gone& gone, int64_t now);
  void ReconcileRuns();
  // Publishes `runs` and the day histories: `changed` ones only, or all of days_ when null.
  void Publish(const std::map<uint64_t, Run>& runs, const std::map<uint64_t, Days>* changed);
  std::string EncodeRuns() const;

  AudienceEngineOptions options_;
  std::vector<AudienceReactor*> reactors_;
  StateStore* store_ = nullptr;
  std::unique_ptr<AudienceSet> set_;
  std::set<std::string> ready_defs_;    // computed definitions computed over all history
  std::map<uint64_t, Run> runs_;        // by audience id, as of the batch being built
  std::vector<const Run*> run_at_;      // runs_ in set_ order (nullptr: none)
  std::vector<uint64_t> deleted_;       // audiences whose members are to be removed
  std::map<uint64_t, Days> days_;       // day histories by audience id, as of the batch
  std::set<uint64_t> history_changed_;  // audiences whose day history this batch changed
  // The timeline slots (low 10 bits of seq) taken by the transitions of profile `slots_profile_`
  // at `slots_at_`: a transition whose audience's slot is taken takes the next free one
  // (TransitionSeq).
  int64_t slots_at_ = 0;
  uint64_t slots_profile_ = 0;
  std::bitset<1024> slots_;
  std::deque<Generation> pending_;  // handed over at EndBatch, not yet committed
  std::vector<std::pair<int64_t, uint64_t>> batch_timers_;
  // Every timer due before this was fired by a batch handed over (in the store or in flight):
  // the stored timers are read from here. 0 (read all) after Open and Reset.
  int64_t fired_before_ = 0;

  // The batch being built.
  StateOverlay* overlay_ = nullptr;
  StateBatch* batch_ = nullptr;
  int64_t limit_ = 0;
  bool changed_ = false;
  std::set<std::pair<int64_t, uint64_t>> due_;  // timers due by limit_, earliest first

  mutable std::mutex mu_;  // guards the published view below
  std::vector<AudienceStatus> published_;
  std::map<uint64_t, Days> published_days_;
  std::vector<std::string> problems_;

  Counter* entered_ = nullptr;
  Counter* exited_ = nullptr;
  Counter* evaluations_ = nullptr;
};

}  // namespace rapport
