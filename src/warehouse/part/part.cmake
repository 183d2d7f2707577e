# Part files (docs/formats/warehouse.md): the writer, the memory-mapped reader and the block
# cache. Included from src/warehouse/CMakeLists.txt; paths are relative to src/warehouse.
if(NOT TARGET PkgConfig::ZSTD)
  pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
endif()
if(NOT TARGET PkgConfig::LZ4)
  pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
endif()

add_library(rapport_warehouse_part
  part/int_codec.cc
  part/column_codec.cc
  part/format.cc
  part/part_writer.cc
  part/part_reader.cc
  part/block_cache.cc
)
target_link_libraries(rapport_warehouse_part
  PUBLIC rapport_warehouse
  PRIVATE PkgConfig::ZSTD PkgConfig::LZ4)

rapport_test(warehouse_part_test
  SOURCES part/codec_test.cc part/block_cache_test.cc part/part_test.cc
          part/part_damage_test.cc
  DEPS rapport_warehouse_part)

# Prints rows/s of WritePart and of loading the fixed columns over 1 M rows (asserts no times).
rapport_test(warehouse_part_bench_test
  SOURCES part/part_bench_test.cc
  DEPS rapport_warehouse_part)

rapport_fuzzer(part_fuzz part/part_fuzz.cc rapport_warehouse_part)
