# Trends, paths and discovery (events, properties, values) over a Snapshot, and their tests.

rapport_test(warehouse_trends_paths_test
  SOURCES query/common_test.cc
  DEPS rapport_warehouse_query simdjson::simdjson)
