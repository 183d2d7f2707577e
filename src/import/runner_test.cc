#include "import/runner.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "common/env.h"
#include "common/temp_dir.h"

namespace rapport {
namespace {

constexpr const char* kMapping = R"(
[event]
type = "track"
name = "Order Completed"
message_id = "id"
[identifiers]
user_id = "user"
[properties]
revenue = { column = "total", type = "number" }
note = "note"
)";

// Stores every batch; can fail the next calls with given results.
class FakeSink : public EventSink {
 public:
  SendResult Send(const std::vector<std::string_view>& events) override {
    calls.push_back(std::vector<std::string>(events.begin(), events.end()));
    if (!script.empty()) {
      SendResult r = script.front();
      script.erase(script.begin());
      if (!r.status.ok()) return r;
    }
    if (refuse_containing) {
      for (size_t i = 0; i < events.size(); ++i) {
        if (events[i].find(*refuse_containing) != std::string_view::npos) {
          SendResult r;
          r.status = Status::InvalidArgument(whole_batch_error ? "the body is bad"
                                                               : "batch[" + std::to_string(i) +
                                                                     "].properties: no thanks");
          if (!whole_batch_error) r.rejected_item = static_cast<int64_t>(i);
          return r;
        }
      }
    }
    for (auto e : events) stored.emplace_back(e);
    return {};
  }

