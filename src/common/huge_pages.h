// Transparent huge pages for the heap. Rapport's hot data is large and read at random (the
// profile and identifier caches, RocksDB's memtables, the de-duplication filter, HTTP buffers);
// with 4 KB pages nearly every such read also misses the TLB, which on a virtual machine costs a
// two-level page walk (measured on the 2-core development VM: a random read 500 ns with 4 KB
// pages, 288 ns with 2 MB pages). Debian's kernels give huge pages only to memory that asks for
// them (transparent_hugepage=madvise), so this makes tcmalloc ask: every span it takes from the
// system is 2 MB aligned and madvise(MADV_HUGEPAGE)'d. Measured, alternately with it off
// (bench/README.md): the profile pipeline +10–17 % events/s (CPU an event −6–10 %); /v1/track
// and /v1/batch within the noise.
#pragma once

#include <string>

namespace rapport {

// Installs the hook; call once, early (memory taken before is not affected). Returns what it
// did, for the log: "on", or why not (the kernel has them off, or this build's allocator is
// not tcmalloc — sanitizer and fuzzer builds).
std::string UseHugePagesForTheHeap();

}  // namespace rapport
