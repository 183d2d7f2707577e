#include "log/event_log.h"

#include <gtest/gtest.h>
#include <algorithm>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "common/fault_injection_env.h"
#include "log/test_util.h"

namespace rapport {
namespace {

using log_test::Payload;
using log_test::ReadAllEntries;
using log_test::TempDir;

std::unique_ptr<EventLog> OpenLog(LogOptions o, RecoveryReport* report = nullptr) {
  auto log = EventLog::Open(std::move(o), report);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

TEST(EventLog, EmptyDirectoryOpens) {
  TempDir dir;
  RecoveryReport report;
  auto log = OpenLog({.dir = dir.path() + "/new/log", .partitions = 4}, &report);
  ASSERT_TRUE(log);
  EXPECT_TRUE(report.clean());
  EXPECT_EQ(log->partitions(), 4);
  for (int p = 0; p < 4; ++p) {
    EXPECT_EQ(log->StartOffset(p), 0u);
    EXPECT_EQ(log->EndOffset(p), 0u);
    EXPECT_TRUE(ReadAllEntries(*log, p).empty());
  }
  std::vector<LogEntry> out;
  EXPECT_EQ(log->Read(4, 0, 10, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->GetStats().segments, 4u);
}

TEST(EventLog, DurableStampCoversEveryPartitionAndSurvivesReopen) {
  TempDir dir;
  auto log = OpenLog({.dir = dir.path(), .partitions = 3});
  ASSERT_TRUE(log);
  EXPECT_EQ(log->DurableStamp(), 0);
  EXPECT_FALSE(log->WaitDurable(0, 1000));  // nothing appended: times out
  std::atomic<bool> woke{false};
  std::thread waiter([&] { woke = log->WaitDurable(0, 10'000'000); });
  ASSERT_TRUE(log->AppendSync({{0, "a"}, {1, "b"}, {2, "c"}}).ok());
  waiter.join();
  EXPECT_TRUE(woke);
  int64_t stamp = log->DurableStamp();
  int64_t max_seen = 0;
  for (int p = 0; p < 3; ++p) {
    for (const LogEntry& e : ReadAllEntries(*log, p))
      max_seen = std::max(max_seen, e.append_time_us);
  }
  EXPECT_EQ(stamp, max_seen);  // the last record of the group, readable in its partition
  log.reset();
  log = OpenLog({.dir = dir.path(), .partitions = 3});
  EXPECT_EQ(log->DurableStamp(), stamp);
}

TEST(EventLog, RejectsBadOptions) {
  TempDir dir;
  EXPECT_FALSE(EventLog::Open({.dir = ""}, nullptr).ok());
  EXPECT_FALSE(EventLog::Open({.dir = dir.path(), .partitions = -1}, nullptr).ok());
  EXPECT_FALSE(EventLog::Open({.dir = dir.path(), .partitions = 1001}, nullptr).ok());
  EXPECT_FALSE(EventLog::Open({.dir = dir.path(), .segment_bytes = 100}, nullptr).ok());
  EXPECT_TRUE(EventLog::Open({.dir = dir.path(), .partitions = 4}, nullptr).ok());
  auto shrunk = EventLog::Open({.dir = dir.path(), .partitions = 2}, nullptr);
  EXPECT_EQ(shrunk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(shrunk.status().message().find("has 4 partitions but 2 were asked for"),
            std::string::npos)
      << shrunk.status().message();
  EXPECT_TRUE(EventLog::Open({.dir = dir.path(), .partitions = 8}, nullptr).ok());  // may grow
}

TEST(EventLog, PartitionsZeroMeansAsTheLogHasAndOneForANewLog) {
  TempDir dir;
  auto fresh = OpenLog({.dir = dir.path() + "/a"});
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->partitions(), kNewLogPartitions);
  EXPECT_EQ(kNewLogPartitions, 1);
  fresh.reset();
  EXPECT_EQ(OpenLog({.dir = dir.path() + "/a"})->partitions(), 1);  // stays as created

  {
    auto log = OpenLog({.dir = dir.path() + "/b", .partitions = 3});
    ASSERT_TRUE(log->AppendSync({{0, "a"}, {2, "c"}}).ok());
  }
  auto reopened = OpenLog({.dir = dir.path() + "/b"});
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->partitions(), 3);
  ASSERT_EQ(ReadAllEntries(*reopened, 2).size(), 1u);
  EXPECT_EQ(ReadAllEntries(*reopened, 2)[0].payload, "c");
}

TEST(EventLog, ADirectoryHasOneOwner) {
  TempDir dir;
  auto first = EventLog::Open({.dir = dir.path()}, nullptr);
  ASSERT_TRUE(first.ok());
  auto second = EventLog::Open({.dir = dir.path()}, nullptr);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
  first->reset();
  EXPECT_TRUE(EventLog::Open({.dir = dir.path()}, nullptr).ok());
}

TEST(EventLog, ReadsReuseOpenFilesAndOnlySeeCommittedData) {
  TempDir dir;
  FaultInjectionEnv env;
  auto log = OpenLog({.dir = dir.path(), .partitions = 2, .segment_bytes = 4096, .env = &env});
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(log->AppendSync({{0, Payload(0, i, 300)}}).ok());
  const uint64_t opens = env.open_readable_count();
  for (int i = 0; i < 200; ++i) {
    std::vector<LogEntry> out;
    ASSERT_TRUE(log->Read(0, i % 100, 5, &out).ok());
    ASSERT_FALSE(out.empty());
    ASSERT_EQ(out[0].payload, Payload(0, i % 100, 300));
  }
  EXPECT_EQ(env.open_readable_count(), opens) << "Read must not open files";
  EXPECT_EQ(log->GetStats().pending_appends, 0u);
}

TEST(EventLog, RecordsBecomeVisibleOnlyAfterTheirSync) {
  TempDir dir;
  EventLog* raw = nullptr;  // set before the first append; read on the writer thread
  uint64_t visible_before = 0;
  int checks = 0;
  auto log = OpenLog({.dir = dir.path(), .partitions = 1, .on_sync = [&](int64_t) {
                        if (raw == nullptr) return;
                        // Called right after the fdatasync, before the group is published.
                        EXPECT_EQ(raw->EndOffset(0), visible_before);
                        std::vector<LogEntry> out;
                        EXPECT_TRUE(raw->Read(0, visible_before, 10, &out).ok());
                        EXPECT_TRUE(out.empty());
                        ++checks;
                      }});
  raw = log.get();
  for (uint64_t i = 0; i < 20; ++i) {
    visible_before = i;
    auto o = log->AppendSync({{0, Payload(0, i)}});
    ASSERT_TRUE(o.ok());
    EXPECT_EQ((*o)[0], i);
    EXPECT_EQ(log->EndOffset(0), i + 1);  // visible as soon as the callback ran
  }
  EXPECT_EQ(checks, 20);
}

TEST(EventLog, RoundTripAcrossPartitionsAndSegmentRolls) {
  TempDir dir;
  ManualClock clock(1'000'000);
  auto log = OpenLog({.dir = dir.path(), .partitions = 3, .segment_bytes = 4096, .clock = &clock});
  ASSERT_TRUE(log);
  std::mt19937 rng(7);
  std::map<int, std::vector<std::string>> expected;
  for (int batch = 0; batch < 120; ++batch) {
    std::vector<LogRecord> records;
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      int p = static_cast<int>(rng() % 3);
      size_t size = 1 + rng() % 700;
      records.push_back({p, Payload(p, expected[p].size() + records.size(), size)});
    }
    // Payload names use a provisional sequence; rebuild expectations from offsets below.
    std::vector<LogRecord> copy = records;
    clock.Advance(10);
    auto offsets = log->AppendSync(std::move(records));
    ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
    ASSERT_EQ(offsets->size(), copy.size());
    for (size_t i = 0; i < copy.size(); ++i) {
      auto& v = expected[copy[i].partition];
      ASSERT_EQ((*offsets)[i], v.size()) << "offsets are dense per partition";
      v.push_back(copy[i].payload);
    }
  }
  EXPECT_GT(log->GetStats().segments, 6u) << "segments rolled";
  for (int p = 0; p < 3; ++p) {
    const auto& v = expected[p];
    ASSERT_EQ(log->EndOffset(p), v.size());
    auto all = ReadAllEntries(*log, p);
    ASSERT_EQ(all.size(), v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      EXPECT_EQ(all[i].offset, i);
      EXPECT_EQ(all[i].payload, v[i]);
      EXPECT_GT(all[i].append_time_us, 1'000'000);
    }
    // Every starting offset, small reads (crossing segment boundaries).
    for (uint64_t from = 0; from < v.size(); ++from) {
      std::vector<LogEntry> out;
      ASSERT_TRUE(log->Read(p, from, 3, &out).ok());
      ASSERT_EQ(out.size(), std::min<size_t>(3, v.size() - from));
      for (size_t k = 0; k < out.size(); ++k) {
        ASSERT_EQ(out[k].offset, from + k);
        ASSERT_EQ(out[k].payload, v[from + k]);
      }
    }
    // Reading backwards = reading forward from end - n.
    std::vector<LogEntry> last5;
    ASSERT_TRUE(log->Read(p, log->EndOffset(p) - 5, 5, &last5).ok());
    ASSERT_EQ(last5.size(), 5u);
    EXPECT_EQ(last5.back().payload, v.back());
    // Past the end: nothing.
    std::vector<LogEntry> none;
    ASSERT_TRUE(log->Read(p, v.size(), 10, &none).ok());
    EXPECT_TRUE(none.empty());
  }
  EXPECT_TRUE(log->Verify(nullptr).ok());
}

TEST(EventLog, ReadRespectsMaxBytesButReturnsAtLeastOne) {
  TempDir dir;
  auto log = OpenLog({.dir = dir.path(), .partitions = 1});
  std::vector<LogRecord> recs;
  for (int i = 0; i < 10; ++i) recs.push_back({0, std::string(1000, 'x')});
  ASSERT_TRUE(log->AppendSync(std::move(recs)).ok());
  std::vector<LogEntry> out;
  ASSERT_TRUE(log->Read(0, 0, 100, &out, 3500).ok());
  EXPECT_EQ(out.size(), 3u);
  out.clear();
  ASSERT_TRUE(log->Read(0, 0, 100, &out, 10).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(EventLog, ARecordsTailIsWrittenAfterItsPayloadAndCountsToItsSize) {
  TempDir dir;
  const std::string tail = "-and-the-tail";
  {
    auto log = OpenLog({.dir = dir.path(), .partitions = 1, .max_record_bytes = 20});
    std::vector<LogRecord> recs(2);
    recs[0].payload = "head";
    recs[0].tail = tail;  // 4 + 13 bytes: fits
    recs[1].payload = "no-tail";
    ASSERT_TRUE(log->AppendSync(std::move(recs)).ok());
    std::vector<LogRecord> big(1);
    big[0].payload = "ten bytes.";
    big[0].tail = "eleven byte";  // 21 bytes in all
    EXPECT_EQ(log->AppendSync(std::move(big)).status().code(), StatusCode::kTooLarge);
  }
  // Read back after a reopen: the checksum covers payload and tail.
  RecoveryReport report;
  auto log = OpenLog({.dir = dir.path(), .partitions = 1, .max_record_bytes = 20}, &report);
  ASSERT_TRUE(log);
  EXPECT_TRUE(report.clean());
  auto entries = ReadAllEntries(*log, 0);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].payload, "head-and-the-tail");
  EXPECT_EQ(entries[1].payload, "no-tail");
}

TEST(EventLog, InvalidRequestsFailAloneAndEmptyRequestSucceeds) {
  TempDir dir;
  auto log = OpenLog({.dir = dir.path(), .partitions = 2, .max_record_bytes = 100});
  std::atomic<int> done{0};
  Status bad_partition, too_large, good;
  std::vector<uint64_t> good_offsets;
  log->Append({{0, "a"}, {5, "b"}}, [&](const Status& s, std::vector<uint64_t>) {
    bad_partition = s;
    ++done;
  });
  log->Append({{1, std::string(101, 'x')}}, [&](const Status& s, std::vector<uint64_t>) {
    too_large = s;
    ++done;
  });
  log->Append({{1, "ok"}, {0, "ok"}}, [&](const Status& s, std::vector<uint64_t> o) {
    good = s;
    good_offsets = std::move(o);
    ++done;
  });
  auto empty = log->AppendSync({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  ASSERT_EQ(done.load(), 3);
  EXPECT_EQ(bad_partition.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_large.code(), StatusCode::kTooLarge);
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(good_offsets, (std::vector<uint64_t>{0, 0}));
  EXPECT_EQ(log->EndOffset(0), 1u);
  EXPECT_EQ(log->GetStats().failed_appends, 2u);
}

TEST(EventLog, ConcurrentAppendersGetDenseOffsetsAndLoseNothing) {
  TempDir dir;
  auto log = OpenLog({.dir = dir.path(), .partitions = 4, .segment_bytes = 64 << 10});
  constexpr int kThreads = 8, kPerThread = 150;
  std::mutex mu;
  std::map<std::pair<int, uint64_t>, std::string> acked;  // (partition, offset) -> payload
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<LogRecord> recs;
        int n = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < n; ++k) {
          int p = static_cast<int>(rng() % 4);
          recs.push_back({p, log_test::Cat("t", t, "-", i, "-", k, std::string(rng() % 300, 'z'))});
        }
        auto copy = recs;
        auto offsets = log->AppendSync(std::move(recs));
        ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
        std::lock_guard<std::mutex> lock(mu);
        for (size_t k = 0; k < copy.size(); ++k) {
          bool inserted =
              acked.emplace(std::make_pair(copy[k].partition, (*offsets)[k]), copy[k].payload)
                  .second;
          ASSERT_TRUE(inserted) << "offset handed out twice";
        }
      }
    });
  }
  // A concurrent reader only ever sees complete, dense prefixes.
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      for (int p = 0; p < 4; ++p) {
        uint64_t end = log->EndOffset(p);
        std::vector<LogEntry> out;
        ASSERT_TRUE(log->Read(p, 0, SIZE_MAX, &out, SIZE_MAX).ok());
        ASSERT_GE(out.size(), end);
        for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i].offset, i);
      }
    }
  });
  for (auto& t : threads) t.join();
  stop = true;
  reader.join();
  for (int p = 0; p < 4; ++p) {
    auto all = ReadAllEntries(*log, p);
    ASSERT_EQ(all.size(), log->EndOffset(p));
    for (const auto& e : all) {
      auto it = acked.find({p, e.offset});
      ASSERT_NE(it, acked.end()) << "unacknowledged record at " << p << "/" << e.offset;
      EXPECT_EQ(it->second, e.payload);
    }
  }
  size_t total = 0;
  for (int p = 0; p < 4; ++p) total += log->EndOffset(p);
  EXPECT_EQ(total, acked.size());
  EXPECT_EQ(log->GetStats().records_appended, acked.size());
}

