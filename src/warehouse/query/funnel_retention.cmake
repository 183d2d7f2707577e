# Funnel and retention operators (docs/queries.md) and their tests.
target_sources(rapport_warehouse_query PRIVATE
  query/dense_profiles.cc query/funnel.cc query/funnel_output.cc query/retention.cc)

rapport_test(warehouse_funnel_test
  SOURCES query/funnel_test.cc
  DEPS rapport_warehouse_query_testing simdjson::simdjson)
rapport_test(warehouse_retention_test
  SOURCES query/retention_test.cc
  DEPS rapport_warehouse_query_testing simdjson::simdjson)

# Timings over ~2 M generated rows or the benchmark's CSV (printed, never asserted).
rapport_test(warehouse_query_timing_test
  SOURCES query/query_timing_test.cc
  DEPS rapport_warehouse_query_testing simdjson::simdjson)
