# Funnel and retention operators (docs/queries.md) and their tests.
target_sources(rapport_warehouse_query PRIVATE query/funnel.cc)

rapport_test(warehouse_funnel_test
  SOURCES query/funnel_test.cc
  DEPS rapport_warehouse_query simdjson::simdjson)
