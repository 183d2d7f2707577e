# Trends, paths and discovery (events, properties, values) over a Snapshot, and their tests.
target_sources(rapport_warehouse_query PRIVATE
  query/trends.cc
  query/trends_scan.cc
  query/paths.cc
  query/discovery.cc
)

rapport_test(warehouse_trends_paths_test
  SOURCES query/common_test.cc query/trends_test.cc query/paths_test.cc query/discovery_test.cc
  DEPS rapport_warehouse_query_testing simdjson::simdjson)

# Timings over ~2 M generated rows (printed, never asserted).
rapport_test(warehouse_trends_bench_test
  SOURCES query/trends_bench_test.cc
  DEPS rapport_warehouse_query_testing simdjson::simdjson)
