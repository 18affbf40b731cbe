// Handles that cannot dangle: every exported function that takes a handle, called
// with a closed handle (also once later opens have reused its slot), with values
// that were never handles, and while another thread closes the handle, returns
// PIPC_EBADHANDLE and touches nothing; never undefined behaviour (the suites run
// under ASan and UBSan). check_handle_functions.sh checks that the table below
// names every such function the headers declare.
#include <fcntl.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

using pipc_test::message_mentions;
using pipc_test::unique_key;
using pipc_test::unique_name;

// An exported function that takes a handle, called with H and otherwise valid
// arguments; its status (the name functions give PIPC_EBADHANDLE for NULL).
struct handle_function {
  const char *name;
  int (*call)(void *h);
  bool sets_detail = true;  // the name functions return NULL and record nothing
};

template <class H>
H *as(void *h) {
  return static_cast<H *>(h);
}

int name_status(const char *name) {
  return name == nullptr ? PIPC_EBADHANDLE : PIPC_OK;
}

void ignore(void *) {}

// Data for the calls that read or write some: one per thread, since several
// threads make the calls at once (CallsRacingACloseCompleteOrAreRefused).
thread_local char buffer[64];

// Each family: how to make a fresh object with a handle, how to destroy it (close,
// then unlink or remove), and every function that takes its handle.
struct family {
  const char *name;
  void *(*open)();
  void (*destroy)(void *h);
  std::vector<handle_function> functions;
};

template <class Options, class H>
void *open_named(int (*open)(H **, const char *, const Options *), Options opts) {
  opts.flags = PIPC_CREX;
  H *h = nullptr;
  const std::string name = unique_name();
  return open(&h, name.c_str(), &opts) == PIPC_OK ? h : nullptr;
}

template <class Options, class H>
void *open_keyed(int (*open)(H **, int64_t, const Options *), Options opts) {
  opts.flags = PIPC_CREX;
  H *h = nullptr;
  return open(&h, unique_key(), &opts) == PIPC_OK ? h : nullptr;
}

const family sem_family{
    "POSIX semaphore",
    [] { return open_named(pipc_sem_open, pipc_sem_options PIPC_SEM_OPTIONS_INIT); },
    [](void *h) {
      pipc_sem_unlink(as<pipc_sem>(h));
      pipc_sem_close(as<pipc_sem>(h));
    },
    {
        {"pipc_sem_close", [](void *h) { return pipc_sem_close(as<pipc_sem>(h)); }},
        {"pipc_sem_dup",
         [](void *h) { pipc_sem *d; return pipc_sem_dup(&d, as<pipc_sem>(h)); }},
        {"pipc_sem_acquire", [](void *h) { return pipc_sem_acquire(as<pipc_sem>(h), 0); }},
        {"pipc_sem_release", [](void *h) { return pipc_sem_release(as<pipc_sem>(h)); }},
        {"pipc_sem_value", [](void *h) { int v; return pipc_sem_value(&v, as<pipc_sem>(h)); }},
        {"pipc_sem_name",
         [](void *h) { return name_status(pipc_sem_name(as<pipc_sem>(h))); }, false},
        {"pipc_sem_created", [](void *h) { return pipc_sem_created(as<pipc_sem>(h)); }},
        {"pipc_sem_unlink", [](void *h) { return pipc_sem_unlink(as<pipc_sem>(h)); }},
    },
};

pipc_shm_options shm_options() {
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  opts.size = 4096;
  return opts;
}

