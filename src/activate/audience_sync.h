// AudienceSync: sends audience entered/exited to the destinations an audience is synced to.
// It is the audience engine's reactor: transitions are collected while a batch is built and
// enqueued (rendered with each destination's template) before the batch is written, so a crash
// loses none — after a crash the batch replays and the same transitions come again with the same
// idempotency keys (at least once). A destination with a consent `purpose` only ever receives
// profiles whose consent for that purpose is granted. Which audience goes where is read from the
// control store at Reload. Reload and Stats are thread-safe; the reactor calls come from the
// pipeline thread.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "activate/catalog.h"
#include "audience/engine.h"
#include "govern/control_store.h"

namespace rapport {

class AudienceSync final : public AudienceReactor {
 public:
  AudienceSync(ControlStore* control, DestinationCatalog* catalog)
      : control_(control), catalog_(catalog) {}

  // Re-reads which audiences are synced to which destinations.
  Status Reload();

  void OnTransition(const AudienceTransition& t, ProfileRecord* profile) override;
  Status Flush() override;
  void Discard() override { pending_.clear(); }

  struct Stats {
    uint64_t sent = 0;             // messages enqueued
    uint64_t without_consent = 0;  // transitions not sent: no consent for the purpose
  };
  Stats GetStats() const { return {sent_.load(), without_consent_.load()}; }

 private:
  ControlStore* control_;
  DestinationCatalog* catalog_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::string>> targets_;         // audience → destinations
  std::map<std::string, std::vector<DestinationMessage>> pending_;  // by destination
  std::atomic<uint64_t> sent_{0}, without_consent_{0};
};

// The template input for a transition: {"type":"audience","event":"Audience Entered",
// "messageId","timestamp","audience":{"id","name"},"profile":{"id","traits","identities"}}.
std::string TransitionContext(const AudienceTransition& t, const ProfileRecord& profile);

}  // namespace rapport
