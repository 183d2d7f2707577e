#include "import/runner.h"

#include <algorithm>
#include <charconv>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "import/csv_reader.h"
#include "import/jsonl_reader.h"
#include "import/row_mapper.h"

namespace rapport {
namespace {

// {"batch":[ and ]}
constexpr size_t kBatchOverhead = 12;

struct Pending {
  int64_t line;
  std::string event;
  std::string raw;
};

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool Retryable(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kNoSpace;
}

// The reason for one refused item: the message without its "batch[i]" prefix.
std::string ItemReason(const Status& status) {
  size_t index = 0;
  std::string reason;
  if (ParseBatchItemError(status.message(), &index, &reason)) return reason;
  return status.message();
}

}  // namespace

bool ParseBatchItemError(std::string_view message, size_t* index, std::string* reason) {
  constexpr std::string_view kPrefix = "batch[";
  if (message.substr(0, kPrefix.size()) != kPrefix) return false;
  const char* begin = message.data() + kPrefix.size();
  const char* end = message.data() + message.size();
  size_t i = 0;
  auto [p, ec] = std::from_chars(begin, end, i);
  if (ec != std::errc() || p == begin || p == end || *p != ']') return false;
  std::string_view rest(p + 1, static_cast<size_t>(end - p - 1));
  *index = i;
  if (rest.substr(0, 1) == ".") {
    *reason = std::string(rest.substr(1));
  } else if (rest.substr(0, 2) == ": ") {
    *reason = std::string(rest.substr(2));
  } else {
    *reason = "the event" + std::string(rest);
  }
  return true;
}

struct ImportRunner::State {
  Mapping mapping;
  RunnerOptions options;
  InputFormat format = InputFormat::kCsv;
  std::unique_ptr<ChunkSource> input;
  std::unique_ptr<RecordReader> reader;
  std::vector<std::string> columns;
  std::unique_ptr<RowMapper> mapper;
  Clock* clock = nullptr;

  // During Run().
  EventSink* sink = nullptr;
  RejectSink* rejects = nullptr;
  const ProgressCallback* progress = nullptr;
  ImportSummary summary;
  int64_t start_us = 0;
  int64_t last_report_us = 0;
  std::vector<Pending> batch;
  size_t batch_bytes = kBatchOverhead;

