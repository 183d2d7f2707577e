#include "activate/outbox.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/rocks_options.h"
#include "common/temp_dir.h"

namespace rapport {
namespace {

using testing::TempDir;

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kSecond = 1'000'000;

OutboxItem Item(std::string key, std::string profile, std::string body = "{}",
                std::string flow = "") {
  OutboxItem item;
  item.idempotency_key = std::move(key);
  item.profile_key = std::move(profile);
  item.body = std::move(body);
  item.flow = std::move(flow);
  return item;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(size_t window = 10000) {
    outbox_.reset();
    OutboxOptions options;
    options.dir = dir_.Sub("outbox");
    options.clock = &clock_;
    options.window = window;
    auto o = Outbox::Open(options);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    outbox_ = std::move(*o);
  }

  // The idempotency keys of the items TakeDue hands out now.
  std::vector<std::string> Take(const std::string& dest, size_t max = 100) {
    auto items = outbox_->TakeDue(dest, clock_.NowMicros(), max);
    EXPECT_TRUE(items.ok()) << items.status().ToString();
    std::vector<std::string> keys;
    for (const OutboxItem& item : *items) {
      keys.push_back(item.idempotency_key);
      ids_[item.idempotency_key] = item.id;
    }
    return keys;
  }

  uint64_t Id(const std::string& key) { return ids_.at(key); }

  OutboxStats Stats(const std::string& dest) {
    auto s = outbox_->Stats(dest);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : OutboxStats{};
  }

  TempDir dir_;
  ManualClock clock_{kT0};
  std::unique_ptr<Outbox> outbox_;
  std::map<std::string, uint64_t> ids_;
};

using Keys = std::vector<std::string>;

TEST_F(OutboxTest, FifoWithIdsAndTimes) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  ASSERT_TRUE(outbox_->Enqueue("crm", {Item("a", "p1"), Item("b", "p2"), Item("c", "p3")}).ok());
  auto items = outbox_->TakeDue("crm", kT0, 2);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].id, 1u);
  EXPECT_EQ((*items)[0].idempotency_key, "a");
  EXPECT_EQ((*items)[0].body, "{}");
  EXPECT_EQ((*items)[0].created_us, kT0);
  EXPECT_EQ((*items)[1].id, 2u);
  EXPECT_EQ(Take("crm"), Keys{"c"});
  EXPECT_EQ(Take("crm"), Keys{});
  OutboxStats s = Stats("crm");
  EXPECT_EQ(s.queued, 3u);
  EXPECT_EQ(s.in_flight, 3u);
  EXPECT_EQ(s.oldest_queued_us, kT0);
}

TEST_F(OutboxTest, OneProfileAtATimeInOrder) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  ASSERT_TRUE(outbox_
                  ->Enqueue("crm", {Item("p1-1", "p1"), Item("p1-2", "p1"), Item("p2-1", "p2"),
                                    Item("x", ""), Item("y", "")})
                  .ok());
  // p1-2 waits while p1-1 is in flight; items without a profile are not ordered.
  EXPECT_EQ(Take("crm"), (Keys{"p1-1", "p2-1", "x", "y"}));
  // p1-1 fails and waits 10 s: p1-2 still waits, others go on.
  ASSERT_TRUE(outbox_->Retry("crm", Id("p1-1"), 1, kT0 + 10 * kSecond, "HTTP 500", 500).ok());
  ASSERT_TRUE(outbox_->Enqueue("crm", {Item("p2-2", "p2"), Item("p3-1", "p3")}).ok());
  ASSERT_TRUE(outbox_->Delivered("crm", Id("p2-1"), kT0).ok());
  EXPECT_EQ(Take("crm"), (Keys{"p2-2", "p3-1"}));
  EXPECT_EQ(outbox_->NextDue("crm"), kT0 + 10 * kSecond);
  clock_.Advance(10 * kSecond);
  EXPECT_EQ(Take("crm"), Keys{"p1-1"});
  ASSERT_TRUE(outbox_->Delivered("crm", Id("p1-1"), clock_.NowMicros()).ok());
  EXPECT_EQ(Take("crm"), Keys{"p1-2"});
  // A stale answer for an item no longer in flight changes nothing.
  EXPECT_EQ(outbox_->Delivered("crm", Id("p1-1"), kT0).code(), StatusCode::kNotFound);
  EXPECT_EQ(outbox_->Retry("crm", 999, 1, kT0, "x", 0).code(), StatusCode::kNotFound);
}