  std::vector<std::vector<std::string>> calls;
  std::vector<std::string> stored;
  std::vector<SendResult> script;
  std::optional<std::string> refuse_containing;
  bool whole_batch_error = false;
};

std::string Rows(int n, int first = 1) {
  std::string out = "id,user,total,note\n";
  for (int i = first; i < first + n; ++i) {
    out += std::to_string(i) + ",u" + std::to_string(i % 7) + "," + std::to_string(i) + ".5,row " +
           std::to_string(i) + "\n";
  }
  return out;
}

struct Outcome {
  ImportSummary summary;
  std::vector<ImportProgress> progress;
  std::vector<int64_t> sleeps;
};

Outcome Import(const std::string& data, EventSink* sink, RejectSink* rejects,
               RunnerOptions options = {}, const char* mapping = kMapping) {
  Outcome run;
  auto m = ParseMapping(mapping, "m.toml");
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (options.file_name.empty()) options.file_name = "/some/dir/orders.csv";
  options.library_version = "1.0";
  options.sleep = [&run](int64_t us) { run.sleeps.push_back(us); };
  options.progress_interval_us = 0;
  auto runner = ImportRunner::Create(*m, StringSource(data), options);
  EXPECT_TRUE(runner.ok()) << runner.status().message();
  if (!runner.ok()) return run;
  run.summary =
      (*runner)->Run(sink, rejects, [&run](const ImportProgress& p) { run.progress.push_back(p); });
  return run;
}

TEST(ImportRunnerTest, BatchesByEventCount) {
  FakeSink sink;
  MemoryRejectSink rejects;
  Outcome r = Import(Rows(1203), &sink, &rejects);
  ASSERT_TRUE(r.summary.status.ok()) << r.summary.status.ToString();
  ASSERT_EQ(sink.calls.size(), 3u);
  EXPECT_EQ(sink.calls[0].size(), 500u);
  EXPECT_EQ(sink.calls[1].size(), 500u);
  EXPECT_EQ(sink.calls[2].size(), 203u);
  EXPECT_EQ(sink.stored.size(), 1203u);
  EXPECT_EQ(r.summary.progress.rows_read, 1203);
  EXPECT_EQ(r.summary.progress.rows_imported, 1203);
  EXPECT_EQ(r.summary.progress.rows_rejected, 0);
  EXPECT_EQ(r.summary.batches, 3);
  EXPECT_NE(sink.stored[0].find("\"context\":{\"library\":{\"name\":\"rapport-import\","
                                "\"version\":\"1.0\"},\"import\":{\"file\":\"orders.csv\","
                                "\"line\":2}}"),
            std::string::npos)
      << sink.stored[0];
  EXPECT_NE(sink.stored[1202].find("\"line\":1204}"), std::string::npos);
  ASSERT_FALSE(r.progress.empty());
  EXPECT_TRUE(r.progress.back().done);
  EXPECT_EQ(r.progress.back().bytes_read, Rows(1203).size());
  EXPECT_EQ(r.progress.back().bytes_total, Rows(1203).size());
  for (size_t i = 1; i < r.progress.size(); ++i) {
    EXPECT_GE(r.progress[i].rows_read, r.progress[i - 1].rows_read);
    EXPECT_GE(r.progress[i].bytes_read, r.progress[i - 1].bytes_read);
  }
}

TEST(ImportRunnerTest, BatchesByBytes) {
  FakeSink sink;
  RunnerOptions options;
  options.max_batch_bytes = 2000;
  Outcome r = Import(Rows(100), &sink, nullptr, options);
  ASSERT_TRUE(r.summary.status.ok());
  EXPECT_GT(sink.calls.size(), 5u);
  size_t total = 0;
  for (const auto& call : sink.calls) {
    size_t body = 12 + call.size() - 1;
    for (const auto& e : call) body += e.size();
    EXPECT_LE(body, 2000u);
    total += call.size();
  }
  EXPECT_EQ(total, 100u);
}

TEST(ImportRunnerTest, RetriesWhileUnavailableThenSucceeds) {
  FakeSink sink;
  SendResult busy;
  busy.status = Status::Unavailable("the event log cannot take writes right now");
  SendResult busy_hint = busy;
  busy_hint.retry_after_ms = 2000;
  sink.script = {busy, busy, busy_hint};
  Outcome r = Import(Rows(10), &sink, nullptr);
  ASSERT_TRUE(r.summary.status.ok()) << r.summary.status.ToString();
  EXPECT_EQ(sink.calls.size(), 4u);
  EXPECT_EQ(sink.stored.size(), 10u);
  EXPECT_EQ(r.summary.retries, 3);
  EXPECT_EQ(r.sleeps, (std::vector<int64_t>{250'000, 500'000, 2'000'000}));
  bool saw_waiting = false;
  for (const auto& p : r.progress) {
    saw_waiting = saw_waiting || p.waiting.find("retrying in 0.5 s") != std::string::npos;
  }
  EXPECT_TRUE(saw_waiting);
}

TEST(ImportRunnerTest, GivesUpAfterMaxRetryTime) {
  FakeSink sink;
  SendResult busy;
  busy.status = Status::Unavailable("down");
  sink.script.assign(100, busy);
  RunnerOptions options;
  options.max_retry_us = 2'000'000;
  Outcome r = Import(Rows(3), &sink, nullptr, options);
  EXPECT_EQ(r.summary.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(r.summary.status.message().find("gave up after 2 s of retries: down"),
            std::string::npos)
      << r.summary.status.message();
  EXPECT_EQ(r.summary.progress.rows_imported, 0);
  EXPECT_EQ(r.summary.progress.rows_read, 3);
}

TEST(ImportRunnerTest, OtherSinkErrorsStopTheImport) {
  FakeSink sink;
  SendResult denied;
  denied.status = Status::PermissionDenied("this token's role may not import");
  sink.script = {denied};
  RunnerOptions options;
  options.max_batch_events = 2;
  Outcome r = Import(Rows(5), &sink, nullptr, options);
  EXPECT_EQ(r.summary.status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(sink.calls.size(), 1u);
  EXPECT_EQ(r.summary.progress.rows_imported, 0);
}

TEST(ImportRunnerTest, ItemRefusedByTheSinkGoesToRejectsAndTheRestIsResent) {
  FakeSink sink;
  sink.refuse_containing = "row 4\"";
  MemoryRejectSink rejects;
  Outcome r = Import(Rows(6), &sink, &rejects);
  ASSERT_TRUE(r.summary.status.ok());
  EXPECT_EQ(sink.stored.size(), 5u);
  EXPECT_EQ(sink.calls.size(), 2u);
  ASSERT_EQ(rejects.rejects().size(), 1u);
  EXPECT_EQ(rejects.rejects()[0].line, 5);
  EXPECT_EQ(rejects.rejects()[0].reason, "refused by the server: properties: no thanks");
  EXPECT_EQ(rejects.rejects()[0].raw, "4,u4,4.5,row 4");
  EXPECT_EQ(r.summary.progress.rows_imported, 5);
  EXPECT_EQ(r.summary.progress.rows_rejected, 1);
}

TEST(ImportRunnerTest, WholeBatchRefusalIsBisectedToTheBadRow) {
  FakeSink sink;
  sink.refuse_containing = "row 13\"";
  sink.whole_batch_error = true;
  MemoryRejectSink rejects;
  Outcome r = Import(Rows(20), &sink, &rejects);
  ASSERT_TRUE(r.summary.status.ok());
  EXPECT_EQ(sink.stored.size(), 19u);
  ASSERT_EQ(rejects.rejects().size(), 1u);
  EXPECT_EQ(rejects.rejects()[0].line, 14);
  EXPECT_EQ(rejects.rejects()[0].reason, "refused by the server: the body is bad");
}

TEST(ImportRunnerTest, RejectsFromReaderMapperAndSizeLimit) {
  testing::TempDir dir;
  const std::string path = dir.Sub("rejects.jsonl");
  FakeSink sink;
  std::string data = Rows(2);
  data += "3,u3,lots,bad number\n";                        // line 4: mapper
  data += "4,u4,1\n";                                      // line 5: column count
  data += "5,,1,no user\n";                                // line 6: no identifier
  data += "6,u6,1,\"" + std::string(40000, 'x') + "\"\n";  // line 7: event over 32 KB
  data += "7,u7,1,caf\xE9\n";                              // line 8: invalid UTF-8
  data += "8,u8,1,\"multi\nline\"\n";                      // line 9: fine
  {
    FileRejectSink rejects(path);
    Outcome r = Import(data, &sink, &rejects);
    ASSERT_TRUE(r.summary.status.ok());
    EXPECT_EQ(r.summary.progress.rows_read, 8);
    EXPECT_EQ(r.summary.progress.rows_imported, 3);
    EXPECT_EQ(r.summary.progress.rows_rejected, 5);
    EXPECT_EQ(rejects.count(), 5);
  }
  std::string text;
  ASSERT_TRUE(ReadFileToString(Env::Default(), path, &text).ok());
  simdjson::dom::parser parser;
  std::vector<std::pair<int64_t, std::string>> got;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(text.substr(start, nl - start)).get(e), simdjson::SUCCESS);
    got.emplace_back(int64_t(e["line"]), std::string(std::string_view(e["reason"])));
    if (got.size() == 1) {
      EXPECT_EQ(std::string_view(e["row"]), "3,u3,lots,bad number");
    }
    start = nl + 1;
  }
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], std::make_pair(int64_t{4}, std::string("[properties] revenue: column \"total\" "
                                                           "value \"lots\" is not a number")));
  EXPECT_EQ(got[1], std::make_pair(int64_t{5}, std::string("the row has 3 columns; the header "
                                                           "has 4")));
  EXPECT_EQ(got[2], std::make_pair(int64_t{6}, std::string("no identifier: user_id is empty")));
  EXPECT_EQ(got[3].first, 7);
  EXPECT_NE(got[3].second.find("the limit is 32768 bytes per event"), std::string::npos);
  EXPECT_EQ(got[4], std::make_pair(int64_t{8}, std::string("invalid UTF-8 at byte 4 of column "
                                                           "\"note\"")));
}

