// PipelineHooks: how a subsystem that derives more state per profile (the audience engine in
// src/audience) takes part in the profile pipeline's batches. Every call comes from the pipeline
// thread, in this order per batch:
//   BeginBatch → (BeforeEvent(t) → the event is applied → AfterEvent)* → EndBatch → written:
//   Committed, or failed: Reset.
// Whatever the hooks change goes into the same overlay and batch as the events' own changes, so
// it is committed atomically with the consumed log offsets and replays identically.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "profile/apply.h"
#include "profile/computed/computed_def.h"
#include "profile/overlay.h"
#include "profile/state_store.h"

namespace rapport {

class PipelineHooks {
 public:
  virtual ~PipelineHooks() = default;

  // After the state store is open and before any batch (also after a Reset).
  virtual Status Open(StateStore* store) = 0;
  // The computed-trait definitions in force, and which are computed over all history (called
  // after Open and whenever either changes).
  virtual void DefinitionsChanged(const std::vector<ComputedDef>& defs,
                                  const std::vector<bool>& ready) = 0;
  // A batch begins; its events have append times <= `limit`.
  virtual Status BeginBatch(StateOverlay* overlay, StateBatch* batch, int64_t limit) = 0;
  // Before the event appended at `now` is applied: handle what was due before it.
  virtual Status BeforeEvent(int64_t now) = 0;
  // After an event was applied (skipped ones included: applied.profile == 0).
  virtual Status AfterEvent(const AppliedEvent& applied) = 0;
  // The batch covers the log up to `done` (append time): handle what is due by then. Sets
  // *changed when it changed state, so that a batch without events is still written.
  virtual Status EndBatch(int64_t done, bool* changed) = 0;
  // The oldest batch handed over at EndBatch and not yet committed is in the store (or needed
  // no write). At most two batches are pending: the pipeline writes one while it fills the next.
  virtual void Committed() = 0;
  // A batch failed: forget everything not in the store (Open is called again).
  virtual void Reset() = 0;
  // Work between batches when the log is idle or caught up (e.g. evaluating a new audience over
  // every profile); writes its own batches. Sets *more when there is more to do.
  virtual Status BackgroundStep(bool* more) = 0;
  // Whether BackgroundStep has anything to do now. The pipeline waits for the batch in flight
  // before a background step (it reads the store), so it asks first and skips the step when not.
  virtual bool HasBackgroundWork() const = 0;
};

}  // namespace rapport