TEST_F(OutboxTest, DeliveredCountsAndLatency) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(outbox_->Enqueue("crm", {Item("k" + std::to_string(i), "")}).ok());
  }
  for (const std::string& key : Take("crm")) {
    clock_.Advance(1000);  // 1 ms more each
    ASSERT_TRUE(outbox_->Delivered("crm", Id(key), clock_.NowMicros()).ok());
  }
  OutboxStats s = Stats("crm");
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.in_flight, 0u);
  EXPECT_EQ(s.delivered, 100u);
  EXPECT_EQ(s.latency_samples, 100u);
  EXPECT_NEAR(s.latency_p50_ms, 50, 1.5);
  EXPECT_NEAR(s.latency_p99_ms, 99, 1.5);
  EXPECT_EQ(s.oldest_queued_us, 0);
}

TEST_F(OutboxTest, DeadLettersListReplayDelete) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  ASSERT_TRUE(outbox_
                  ->Enqueue("crm", {Item("a", "p1", "{\"n\":1}"), Item("b", "p1"), Item("c", "p2"),
                                    Item("d", "p3")})
                  .ok());
  EXPECT_EQ(Take("crm"), (Keys{"a", "c", "d"}));
  clock_.Advance(kSecond);
  ASSERT_TRUE(
      outbox_->DeadLetter("crm", Id("a"), 1, "HTTP 400: bad", 400, clock_.NowMicros()).ok());
  ASSERT_TRUE(outbox_->DeadLetter("crm", Id("c"), 10, "timeout", 0, clock_.NowMicros()).ok());
  ASSERT_TRUE(outbox_->DeadLetter("crm", Id("d"), 3, "HTTP 503", 503, clock_.NowMicros()).ok());
  // The dead letter no longer holds its profile back.
  EXPECT_EQ(Take("crm"), Keys{"b"});

  auto dead = outbox_->ListDeadLetters("crm", 10, 0);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 3u);
  const OutboxItem& a = (*dead)[0];
  EXPECT_EQ(a.idempotency_key, "a");
  EXPECT_EQ(a.profile_key, "p1");
  EXPECT_EQ(a.body, "{\"n\":1}");
  EXPECT_EQ(a.attempts, 1);
  EXPECT_EQ(a.last_error, "HTTP 400: bad");
  EXPECT_EQ(a.last_status, 400);
  EXPECT_EQ(a.dead_at_us, kT0 + kSecond);
  auto page = outbox_->ListDeadLetters("crm", 1, a.id);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].idempotency_key, "c");

  // The latest dead letter keeps the last error for the destination's health after a restart;
  // a destination without any has none (the neighbours' keys do not leak in).
  auto latest = outbox_->LatestDeadLetter("crm");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->idempotency_key, "d");
  EXPECT_EQ((*latest)->last_error, "HTTP 503");
  ASSERT_TRUE(outbox_->AddDestination("crl").ok());
  ASSERT_TRUE(outbox_->AddDestination("crm2").ok());
  for (const char* other : {"crl", "crm2"}) {
    auto none = outbox_->LatestDeadLetter(other);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value()) << other;
  }
  EXPECT_EQ(outbox_->LatestDeadLetter("nope").status().code(), StatusCode::kNotFound);

  OutboxStats s = Stats("crm");
  EXPECT_EQ(s.dead_letters, 3u);
  EXPECT_EQ(s.dead_lettered, 3u);
  EXPECT_EQ(s.failed_attempts, 3u);
  EXPECT_EQ(s.queued, 1u);

  // Replay one by id (unknown ids are skipped, a repeated one moves once), delete one, replay the
  // rest.
  auto n = outbox_->Replay("crm", {a.id, 12345, a.id}, false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  s = Stats("crm");
  EXPECT_EQ(s.dead_letters, 2u);
  EXPECT_EQ(s.queued, 2u);
  ASSERT_TRUE(outbox_->DeleteDeadLetter("crm", (*dead)[1].id).ok());
  EXPECT_EQ(outbox_->DeleteDeadLetter("crm", (*dead)[1].id).code(), StatusCode::kNotFound);
  // "a" (profile p1) waits for "b", which is still in flight.
  EXPECT_EQ(Take("crm"), Keys{});
  ASSERT_TRUE(outbox_->Delivered("crm", Id("b"), clock_.NowMicros()).ok());
  auto replayed = outbox_->TakeDue("crm", clock_.NowMicros(), 10);
  ASSERT_TRUE(replayed.ok());
  ASSERT_EQ(replayed->size(), 1u);
  EXPECT_EQ((*replayed)[0].idempotency_key, "a");
  EXPECT_GT((*replayed)[0].id, 4u);  // a new id at the end of the queue
  EXPECT_EQ((*replayed)[0].attempts, 0);
  n = outbox_->Replay("crm", {}, true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(Take("crm"), Keys{"d"});
  s = Stats("crm");
  EXPECT_EQ(s.dead_letters, 0u);
  EXPECT_EQ(s.queued, 2u);
}

// The outbox's flushes and compactions write through the process's shared rate limiter
// (common/rocks_options.h), which the server's CompactionPacer lowers while ingest is held back:
// reopening flushes the recovered write-ahead log into a table, and its bytes pass the limiter.
TEST_F(OutboxTest, FlushesWriteThroughTheSharedRateLimiter) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  std::mt19937_64 rng(1);
  std::vector<OutboxItem> items;
  for (int i = 0; i < 1000; ++i) {
    std::string body(200, ' ');  // random letters: about as large compressed (LZ4) as not
    for (char& c : body) c = static_cast<char>('a' + rng() % 26);
    items.push_back(Item("k" + std::to_string(i), "p" + std::to_string(i), body));
  }
  ASSERT_TRUE(outbox_->Enqueue("crm", items).ok());
  outbox_.reset();
  const int64_t before = SharedRocksRateLimiter()->GetTotalBytesThrough(rocksdb::Env::IO_TOTAL);
  Reopen();
  EXPECT_GT(SharedRocksRateLimiter()->GetTotalBytesThrough(rocksdb::Env::IO_TOTAL) - before,
            100'000);
}

TEST_F(OutboxTest, AQueueRecordThatDoesNotDecodeIsSkippedAndTheRestDelivered) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  std::vector<uint64_t> ids;
  ASSERT_TRUE(outbox_
                  ->Enqueue("crm",
                            {Item("a", "p1"), Item("b", "p2"), Item("c", "p3"), Item("d", "p4"),
                             Item("e", "p5")},
                            &ids)
                  .ok());
  // Damage c's record behind the outbox's back (a record from a bug, or a newer version).
  outbox_.reset();
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_.Sub("outbox"), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), OutboxKey(OutboxSpace::kQueue, "crm", ids[2]),
                        std::string("\x09not an item"))
                    .ok());
  }
  // A window of 2: a and b load at open, d and e in a later refill that meets c first.
  Reopen(/*window=*/2);
  std::vector<std::string> delivered;
  for (int round = 0; round < 4; ++round) {
    for (const std::string& key : Take("crm")) {
      delivered.push_back(key);
      ASSERT_TRUE(outbox_->Delivered("crm", Id(key), clock_.NowMicros()).ok());
    }
  }
  EXPECT_EQ(delivered, (Keys{"a", "b", "d", "e"}));
  // The damaged record stays on disk and counted, for an operator to look at.
  EXPECT_EQ(Stats("crm").queued, 1u);
}

