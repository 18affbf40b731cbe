/* libpipc: POSIX shared memory.
 *
 * Names follow the rules of every POSIX family (common.h), with one more: a name that
 * begins with "/sem." is refused (PIPC_EINVAL) by pipc_shm_open and pipc_shm_unlink_name.
 * glibc keeps the POSIX semaphore "/X" as the file /dev/shm/sem.X, which shm_open finds
 * under the name "/sem.X"; opened as shared memory and resized (to 0, say), it makes the
 * semaphore's next user die of SIGBUS. posix_ipc accepts such names; libpipc, and so its
 * bindings, do not.
 *
 * A segment's pages are allocated when first touched, so a segment can be made larger
 * than /dev/shm has room for; touching a page that cannot be had then kills the process
 * with SIGBUS. PIPC_SHM_RESERVE allocates them up front instead, so that a full /dev/shm
 * fails the open or resize (PIPC_ELIMIT) rather than a later touch. */
#ifndef PIPC_SHM_H
#define PIPC_SHM_H

#include "pipc/common.h"

PIPC_BEGIN_DECLS

typedef struct pipc_shm pipc_shm;

#define PIPC_SHM_OPTIONS_VERSION 1u

/* Open flag of POSIX shared memory (with PIPC_CREAT, PIPC_EXCL, PIPC_TRUNC): the handle
 * allocates the segment's pages whenever it sizes it — the open's size, and every resize
 * through it — so that a /dev/shm without room for them fails there with PIPC_ELIMIT
 * (pipc_last_message() names /dev/shm, its size and its free space) instead of a SIGBUS at
 * the first touch of a missing page. The pages stay allocated until the segment shrinks or
 * goes. Not for read-only handles (PIPC_EINVAL). Also a flag of pipc_shm_resize_flags. */
#define PIPC_SHM_RESERVE 0x80u

typedef struct pipc_shm_options {
  uint32_t version; /* PIPC_SHM_OPTIONS_VERSION */
  uint32_t flags;   /* PIPC_CREAT, PIPC_EXCL, PIPC_TRUNC, PIPC_SHM_RESERVE */
  uint32_t mode;    /* permission bits of a new segment */
  uint32_t access;  /* PIPC_READ_WRITE, or PIPC_READ for a read-only handle */
  uint64_t size;    /* > 0: the segment is (re)sized to this many bytes; 0: left as is */
} pipc_shm_options;

#define PIPC_SHM_OPTIONS_INIT { PIPC_SHM_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE, PIPC_READ_WRITE, 0u }

PIPC_API void pipc_shm_options_init(pipc_shm_options *opts);

/* Opens (or creates) the segment NAME; a NULL name creates one with a random name.
 * With size > 0 the segment is resized to it (and its pages allocated with
 * PIPC_SHM_RESERVE). A read-only handle never resizes: when the size differs it fails with
 * PIPC_EACCES and leaves the segment and its data alone. A size the system refuses gives
 * PIPC_ELIMIT naming the limit: the process's RLIMIT_FSIZE (the kernel also sends SIGXFSZ,
 * which ends the process unless it is ignored or handled), or with PIPC_SHM_RESERVE the
 * room in /dev/shm. A segment this open created is then removed; an existing one keeps
 * its size and data (unless PIPC_TRUNC had emptied it before the failure). */
PIPC_API int pipc_shm_open(pipc_shm **out, const char *name, const pipc_shm_options *opts);

/* Opens another handle to the segment of SHM (a duplicate of its descriptor; PIPC_EBADHANDLE
 * after pipc_shm_close_fd), with no mappings of its own, also after the name was unlinked.
 * It reserves pages at resize when SHM does (PIPC_SHM_RESERVE). */
PIPC_API int pipc_shm_dup(pipc_shm **out, pipc_shm *shm);

/* Closes the descriptor and unmaps every mapping made through the handle. NULL is a no-op. */
PIPC_API int pipc_shm_close(pipc_shm *shm);

/* The descriptor (owned by the handle), or PIPC_EBADHANDLE after pipc_shm_close_fd. */
PIPC_API int pipc_shm_fd(int *fd_out, pipc_shm *shm);

/* Closes only the descriptor; mappings, the name and pipc_shm_unmap stay usable. */
PIPC_API int pipc_shm_close_fd(pipc_shm *shm);

/* The segment's current size in bytes, as the OS reports it now. */
PIPC_API int pipc_shm_size(uint64_t *size_out, pipc_shm *shm);

/* Sets the segment's size; PIPC_EACCES on a read-only handle. On a handle opened with
 * PIPC_SHM_RESERVE the pages are allocated too. A size the system refuses gives
 * PIPC_ELIMIT as pipc_shm_open does, and the segment keeps its size and data. */
PIPC_API int pipc_shm_resize(pipc_shm *shm, uint64_t size);

/* pipc_shm_resize with FLAGS: PIPC_SHM_RESERVE allocates the pages whatever the handle
 * was opened with (0: as pipc_shm_resize). Other bits give PIPC_EINVAL. */
PIPC_API int pipc_shm_resize_flags(pipc_shm *shm, uint64_t size, uint32_t flags);

/* Map flags. */
#define PIPC_MAP_READ_ONLY 0x1u /* read-only mapping (always so for read-only handles) */

/* Maps LENGTH bytes from OFFSET (a multiple of the page size); length 0 maps the rest of
 * the segment. The range must lie within the segment's size (else PIPC_ERANGE), as this
 * handle last set or read it, read again from the OS when the range exceeds it. A segment
 * that another process shrinks after that faults on access to the lost pages. */
PIPC_API int pipc_shm_map(void **addr_out, pipc_shm *shm, uint64_t offset, uint64_t length,
                          uint32_t flags);

/* Unmaps a mapping returned by pipc_shm_map on this handle (PIPC_EINVAL for any other address). */
PIPC_API int pipc_shm_unmap(pipc_shm *shm, void *addr);

/* The segment's name, owned by the handle and valid until it is closed; NULL for a bad handle. */
PIPC_API const char *pipc_shm_name(pipc_shm *shm);
PIPC_API int pipc_shm_created(pipc_shm *shm);
PIPC_API int pipc_shm_read_only(pipc_shm *shm); /* 1, 0 or a negative status */

PIPC_API int pipc_shm_unlink(pipc_shm *shm);
/* Removes the name NAME (checked as pipc_shm_open checks it: "/sem.X" is refused). */
PIPC_API int pipc_shm_unlink_name(const char *name);

PIPC_END_DECLS

#endif