const family shm_family{
    "POSIX shared memory",
    [] { return open_named(pipc_shm_open, shm_options()); },
    [](void *h) {
      pipc_shm_unlink(as<pipc_shm>(h));
      pipc_shm_close(as<pipc_shm>(h));
    },
    {
        {"pipc_shm_close", [](void *h) { return pipc_shm_close(as<pipc_shm>(h)); }},
        {"pipc_shm_dup",
         [](void *h) { pipc_shm *d; return pipc_shm_dup(&d, as<pipc_shm>(h)); }},
        {"pipc_shm_fd", [](void *h) { int fd; return pipc_shm_fd(&fd, as<pipc_shm>(h)); }},
        {"pipc_shm_close_fd", [](void *h) { return pipc_shm_close_fd(as<pipc_shm>(h)); }},
        {"pipc_shm_size",
         [](void *h) { uint64_t n; return pipc_shm_size(&n, as<pipc_shm>(h)); }},
        {"pipc_shm_resize", [](void *h) { return pipc_shm_resize(as<pipc_shm>(h), 8192); }},
        {"pipc_shm_resize_flags",
         [](void *h) { return pipc_shm_resize_flags(as<pipc_shm>(h), 8192, PIPC_SHM_RESERVE); }},
        {"pipc_shm_map",
         [](void *h) { void *a; return pipc_shm_map(&a, as<pipc_shm>(h), 0, 0, 0); }},
        {"pipc_shm_unmap", [](void *h) { return pipc_shm_unmap(as<pipc_shm>(h), buffer); }},
        {"pipc_shm_name",
         [](void *h) { return name_status(pipc_shm_name(as<pipc_shm>(h))); }, false},
        {"pipc_shm_created", [](void *h) { return pipc_shm_created(as<pipc_shm>(h)); }},
        {"pipc_shm_read_only", [](void *h) { return pipc_shm_read_only(as<pipc_shm>(h)); }},
        {"pipc_shm_unlink", [](void *h) { return pipc_shm_unlink(as<pipc_shm>(h)); }},
    },
};

pipc_mq_options mq_options() {
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  opts.max_messages = 2;
  opts.max_message_size = sizeof buffer;
  return opts;
}

const family mq_family{
    "POSIX message queue",
    [] { return open_named(pipc_mq_open, mq_options()); },
    [](void *h) {
      pipc_mq_unlink(as<pipc_mq>(h));
      pipc_mq_close(as<pipc_mq>(h));
    },
    {
        {"pipc_mq_close", [](void *h) { return pipc_mq_close(as<pipc_mq>(h)); }},
        {"pipc_mq_dup", [](void *h) { pipc_mq *d; return pipc_mq_dup(&d, as<pipc_mq>(h)); }},
        {"pipc_mq_send", [](void *h) { return pipc_mq_send(as<pipc_mq>(h), "x", 1, 0, 0); }},
        {"pipc_mq_receive",
         [](void *h) {
           size_t n;
           return pipc_mq_receive(&n, nullptr, as<pipc_mq>(h), buffer, sizeof buffer, 0);
         }},
        {"pipc_mq_blocking", [](void *h) { int b; return pipc_mq_blocking(&b, as<pipc_mq>(h)); }},
        {"pipc_mq_set_blocking", [](void *h) { return pipc_mq_set_blocking(as<pipc_mq>(h), 1); }},
        {"pipc_mq_max_messages",
         [](void *h) { int64_t v; return pipc_mq_max_messages(&v, as<pipc_mq>(h)); }},
        {"pipc_mq_max_message_size",
         [](void *h) { int64_t v; return pipc_mq_max_message_size(&v, as<pipc_mq>(h)); }},
        {"pipc_mq_current_messages",
         [](void *h) { int64_t v; return pipc_mq_current_messages(&v, as<pipc_mq>(h)); }},
        {"pipc_mq_fd", [](void *h) { int fd; return pipc_mq_fd(&fd, as<pipc_mq>(h)); }},
        {"pipc_mq_notify_signal",
         [](void *h) { return pipc_mq_notify_signal(as<pipc_mq>(h), SIGWINCH); }},
        {"pipc_mq_notify_callback",
         [](void *h) { return pipc_mq_notify_callback(as<pipc_mq>(h), ignore, nullptr); }},
        {"pipc_mq_notify_cancel", [](void *h) { return pipc_mq_notify_cancel(as<pipc_mq>(h)); }},
        {"pipc_mq_name",
         [](void *h) { return name_status(pipc_mq_name(as<pipc_mq>(h))); }, false},
        {"pipc_mq_created", [](void *h) { return pipc_mq_created(as<pipc_mq>(h)); }},
        {"pipc_mq_unlink", [](void *h) { return pipc_mq_unlink(as<pipc_mq>(h)); }},
    },
};

