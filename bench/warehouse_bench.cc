// warehouse_bench: Rapport's side of the analytics benchmark (bench/warehouse/compare.mjs).
//   warehouse_bench load --csv FILE --dir DIR
//     loads the generator's CSV (ts_us,profile,type,event,<path>,...) into a warehouse directory
//     through the store's own write path (flushes, day parts, merges); prints
//     {"rows":N,"seconds":S,"parts":P,"bytes":B}.
//   warehouse_bench query --dir DIR --spec JSON [--repeat N] [--threads T]
//     runs one query spec N times on one snapshot; prints {"seconds":[...],"result":{...}}
//     (the first run decodes from disk; later ones find the decoded columns cached).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "warehouse/query/run.h"
#include "warehouse/store.h"

namespace {

using rapport::Status;
using namespace rapport::warehouse;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int Fail(const std::string& message) {
  std::cerr << "warehouse_bench: " << message << "\n";
  return 1;
}

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

Value Cell(std::string_view text) {
  if (!text.empty()) {
    char* end = nullptr;
    const std::string s(text);
    const double x = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size()) return Value::Number(x);
  }
  return Value::String(std::string(text));
}

int Load(const std::string& csv, const std::string& dir) {
  const auto start = std::chrono::steady_clock::now();
  WarehouseOptions options;
  options.dir = dir;
  options.merge_min_parts = 2;
  auto w = Warehouse::Open(options);
  if (!w.ok()) return Fail(w.status().ToString());
  std::ifstream in(csv);
  if (!in) return Fail("cannot read " + csv);
  std::string line;
  if (!std::getline(in, line)) return Fail(csv + " is empty");
  const std::vector<std::string_view> header_views = Split(line);
  const std::vector<std::string> header(header_views.begin(), header_views.end());
  if (header.size() < 4 || header[0] != "ts_us" || header[1] != "profile") {
    return Fail("the header must start with ts_us,profile,type,event");
  }
  std::vector<Row> rows;
  uint64_t total = 0, seq = 0;
  auto flush = [&]() -> Status {
    (*w)->Add(std::move(rows), {total});
    rows.clear();
    return (*w)->Flush();
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string_view> cells = Split(line);
    if (cells.size() != header.size()) return Fail("line " + std::to_string(total + 2) + ": cells");
    Row r;
    r.ts = std::strtoll(std::string(cells[0]).c_str(), nullptr, 10);
    r.profile = std::strtoull(std::string(cells[1]).c_str(), nullptr, 10);
    r.type = EventTypeFromName(cells[2]).value_or(EventType::kTrack);
    r.event = std::string(cells[3]);
    r.seq = ++seq;
    for (size_t c = 4; c < cells.size(); ++c) {
      if (!cells[c].empty()) r.props.emplace_back(header[c], Cell(cells[c]));
    }
    rows.push_back(std::move(r));
    ++total;
    if (rows.size() == 2'000'000) {
      if (Status s = flush(); !s.ok()) return Fail(s.ToString());
    }
  }
  if (Status s = flush(); !s.ok()) return Fail(s.ToString());
  for (bool merged = true; merged;) {
    if (Status s = (*w)->MergeStep(&merged); !s.ok()) return Fail(s.ToString());
  }
  const auto stats = (*w)->GetStats();
  std::printf("{\"rows\":%llu,\"seconds\":%.3f,\"parts\":%llu,\"bytes\":%llu}\n",
              static_cast<unsigned long long>(total), Seconds(start),
              static_cast<unsigned long long>(stats.parts),
              static_cast<unsigned long long>(stats.bytes));
  return 0;
}

int Query(const std::string& dir, const std::string& spec, int repeat, int threads) {
  WarehouseOptions options;
  options.dir = dir;
  auto w = Warehouse::Open(options);
  if (!w.ok()) return Fail(w.status().ToString());
  SnapshotPtr snapshot = (*w)->Snapshot();
  QueryOptions q;
  q.threads = threads;
  std::string seconds, result;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto out = RunQuery(*snapshot, spec, q);
    const double took = Seconds(start);
    if (!out.ok()) return Fail(out.status().ToString());
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", took);
    seconds += (seconds.empty() ? "" : ",") + std::string(buf);
    result = std::move(out->json);
  }
  std::printf("{\"seconds\":[%s],\"result\":%s}\n", seconds.c_str(), result.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "", csv, dir, spec;
  int repeat = 5, threads = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--csv")
      csv = value;
    else if (flag == "--dir")
      dir = value;
    else if (flag == "--spec")
      spec = value;
    else if (flag == "--repeat")
      repeat = std::atoi(value.c_str());
    else if (flag == "--threads")
      threads = std::atoi(value.c_str());
    else
      return Fail("unknown flag " + flag);
  }
  if (mode == "load" && !csv.empty() && !dir.empty()) return Load(csv, dir);
  if (mode == "query" && !dir.empty() && !spec.empty() && repeat > 0) {
    return Query(dir, spec, repeat, threads);
  }
  return Fail(
      "usage: warehouse_bench load --csv FILE --dir DIR | query --dir DIR --spec JSON "
      "[--repeat N] [--threads T]");
}
