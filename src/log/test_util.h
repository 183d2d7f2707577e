// Helpers shared by the log tests: a fresh temporary directory per test, deterministic
// payloads, and small file surgery (cut, flip a byte). Test-only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/temp_dir.h"
#include "log/event_log.h"

namespace rapport::log_test {

using rapport::testing::TempDir;

// Concatenates strings and integers (avoids GCC 12's -Wrestrict false positive on
// `"literal" + std::to_string(n)`).
inline void AppendPiece(std::string* s, std::string_view v) { s->append(v); }
template <typename T>
requires std::is_integral_v<T>
inline void AppendPiece(std::string* s, T v) { s->append(std::to_string(v)); }
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string s;
  (AppendPiece(&s, args), ...);
  return s;
}

// A payload that names its partition and sequence number, padded to `size` bytes.
inline std::string Payload(int partition, uint64_t seq, size_t size = 100) {
  std::string s = Cat("p", partition, "-n", seq, ":");
  while (s.size() < size) s.push_back(static_cast<char>('a' + (s.size() + seq) % 26));
  s.resize(std::max(size, s.size()));
  return s;
}

inline std::string SegmentPath(const std::string& dir, int partition, uint64_t base) {
  char name[64];
  std::snprintf(name, sizeof(name), "%s/p-%03d/%020llu", dir.c_str(), partition,
                static_cast<unsigned long long>(base));
  return name;  // + ".log" / ".idx"
}

inline std::vector<std::string> ListDirNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline void FlipByte(const std::string& path, uint64_t position) {
  std::string data = ReadAll(path);
  ASSERT_LT(position, data.size());
  data[position] = static_cast<char>(data[position] ^ 0x40);
  WriteAll(path, data);
}

// Reads all of a partition, asserting success.
inline std::vector<LogEntry> ReadAllEntries(const EventLog& log, int partition, uint64_t from = 0) {
  std::vector<LogEntry> out;
  Status s = log.Read(partition, from, SIZE_MAX, &out, SIZE_MAX);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

inline std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

}  // namespace rapport::log_test
