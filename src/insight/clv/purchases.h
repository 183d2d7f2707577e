// ReadPurchases: the purchases the CLV models learn from, read from the warehouse — every event
// matching a filter (by default "Order Completed") before a time, credited to the profile it
// belongs to now (merged profiles count as one customer), worth the number at a revenue path
// (a number, or text that is exactly one, as trends' sum reads it; 0 when absent). Events without
// a profile are left out. Uses every core; the purchases come back in no particular order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "insight/clv/summary.h"
#include "warehouse/query/filter.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

struct PurchaseSource {
  warehouse::EventFilter filter;
  std::string revenue_path = "properties.revenue";
  int64_t until_us = INT64_MAX;  // only events with timestamp < until_us
};

struct PurchaseRead {
  std::vector<Purchase> purchases;
  uint64_t without_value = 0;  // matching events whose revenue was absent or not a number
};

// kCorruption from damaged warehouse blocks; kInvalidArgument for a non-finite revenue.
Result<PurchaseRead> ReadPurchases(const warehouse::Snapshot& snapshot,
                                   const PurchaseSource& source, int threads = 0);

}  // namespace rapport::insight
