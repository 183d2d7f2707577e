# Marketing attribution (src/insight/attribution/README.md): channel grouping, rule-based
# models, Markov removal effect, Shapley value. Pure: no I/O.
add_library(rapport_insight_attribution
  attribution/channel.cc
  attribution/paths.cc
  attribution/models.cc
  attribution/markov.cc
  attribution/shapley.cc
  attribution/compare.cc
)
target_link_libraries(rapport_insight_attribution
  PUBLIC rapport_common simdjson::simdjson
  PRIVATE Threads::Threads)

rapport_test(insight_attribution_test
  SOURCES attribution/channel_test.cc attribution/models_test.cc attribution/markov_test.cc
          attribution/shapley_test.cc attribution/compare_test.cc
  DEPS rapport_insight_attribution)