  Status RejectRow(int64_t line, std::string reason, const std::string& raw);
  void Report(bool force, std::string waiting = {});
  Status Flush();
  Status SendIndexes(const std::vector<size_t>& indexes);
  bool Cancelled() const { return options.cancel && options.cancel->load(); }
};

Status ImportRunner::State::RejectRow(int64_t line, std::string reason, const std::string& raw) {
  ++summary.progress.rows_rejected;
  if (rejects == nullptr) return Status::OK();
  return rejects->Write(Reject{line, std::move(reason), raw});
}

void ImportRunner::State::Report(bool force, std::string waiting) {
  const int64_t now = clock->NowMicros();
  if (!force && now - last_report_us < options.progress_interval_us) return;
  last_report_us = now;
  ImportProgress& p = summary.progress;
  p.bytes_read = reader->bytes_read();
  p.bytes_total = reader->bytes_total();
  p.elapsed_us = std::max<int64_t>(0, now - start_us);
  p.waiting = std::move(waiting);
  if (p.elapsed_us > 0) {
    p.rows_per_second = static_cast<double>(p.rows_read) * 1e6 / static_cast<double>(p.elapsed_us);
    if (p.bytes_total && p.bytes_read > 0 && p.elapsed_us >= 500'000) {
      const double left =
          static_cast<double>(*p.bytes_total - std::min(*p.bytes_total, p.bytes_read));
      p.eta_us = static_cast<int64_t>(left * static_cast<double>(p.elapsed_us) /
                                      static_cast<double>(p.bytes_read));
    }
  }
  if (progress && *progress) (*progress)(p);
}

Status ImportRunner::State::SendIndexes(const std::vector<size_t>& indexes) {
  std::vector<size_t> alive = indexes;
  std::vector<std::string_view> views;
  int64_t waited_us = 0;
  int64_t backoff_us = options.initial_backoff_us;
  while (!alive.empty()) {
    views.clear();
    for (size_t i : alive) views.push_back(batch[i].event);
    SendResult r = sink->Send(views);
    ++summary.batches;
    if (r.status.ok()) {
      summary.progress.rows_imported += static_cast<int64_t>(alive.size());
      Report(false);
      return Status::OK();
    }
    const StatusCode code = r.status.code();
    if (code == StatusCode::kInvalidArgument || code == StatusCode::kTooLarge) {
      if (r.rejected_item >= 0 && static_cast<size_t>(r.rejected_item) < alive.size()) {
        const Pending& row = batch[alive[static_cast<size_t>(r.rejected_item)]];
        RETURN_IF_ERROR(
            RejectRow(row.line, "refused by the server: " + ItemReason(r.status), row.raw));
        alive.erase(alive.begin() + r.rejected_item);
        continue;
      }
      if (alive.size() == 1) {
        const Pending& row = batch[alive.front()];
        return RejectRow(row.line, "refused by the server: " + ItemReason(r.status), row.raw);
      }
      // The batch as a whole was refused: halve it until the culprit is alone.
      const size_t half = alive.size() / 2;
      RETURN_IF_ERROR(SendIndexes({alive.begin(), alive.begin() + half}));
      return SendIndexes({alive.begin() + half, alive.end()});
    }
    if (!Retryable(code)) return r.status;
    if (Cancelled()) return Status::Unavailable("the import was cancelled");
    if (waited_us >= options.max_retry_us) {
      return Status::Unavailable(fmt::format("gave up after {} s of retries: {}",
                                             waited_us / 1'000'000, r.status.message()));
    }
    int64_t delay = r.retry_after_ms > 0 ? r.retry_after_ms * 1000 : backoff_us;
    delay = std::min({delay, options.max_backoff_us, options.max_retry_us - waited_us});
    backoff_us = std::min(backoff_us * 2, options.max_backoff_us);
    ++summary.retries;
    Report(true, fmt::format("{}; retrying in {:.1f} s", r.status.message(),
                             static_cast<double>(delay) / 1e6));
    options.sleep(delay);
    waited_us += delay;
  }
  return Status::OK();
}

Status ImportRunner::State::Flush() {
  if (batch.empty()) return Status::OK();
  std::vector<size_t> all(batch.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  Status s = SendIndexes(all);
  batch.clear();
  batch_bytes = kBatchOverhead;
  return s;
}

ImportRunner::ImportRunner(std::unique_ptr<State> state) : state_(std::move(state)) {}
ImportRunner::~ImportRunner() = default;

InputFormat ImportRunner::format() const { return state_->format; }
const std::vector<std::string>& ImportRunner::columns() const { return state_->columns; }

Result<std::unique_ptr<ImportRunner>> ImportRunner::Create(const Mapping& mapping,
                                                           std::unique_ptr<ChunkSource> input,
                                                           RunnerOptions options) {
  auto st = std::make_unique<State>();
  st->mapping = mapping;
  st->options = std::move(options);
  st->input = std::move(input);
  st->clock = st->options.clock ? st->options.clock : SystemClock::Default();
  if (!st->options.sleep) {
    st->options.sleep = [](int64_t us) {
      std::this_thread::sleep_for(std::chrono::microseconds(us));
    };
  }
  if (st->options.max_batch_events == 0) st->options.max_batch_events = 1;
  ASSIGN_OR_RETURN(st->format, ResolveFormat(mapping, st->options.file_name));
  ReaderOptions ro;
  ro.max_record_bytes = mapping.max_record_bytes;
  ro.chunk_bytes = st->options.chunk_bytes;
  if (st->format == InputFormat::kCsv) {
    CsvOptions csv;
    csv.delimiter = ResolveDelimiter(mapping, st->options.file_name);
    csv.header = mapping.header;
    csv.columns = mapping.columns;
    auto reader = CsvReader::Open(st->input.get(), std::move(csv), ro);
    if (!reader.ok()) {
      return reader.status().WithContext(std::string(BaseName(st->options.file_name)));
    }
    st->columns = (*reader)->columns();
    st->reader = std::move(*reader);
  } else {
    st->reader = std::make_unique<JsonlReader>(st->input.get(), ro);
  }
  RowMapperOptions mo;
  mo.file_name = std::string(BaseName(st->options.file_name));
  mo.library_version = st->options.library_version;
  ASSIGN_OR_RETURN(st->mapper, RowMapper::Create(mapping, st->format, st->columns, mo));
  return std::unique_ptr<ImportRunner>(new ImportRunner(std::move(st)));
}

ImportSummary ImportRunner::Run(EventSink* sink, RejectSink* rejects,
                                const ProgressCallback& progress) {
  State& st = *state_;
  st.sink = sink;
  st.rejects = rejects;
  st.progress = &progress;
  st.start_us = st.clock->NowMicros();
  st.last_report_us = st.start_us;
  ImportProgress& p = st.summary.progress;

  Record record;
  std::string event;
  Status status;
  while (status.ok()) {
    if (st.Cancelled()) {
      status = Status::Unavailable("the import was cancelled");
      break;
    }
    auto got = st.reader->Next(&record);
    if (!got.ok()) {
      status = got.status().WithContext("reading the input");
      break;
    }
    if (!*got) break;
    ++p.rows_read;
    if (!record.error.empty()) {
      status = st.RejectRow(record.line, record.error, record.raw);
    } else if (Status m = st.mapper->Map(record, &event); !m.ok()) {
      status = st.RejectRow(record.line, m.message(), record.raw);
    } else if (event.size() > st.options.max_event_bytes) {
      status = st.RejectRow(record.line,
                            fmt::format("the event is {} bytes; the limit is {} bytes per event",
                                        event.size(), st.options.max_event_bytes),
                            record.raw);
    } else {
      const size_t add = event.size() + (st.batch.empty() ? 0 : 1);
      if (!st.batch.empty() && (st.batch.size() >= st.options.max_batch_events ||
                                st.batch_bytes + add > st.options.max_batch_bytes)) {
        status = st.Flush();
        if (!status.ok()) break;
      }
      st.batch_bytes += event.size() + (st.batch.empty() ? 0 : 1);
      st.batch.push_back(Pending{record.line, event, record.raw});
    }
    st.Report(false);
  }
  if (status.ok()) status = st.Flush();
  if (rejects) {
    Status f = rejects->Flush();
    if (status.ok() && !f.ok()) status = f;
  }
  st.summary.status = status;
  p.done = true;
  st.Report(true);
  return st.summary;
}

}  // namespace rapport
