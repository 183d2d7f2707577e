// Test support: the CDNOW reference data (tests/data/cdnow, found through RAPPORT_SOURCE_DIR)
// read into the forms the CLV code takes. Header-only, for tests.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "insight/clv/summary.h"

namespace rapport::insight::testing {

inline std::string CdnowPath(const std::string& file) {
  const char* root = std::getenv("RAPPORT_SOURCE_DIR");
  return std::string(root ? root : ".") + "/tests/data/cdnow/" + file;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
inline int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// CDNOW_sample.txt, one transaction a line: customer id, sample id, YYYYMMDD, CDs, dollars.
// customer = the sample id (the summary file's ID). Empty when the file cannot be read.
inline std::vector<Purchase> CdnowTransactions() {
  std::ifstream in(CdnowPath("CDNOW_sample.txt"));
  std::vector<Purchase> out;
  uint64_t id, sample;
  int64_t date;
  int cds;
  double dollars;
  while (in >> id >> sample >> date >> cds >> dollars) {
    out.push_back({sample, DaysFromCivil(date / 10000, date / 100 % 100, date % 100), dollars});
  }
  return out;
}

}  // namespace rapport::insight::testing
