// libFuzzer target: arbitrary bytes as the only segment file of a one-partition log (and,
// from the input's first byte, as its index file too). Opening must recover or refuse with a
// Status — never crash, hang or read out of bounds — and every record then read back must be
// one that passed its checksum; appending afterwards must work.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "common/temp_dir.h"
#include "log/event_log.h"

namespace {

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream(path, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rapport;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  testing::TempDir dir;
  std::filesystem::create_directories(dir.Sub("p-000"));
  const std::string seg = dir.Sub("p-000/00000000000000000000");
  // Byte 0 chooses where the rest goes: the log, the index, or split between both.
  uint8_t mode = size > 0 ? data[0] % 3 : 0;
  std::string_view rest = size > 0 ? input.substr(1) : input;
  if (mode == 0) {
    WriteFile(seg + ".log", rest);
  } else if (mode == 1) {
    WriteFile(seg + ".idx", rest);
  } else {
    WriteFile(seg + ".log", rest.substr(0, rest.size() / 2));
    WriteFile(seg + ".idx", rest.substr(rest.size() / 2));
  }
  LogOptions options;
  options.dir = dir.path();
  options.partitions = 1;
  RecoveryReport report;
  auto log = EventLog::Open(options, &report);
  if (!log.ok()) return 0;  // refused with a reason: fine
  std::vector<LogEntry> entries;
  for (uint64_t from = (*log)->StartOffset(0); from < (*log)->EndOffset(0);) {
    entries.clear();
    if (!(*log)->Read(0, from, 64, &entries).ok() || entries.empty()) break;
    from = entries.back().offset + 1;
  }
  (void)(*log)->Verify(nullptr);
  auto appended = (*log)->AppendSync({{0, "after recovery"}});
  if (!appended.ok()) __builtin_trap();  // a recovered log must take writes
  return 0;
}
