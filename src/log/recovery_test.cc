// Recovery on open: torn tails, corruption in the last and in sealed segments, index rebuild.
#include <gtest/gtest.h>

#include <filesystem>

#include "log/event_log.h"
#include "log/format.h"
#include "log/test_util.h"

namespace rapport {
namespace {

using log_internal::kRecordHeaderSize;
using log_internal::kSegmentHeaderSize;
using log_test::FlipByte;
using log_test::Join;
using log_test::Payload;
using log_test::ReadAll;
using log_test::ReadAllEntries;
using log_test::SegmentPath;
using log_test::TempDir;
using log_test::WriteAll;

constexpr size_t kPayload = 200;
constexpr size_t kRecord = kRecordHeaderSize + kPayload;

// Writes `n` records of kPayload bytes to partition 0 of a one-partition log, one per group.
void Fill(const std::string& dir, int n, uint64_t segment_bytes = 64 << 20) {
  auto log = EventLog::Open({.dir = dir, .partitions = 1, .segment_bytes = segment_bytes}, nullptr);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < n; ++i) ASSERT_TRUE((*log)->AppendSync({{0, Payload(0, i, kPayload)}}).ok());
}

std::unique_ptr<EventLog> Reopen(const std::string& dir, RecoveryReport* report,
                                 uint64_t segment_bytes = 64 << 20) {
  auto log = EventLog::Open({.dir = dir, .partitions = 1, .segment_bytes = segment_bytes}, report);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

void ExpectRecords(const EventLog& log, uint64_t n) {
  ASSERT_EQ(log.EndOffset(0), n);
  auto all = ReadAllEntries(log, 0);
  ASSERT_EQ(all.size(), n);
  for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(all[i].payload, Payload(0, i, kPayload));
}

TEST(LogRecovery, TornTailIsTruncatedAtEveryCutPoint) {
  const std::vector<size_t> cuts = {
      1,           5,          kRecordHeaderSize - 1, kRecordHeaderSize, kRecordHeaderSize + 1,
      kRecord / 2, kRecord - 1};
  for (size_t cut : cuts) {
    SCOPED_TRACE("cut " + std::to_string(cut) + " bytes into the last record");
    TempDir dir;
    Fill(dir.path(), 10);
    const std::string seg = SegmentPath(dir.path(), 0, 0) + ".log";
    std::string data = ReadAll(seg);
    ASSERT_EQ(data.size(), kSegmentHeaderSize + 10 * kRecord);
    const size_t last_start = kSegmentHeaderSize + 9 * kRecord;
    WriteAll(seg, data.substr(0, last_start + cut));

    // Zeros at the end of the file count as reserved space, not as torn bytes.
    const std::string torn = data.substr(last_start, cut);
    const size_t counted = torn.find_last_not_of('\0') + 1;
    ASSERT_GT(counted, 0u);

    RecoveryReport report;
    auto log = Reopen(dir.path(), &report);
    ASSERT_TRUE(log);
    EXPECT_EQ(report.truncated_bytes, counted);
    EXPECT_EQ(report.corrupt_records, 0u);
    ASSERT_EQ(report.partitions.size(), 1u);
    EXPECT_EQ(report.partitions[0].truncated_bytes, counted);
    EXPECT_NE(Join(report.messages).find("torn tail"), std::string::npos) << Join(report.messages);
    ExpectRecords(*log, 9);
    auto o = log->AppendSync({{0, Payload(0, 9, kPayload)}});
    ASSERT_TRUE(o.ok());
    EXPECT_EQ((*o)[0], 9u);
    log.reset();
    RecoveryReport again;
    log = Reopen(dir.path(), &again);
    EXPECT_TRUE(again.clean()) << Join(again.messages);
    ExpectRecords(*log, 10);
  }
}

// A crash leaves the zeros reserved after the active segment's data (WritableFile::Reserve).
// Returns the segment file as it was then: records, then zeros.
std::string CrashedWithReservedZeros(const std::string& dir, int n) {
  const std::string seg = SegmentPath(dir, 0, 0) + ".log";
  std::string crashed;
  {
    auto log = EventLog::Open({.dir = dir, .partitions = 1}, nullptr);
    EXPECT_TRUE(log.ok());
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE((*log)->AppendSync({{0, Payload(0, i, kPayload)}}).ok());
    }
    crashed = ReadAll(seg);  // before the clean close cuts the zeros
  }
  EXPECT_EQ(ReadAll(seg).size(), kSegmentHeaderSize + n * kRecord);  // closed: exact
  WriteAll(seg, crashed);
  return crashed;
}

TEST(LogRecovery, ReservedZerosAfterACrashAreNotATornTail) {
  TempDir dir;
  const std::string crashed = CrashedWithReservedZeros(dir.path(), 10);
  // Small groups reserve zeroed file 128 KiB at a time ahead of the data.
  EXPECT_EQ(crashed.size(), size_t{128} << 10);
  EXPECT_EQ(crashed.find_first_not_of('\0', kSegmentHeaderSize + 10 * kRecord), std::string::npos);

  RecoveryReport report;
  auto log = Reopen(dir.path(), &report);
  ASSERT_TRUE(log);
  EXPECT_TRUE(report.clean()) << Join(report.messages);
  ExpectRecords(*log, 10);
  EXPECT_EQ(ReadAll(SegmentPath(dir.path(), 0, 0) + ".log").size(),
            kSegmentHeaderSize + 10 * kRecord);  // cut back to the records
  ASSERT_TRUE(log->AppendSync({{0, Payload(0, 10, kPayload)}}).ok());
  ExpectRecords(*log, 11);
}

// The file size on disk after one group of `records` records of `payload` bytes, before the
// clean close cuts reserved zeros.
size_t SizeAfterOneGroup(const std::string& dir, int records, size_t payload) {
  auto log = EventLog::Open({.dir = dir, .partitions = 1}, nullptr);
  EXPECT_TRUE(log.ok());
  std::vector<LogRecord> group;
  for (int i = 0; i < records; ++i) group.push_back({0, Payload(0, i, payload)});
  EXPECT_TRUE((*log)->AppendSync(std::move(group)).ok());
  return ReadAll(SegmentPath(dir, 0, 0) + ".log").size();
}

TEST(LogRecovery, TrackSizedGroupsReserveBatchSizedOnesDoNot) {
  // 40 requests of ~1 KB: a /v1/track group with 64 connections on the one-partition default.
  TempDir track;
  EXPECT_EQ(SizeAfterOneGroup(track.path(), 40, 1000), size_t{128} << 10);
  // Two /v1/batch requests of 100 KB: zeroing would write their bytes twice.
  TempDir batch;
  EXPECT_EQ(SizeAfterOneGroup(batch.path(), 200, 1000),
            kSegmentHeaderSize + 200 * (kRecordHeaderSize + 1000));
}

TEST(LogRecovery, AfterASmallGroupTheNextOneFitsInReservedZeros) {
  // Track-sized groups (30 and 60 KB) one after the other: after each, at least 64 KiB of zeros
  // follow the data, so the next small group never grows the file (its fdatasync need not write
  // the file's size).
  TempDir dir;
  auto log = EventLog::Open({.dir = dir.path(), .partitions = 1}, nullptr);
  ASSERT_TRUE(log.ok());
  const std::string seg = SegmentPath(dir.path(), 0, 0) + ".log";
  auto file_size = [&seg] {
    std::error_code ec;
    const auto n = std::filesystem::file_size(seg, ec);
    return ec ? size_t{0} : static_cast<size_t>(n);
  };
  size_t data = kSegmentHeaderSize;
  size_t grew = 0;
  for (int g = 0; g < 40; ++g) {
    const int records = g % 2 ? 60 : 30;
    std::vector<LogRecord> group;
    for (int i = 0; i < records; ++i) group.push_back({0, Payload(0, i, 1000)});
    const size_t before = file_size();
    ASSERT_TRUE((*log)->AppendSync(std::move(group)).ok());
    data += records * (kRecordHeaderSize + 1000);
    const size_t after = file_size();
    EXPECT_GE(after, data + (64 << 10)) << "group " << g;
    if (after != before) ++grew;  // this group reserved more zeros
  }
  EXPECT_LT(grew, 40 / 2) << "most groups must write over zeros reserved before";
}

TEST(LogRecovery, ATornRecordInTheReservedZerosIsATornTail) {
  TempDir dir;
  std::string crashed = CrashedWithReservedZeros(dir.path(), 10);
  // A record was being written over the zeros when the machine stopped: 30 bytes of it landed.
  crashed.replace(kSegmentHeaderSize + 10 * kRecord, 30, std::string(30, '\x5a'));
  WriteAll(SegmentPath(dir.path(), 0, 0) + ".log", crashed);

  RecoveryReport report;
  auto log = Reopen(dir.path(), &report);
  ASSERT_TRUE(log);
  EXPECT_EQ(report.truncated_bytes, 30u);  // the torn bytes, not the zeros after them
  EXPECT_EQ(report.corrupt_records, 0u);
  EXPECT_NE(Join(report.messages).find("torn tail"), std::string::npos) << Join(report.messages);
  ExpectRecords(*log, 10);
}

TEST(LogRecovery, SealedSegmentsHoldNoReservedZeros) {
  TempDir dir;
  Fill(dir.path(), 40, 4096);  // small groups, a roll every ~17 records
  const std::string seg0 = SegmentPath(dir.path(), 0, 0) + ".log";
  const size_t records0 = (ReadAll(seg0).size() - kSegmentHeaderSize) / kRecord;
  EXPECT_GT(records0, 0u);
  EXPECT_EQ(ReadAll(seg0).size(), kSegmentHeaderSize + records0 * kRecord);
  RecoveryReport report;
  auto log = Reopen(dir.path(), &report, 4096);
  ASSERT_TRUE(log);
  EXPECT_TRUE(report.clean()) << Join(report.messages);  // every index matched its segment
  ExpectRecords(*log, 40);
}

TEST(LogRecovery, FlippedByteInLastRecordIsDetectedAndDropped) {
  for (size_t where : {size_t{0}, size_t{6}, size_t{12}, kRecordHeaderSize + 50, kRecord - 1}) {
    SCOPED_TRACE("byte " + std::to_string(where) + " of the last record");
    TempDir dir;
    Fill(dir.path(), 10);
    const std::string seg = SegmentPath(dir.path(), 0, 0) + ".log";
    FlipByte(seg, kSegmentHeaderSize + 9 * kRecord + where);
    RecoveryReport report;
    auto log = Reopen(dir.path(), &report);
    ASSERT_TRUE(log);
    EXPECT_EQ(report.truncated_bytes, kRecord) << Join(report.messages);
    EXPECT_FALSE(report.messages.empty());
    ExpectRecords(*log, 9);
  }
}

TEST(LogRecovery, CorruptionInTheMiddleOfTheLastSegmentIsReportedLoudly) {
  TempDir dir;
  Fill(dir.path(), 10);
  const std::string seg = SegmentPath(dir.path(), 0, 0) + ".log";
  FlipByte(seg, kSegmentHeaderSize + 3 * kRecord + kRecordHeaderSize + 10);  // record 3 payload
  RecoveryReport report;
  auto log = Reopen(dir.path(), &report);
  ASSERT_TRUE(log);
  const std::string msgs = Join(report.messages);
  EXPECT_EQ(report.corrupt_records, 1u) << msgs;
  EXPECT_EQ(report.truncated_bytes, 7 * kRecord) << msgs;
  EXPECT_NE(msgs.find("CORRUPTION"), std::string::npos) << msgs;
  EXPECT_NE(msgs.find(std::to_string(7 * kRecord) + " bytes"), std::string::npos) << msgs;
  EXPECT_NE(msgs.find(seg), std::string::npos) << msgs;
  ExpectRecords(*log, 3);
}

TEST(LogRecovery, CorruptionInASealedSegmentIsNeverReturnedAsData) {
  TempDir dir;
  constexpr uint64_t kSeg = 4096;  // 18 records of 224 bytes per segment
  Fill(dir.path(), 60, kSeg);
  const std::string seg0 = SegmentPath(dir.path(), 0, 0) + ".log";
  ASSERT_TRUE(std::filesystem::exists(SegmentPath(dir.path(), 0, 18) + ".log"));
  const uint64_t bad_pos = kSegmentHeaderSize + 5 * kRecord;
  FlipByte(seg0, bad_pos + kRecordHeaderSize + 3);  // payload of offset 5

  RecoveryReport report;
  auto log = Reopen(dir.path(), &report, kSeg);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->EndOffset(0), 60u);
  std::vector<LogEntry> out;
  Status s = log->Read(0, 0, 100, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find(seg0), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("byte " + std::to_string(bad_pos)), std::string::npos) << s.message();
  for (const auto& e : out) EXPECT_LT(e.offset, 5u) << "damaged record returned";
  out.clear();
  s = log->Read(0, 5, 1, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_TRUE(out.empty());
  // Later segments still read.
  out.clear();
  ASSERT_TRUE(log->Read(0, 18, 100, &out).ok());
  EXPECT_EQ(out.size(), 42u);
  EXPECT_EQ(out[0].payload, Payload(0, 18, kPayload));

  RecoveryReport verify;
  EXPECT_EQ(log->Verify(&verify).code(), StatusCode::kCorruption);
  EXPECT_EQ(verify.corrupt_records, 1u) << Join(verify.messages);
  EXPECT_NE(Join(verify.messages).find(seg0), std::string::npos);

  // Without its index, the damage is found at open too, and still not truncated.
  log.reset();
  std::filesystem::remove(SegmentPath(dir.path(), 0, 0) + ".idx");
  RecoveryReport again;
  log = Reopen(dir.path(), &again, kSeg);
  ASSERT_TRUE(log);
  EXPECT_EQ(again.corrupt_records, 1u) << Join(again.messages);
  EXPECT_EQ(again.truncated_bytes, 0u);
  EXPECT_EQ(log->EndOffset(0), 60u);
  out.clear();
  EXPECT_EQ(log->Read(0, 3, 10, &out).code(), StatusCode::kCorruption);
}

TEST(LogRecovery, IndexIsRebuiltWhenDeletedOrDamaged) {
  TempDir dir;
  constexpr uint64_t kSeg = 64 << 10;  // ~290 records per segment: several index entries each
  Fill(dir.path(), 1000, kSeg);
  const std::string idx0 = SegmentPath(dir.path(), 0, 0) + ".idx";
  const std::string idx1 = SegmentPath(dir.path(), 0, 292) + ".idx";
  const std::string idx2 = SegmentPath(dir.path(), 0, 584) + ".idx";
  ASSERT_TRUE(std::filesystem::exists(idx0));
  ASSERT_TRUE(std::filesystem::exists(idx1))
      << log_test::Join(log_test::ListDirNames(dir.path() + "/p-000"));
  ASSERT_TRUE(std::filesystem::exists(idx2));
  const std::string good0 = ReadAll(idx0), good1 = ReadAll(idx1), good2 = ReadAll(idx2);

  std::filesystem::remove(idx0);  // missing
  FlipByte(idx1, 60);             // checksum fails
  {                               // valid file that disagrees with the log
    log_internal::IndexFile f;
    ASSERT_TRUE(log_internal::DecodeIndexFile(good2, &f).ok());
    ASSERT_GT(f.entries.size(), 2u);
    f.entries.back().position += 8;
    WriteAll(idx2, log_internal::EncodeIndexFile(f));
  }
  RecoveryReport report;
  auto log = Reopen(dir.path(), &report, kSeg);
  ASSERT_TRUE(log);
  EXPECT_TRUE(report.clean()) << Join(report.messages);
  EXPECT_EQ(report.messages.size(), 3u) << Join(report.messages);
  EXPECT_NE(Join(report.messages).find("rebuilt index"), std::string::npos);
  EXPECT_EQ(ReadAll(idx0), good0);
  EXPECT_EQ(ReadAll(idx1), good1);
  EXPECT_EQ(ReadAll(idx2), good2);
  ExpectRecords(*log, 1000);
  std::vector<LogEntry> out;
  ASSERT_TRUE(log->Read(0, 500, 1, &out).ok());
  EXPECT_EQ(out[0].payload, Payload(0, 500, kPayload));
}

TEST(LogRecovery, IncompleteNewSegmentAndStrayFilesAreCleanedUp) {
  TempDir dir;
  Fill(dir.path(), 20, 4096);
  const std::string p0 = dir.path() + "/p-000";
  // A crash while rolling: the next segment exists with half a header.
  const std::string next = SegmentPath(dir.path(), 0, 20) + ".log";
  WriteAll(next, std::string("RPTLOG"));
  WriteAll(p0 + "/00000000000000000017.idx.tmp", "junk");
  WriteAll(p0 + "/00000000000000009999.idx", "orphan index");
  RecoveryReport report;
  auto log = Reopen(dir.path(), &report, 4096);
  ASSERT_TRUE(log);
  EXPECT_EQ(report.corrupt_records, 0u) << Join(report.messages);
  ExpectRecords(*log, 20);
  auto o = log->AppendSync({{0, Payload(0, 20, kPayload)}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ((*o)[0], 20u);
  EXPECT_FALSE(std::filesystem::exists(p0 + "/00000000000000000017.idx.tmp"));
  EXPECT_FALSE(std::filesystem::exists(p0 + "/00000000000000009999.idx"));
}

}  // namespace
}  // namespace rapport
