#include "log/log_types.h"

namespace rapport {

void RecoveryReport::AddTruncated(int partition, uint64_t bytes, std::string message) {
  if (partitions.size() <= static_cast<size_t>(partition)) partitions.resize(partition + 1);
  partitions[partition].truncated_bytes += bytes;
  truncated_bytes += bytes;
  messages.push_back(std::move(message));
}

void RecoveryReport::AddCorrupt(int partition, uint64_t records, std::string message) {
  if (partitions.size() <= static_cast<size_t>(partition)) partitions.resize(partition + 1);
  partitions[partition].corrupt_records += records;
  corrupt_records += records;
  messages.push_back(std::move(message));
}

}  // namespace rapport
