// Parse throughput: a /v1/batch body of 100 events of ~1 KB each, reported as events/s.
#include <benchmark/benchmark.h>

#include <string>

#include "collect/request_parser.h"

namespace rapport {
namespace {

std::string Event(int i) {
  std::string e =
      R"({"type":"track","event":"Order Completed","userId":"user-)" + std::to_string(i) +
      R"(","anonymousId":"5a8ef1a2-3c1d-4c2e-9e5b-7d2f1c0b9a11",)"
      R"("messageId":"msg-)" +
      std::to_string(i) +
      R"(","timestamp":"2024-01-31T11:59:58.123Z","properties":{"orderId":"50314b8e9bcf",)"
      R"("total":27.5,"revenue":25.0,"currency":"USD","coupon":"hasbros",)"
      R"("products":[{"sku":"45790-32","name":"Monopoly: 3rd Edition","price":19,)"
      R"("quantity":1,"category":"Games"},{"sku":"46493-32","name":"Uno Card Game",)"
      R"("price":3,"quantity":2,"category":"Games"}]},)"
      R"("context":{"ip":"8.8.8.8","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X )"
      R"(10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",)"
      R"("page":{"path":"/checkout","url":"https://shop.example.com/checkout",)"
      R"("referrer":"https://www.google.com/"},"campaign":{"name":"winter","source":)"
      R"("newsletter","medium":"email"}}})";
  while (e.size() < 1000) e.insert(e.size() - 2, " ");
  return e;
}

// The load generator's event (bench/loadgen.cc): short fields and one long string property.
std::string PaddedEvent(int i) {
  std::string e = R"({"type":"track","event":"Bench Event","userId":"user-000001","messageId":")" +
                  std::to_string(1'000'000 + i) +
                  R"(","properties":{"plan":"pro","revenue":12.5,"pad":")";
  e.append(1024 - e.size() - 4, 'x');
  return e + R"("}})";
}

std::string Batch(int n, std::string (*event)(int) = Event) {
  std::string body = R"({"batch":[)";
  for (int i = 0; i < n; ++i) body += (i ? "," : "") + event(i);
  return body + R"(],"sentAt":"2024-01-31T12:00:00.000Z","context":{"library":)"
                R"({"name":"analytics-node","version":"1.3.0"}},"writeKey":"wk_test"})";
}

void ParseBatch(benchmark::State& state, const std::string& body) {
  RequestParser parser;
  int64_t events = 0;
  for (auto _ : state) {
    auto r = parser.Parse(Endpoint::kBatch, body, 1706702400000000);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      break;
    }
    events += static_cast<int64_t>(r->events.size());
    benchmark::DoNotOptimize(r);
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
void BM_ParseBatch100x1KB(benchmark::State& state) { ParseBatch(state, Batch(100)); }
BENCHMARK(BM_ParseBatch100x1KB);

void BM_ParseBatch100x1KBLongString(benchmark::State& state) {
  ParseBatch(state, Batch(100, PaddedEvent));
}
BENCHMARK(BM_ParseBatch100x1KBLongString);

void BM_ParseSingleTrack(benchmark::State& state) {
  RequestParser parser;
  const std::string body = Event(1);
  for (auto _ : state) {
    auto r = parser.Parse(Endpoint::kTrack, body, 1706702400000000);
    benchmark::DoNotOptimize(r);
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseSingleTrack);

}  // namespace
}  // namespace rapport

BENCHMARK_MAIN();
