// The system's huge pages, as /proc tells them: for messages that name them, and to
// judge whether a segment's huge pages can be had where the kernel cannot say.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pipc::core {

struct huge_pages {
  int64_t configured = -1;  // /proc/sys/vm/nr_hugepages
  int64_t free = -1;        // /proc/meminfo HugePages_Free (reserved ones included)
  int64_t reserved = -1;    // HugePages_Rsvd: promised to segments and mappings, not yet used
  int64_t size_kb = -1;     // Hugepagesize: the default huge page size, in kB
};                          // -1: not known

huge_pages read_huge_pages();

// How many huge pages of PAGES' size SIZE bytes take; -1 when the size is not known.
int64_t huge_pages_for(const huge_pages &pages, uint64_t size);

// Whether PAGES show enough huge pages free, and not promised to others, for SIZE bytes.
bool huge_pages_free_for(const huge_pages &pages, uint64_t size);

// Writes "/proc/sys/vm/nr_hugepages N, HugePages_Free F, HugePages_Rsvd R, of S kB
// each" into OUT.
void describe_huge_pages(const huge_pages &pages, char *out, size_t cap);

}  // namespace pipc::core
