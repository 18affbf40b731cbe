#include "core/huge_pages.hpp"

#include <cstdio>

#include "core/system.hpp"

namespace pipc::core {

huge_pages read_huge_pages() {
  huge_pages pages;
  pages.configured = read_proc_integer("/proc/sys/vm/nr_hugepages", -1);
  std::FILE *meminfo = std::fopen("/proc/meminfo", "re");
  if (meminfo == nullptr) return pages;
  char line[128];
  while (std::fgets(line, sizeof line, meminfo) != nullptr) {
    long long value = 0;
    if (std::sscanf(line, "HugePages_Free: %lld", &value) == 1) pages.free = value;
    if (std::sscanf(line, "HugePages_Rsvd: %lld", &value) == 1) pages.reserved = value;
    if (std::sscanf(line, "Hugepagesize: %lld", &value) == 1) pages.size_kb = value;
  }
  std::fclose(meminfo);
  return pages;
}

int64_t huge_pages_for(const huge_pages &pages, uint64_t size) {
  if (pages.size_kb <= 0) return -1;
  const uint64_t page = static_cast<uint64_t>(pages.size_kb) * 1024;
  return static_cast<int64_t>(size / page + (size % page != 0));
}

bool huge_pages_free_for(const huge_pages &pages, uint64_t size) {
  const int64_t needed = huge_pages_for(pages, size);
  return needed >= 0 && pages.free >= 0 && pages.reserved >= 0 &&
         pages.free - pages.reserved >= needed;
}

void describe_huge_pages(const huge_pages &pages, char *out, size_t cap) {
  std::snprintf(out, cap,
                "/proc/sys/vm/nr_hugepages %lld, HugePages_Free %lld, HugePages_Rsvd %lld, "
                "of %lld kB each",
                static_cast<long long>(pages.configured), static_cast<long long>(pages.free),
                static_cast<long long>(pages.reserved), static_cast<long long>(pages.size_kb));
}

}  // namespace pipc::core
