# The store: manifest, parts on disk, snapshots, and the feed from the event log.
add_library(rapport_warehouse_store
  manifest.cc
  event_row.cc
  store_snapshot.cc
  store.cc
  feed.cc
)
target_link_libraries(rapport_warehouse_store
  PUBLIC rapport_warehouse rapport_warehouse_part rapport_profile rapport_log rapport_collect
         rapport_identity
  PRIVATE simdjson::simdjson)

rapport_test(warehouse_store_test
  SOURCES store_test.cc feed_test.cc
  DEPS rapport_warehouse_store simdjson::simdjson)