const family sysv_sem_family{
    "System V semaphore",
    [] { return open_keyed(pipc_sysv_sem_open, pipc_sysv_sem_options PIPC_SYSV_SEM_OPTIONS_INIT); },
    [](void *h) {
      pipc_sysv_sem_remove(as<pipc_sysv_sem>(h));
      pipc_sysv_sem_close(as<pipc_sysv_sem>(h));
    },
    {
        {"pipc_sysv_sem_close", [](void *h) { return pipc_sysv_sem_close(as<pipc_sysv_sem>(h)); }},
        {"pipc_sysv_sem_dup",
         [](void *h) { pipc_sysv_sem *d; return pipc_sysv_sem_dup(&d, as<pipc_sysv_sem>(h)); }},
        {"pipc_sysv_sem_acquire",
         [](void *h) { return pipc_sysv_sem_acquire(as<pipc_sysv_sem>(h), 1, 0); }},
        {"pipc_sysv_sem_release",
         [](void *h) { return pipc_sysv_sem_release(as<pipc_sysv_sem>(h), 1); }},
        {"pipc_sysv_sem_wait_zero",
         [](void *h) { return pipc_sysv_sem_wait_zero(as<pipc_sysv_sem>(h), 0); }},
        {"pipc_sysv_sem_undo",
         [](void *h) { int u; return pipc_sysv_sem_undo(&u, as<pipc_sysv_sem>(h)); }},
        {"pipc_sysv_sem_set_undo",
         [](void *h) { return pipc_sysv_sem_set_undo(as<pipc_sysv_sem>(h), 1); }},
        {"pipc_sysv_sem_blocking",
         [](void *h) { int b; return pipc_sysv_sem_blocking(&b, as<pipc_sysv_sem>(h)); }},
        {"pipc_sysv_sem_set_blocking",
         [](void *h) { return pipc_sysv_sem_set_blocking(as<pipc_sysv_sem>(h), 1); }},
        {"pipc_sysv_sem_value",
         [](void *h) { int v; return pipc_sysv_sem_value(&v, as<pipc_sysv_sem>(h)); }},
        {"pipc_sysv_sem_set_value",
         [](void *h) { return pipc_sysv_sem_set_value(as<pipc_sysv_sem>(h), 1); }},
        {"pipc_sysv_sem_stat_get",
         [](void *h) {
           pipc_sysv_sem_stat st;
           return pipc_sysv_sem_stat_get(&st, as<pipc_sysv_sem>(h));
         }},
        {"pipc_sysv_sem_set_perm",
         [](void *h) {
           return pipc_sysv_sem_set_perm(as<pipc_sysv_sem>(h), PIPC_SYSV_KEEP, PIPC_SYSV_KEEP,
                                         0600);
         }},
        {"pipc_sysv_sem_id", [](void *h) { return pipc_sysv_sem_id(as<pipc_sysv_sem>(h)); }},
        {"pipc_sysv_sem_key",
         [](void *h) { int64_t k; return pipc_sysv_sem_key(&k, as<pipc_sysv_sem>(h)); }},
        {"pipc_sysv_sem_created",
         [](void *h) { return pipc_sysv_sem_created(as<pipc_sysv_sem>(h)); }},
        {"pipc_sysv_sem_remove",
         [](void *h) { return pipc_sysv_sem_remove(as<pipc_sysv_sem>(h)); }},
    },
};