TEST_F(OutboxTest, ReopenKeepsQueueScheduleAndCountersAndResendsInFlight) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  ASSERT_TRUE(outbox_->AddDestination("ads").ok());
  ASSERT_TRUE(
      outbox_->Enqueue("crm", {Item("a", "p1"), Item("b", "p1"), Item("c", "p2"), Item("d", "p3")})
          .ok());
  ASSERT_TRUE(outbox_->Enqueue("ads", {Item("z", "p9")}).ok());
  EXPECT_EQ(Take("crm"), (Keys{"a", "c", "d"}));
  ASSERT_TRUE(outbox_->Delivered("crm", Id("d"), kT0).ok());
  ASSERT_TRUE(outbox_->Retry("crm", Id("c"), 2, kT0 + 60 * kSecond, "timeout", 0).ok());
  // "a" is in flight when the process goes away: nothing acknowledged it.
  Reopen();
  EXPECT_EQ(outbox_->Destinations(), (std::vector<std::string>{"ads", "crm"}));
  OutboxStats s = Stats("crm");
  EXPECT_EQ(s.queued, 3u);
  EXPECT_EQ(s.in_flight, 0u);
  EXPECT_EQ(s.delivered, 1u);
  EXPECT_EQ(s.failed_attempts, 1u);
  auto items = outbox_->TakeDue("crm", kT0, 10);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);  // "c" keeps its retry time, "b" waits for "a"
  EXPECT_EQ((*items)[0].idempotency_key, "a");
  clock_.Advance(60 * kSecond);
  auto later = outbox_->TakeDue("crm", clock_.NowMicros(), 10);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].idempotency_key, "c");
  EXPECT_EQ((*later)[0].attempts, 2);
  EXPECT_EQ((*later)[0].last_error, "timeout");
  // New ids continue after the old ones.
  ASSERT_TRUE(outbox_->Enqueue("crm", {Item("e", "p4")}).ok());
  auto e = outbox_->TakeDue("crm", clock_.NowMicros(), 10);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ((*e)[0].id, 5u);
  EXPECT_EQ(Take("ads"), Keys{"z"});
}

