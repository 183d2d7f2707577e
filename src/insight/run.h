// The query kinds of the whole product in one entry point: the models' kinds ("clv", "rfm") here,
// the warehouse's (trends, funnel, retention, paths, events, properties, values) through
// warehouse::RunQuery. What `POST /api/v1/query`, `POST /api/v1/insights/{kind}` and
// `rapport query` run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "insight/roi/spend.h"
#include "warehouse/query/run.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

// What the models read besides the warehouse: the marketing spend ("roi"; without a reader
// the spend is empty).
struct InsightInputs {
  SpendReader spend;
};

// A spec with any "kind"; kInvalidArgument listing every kind for an unknown one.
Result<warehouse::QueryOutput> RunAnyQuery(const warehouse::Snapshot& snapshot,
                                           std::string_view spec,
                                           const warehouse::QueryOptions& options,
                                           const InsightInputs& inputs = {});

// `POST /api/v1/insights/{kind}`: the body is the spec without (or with the same) "kind"; an
// empty body is {}. kNotFound for a kind that is not an insight ("clv", "rfm").
Result<warehouse::QueryOutput> RunInsight(const warehouse::Snapshot& snapshot,
                                          std::string_view kind, std::string_view body,
                                          const warehouse::QueryOptions& options,
                                          const InsightInputs& inputs = {});

// What a model run writes to profiles: the traits' names, and per scored profile its traits as
// a JSON object.
struct ProfileScores {
  std::vector<std::string> traits;
  std::vector<std::pair<uint64_t, std::string>> profiles;
};
// `POST /api/v1/insights/{kind}/apply`: runs the model as RunInsight does and returns the traits
// to write.
Result<ProfileScores> ScoresFor(const warehouse::Snapshot& snapshot, std::string_view kind,
                                std::string_view body, const warehouse::QueryOptions& options);

}  // namespace rapport::insight