const family sysv_shm_family{
    "System V shared memory",
    [] { return open_keyed(pipc_sysv_shm_open, pipc_sysv_shm_options PIPC_SYSV_SHM_OPTIONS_INIT); },
    [](void *h) {
      pipc_sysv_shm_remove(as<pipc_sysv_shm>(h));
      pipc_sysv_shm_close(as<pipc_sysv_shm>(h));
    },
    {
        {"pipc_sysv_shm_close", [](void *h) { return pipc_sysv_shm_close(as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_dup",
         [](void *h) { pipc_sysv_shm *d; return pipc_sysv_shm_dup(&d, as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_attach",
         [](void *h) { return pipc_sysv_shm_attach(as<pipc_sysv_shm>(h), nullptr, 0); }},
        {"pipc_sysv_shm_detach",
         [](void *h) { return pipc_sysv_shm_detach(as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_attached",
         [](void *h) { return pipc_sysv_shm_attached(as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_read_only",
         [](void *h) { return pipc_sysv_shm_read_only(as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_address",
         [](void *h) { void *a; return pipc_sysv_shm_address(&a, as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_read",
         [](void *h) { return pipc_sysv_shm_read(as<pipc_sysv_shm>(h), 0, buffer, 8); }},
        {"pipc_sysv_shm_write",
         [](void *h) { return pipc_sysv_shm_write(as<pipc_sysv_shm>(h), 0, buffer, 8); }},
        {"pipc_sysv_shm_size",
         [](void *h) { uint64_t n; return pipc_sysv_shm_size(&n, as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_stat_get",
         [](void *h) {
           pipc_sysv_shm_stat st;
           return pipc_sysv_shm_stat_get(&st, as<pipc_sysv_shm>(h));
         }},
        {"pipc_sysv_shm_set_perm",
         [](void *h) {
           return pipc_sysv_shm_set_perm(as<pipc_sysv_shm>(h), PIPC_SYSV_KEEP, PIPC_SYSV_KEEP,
                                         0600);
         }},
        {"pipc_sysv_shm_id", [](void *h) { return pipc_sysv_shm_id(as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_key",
         [](void *h) { int64_t k; return pipc_sysv_shm_key(&k, as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_created",
         [](void *h) { return pipc_sysv_shm_created(as<pipc_sysv_shm>(h)); }},
        {"pipc_sysv_shm_remove",
         [](void *h) { return pipc_sysv_shm_remove(as<pipc_sysv_shm>(h)); }},
    },
};

const family sysv_mq_family{
    "System V message queue",
    [] { return open_keyed(pipc_sysv_mq_open, pipc_sysv_mq_options PIPC_SYSV_MQ_OPTIONS_INIT); },
    [](void *h) {
      pipc_sysv_mq_remove(as<pipc_sysv_mq>(h));
      pipc_sysv_mq_close(as<pipc_sysv_mq>(h));
    },
    {
        {"pipc_sysv_mq_close", [](void *h) { return pipc_sysv_mq_close(as<pipc_sysv_mq>(h)); }},
        {"pipc_sysv_mq_dup",
         [](void *h) { pipc_sysv_mq *d; return pipc_sysv_mq_dup(&d, as<pipc_sysv_mq>(h)); }},
        {"pipc_sysv_mq_send",
         [](void *h) { return pipc_sysv_mq_send(as<pipc_sysv_mq>(h), "x", 1, 1, 0); }},
        {"pipc_sysv_mq_receive",
         [](void *h) {
           size_t n;
           return pipc_sysv_mq_receive(&n, nullptr, as<pipc_sysv_mq>(h), buffer, sizeof buffer,
                                       0, 0, 0);
         }},
        {"pipc_sysv_mq_current_messages",
         [](void *h) { uint64_t v; return pipc_sysv_mq_current_messages(&v, as<pipc_sysv_mq>(h)); }},
        {"pipc_sysv_mq_max_bytes",
         [](void *h) { uint64_t v; return pipc_sysv_mq_max_bytes(&v, as<pipc_sysv_mq>(h)); }},
        {"pipc_sysv_mq_set_max_bytes",
         [](void *h) { return pipc_sysv_mq_set_max_bytes(as<pipc_sysv_mq>(h), 1024); }},
        {"pipc_sysv_mq_stat_get",
         [](void *h) {
           pipc_sysv_mq_stat st;
           return pipc_sysv_mq_stat_get(&st, as<pipc_sysv_mq>(h));
         }},
        {"pipc_sysv_mq_set_perm",
         [](void *h) {
           return pipc_sysv_mq_set_perm(as<pipc_sysv_mq>(h), PIPC_SYSV_KEEP, PIPC_SYSV_KEEP,
                                        0600);
         }},
        {"pipc_sysv_mq_id", [](void *h) { return pipc_sysv_mq_id(as<pipc_sysv_mq>(h)); }},
        {"pipc_sysv_mq_key",
         [](void *h) { int64_t k; return pipc_sysv_mq_key(&k, as<pipc_sysv_mq>(h)); }},
        {"pipc_sysv_mq_created",
         [](void *h) { return pipc_sysv_mq_created(as<pipc_sysv_mq>(h)); }},
        {"pipc_sysv_mq_remove",
         [](void *h) { return pipc_sysv_mq_remove(as<pipc_sysv_mq>(h)); }},
    },
};

// A walk's snapshot is of System V semaphores only: cheap, and found on every system.
const family objects_family{
    "inventory walk",
    [] {
      pipc_objects *w = nullptr;
      return pipc_objects_open(&w, PIPC_KIND_SYSV_SEM, 0) == PIPC_OK ? static_cast<void *>(w)
                                                                      : nullptr;
    },
    [](void *h) { pipc_objects_close(as<pipc_objects>(h)); },
    {
        {"pipc_objects_close", [](void *h) { return pipc_objects_close(as<pipc_objects>(h)); }},
        {"pipc_objects_next",
         [](void *h) { const pipc_object *o; return pipc_objects_next(&o, as<pipc_objects>(h)); }},
        {"pipc_objects_holder",
         [](void *h) {
           const pipc_holder *holder;
           const int rc = pipc_objects_holder(&holder, as<pipc_objects>(h), 0);
           return rc == PIPC_ERANGE ? PIPC_OK : rc;  // an open walk's object has no holders
         }},
        {"pipc_objects_unseen",
         [](void *h) { uint32_t n; return pipc_objects_unseen(&n, as<pipc_objects>(h)); }},
    },
};

const family mutex_family{
    "robust mutex",
    [] { return open_named(pipc_mutex_open, pipc_mutex_options PIPC_MUTEX_OPTIONS_INIT); },
    [](void *h) {
      pipc_mutex_unlink(as<pipc_mutex>(h));
      pipc_mutex_close(as<pipc_mutex>(h));
    },
    {
        {"pipc_mutex_close", [](void *h) { return pipc_mutex_close(as<pipc_mutex>(h)); }},
        {"pipc_mutex_dup",
         [](void *h) { pipc_mutex *d; return pipc_mutex_dup(&d, as<pipc_mutex>(h)); }},
        {"pipc_mutex_lock", [](void *h) { return pipc_mutex_lock(as<pipc_mutex>(h), 0); }},
        {"pipc_mutex_unlock", [](void *h) { return pipc_mutex_unlock(as<pipc_mutex>(h)); }},
        {"pipc_mutex_consistent",
         [](void *h) { return pipc_mutex_consistent(as<pipc_mutex>(h)); }},
        {"pipc_mutex_name",
         [](void *h) { return name_status(pipc_mutex_name(as<pipc_mutex>(h))); }, false},
        {"pipc_mutex_created", [](void *h) { return pipc_mutex_created(as<pipc_mutex>(h)); }},
        {"pipc_mutex_unlink", [](void *h) { return pipc_mutex_unlink(as<pipc_mutex>(h)); }},
    },
};

// The open mutex that the condition variable calls use (its name unlinked at once).
pipc_mutex *cond_wait_mutex() {
  static pipc_mutex *const m = [] {
    pipc_mutex *opened = nullptr;
    if (pipc_mutex_open(&opened, nullptr, nullptr) == PIPC_OK) pipc_mutex_unlink(opened);
    return opened;
  }();
  return m;
}

const family cond_family{
    "condition variable",
    [] { return open_named(pipc_cond_open, pipc_cond_options PIPC_COND_OPTIONS_INIT); },
    [](void *h) {
      pipc_cond_unlink(as<pipc_cond>(h));
      pipc_cond_close(as<pipc_cond>(h));
    },
    {
        {"pipc_cond_close", [](void *h) { return pipc_cond_close(as<pipc_cond>(h)); }},
        {"pipc_cond_dup",
         [](void *h) { pipc_cond *d; return pipc_cond_dup(&d, as<pipc_cond>(h)); }},
        {"pipc_cond_wait",  // with the mutex not held: PIPC_EACCES on an open handle
         [](void *h) { return pipc_cond_wait(as<pipc_cond>(h), cond_wait_mutex(), 0); }},
        {"pipc_cond_signal", [](void *h) { return pipc_cond_signal(as<pipc_cond>(h)); }},
        {"pipc_cond_broadcast", [](void *h) { return pipc_cond_broadcast(as<pipc_cond>(h)); }},
        {"pipc_cond_name",
         [](void *h) { return name_status(pipc_cond_name(as<pipc_cond>(h))); }, false},
        {"pipc_cond_created", [](void *h) { return pipc_cond_created(as<pipc_cond>(h)); }},
        {"pipc_cond_unlink", [](void *h) { return pipc_cond_unlink(as<pipc_cond>(h)); }},
    },
};

pipc_channel *as_channel(void *h) { return as<pipc_channel>(h); }

const family channel_family{
    "channel",
    [] { return open_named(pipc_channel_open, pipc_channel_options PIPC_CHANNEL_OPTIONS_INIT); },
    [](void *h) {
      pipc_channel_unlink(as_channel(h));
      pipc_channel_close(as_channel(h));
    },
    {
        {"pipc_channel_close", [](void *h) { return pipc_channel_close(as_channel(h)); }},
        {"pipc_channel_dup",
         [](void *h) { pipc_channel *d; return pipc_channel_dup(&d, as_channel(h)); }},
        {"pipc_channel_send", [](void *h) { return pipc_channel_send(as_channel(h), "x", 1, 0); }},
        {"pipc_channel_receive",
         [](void *h) {
           char buf[8];
           size_t len;
           return pipc_channel_receive(&len, as_channel(h), buf, sizeof buf, 0);
         }},
        {"pipc_channel_reserve",
         [](void *h) { void *slot; return pipc_channel_reserve(&slot, as_channel(h), 0); }},
        {"pipc_channel_commit", [](void *h) { return pipc_channel_commit(as_channel(h), 0); }},
        {"pipc_channel_cancel", [](void *h) { return pipc_channel_cancel(as_channel(h)); }},
        {"pipc_channel_peek",
         [](void *h) {
           const void *data;
           size_t len;
           return pipc_channel_peek(&data, &len, as_channel(h), 0);
         }},
        {"pipc_channel_release", [](void *h) { return pipc_channel_release(as_channel(h)); }},
        {"pipc_channel_attributes_get",
         [](void *h) {
           pipc_channel_attributes a;
           return pipc_channel_attributes_get(&a, as_channel(h));
         }},
        {"pipc_channel_set_spin", [](void *h) { return pipc_channel_set_spin(as_channel(h), 0); }},
        {"pipc_channel_name",
         [](void *h) { return name_status(pipc_channel_name(as_channel(h))); }, false},
        {"pipc_channel_created", [](void *h) { return pipc_channel_created(as_channel(h)); }},
        {"pipc_channel_unlink", [](void *h) { return pipc_channel_unlink(as_channel(h)); }},
    },
};

const family *const families[] = {&sem_family,      &shm_family,      &mq_family,
                                  &sysv_sem_family, &sysv_shm_family, &sysv_mq_family,
                                  &objects_family,  &mutex_family,    &cond_family,
                                  &channel_family};

// A fresh object's handle, destroyed (if still open) when the test ends.
struct live {
  const family &f;
  void *h;
  explicit live(const family &fam) : f(fam), h(f.open()) {}
  live(const live &) = delete;
  live &operator=(const live &) = delete;
  ~live() {
    if (h != nullptr) f.destroy(h);
  }
};

// A handle that was open and is closed now; its object is gone too.
void *closed_handle(const family &f) {
  void *h = f.open();
  if (h != nullptr) f.destroy(h);
  return h;
}

// The call of F's function whose name ends in SUFFIX.
int (*find(const family &f, const std::string &suffix))(void *) {
  for (const handle_function &fn : f.functions) {
    const std::string name = fn.name;
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return fn.call;
    }
  }
  ADD_FAILURE() << f.name << " has no function ending in " << suffix;
  return [](void *) -> int { return PIPC_ERROR; };
}

// Whether a racing caller may call FN again and again while the handle is open:
// not the ones that end the object or the handle's descriptor, nor map (each call
// would add a mapping).
bool repeatable(const std::string &fn) {
  for (const char *part : {"close", "dup", "unlink", "remove", "_map"}) {
    if (fn.find(part) != std::string::npos) return false;
  }
  return true;
}

// Every function of F, given BAD, refuses it as no handle of its family.
void expect_refused_everywhere(const family &f, void *bad) {
  for (const handle_function &fn : f.functions) {
    pipc_last_errno();
    EXPECT_EQ(fn.call(bad), PIPC_EBADHANDLE) << fn.name;
    if (fn.sets_detail) {
      EXPECT_EQ(pipc_last_errno(), EBADF) << fn.name;
      EXPECT_TRUE(message_mentions(fn.name));
    }
  }
}

TEST(ClosedHandle, EveryFunctionRefusesAClosedHandleASecondCloseIncluded) {
  for (const family *f : families) {
    SCOPED_TRACE(f->name);
    void *h = closed_handle(*f);
    ASSERT_NE(h, nullptr) << pipc_last_message();
    expect_refused_everywhere(*f, h);
  }
}

// Later opens reuse the slot of a closed handle: the old handle must stay refused
// while the new ones work, through many generations of the same slot.
TEST(ClosedHandle, StaysRefusedAfterLaterOpensReuseWhatItPointedTo) {
  for (const family *f : families) {
    SCOPED_TRACE(f->name);
    std::vector<void *> old;
    for (int round = 0; round < 200; ++round) {
      void *h = closed_handle(*f);
      ASSERT_NE(h, nullptr) << pipc_last_message();
      old.push_back(h);
    }
    for (const family *other : families) {
      live fresh(*other);
      ASSERT_NE(fresh.h, nullptr) << pipc_last_message();
      for (void *h : old) ASSERT_NE(h, fresh.h) << "a handle number came back";
      for (void *h : {old.front(), old.back()}) expect_refused_everywhere(*f, h);
    }
  }
}

// Values that never were handles of the family: junk numbers, addresses of memory
// that is not a handle, and open handles of the other families.
TEST(ForeignHandle, EveryFunctionRefusesValuesThatAreNotItsHandles) {
  int on_stack = 0;
  std::unique_ptr<unsigned char[]> heap(new unsigned char[256]);
  std::memset(heap.get(), 0xff, 256);
  std::vector<void *> junk = {reinterpret_cast<void *>(uintptr_t{1}),
                              reinterpret_cast<void *>(uintptr_t{0xdeadbeef}),
                              reinterpret_cast<void *>(UINTPTR_MAX),
                              reinterpret_cast<void *>(uintptr_t{0} - 4096),
                              reinterpret_cast<void *>(uintptr_t{1} << 63),
                              &on_stack,
                              heap.get(),
                              buffer};
  std::vector<std::unique_ptr<live>> others;
  for (const family *f : families) {
    others.push_back(std::make_unique<live>(*f));
    ASSERT_NE(others.back()->h, nullptr) << pipc_last_message();
  }
  for (const family *f : families) {
    SCOPED_TRACE(f->name);
    for (void *bad : junk) expect_refused_everywhere(*f, bad);
    for (const auto &other : others) {
      if (&other->f != f) expect_refused_everywhere(*f, other->h);
    }
  }
  // The handles passed as foreign ones are still open and untouched.
  for (const auto &other : others) {
    SCOPED_TRACE(other->f.name);
    if (&other->f == &objects_family) {
      EXPECT_EQ(find(other->f, "unseen")(other->h), PIPC_OK);
    } else {
      EXPECT_EQ(find(other->f, "created")(other->h), 1);
    }
  }
}

// Threads call functions on a handle while another closes it: each call either
// completes or gets PIPC_EBADHANDLE (ASan reports any use of freed memory).
TEST(ClosedHandle, CallsRacingACloseCompleteOrAreRefused) {
  for (const family *f : families) {
    SCOPED_TRACE(f->name);
    for (int round = 0; round < 20; ++round) {
      live object(*f);
      ASSERT_NE(object.h, nullptr) << pipc_last_message();
      void *h = object.h;
      std::atomic<bool> closing{false};
      std::atomic<int> refused_while_open{0};
      std::atomic<int> started{0};
      std::vector<std::thread> callers;
      for (int t = 0; t < 3; ++t) {
        callers.emplace_back([&] {
          ++started;
          bool refused = false;
          while (!refused) {
            for (const handle_function &fn : f->functions) {
              if (!repeatable(fn.name)) continue;
              if (fn.call(h) == PIPC_EBADHANDLE) {
                refused = true;
                if (!closing) ++refused_while_open;  // refused before close began
              }
            }
          }
        });
      }
      while (started < 3) std::this_thread::yield();
      object.h = nullptr;
      closing = true;
      f->destroy(h);
      for (std::thread &caller : callers) caller.join();
      EXPECT_EQ(refused_while_open, 0);
      expect_refused_everywhere(*f, h);
    }
  }
}

// Handle numbers (handle_table.hpp) hold their slot's index in the low 24 bits.
// The first 65536 slots are static, and the semaphore hot paths look only there,
// leaving every other handle to their slow paths.
constexpr uintptr_t index_mask = (uintptr_t{1} << 24) - 1;
constexpr uintptr_t static_slots = uintptr_t{1} << 16;

uintptr_t slot_index(const void *h) { return reinterpret_cast<uintptr_t>(h) & index_mask; }

// Semaphore A's handles fill the static slots; semaphore B gets a handle in the
// first slot beyond them. Calls with it must act on B (a look-up that ignored the
// index's high bits would find one of A's), and numbers that differ from open
// handles only in their index's high bits are refused.
TEST(HandleTable, HandlesBeyondTheStaticSlotsWorkAndTheirLookAlikesAreRefused) {
  live a(sem_family), b(sem_family);
  ASSERT_NE(a.h, nullptr) << pipc_last_message();
  ASSERT_NE(b.h, nullptr) << pipc_last_message();
  std::vector<pipc_sem *> dups;
  struct close_all {
    std::vector<pipc_sem *> &dups;
    ~close_all() {
      for (pipc_sem *d : dups) pipc_sem_close(d);
    }
  } closer{dups};
  while (dups.empty() || slot_index(dups.back()) < static_slots) {
    ASSERT_LT(dups.size(), 2 * static_slots) << "no handle beyond the static slots";
    pipc_sem *d = nullptr;
    ASSERT_EQ(pipc_sem_dup(&d, as<pipc_sem>(a.h)), PIPC_OK) << pipc_last_message();
    dups.push_back(d);
  }
  // The slot beyond goes to B: a closed slot is the next one reused.
  const uintptr_t beyond_index = slot_index(dups.back());
  ASSERT_EQ(pipc_sem_close(dups.back()), PIPC_OK);
  dups.pop_back();
  pipc_sem *beyond = nullptr;
  ASSERT_EQ(pipc_sem_dup(&beyond, as<pipc_sem>(b.h)), PIPC_OK) << pipc_last_message();
  dups.push_back(beyond);
  ASSERT_EQ(slot_index(beyond), beyond_index);
  pipc_sem *const a_static = dups[dups.size() - 2];
  ASSERT_LT(slot_index(a_static), static_slots);

  int a_value = -1, b_value = -1;
  EXPECT_EQ(pipc_sem_release(beyond), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sem_value(&a_value, as<pipc_sem>(a.h)), PIPC_OK);
  EXPECT_EQ(pipc_sem_value(&b_value, as<pipc_sem>(b.h)), PIPC_OK);
  EXPECT_EQ(a_value, 0);
  EXPECT_EQ(b_value, 1);
  EXPECT_EQ(pipc_sem_acquire(beyond, PIPC_FOREVER), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sem_acquire(beyond, 0), PIPC_EAGAIN);
  EXPECT_EQ(pipc_sem_acquire(beyond, 1000000), PIPC_ETIMEDOUT);

  // B's handle with its index cut to the static slots (where A's handles are, of
  // an older generation), and one of A's moved past every slot used so far.
  const uintptr_t n = reinterpret_cast<uintptr_t>(beyond);
  void *const cut = reinterpret_cast<void *>((n & ~index_mask) | (n & (static_slots - 1)));
  void *const moved = reinterpret_cast<void *>(reinterpret_cast<uintptr_t>(a_static) +
                                               static_slots);
  ASSERT_GT(slot_index(moved), beyond_index);
  expect_refused_everywhere(sem_family, cut);
  expect_refused_everywhere(sem_family, moved);

  ASSERT_EQ(pipc_sem_close(beyond), PIPC_OK);
  dups.pop_back();
  expect_refused_everywhere(sem_family, beyond);
  EXPECT_EQ(pipc_sem_release(a_static), PIPC_OK) << "the look-alikes changed nothing";
  EXPECT_EQ(pipc_sem_acquire(a_static, 0), PIPC_OK);
}

}  // namespace
