#include "common/huge_pages.h"

#include <sys/mman.h>

#include <fstream>
#include <iterator>

#if RAPPORT_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

namespace rapport {
namespace {

// The kernel's mode, as /sys/kernel/mm/transparent_hugepage/enabled marks it ("[madvise]").
std::string KernelMode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t open = text.find('['), close = text.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return text.substr(open + 1, close - open - 1);
}

#if RAPPORT_TCMALLOC
constexpr size_t kHugePage = size_t{2} << 20;

// Wraps tcmalloc's own system allocator: whole, aligned huge pages, marked for the kernel.
class HugePageAllocator final : public SysAllocator {
 public:
  explicit HugePageAllocator(SysAllocator* next) : next_(next) {}
  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    size = (size + kHugePage - 1) & ~(kHugePage - 1);
    if (alignment < kHugePage) alignment = kHugePage;
    void* p = next_->Alloc(size, actual_size, alignment);
    // Advice only: a refusal leaves 4 KB pages, which work as before.
    if (p != nullptr) (void)madvise(p, actual_size ? *actual_size : size, MADV_HUGEPAGE);
    return p;
  }

 private:
  SysAllocator* next_;
};
#endif

}  // namespace

std::string UseHugePagesForTheHeap() {
  const std::string mode = KernelMode();
  if (mode == "always") return "on (the kernel gives them to all memory)";
  if (mode != "madvise") return "off: the kernel has transparent huge pages off";
#if RAPPORT_TCMALLOC
  MallocExtension* tcmalloc = MallocExtension::instance();
  tcmalloc->SetSystemAllocator(new HugePageAllocator(tcmalloc->GetSystemAllocator()));  // for good
  return "on";
#else
  return "off: this build does not use tcmalloc";
#endif
}

}  // namespace rapport
