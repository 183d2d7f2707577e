#include "server/imports_api.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "common/ids.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {

struct ImportsApi::Job {
  std::string id;
  Source source;
  std::string file_name;
  std::string mapping_text;
  Mapping mapping;
  int64_t created_at_us = 0;
  std::string data_path, rejects_path;

  std::mutex mu;                           // guards everything below
  std::string state = "waiting_for_data";  // → running → done | failed
  ImportProgress progress;
  std::string error;
};

namespace {

// Sends a batch in-process through the ingest path; maps its answer to what the runner needs.
class IngestSink final : public EventSink {
 public:
  IngestSink(IngestService* ingest, Source source) : ingest_(ingest), source_(std::move(source)) {}

  SendResult Send(const std::vector<std::string_view>& events) override {
    std::string body = "{\"batch\":[";
    for (size_t i = 0; i < events.size(); ++i) {
      if (i) body.push_back(',');
      body.append(events[i]);
    }
    body.append("]}");
    SendResult r;
    r.status = ingest_->IngestBatch(source_, body);
    size_t index = 0;
    std::string reason;
    if (!r.status.ok() && ParseBatchItemError(r.status.message(), &index, &reason)) {
      r.rejected_item = static_cast<int64_t>(index);
    }
    if (r.status.code() == StatusCode::kUnavailable) r.retry_after_ms = 1000;
    return r;
  }

 private:
  IngestService* ingest_;
  Source source_;
};

std::string StringField(simdjson::dom::element obj, const char* key, Status* error) {
  std::string_view v;
  if (obj[key].get(v) != simdjson::SUCCESS) {
    if (error->ok()) {
      *error = Status::InvalidArgument(fmt::format("\"{}\" is required, as a string", key));
    }
    return {};
  }
  return std::string(v);
}

}  // namespace

ImportsApi::ImportsApi(std::string dir, ControlStore* control, IngestService* ingest, Clock* clock)
    : dir_(std::move(dir)), control_(control), ingest_(ingest), clock_(clock) {}

ImportsApi::~ImportsApi() {
  cancel_ = true;
  std::vector<std::pair<std::shared_ptr<Job>, std::thread>> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& [job, t] : threads) t.join();
}

std::shared_ptr<ImportsApi::Job> ImportsApi::Find(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : it->second;
}

void ImportsApi::Create(HttpRequest& req, Responder respond) {
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  if (parser.parse(req.body).get(body) != simdjson::SUCCESS || !body.is_object()) {
    return respond(HttpResponse::Error(Status::InvalidArgument(
        "the body must be a JSON object {\"source\", \"fileName\", \"mapping\"}")));
  }
  Status error;
  std::string source_name = StringField(body, "source", &error);
  std::string file_name = StringField(body, "fileName", &error);
  std::string mapping_text = StringField(body, "mapping", &error);
  if (!error.ok()) return respond(HttpResponse::Error(error));
  file_name = std::filesystem::path(file_name).filename().string();  // a name, never a path
  if (file_name.empty() || file_name == "." || file_name == "..") {
    return respond(HttpResponse::Error(
        Status::InvalidArgument("\"fileName\": a file name like contacts.csv")));
  }
  auto source = control_->SourceByIdOrName(source_name);
  if (!source.ok()) return respond(HttpResponse::Error(source.status()));
  auto mapping = ParseMapping(mapping_text, "mapping");
  if (!mapping.ok()) return respond(HttpResponse::Error(mapping.status()));
  auto format = ResolveFormat(*mapping, file_name);
  if (!format.ok()) return respond(HttpResponse::Error(format.status()));

  auto job = std::make_shared<Job>();
  job->id = "imp_" + NewSecret("", 9);
  job->source = std::move(*source);
  job->file_name = file_name;
  job->mapping_text = std::move(mapping_text);
  job->mapping = std::move(*mapping);
  job->created_at_us = clock_->NowMicros();
  job->data_path = dir_ + "/" + job->id + ".data";
  job->rejects_path = dir_ + "/" + job->id + ".rejects.jsonl";
  {
    std::lock_guard lock(mu_);
    jobs_[job->id] = job;
  }
  respond(HttpResponse::Json(201, JobJson(*job)));
}

void ImportsApi::Upload(HttpRequest& req, Responder respond) {
  auto job = Find(req.params["id"]);
  if (!job) {
    return respond(
        HttpResponse::Error(Status::NotFound(fmt::format("no import \"{}\"", req.params["id"]))));
  }
  {
    std::lock_guard lock(job->mu);
    if (job->state != "waiting_for_data") {
      return respond(HttpResponse::Error(Status::AlreadyExists(
          fmt::format("import {} already has its data (it is {})", job->id, job->state))));
    }
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    std::ofstream out(job->data_path, std::ios::binary | std::ios::trunc);
    out.write(req.body.data(), static_cast<std::streamsize>(req.body.size()));
    out.close();
    if (!out) {
      return respond(HttpResponse::Error(
          Status::IOError("could not store the upload under " + dir_ + "; retry later")));
    }
    job->state = "running";
    job->progress.bytes_total = req.body.size();
  }
  {
    std::lock_guard lock(mu_);
    // Join the threads of imports that have finished.
    std::erase_if(threads_, [](auto& entry) {
      bool done;
      {
        std::lock_guard job_lock(entry.first->mu);
        done = entry.first->progress.done;
      }
      if (done) entry.second.join();
      return done;
    });
    threads_.emplace_back(job, std::thread([this, job] { Run(job); }));
  }
  std::lock_guard lock(job->mu);
  respond(HttpResponse::Json(202, JobJson(*job)));
}

