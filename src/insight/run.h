// The query kinds of the whole product in one entry point: the models' kinds ("clv") here, the
// warehouse's (trends, funnel, retention, paths, events, properties, values) through
// warehouse::RunQuery. What `POST /api/v1/query`, `POST /api/v1/insights/{kind}` and
// `rapport query` run.
#pragma once

#include <string_view>

#include "common/status.h"
#include "warehouse/query/run.h"
#include "warehouse/snapshot.h"

namespace rapport::insight {

// A spec with any "kind"; kInvalidArgument listing every kind for an unknown one.
Result<warehouse::QueryOutput> RunAnyQuery(const warehouse::Snapshot& snapshot,
                                           std::string_view spec,
                                           const warehouse::QueryOptions& options);

// `POST /api/v1/insights/{kind}`: the body is the spec without (or with the same) "kind"; an
// empty body is {}. kNotFound for a kind that is not an insight.
Result<warehouse::QueryOutput> RunInsight(const warehouse::Snapshot& snapshot,
                                          std::string_view kind, std::string_view body,
                                          const warehouse::QueryOptions& options);

}  // namespace rapport::insight