TEST(EventLog, RestartGivesSameDataAndContinuesOffsets) {
  TempDir dir;
  std::vector<uint64_t> ends;
  std::vector<std::vector<LogEntry>> before;
  {
    auto log = OpenLog({.dir = dir.path(), .partitions = 2, .segment_bytes = 8192});
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(log->AppendSync({{i % 2, Payload(i % 2, i, 50 + i)}}).ok());
    }
    for (int p = 0; p < 2; ++p) {
      ends.push_back(log->EndOffset(p));
      before.push_back(ReadAllEntries(*log, p));
    }
  }
  RecoveryReport report;
  auto log = OpenLog({.dir = dir.path(), .partitions = 2, .segment_bytes = 8192}, &report);
  EXPECT_TRUE(report.clean()) << log_test::Join(report.messages);
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(log->EndOffset(p), ends[p]);
    auto after = ReadAllEntries(*log, p);
    ASSERT_EQ(after.size(), before[p].size());
    for (size_t i = 0; i < after.size(); ++i) {
      EXPECT_EQ(after[i].payload, before[p][i].payload);
      EXPECT_EQ(after[i].append_time_us, before[p][i].append_time_us);
    }
  }
  auto more = log->AppendSync({{0, "after restart"}});
  ASSERT_TRUE(more.ok());
  EXPECT_EQ((*more)[0], ends[0]);
}

