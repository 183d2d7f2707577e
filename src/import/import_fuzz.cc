// libFuzzer target for the import readers and mapping. The first byte picks the mode:
//   0: CSV through a fixed mapping (no header row), 1: CSV with a header row, 2: JSON Lines,
//   3: the input is a TOML mapping, applied to a small fixed file, 4: a time pattern and a text.
// The second byte picks the chunk size. Beyond "no crash", it checks invariants: the records read
// in chunks of 1 byte equal those read in one chunk; every event is a JSON object with a type
// and a messageId, within the size limit; rows are counted once (read = imported + rejected).
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "import/csv_reader.h"
#include "import/jsonl_reader.h"
#include "import/runner.h"
#include "import/time_parse.h"

namespace {

using rapport::Record;

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr const char* kCsvMapping = R"(
format = "csv"
max_record_bytes = 2048
[csv]
header = false
columns = ["a", "b", "c", "d"]
[event]
type = "track"
name_column = { column = "a", default = "Fuzzed" }
timestamp = { column = "d", format = "%d/%m/%Y %H:%M", required = false }
[identifiers]
user_id = "a"
email = "b"
crm_id = "c"
[properties]
n = { column = "b", type = "number" }
i = { column = "c", type = "integer" }
t = { column = "d", type = "boolean" }
j = { column = "c", type = "json" }
[properties.nested]
s = "d"
)";

constexpr const char* kHeaderMapping = R"(
[event]
type = "identify"
[identifiers]
email = "email"
[traits]
name = "name"
)";

constexpr const char* kJsonlMapping = R"(
format = "jsonl"
max_record_bytes = 2048
[event]
type = "group"
group_id = "g"
timestamp = { column = "t", format = "unix_ms", required = false }
message_id = { column = "id", prefix = "f-" }
[identifiers]
user_id = "u"
anonymous_id = "/a/0"
twitter = "x.handle"
[traits]
n = { column = "n", type = "number" }
s = { column = "s", type = "string" }
b = { column = "b", type = "boolean" }
j = { column = "j", type = "json" }
k = { column = "k", type = "timestamp", format = "iso8601" }
)";

class CheckingSink final : public rapport::EventSink {
 public:
  rapport::SendResult Send(const std::vector<std::string_view>& events) override {
    for (auto e : events) {
      Check(e.size() <= 32768);
      simdjson::dom::element root;
      Check(parser_.parse(e.data(), e.size()).get(root) == simdjson::SUCCESS);
      std::string_view s;
      Check(root["type"].get_string().get(s) == simdjson::SUCCESS);
      Check(root["messageId"].get_string().get(s) == simdjson::SUCCESS && !s.empty());
      int64_t line = 0;
      Check(root["context"]["import"]["line"].get_int64().get(line) == simdjson::SUCCESS);
      Check(line >= 1);
      const bool user = root["userId"].get_string().get(s) == simdjson::SUCCESS;
      const bool anon = root["anonymousId"].get_string().get(s) == simdjson::SUCCESS;
      Check(user || anon);
    }
    return {};
  }

 private:
  simdjson::dom::parser parser_;
};

std::vector<Record> ReadAll(rapport::RecordReader* reader) {
  std::vector<Record> out;
  Record r;
  while (true) {
    auto got = reader->Next(&r);
    Check(got.ok());
    if (!*got) break;
    Check(r.line >= 1);
    Check(out.empty() || r.line > out.back().line);
    out.push_back(r);
  }
  return out;
}

bool Same(const std::vector<Record>& a, const std::vector<Record>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].line != b[i].line || a[i].raw != b[i].raw || a[i].fields != b[i].fields ||
        a[i].error != b[i].error) {
      return false;
    }
  }
  return true;
}

void CompareChunkings(std::string_view input, bool csv) {
  std::vector<Record> results[2];
  for (int k = 0; k < 2; ++k) {
    auto source = rapport::StringSource(std::string(input));
    rapport::ReaderOptions options;
    options.chunk_bytes = k == 0 ? 1 : 1 << 16;
    options.max_record_bytes = 64;
    if (csv) {
      rapport::CsvOptions c;
      c.header = false;
      c.columns = {"a", "b", "c"};
      auto reader = rapport::CsvReader::Open(source.get(), c, options);
      Check(reader.ok());
      results[k] = ReadAll(reader->get());
      Check((*reader)->bytes_read() == input.size());
    } else {
      rapport::JsonlReader reader(source.get(), options);
      results[k] = ReadAll(&reader);
      Check(reader.bytes_read() == input.size());
    }
  }
  Check(Same(results[0], results[1]));
}

void Import(const std::string& mapping_text, std::string_view input, const char* file_name,
            size_t chunk) {
  auto mapping = rapport::ParseMapping(mapping_text, "fuzz.toml");
  if (!mapping.ok()) return;
  rapport::RunnerOptions options;
  options.file_name = file_name;
  options.chunk_bytes = chunk;
  options.max_batch_events = 7;
  options.progress_interval_us = 0;
  auto runner =
      rapport::ImportRunner::Create(*mapping, rapport::StringSource(std::string(input)), options);
  if (!runner.ok()) return;
  CheckingSink sink;
  rapport::MemoryRejectSink rejects(16);
  rapport::ImportSummary s = (*runner)->Run(&sink, &rejects);
  Check(s.status.ok());
  Check(s.progress.rows_read == s.progress.rows_imported + s.progress.rows_rejected);
  Check(s.progress.bytes_read == input.size());
  for (const auto& r : rejects.rejects()) {
    Check(r.line >= 1 && !r.reason.empty());
    Check(simdjson::validate_utf8(rapport::RejectJson(r)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0] % 5;
  const size_t chunk = 1 + data[1] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  switch (mode) {
    case 0:
      CompareChunkings(input, /*csv=*/true);
      Import(kCsvMapping, input, "fuzz.csv", chunk);
      break;
    case 1:
      Import(kHeaderMapping, input, "fuzz.csv", chunk);
      break;
    case 2:
      CompareChunkings(input, /*csv=*/false);
      Import(kJsonlMapping, input, "fuzz.jsonl", chunk);
      break;
    case 3:
      Import(std::string(input), "email,name,a\nx@y.z,Ada,1\n,Bob,2\n", "fixed.csv", chunk);
      Import(std::string(input), "{\"email\":\"x@y.z\",\"a\":1}\n[]\n", "fixed.jsonl", chunk);
      break;
    case 4: {
      const size_t nl = input.find('\n');
      if (nl == std::string_view::npos) return 0;
      rapport::TimeFormat f;
      f.kind = rapport::TimeFormat::Kind::kPattern;
      f.pattern = std::string(input.substr(0, nl));
      if (!rapport::ValidateTimePattern(f.pattern).ok()) return 0;
      (void)rapport::ParseTime(input.substr(nl + 1), f);
      for (auto kind : {rapport::TimeFormat::Kind::kUnix, rapport::TimeFormat::Kind::kUnixMs,
                        rapport::TimeFormat::Kind::kIso8601}) {
        rapport::TimeFormat g;
        g.kind = kind;
        (void)rapport::ParseTime(input.substr(nl + 1), g);
      }
      break;
    }
  }
  return 0;
}
