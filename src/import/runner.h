// ImportRunner: drives one import, reader -> RowMapper -> EventSink, in batches (500 events /
// 400 KiB by default), writing every rejected row (reader, mapper, size limit or the sink
// refusing one event) to a RejectSink and reporting progress through a callback. Independent of
// the CLI and HTTP: the CLI sends to /api/v1/sources/{name}/batch, the server may ingest directly.
// Not thread-safe; Run() once, on one thread (it blocks, sleeping between retries).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "import/input.h"
#include "import/mapping.h"
#include "import/reject_sink.h"

namespace rapport {

// What an EventSink says about one batch.
struct SendResult {
  // OK: every event is stored (or a duplicate of one stored). kUnavailable / kNoSpace: nothing
  // stored, retry later. kInvalidArgument / kTooLarge: nothing stored; with `rejected_item` the
  // event at that index is bad (the message is the reason for that row; a "batch[i]" prefix is
  // dropped), without it the batch as a whole was refused (the runner halves it until the bad
  // event is alone). Anything else stops the import.
  Status status;
  int64_t rejected_item = -1;
  int64_t retry_after_ms = -1;  // the server's hint with kUnavailable, if any
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Sends one batch of events (each a minified JSON object), all or nothing.
  virtual SendResult Send(const std::vector<std::string_view>& events) = 0;
};

// Reads "batch[3].event: a track call needs..." as item 3, reason "event: a track call needs..."
// (the form of the ingest API's errors). False when the message names no item.
bool ParseBatchItemError(std::string_view message, size_t* index, std::string* reason);

struct ImportProgress {
  uint64_t bytes_read = 0;
  std::optional<uint64_t> bytes_total;
  int64_t rows_read = 0;      // records read, good or bad
  int64_t rows_imported = 0;  // acknowledged by the sink
  int64_t rows_rejected = 0;  // written to the rejects
  int64_t elapsed_us = 0;
  double rows_per_second = 0;
  std::optional<int64_t> eta_us;  // from the bytes still to read, once the rate is known
  std::string waiting;            // non-empty while waiting to retry: why
  bool done = false;
};
using ProgressCallback = std::function<void(const ImportProgress&)>;

struct RunnerOptions {
  std::string file_name;  // the input's name: its extension picks the format; recorded per event
  std::string library_version = "0";
  size_t max_batch_events = 500;
  size_t max_batch_bytes = 400 * 1024;  // of the {"batch":[...]} body
  size_t max_event_bytes = 32768;       // the ingest limit per event
  size_t chunk_bytes = InputBuffer::kDefaultChunkBytes;
  int64_t progress_interval_us = 100'000;
  int64_t initial_backoff_us = 250'000;
  int64_t max_backoff_us = 30'000'000;
  int64_t max_retry_us = 300'000'000;         // per batch: give up after 5 minutes of kUnavailable
  Clock* clock = nullptr;                     // default: SystemClock::Default()
  std::function<void(int64_t micros)> sleep;  // default: sleeps the thread
  const std::atomic<bool>* cancel = nullptr;  // set to stop after the current batch
};

struct ImportSummary {
  ImportProgress progress;  // the final counts
  // OK when every row was either imported or rejected. Otherwise why the import stopped early
  // (the sink's status, an I/O error, cancellation); rows read but not sent are in neither count.
  Status status;
  int64_t batches = 0;
  int64_t retries = 0;
};

class ImportRunner {
 public:
  // Opens the input (for CSV, reads the header) and checks the mapping against it. Every
  // mapping error is returned here, before any row is read or sent.
  static Result<std::unique_ptr<ImportRunner>> Create(const Mapping& mapping,
                                                      std::unique_ptr<ChunkSource> input,
                                                      RunnerOptions options);
  ~ImportRunner();

  InputFormat format() const;
  const std::vector<std::string>& columns() const;  // CSV; empty for JSON Lines

  // Imports every row. `progress` (optional) is called at most every progress_interval_us, after
  // each batch, while waiting to retry, and once at the end with done = true.
  ImportSummary Run(EventSink* sink, RejectSink* rejects, const ProgressCallback& progress = {});

  struct State;

 private:
  explicit ImportRunner(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace rapport