TEST(ImportRunnerTest, CsvRejectsFile) {
  testing::TempDir dir;
  const std::string path = dir.Sub("rejects.csv");
  FakeSink sink;
  {
    FileRejectSink rejects(path);
    Import(Rows(1) + "2,u2,\"x,y\",\"a \"\"b\"\"\"\n", &sink, &rejects);
  }
  std::string text;
  ASSERT_TRUE(ReadFileToString(Env::Default(), path, &text).ok());
  EXPECT_EQ(text,
            "line,reason,row\n"
            "3,\"[properties] revenue: column \"\"total\"\" value \"\"x,y\"\" is not a number\","
            "\"2,u2,\"\"x,y\"\",\"\"a \"\"\"\"b\"\"\"\"\"\"\"\n");
}

TEST(ImportRunnerTest, NoRejectsFileWithoutRejects) {
  testing::TempDir dir;
  FakeSink sink;
  FileRejectSink rejects(dir.Sub("rejects.jsonl"));
  Outcome r = Import(Rows(3), &sink, &rejects);
  EXPECT_TRUE(r.summary.status.ok());
  EXPECT_FALSE(Env::Default()->Exists(dir.Sub("rejects.jsonl")));
}

TEST(ImportRunnerTest, FileLargerThanTheChunkSize) {
  testing::TempDir dir;
  const std::string path = dir.Sub("big.csv");
  const int kRows = 60000;
  const std::string data = Rows(kRows);
  ASSERT_GT(data.size(), 1'500'000u);
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), path, data, /*sync=*/false).ok());
  auto m = ParseMapping(kMapping, "m.toml");
  ASSERT_TRUE(m.ok());
  auto source = OpenFileSource(path);
  ASSERT_TRUE(source.ok());
  RunnerOptions options;
  options.file_name = path;
  options.chunk_bytes = 4096;
  auto runner = ImportRunner::Create(*m, std::move(*source), options);
  ASSERT_TRUE(runner.ok()) << runner.status().message();
  FakeSink sink;
  ImportSummary s = (*runner)->Run(&sink, nullptr);
  ASSERT_TRUE(s.status.ok());
  EXPECT_EQ(s.progress.rows_imported, kRows);
  EXPECT_EQ(s.progress.bytes_read, data.size());
  ASSERT_EQ(sink.stored.size(), static_cast<size_t>(kRows));
  EXPECT_NE(sink.stored.back().find("\"line\":60001}"), std::string::npos);
  EXPECT_NE(sink.stored.back().find("\"messageId\":\"60000\""), std::string::npos);
}