void ImportsApi::Run(std::shared_ptr<Job> job) {
  auto fail = [&](const Status& s) {
    std::lock_guard lock(job->mu);
    job->state = "failed";
    job->error = s.ToString();
    job->progress.done = true;
  };
  auto input = OpenFileSource(job->data_path);
  if (!input.ok()) return fail(input.status());
  RunnerOptions options;
  options.file_name = job->file_name;
  options.cancel = &cancel_;
  options.clock = clock_;
  auto runner = ImportRunner::Create(job->mapping, std::move(*input), options);
  if (!runner.ok()) return fail(runner.status());
  IngestSink sink(ingest_, job->source);
  FileRejectSink rejects(job->rejects_path);
  ImportSummary summary = (*runner)->Run(&sink, &rejects, [&](const ImportProgress& p) {
    std::lock_guard lock(job->mu);
    job->progress = p;
  });
  (void)rejects.Flush();
  std::error_code ec;
  std::filesystem::remove(job->data_path, ec);
  std::lock_guard lock(job->mu);
  job->progress = summary.progress;
  job->progress.done = true;
  job->state = summary.status.ok() ? "done" : "failed";
  if (!summary.status.ok()) job->error = summary.status.ToString();
  spdlog::info("import {} into {}: {} rows imported, {} rejected{}", job->id, job->source.name,
               summary.progress.rows_imported, summary.progress.rows_rejected,
               summary.status.ok() ? "" : " — stopped: " + summary.status.ToString());
}

std::string ImportsApi::JobJson(const Job& j) {
  const ImportProgress& p = j.progress;
  std::string out = "{\"id\":";
  AppendJsonString(&out, j.id);
  out.append(",\"source\":");
  AppendJsonString(&out, j.source.name);
  out.append(",\"fileName\":");
  AppendJsonString(&out, j.file_name);
  out.append(",\"createdAt\":\"");
  AppendIso8601(j.created_at_us, &out);
  out.append("\",\"state\":");
  AppendJsonString(&out, j.state);
  out.append(
      fmt::format(",\"bytesRead\":{},\"bytesTotal\":{},\"rowsRead\":{},\"rowsImported\":{},"
                  "\"rowsRejected\":{},\"rowsPerSecond\":{:.1f},\"etaSeconds\":{}",
                  p.bytes_read, p.bytes_total ? std::to_string(*p.bytes_total) : "null",
                  p.rows_read, p.rows_imported, p.rows_rejected, p.rows_per_second,
                  p.eta_us ? fmt::format("{:.1f}", *p.eta_us / 1e6) : "null"));
  out.append(",\"waiting\":");
  AppendJsonString(&out, p.waiting);
  out.append(",\"error\":");
  if (j.error.empty()) {
    out.append("null");
  } else {
    AppendJsonString(&out, j.error);
  }
  out.append(
      fmt::format(",\"uploadUrl\":\"/api/v1/imports/{0}/data\","
                  "\"rejectsUrl\":\"/api/v1/imports/{0}/rejects\"}}",
                  j.id));
  return out;
}

void ImportsApi::Get(HttpRequest& req, Responder respond) {
  auto job = Find(req.params["id"]);
  if (!job) {
    return respond(
        HttpResponse::Error(Status::NotFound(fmt::format("no import \"{}\"", req.params["id"]))));
  }
  std::lock_guard lock(job->mu);
  respond(HttpResponse::Json(200, JobJson(*job)));
}

void ImportsApi::List(HttpRequest&, Responder respond) {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, job] : jobs_) jobs.push_back(job);
  }
  std::sort(jobs.begin(), jobs.end(),
            [](const auto& a, const auto& b) { return a->created_at_us > b->created_at_us; });
  std::string out = "{\"imports\":[";
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (i) out.push_back(',');
    std::lock_guard lock(jobs[i]->mu);
    out.append(JobJson(*jobs[i]));
  }
  out.append("]}");
  respond(HttpResponse::Json(200, out));
}

void ImportsApi::Rejects(HttpRequest& req, Responder respond) {
  auto job = Find(req.params["id"]);
  if (!job) {
    return respond(
        HttpResponse::Error(Status::NotFound(fmt::format("no import \"{}\"", req.params["id"]))));
  }
  std::string path;
  {
    std::lock_guard lock(job->mu);
    path = job->rejects_path;
  }
  std::ifstream in(path, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  HttpResponse r = HttpResponse::Json(200, std::move(body));
  r.content_type = "application/x-ndjson";
  respond(std::move(r));
}

}  // namespace rapport
