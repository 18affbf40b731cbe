// pipc(1): create — a new object of any kind, for scripts.
#include "args.hpp"
#include "cli.hpp"

#include <pipc/errors.h>
#include <pipc/inventory.h>
#include <pipc/mq.h>
#include <pipc/sem.h>
#include <pipc/shm.h>
#include <pipc/sysv.h>

#include <cinttypes>
#include <cstdio>

namespace cli {

namespace {

void refuse(const Parsed &p, const char *option, const char *kind) {
  if (p.has(option)) throw UsageError{std::string("--") + option + " does not apply to " + kind};
}

int create_posix(uint32_t kind, const Parsed &p, const char *name, uint32_t flags, uint32_t mode) {
  std::string made;
  int rc = PIPC_OK;
  if (kind == PIPC_KIND_SEM) {
    pipc_sem_options o = PIPC_SEM_OPTIONS_INIT;
    o.flags = flags;
    o.mode = mode;
    o.initial_value = p.has("value") ? (uint32_t)parse_unsigned(p.get("value"), "--value") : 0u;
    pipc_sem *h = nullptr;
    if ((rc = pipc_sem_open(&h, name, &o)) == PIPC_OK) made = pipc_sem_name(h);
    pipc_sem_close(h);
  } else if (kind == PIPC_KIND_SHM) {
    pipc_shm_options o = PIPC_SHM_OPTIONS_INIT;
    o.flags = flags;
    o.mode = mode;
    o.size = p.has("size") ? parse_unsigned(p.get("size"), "--size") : 0u;
    pipc_shm *h = nullptr;
    if ((rc = pipc_shm_open(&h, name, &o)) == PIPC_OK) made = pipc_shm_name(h);
    pipc_shm_close(h);
  } else {
    pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
    o.flags = flags;
    o.mode = mode;
    if (p.has("max-messages")) o.max_messages = (int64_t)parse_unsigned(p.get("max-messages"), "--max-messages");
    if (p.has("max-message-size"))
      o.max_message_size = (int64_t)parse_unsigned(p.get("max-message-size"), "--max-message-size");
    pipc_mq *h = nullptr;
    if ((rc = pipc_mq_open(&h, name, &o)) == PIPC_OK) made = pipc_mq_name(h);
    pipc_mq_close(h);
  }
  if (rc != PIPC_OK) return fail("create", rc);
  printf("%s\n", made.c_str());
  return kExitOk;
}

// Opens (creating) a System V object of one family with OPTS, then prints its key and id.
template <typename Handle, typename Options>
int open_sysv(int (*open)(Handle **, int64_t, const Options *), int (*id_of)(Handle *),
              int (*key_of)(int64_t *, Handle *), int (*close)(Handle *), int64_t key,
              const Options &opts) {
  Handle *h = nullptr;
  int rc = open(&h, key, &opts);
  int id = PIPC_EINVAL;
  int64_t made_key = key;
  if (rc == PIPC_OK) {
    id = id_of(h);
    key_of(&made_key, h);
  }
  close(h);
  if (rc != PIPC_OK) return fail("create", rc);
  printf("0x%08" PRIx32 " %d\n", (uint32_t)made_key, id);
  return kExitOk;
}

int create_sysv(uint32_t kind, const Parsed &p, int64_t key, uint32_t flags, uint32_t mode) {
  if (kind == PIPC_KIND_SYSV_SEM) {
    pipc_sysv_sem_options o = PIPC_SYSV_SEM_OPTIONS_INIT;
    o.flags = flags;
    o.mode = mode;
    o.initial_value = p.has("value") ? (uint32_t)parse_unsigned(p.get("value"), "--value") : 0u;
    return open_sysv(pipc_sysv_sem_open, pipc_sysv_sem_id, pipc_sysv_sem_key, pipc_sysv_sem_close, key, o);
  }
  if (kind == PIPC_KIND_SYSV_SHM) {
    pipc_sysv_shm_options o = PIPC_SYSV_SHM_OPTIONS_INIT;
    o.flags = flags;
    o.mode = mode;
    o.size = p.has("size") ? parse_unsigned(p.get("size"), "--size") : 0u;
    return open_sysv(pipc_sysv_shm_open, pipc_sysv_shm_id, pipc_sysv_shm_key, pipc_sysv_shm_close, key, o);
  }
  pipc_sysv_mq_options o = PIPC_SYSV_MQ_OPTIONS_INIT;
  o.flags = flags;
  o.mode = mode;
  o.max_bytes = p.has("max-bytes") ? parse_unsigned(p.get("max-bytes"), "--max-bytes") : 0u;
  return open_sysv(pipc_sysv_mq_open, pipc_sysv_mq_id, pipc_sysv_mq_key, pipc_sysv_mq_close, key, o);
}

} // namespace

int verb_create(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"key", true, 0}, {"size", true, 0}, {"value", true, 0},
                                     {"max-messages", true, 0}, {"max-message-size", true, 0},
                                     {"max-bytes", true, 0}, {"mode", true, 'm'},
                                     {"exclusive", false, 'x'}});
  if (p.operands.empty()) throw UsageError{"missing KIND"};
  uint32_t kind = parse_kinds(p.operands[0]);
  if (kind & (kind - 1)) throw UsageError{"create takes one kind, not '" + p.operands[0] + "'"};
  p.operands.erase(p.operands.begin());
  const char *label = kind_label(kind);
  uint32_t flags = PIPC_CREAT | (p.has("exclusive") ? PIPC_EXCL : 0u);
  uint32_t mode = p.has("mode") ? parse_mode(p.get("mode")) : PIPC_DEFAULT_MODE;
  if (!(kind & (PIPC_KIND_SHM | PIPC_KIND_SYSV_SHM))) refuse(p, "size", label);
  if (!(kind & (PIPC_KIND_SEM | PIPC_KIND_SYSV_SEM))) refuse(p, "value", label);
  if (kind != PIPC_KIND_MQ) refuse(p, "max-messages", label), refuse(p, "max-message-size", label);
  if (kind != PIPC_KIND_SYSV_MQ) refuse(p, "max-bytes", label);
  if (kind & PIPC_KIND_SYSV) {
    if (!p.operands.empty()) throw UsageError{"System V objects are made by --key K, not by name"};
    int64_t key = PIPC_KEY_RANDOM;
    if (p.has("key") && p.get("key") != "random") {
      Target t = take_target(p);
      key = t.key;
    }
    return create_sysv(kind, p, key, flags, mode);
  }
  if (p.has("key")) throw UsageError{"POSIX objects have names, not keys"};
  const char *name = nullptr; // none: a random name, printed
  std::string named;
  if (!p.operands.empty()) {
    named = take_target(p).name;
    name = named.c_str();
  }
  if (!p.operands.empty()) throw UsageError{"unexpected operand '" + p.operands[0] + "'"};
  return create_posix(kind, p, name, flags, mode);
}

} // namespace cli