TEST(EventLog, DestructorFinishesQueuedAppends) {
  TempDir dir;
  std::atomic<int> ok{0};
  {
    auto log = OpenLog({.dir = dir.path(), .partitions = 1});
    for (int i = 0; i < 300; ++i) {
      log->Append({{0, Payload(0, i)}}, [&](const Status& s, std::vector<uint64_t>) {
        if (s.ok()) ++ok;
      });
    }
  }
  EXPECT_EQ(ok.load(), 300);
  auto log = OpenLog({.dir = dir.path(), .partitions = 1});
  EXPECT_EQ(log->EndOffset(0), 300u);
}

TEST(EventLog, GroupCommitUsesFarFewerSyncsThanAppends) {
  TempDir dir;
  FaultInjectionEnv env;
  std::atomic<uint64_t> observed{0};
  auto log =
      OpenLog({.dir = dir.path(), .partitions = 2, .env = &env, .on_sync = [&](int64_t micros) {
                 EXPECT_GE(micros, 0);
                 ++observed;
               }});
  const uint64_t syncs_before = env.sync_count();
  constexpr int kThreads = 8, kPerThread = 250;
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        log->Append({{(t + i) % 2, Payload(t, i)}}, [&](const Status& s, std::vector<uint64_t>) {
          if (s.ok()) ++acked;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(log->AppendSync({{0, "barrier"}}).ok());
  EXPECT_EQ(acked.load(), kThreads * kPerThread);
  const uint64_t syncs = env.sync_count() - syncs_before;
  const uint64_t appends = kThreads * kPerThread + 1;
  EXPECT_LT(syncs * 10, appends) << syncs << " syncs for " << appends << " appends";
  EXPECT_EQ(log->GetStats().syncs, syncs);
  EXPECT_EQ(observed.load(), syncs);
  EXPECT_EQ(log->EndOffset(0) + log->EndOffset(1), appends);
}

TEST(EventLog, AppendTimesStrictlyIncreaseAcrossPartitionsAndRestarts) {
  TempDir dir;
  ManualClock clock(5'000'000);  // a clock that does not move: stamps must still order records
  std::vector<std::pair<int64_t, std::string>> stamped;
  for (int round = 0; round < 2; ++round) {
    auto log = OpenLog({.dir = dir.path(), .partitions = 3, .clock = &clock});
    ASSERT_TRUE(log);
    for (int req = 0; req < 4; ++req) {
      std::vector<LogRecord> records;
      for (int i = 0; i < 5; ++i) {
        records.push_back({(req + i) % 3, "r" + std::to_string(round) + "." + std::to_string(req) +
                                              "." + std::to_string(i)});
      }
      ASSERT_TRUE(log->AppendSync(std::move(records)).ok());
    }
    if (round == 1) {
      for (int p = 0; p < 3; ++p) {
        for (auto& e : ReadAllEntries(*log, p)) stamped.emplace_back(e.append_time_us, e.payload);
      }
    }
  }
  ASSERT_EQ(stamped.size(), 40u);
  std::sort(stamped.begin(), stamped.end());
  for (size_t i = 1; i < stamped.size(); ++i) {
    EXPECT_LT(stamped[i - 1].first, stamped[i].first) << "stamps are unique";
  }
  // Sorted by stamp, records come out in the order they were appended: round, request, index.
  std::vector<std::string> order;
  for (auto& [t, payload] : stamped) order.push_back(payload);
  std::vector<std::string> expected;
  for (int round = 0; round < 2; ++round)
    for (int req = 0; req < 4; ++req)
      for (int i = 0; i < 5; ++i)
        expected.push_back("r" + std::to_string(round) + "." + std::to_string(req) + "." +
                           std::to_string(i));
  EXPECT_EQ(order, expected);
}

}  // namespace
}  // namespace rapport