TEST(ImportRunnerTest, JsonLinesInput) {
  FakeSink sink;
  MemoryRejectSink rejects;
  RunnerOptions options;
  options.file_name = "t.jsonl";
  Outcome r =
      Import("{\"id\":1,\"user\":\"u\",\"total\":3}\nnot json\n[1]\n\n{\"id\":2,\"user\":7}\n",
             &sink, &rejects, options);
  ASSERT_TRUE(r.summary.status.ok());
  EXPECT_EQ(sink.stored.size(), 2u);
  ASSERT_EQ(rejects.rejects().size(), 2u);
  EXPECT_EQ(rejects.rejects()[0].line, 2);
  EXPECT_NE(rejects.rejects()[0].reason.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(rejects.rejects()[1].line, 3);
  EXPECT_NE(sink.stored[1].find("\"userId\":\"7\""), std::string::npos);
}

TEST(ImportRunnerTest, MappingErrorsComeFromCreate) {
  auto m = ParseMapping(kMapping, "m.toml");
  ASSERT_TRUE(m.ok());
  RunnerOptions options;
  options.file_name = "orders.csv";
  auto missing = ImportRunner::Create(*m, StringSource("id,user,amount,note\n"), options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("m.toml:9: [properties] revenue: column \"total\" "
                                            "is not in the header of orders.csv"),
            std::string::npos)
      << missing.status().message();
  auto empty = ImportRunner::Create(*m, StringSource(""), options);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(),
            "orders.csv: the file is empty: a CSV file starts with a header row (the column "
            "names)");
  options.file_name = "orders.xlsx";
  EXPECT_FALSE(ImportRunner::Create(*m, StringSource("id\n"), options).ok());
}

TEST(ImportRunnerTest, CancelStopsAfterTheCurrentRow) {
  FakeSink sink;
  std::atomic<bool> cancel{true};
  RunnerOptions options;
  options.cancel = &cancel;
  Outcome r = Import(Rows(10), &sink, nullptr, options);
  EXPECT_EQ(r.summary.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(sink.stored.size(), 0u);
}

TEST(ImportRunnerTest, ParseBatchItemError) {
  size_t i = 0;
  std::string reason;
  ASSERT_TRUE(ParseBatchItemError("batch[3].event: a track call needs \"event\"", &i, &reason));
  EXPECT_EQ(i, 3u);
  EXPECT_EQ(reason, "event: a track call needs \"event\"");
  ASSERT_TRUE(ParseBatchItemError("batch[12]: must be a JSON object", &i, &reason));
  EXPECT_EQ(i, 12u);
  EXPECT_EQ(reason, "must be a JSON object");
  ASSERT_TRUE(ParseBatchItemError("batch[0] is 40000 bytes; the limit is 32768", &i, &reason));
  EXPECT_EQ(reason, "the event is 40000 bytes; the limit is 32768");
  EXPECT_FALSE(ParseBatchItemError("the batch has 3000 events", &i, &reason));
  EXPECT_FALSE(ParseBatchItemError("batch[x]: no", &i, &reason));
  EXPECT_FALSE(ParseBatchItemError("batch[3", &i, &reason));
}

}  // namespace
}  // namespace rapport