TEST_F(OutboxTest, FlowsTakeTurnsKeepProfileOrderAndSurviveAReopen) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  // A journey's backlog of 50 first, then an audience's two items: these go in the first
  // round, not after the 50. p7 has an item in each flow: its audience item still waits for its
  // older journey item (order per profile beats turns).
  std::vector<OutboxItem> backlog;
  for (int i = 0; i < 50; ++i)
    backlog.push_back(Item("j" + std::to_string(i), "p" + std::to_string(i), "{}", "journey:1"));
  ASSERT_TRUE(outbox_->Enqueue("crm", std::move(backlog)).ok());
  ASSERT_TRUE(outbox_
                  ->Enqueue("crm", {Item("vip-p100", "p100", "{}", "audience:vip"),
                                    Item("vip-p7", "p7", "{}", "audience:vip"),
                                    Item("vip-p101", "p101", "{}", "audience:vip")})
                  .ok());
  EXPECT_EQ(Take("crm", 4), (Keys{"vip-p100", "j0", "vip-p101", "j1"}));
  Reopen();  // the flows are on disk: the turns go on from the records (in flight: resent)
  EXPECT_EQ(Take("crm", 4), (Keys{"vip-p100", "j0", "vip-p101", "j1"}));
  auto taken = outbox_->TakeDue("crm", kT0, 100);
  ASSERT_TRUE(taken.ok());
  ASSERT_FALSE(taken->empty());
  EXPECT_EQ(taken->front().flow, "journey:1");
  for (const OutboxItem& item : *taken) {
    EXPECT_NE(item.idempotency_key, "vip-p7") << "p7's journey item j7 is still in flight";
    ASSERT_TRUE(outbox_->Delivered("crm", item.id, kT0).ok());
  }
  for (const char* key : {"vip-p100", "j0", "vip-p101", "j1"})
    ASSERT_TRUE(outbox_->Delivered("crm", Id(key), kT0).ok());
  auto rest = outbox_->TakeDue("crm", kT0, 100);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(rest->front().idempotency_key, "vip-p7");
  EXPECT_EQ(rest->front().flow, "audience:vip");
}

