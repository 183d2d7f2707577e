# Funnel and retention operators (docs/queries.md) and their tests.
target_sources(rapport_warehouse_query PRIVATE query/funnel.cc query/retention.cc)

rapport_test(warehouse_funnel_test
  SOURCES query/funnel_test.cc
  DEPS rapport_warehouse_query simdjson::simdjson)
rapport_test(warehouse_retention_test
  SOURCES query/retention_test.cc
  DEPS rapport_warehouse_query simdjson::simdjson)