TEST(OutboxFormatTest, ItemsOfVersionOneDecodeWithNoFlowAndVersionTwoKeepsIt) {
  // docs/formats/outbox.md's example record, version 1: no flow field.
  const std::string v1(
      "\x01\x01"
      "a\x02p1\x02{}"
      "\x80\x80\xf2\x81\x83\x89\x85\x06"
      "\x00\x80\x80\xf2\x81\x83\x89\x85\x06"
      "\x00\x00\x00",
      29);
  auto item = DecodeOutboxItem(v1, 7);
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->id, 7u);
  EXPECT_EQ(item->idempotency_key, "a");
  EXPECT_EQ(item->profile_key, "p1");
  EXPECT_EQ(item->body, "{}");
  EXPECT_EQ(item->created_us, 1'700'000'000'000'000);
  EXPECT_EQ(item->next_attempt_us, 1'700'000'000'000'000);
  EXPECT_EQ(item->flow, "");
  // The same fields written today: version 2, the flow last.
  item->flow = "audience:vip";
  const std::string v2 = EncodeOutboxItem(*item);
  EXPECT_EQ(v2[0], '\x02');
  EXPECT_EQ(v2.substr(1, 28), v1.substr(1, 28));
  EXPECT_EQ(v2.substr(29), std::string("\x0c") + "audience:vip");
  auto back = DecodeOutboxItem(v2, 7);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *item);
  // Version 1 with a flow's bytes after it, version 2 without them, and version 3 do not decode.
  EXPECT_FALSE(DecodeOutboxItem(v1 + std::string("\x00", 1), 7).ok());
  EXPECT_FALSE(DecodeOutboxItem(std::string("\x02") + v1.substr(1), 7).ok());
  EXPECT_FALSE(DecodeOutboxItem(std::string("\x03") + v2.substr(1), 7).ok());
}

TEST_F(OutboxTest, ReleaseInFlightHandsItemsOutAgain) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  ASSERT_TRUE(outbox_->Enqueue("crm", {Item("a", "p1"), Item("b", "p1")}).ok());
  EXPECT_EQ(Take("crm"), Keys{"a"});
  outbox_->ReleaseInFlight("crm");
  EXPECT_EQ(Stats("crm").in_flight, 0u);
  EXPECT_EQ(Take("crm"), Keys{"a"});
}

TEST_F(OutboxTest, SmallWindowStillDeliversEverythingInOrder) {
  Reopen(/*window=*/4);
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  std::vector<OutboxItem> items;
  for (int i = 0; i < 30; ++i)
    items.push_back(Item(std::to_string(i), "p" + std::to_string(i % 3)));
  ASSERT_TRUE(outbox_->Enqueue("crm", std::move(items)).ok());
  Reopen(/*window=*/4);  // and from disk after a restart
  ASSERT_TRUE(outbox_->Enqueue("crm", {Item("30", "p0")}).ok());
  std::vector<std::string> delivered;
  for (int round = 0; round < 100 && delivered.size() < 31; ++round) {
    for (const std::string& key : Take("crm", 2)) {
      ASSERT_TRUE(outbox_->Delivered("crm", Id(key), kT0).ok());
      delivered.push_back(key);
    }
  }
  ASSERT_EQ(delivered.size(), 31u);
  for (int p = 0; p < 3; ++p) {
    int last = -1;
    for (const std::string& key : delivered) {
      int n = std::stoi(key);
      if (n % 3 != p) continue;
      EXPECT_GT(n, last) << "profile p" << p;
      last = n;
    }
  }
  EXPECT_EQ(Stats("crm").queued, 0u);
}

TEST_F(OutboxTest, EnqueueChecksItsInput) {
  EXPECT_EQ(outbox_->Enqueue("nope", {Item("a", "")}).code(), StatusCode::kNotFound);
  EXPECT_EQ(outbox_->AddDestination("Bad Name").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());  // idempotent
  EXPECT_EQ(outbox_->Enqueue("crm", {Item("a", ""), Item("", "")}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_->Enqueue("crm", {Item(std::string(256, 'k'), "")}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_->Enqueue("crm", {Item("a", "", std::string((1 << 20) + 1, 'x'))}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Stats("crm").queued, 0u);  // all or nothing
}

TEST_F(OutboxTest, DropDestinationRemovesEverything) {
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  ASSERT_TRUE(outbox_->Enqueue("crm", {Item("a", "p1"), Item("b", "p2")}).ok());
  EXPECT_EQ(Take("crm"), (Keys{"a", "b"}));
  ASSERT_TRUE(outbox_->DeadLetter("crm", Id("a"), 1, "HTTP 400", 400, kT0).ok());
  ASSERT_TRUE(outbox_->DropDestination("crm").ok());
  EXPECT_EQ(outbox_->Delivered("crm", Id("b"), kT0).code(), StatusCode::kNotFound);
  EXPECT_EQ(outbox_->DropDestination("crm").code(), StatusCode::kNotFound);
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  OutboxStats s = Stats("crm");
  EXPECT_EQ(s.queued + s.dead_letters + s.delivered, 0u);
  Reopen();
  EXPECT_EQ(Take("crm"), Keys{});
  EXPECT_TRUE(outbox_->ListDeadLetters("crm", 10, 0)->empty());
}

TEST_F(OutboxTest, ListenerHearsEnqueueAndReplay) {
  std::vector<std::string> heard;
  outbox_->SetListener([&](const std::string& d) { heard.push_back(d); });
  ASSERT_TRUE(outbox_->AddDestination("crm").ok());
  ASSERT_TRUE(outbox_->Enqueue("crm", {Item("a", "")}).ok());
  EXPECT_EQ(heard, std::vector<std::string>{"crm"});
  ASSERT_TRUE(outbox_->Sync().ok());
}

TEST_F(OutboxTest, ConcurrentProducersAndConsumersLoseNothing) {
  ASSERT_TRUE(outbox_->AddDestination("a").ok());
  ASSERT_TRUE(outbox_->AddDestination("b").ok());
  constexpr int kPerThread = 2000;
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i += 10) {
        std::vector<OutboxItem> batch;
        for (int j = i; j < i + 10; ++j) {
          batch.push_back(
              Item(std::to_string(t) + "-" + std::to_string(j), "p" + std::to_string(t)));
        }
        ASSERT_TRUE(outbox_->Enqueue(t % 2 ? "a" : "b", std::move(batch)).ok());
      }
    });
  }
  std::atomic<bool> done{false};
  std::vector<std::set<std::string>> got(2);
  std::vector<std::thread> consumers;
  for (int c = 0; c < 2; ++c) {
    consumers.emplace_back([&, c] {
      const std::string dest = c ? "a" : "b";
      while (true) {
        const bool last = done.load();
        auto items = outbox_->TakeDue(dest, kT0, 50);
        ASSERT_TRUE(items.ok());
        for (const OutboxItem& item : *items) {
          ASSERT_TRUE(outbox_->Delivered(dest, item.id, kT0).ok());
          ASSERT_TRUE(got[c].insert(item.idempotency_key).second);
        }
        if (last && items->empty()) break;
      }
    });
  }
  for (auto& t : producers) t.join();
  done = true;
  for (auto& t : consumers) t.join();
  EXPECT_EQ(got[0].size() + got[1].size(), 4u * kPerThread);
  EXPECT_EQ(Stats("a").delivered + Stats("b").delivered, 4u * kPerThread);
}

}  // namespace
}  // namespace rapport
