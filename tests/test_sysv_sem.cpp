// System V semaphores: open / create / exclusive by key, by id, IPC_PRIVATE and
// random keys, the initial value and the otime initialisation pattern, counting
// by delta, wait-for-zero, SEM_UNDO across killed processes, non-blocking mode,
// timeouts, signals, removal under waiters, stat and permissions, and the status
// of every call for bad input.
//
// What a call did is checked through the kernel (semget, semctl) where it can be,
// not only through pipc itself.
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"
#include "sysv_support.hpp"

namespace {

using pipc_test::become_nobody;
using pipc_test::count_signal;
using pipc_test::margin;
using pipc_test::message_mentions;
using pipc_test::ms;
using pipc_test::nobody;
using pipc_test::not_null;
using pipc_test::now_ns;
using pipc_test::s;
using pipc_test::scope_exit;
using pipc_test::signal_pipe;
using pipc_test::signals_caught;
using pipc_test::spawn;
using pipc_test::unique_key;
using pipc_test::usr1_handler;
using pipc_test::wait_child;
using pipc_test::wait_until_blocked;

const int value_max = static_cast<int>(pipc_sysv_sem_value_max());

// ---- Sets as the kernel sees them ------------------------------------------------

union semun_arg {
  int val;
  semid_ds *buf;
};

// The id of the set with KEY, or -1 (errno ENOENT) if there is none.
int id_of_key(int64_t key) { return semget(static_cast<key_t>(key), 0, 0); }

bool key_exists(int64_t key) { return id_of_key(key) >= 0; }

int raw_value(int id) { return semctl(id, 0, GETVAL); }

semid_ds raw_stat(int id) {
  semid_ds ds{};
  semun_arg arg{};
  arg.buf = &ds;
  EXPECT_EQ(semctl(id, 0, IPC_STAT, arg), 0) << "id " << id << ": " << strerror(errno);
  return ds;
}

// Mode and otime of the set ID as /proc/sysvipc/sem shows them to anyone: IPC_STAT
// needs read permission, which a mode such as 0 denies even the owner.
struct proc_entry {
  bool found = false;
  unsigned mode = 0;
  long long otime = 0;
};

proc_entry proc_entry_of(int id) {
  std::ifstream in("/proc/sysvipc/sem");
  std::string line;
  std::getline(in, line);  // key semid perms nsems uid gid cuid cgid otime ctime
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    long long key = 0, semid = 0, nsems = 0, uid = 0, gid = 0, cuid = 0, cgid = 0;
    proc_entry e;
    fields >> key >> semid >> std::oct >> e.mode >> std::dec >> nsems >> uid >> gid >> cuid >>
        cgid >> e.otime;
    if (semid != id) continue;
    e.found = true;
    e.mode &= 0777u;
    return e;
  }
  return {};
}

// Gives the set ID back to this process with mode 0600, so that it can be read.
void own_and_read(int id) {
  semid_ds ds{};
  ds.sem_perm.uid = geteuid();
  ds.sem_perm.gid = getegid();
  ds.sem_perm.mode = 0600;
  semun_arg arg{};
  arg.buf = &ds;
  EXPECT_EQ(semctl(id, 0, IPC_SET, arg), 0) << "id " << id << ": " << strerror(errno);
}

void remove_id(int id) {
  if (id >= 0) semctl(id, 0, IPC_RMID);
}

// ---- Sets made by the tests ------------------------------------------------------

pipc_sysv_sem_options options(uint32_t flags, uint32_t initial = 0,
                              uint32_t mode = PIPC_DEFAULT_MODE) {
  pipc_sysv_sem_options opts = PIPC_SYSV_SEM_OPTIONS_INIT;
  opts.flags = flags;
  opts.initial_value = initial;
  opts.mode = mode;
  return opts;
}

// A handle that is closed, and whose set is removed by id, when the test ends.
struct owned_sem {
  pipc_sysv_sem *sem = nullptr;

  owned_sem() = default;
  owned_sem(const owned_sem &) = delete;
  owned_sem &operator=(const owned_sem &) = delete;
  ~owned_sem() {
    if (sem == nullptr) return;
    remove_id(pipc_sysv_sem_id(sem));
    pipc_sysv_sem_close(sem);
  }
  int open(int64_t key, const pipc_sysv_sem_options &opts) {
    return pipc_sysv_sem_open(&sem, key, &opts);
  }
  int id() const { return pipc_sysv_sem_id(sem); }
};

// A set under a fresh key; whatever has the key (also a set a child made) is
// removed when the test ends.
struct keyed_sem : owned_sem {
  const int64_t key = unique_key();

  ~keyed_sem() { remove_id(id_of_key(key)); }
  int create(uint32_t initial = 0, uint32_t mode = PIPC_DEFAULT_MODE) {
    return open(key, options(PIPC_CREX, initial, mode));
  }
};

// Another handle to an existing set, closed (never removed) when it goes.
struct other_handle {
  pipc_sysv_sem *sem = nullptr;
  int rc;

  explicit other_handle(int64_t key, uint32_t flags = 0, uint32_t initial = 0) {
    const pipc_sysv_sem_options opts = options(flags, initial);
    rc = pipc_sysv_sem_open(&sem, key, &opts);
  }
  other_handle(const other_handle &) = delete;
  other_handle &operator=(const other_handle &) = delete;
  ~other_handle() { pipc_sysv_sem_close(sem); }
};

int value_of(pipc_sysv_sem *sem) {
  int value = -1;
  EXPECT_EQ(pipc_sysv_sem_value(&value, sem), PIPC_OK) << pipc_last_message();
  return value;
}

pipc_sysv_sem_stat stat_of(pipc_sysv_sem *sem) {
  pipc_sysv_sem_stat st{};
  EXPECT_EQ(pipc_sysv_sem_stat_get(&st, sem), PIPC_OK) << pipc_last_message();
  return st;
}

int64_t key_of(pipc_sysv_sem *sem) {
  int64_t key = -1;
  EXPECT_EQ(pipc_sysv_sem_key(&key, sem), PIPC_OK) << pipc_last_message();
  return key;
}

const pipc_test::sysv_family<pipc_sysv_sem, pipc_sysv_sem_options> family{
    "pipc_sysv_sem",      pipc_sysv_sem_open,      pipc_sysv_sem_open_id,
    pipc_sysv_sem_remove, pipc_sysv_sem_close,     pipc_sysv_sem_remove_id,
    pipc_sysv_sem_set_perm};

// ---- Waiting calls ---------------------------------------------------------------

// A semaphore call on a thread of its own. Should a failed test leave it asleep,
// the set RESCUE_ID is removed to wake it before the thread is joined.
class background_call : public pipc_test::background_call {
 public:
  background_call(int rescue_id, std::function<int()> fn)
      : pipc_test::background_call(std::move(fn), [rescue_id] { remove_id(rescue_id); }) {}

  // Whether the call waits: its thread sleeps in ppoll while a helper thread waits
  // in semtimedop for it (see pipc_sysv_sem_acquire).
  bool waits() { return wait_until_blocked(tid(), SYS_ppoll); }
};

// Waits (up to 10 s) until the kernel counts NONZERO waiters for a non-zero value
// and ZERO waiters for zero on set ID: the helpers of waiting calls are queued.
bool queued(int id, int nonzero, int zero) {
  const int64_t give_up = now_ns() + 10 * s;
  while (semctl(id, 0, GETNCNT) != nonzero || semctl(id, 0, GETZCNT) != zero) {
    if (now_ns() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polls the kernel, bounded
  }
  return true;
}

// A child process that opens the set KEY and exits 0 when CALL on its own handle
// returns EXPECTED (else 1..3).
pid_t child_expecting(int64_t key, int expected, const std::function<int(pipc_sysv_sem *)> &call) {
  return spawn([=] {
    other_handle h(key);
    if (h.rc != PIPC_OK) return 2;
    return call(h.sem) == expected ? 0 : 3;
  });
}

// ---- Open ------------------------------------------------------------------------

TEST(SysvSemOpen, ExclusiveCreateMakesANewSetWithItsInitialValue) {
  for (uint32_t initial : {0u, 1u, 5u, static_cast<uint32_t>(value_max)}) {
    SCOPED_TRACE(initial);
    keyed_sem a;
    ASSERT_EQ(a.create(initial), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(pipc_sysv_sem_created(a.sem), 1);
    EXPECT_EQ(key_of(a.sem), a.key);
    ASSERT_GE(a.id(), 0);
    EXPECT_EQ(a.id(), id_of_key(a.key));
    EXPECT_EQ(raw_value(a.id()), static_cast<int>(initial));
    EXPECT_EQ(value_of(a.sem), static_cast<int>(initial));
    const semid_ds ds = raw_stat(a.id());
    EXPECT_EQ(ds.sem_nsems, 1u);
    // The value came by a semop: otime is set, by this process.
    EXPECT_NE(ds.sem_otime, 0);
    EXPECT_EQ(semctl(a.id(), 0, GETPID), getpid());
  }
}

TEST(SysvSemOpen, SetvalGivesTheInitialValueAndLeavesOtimeZero) {
  for (uint32_t initial : {0u, 3u, static_cast<uint32_t>(value_max) - 1}) {
    SCOPED_TRACE(initial);
    keyed_sem a;
    ASSERT_EQ(a.open(a.key, options(PIPC_CREX | PIPC_SYSV_SEM_SETVAL, initial)), PIPC_OK)
        << pipc_last_message();
    EXPECT_EQ(raw_value(a.id()), static_cast<int>(initial));
    EXPECT_EQ(raw_stat(a.id()).sem_otime, 0);  // sysv_ipc's creators make it non-zero
    ASSERT_EQ(pipc_sysv_sem_release(a.sem, 1), PIPC_OK) << pipc_last_message();
    EXPECT_NE(raw_stat(a.id()).sem_otime, 0);
    EXPECT_EQ(value_of(a.sem), static_cast<int>(initial) + 1);
  }
}

TEST(SysvSemOpen, ExclusiveCreateOfAnExistingKeyFailsAndLeavesItIntact) {
  keyed_sem a;
  ASSERT_EQ(a.create(2), PIPC_OK) << pipc_last_message();
  other_handle again(a.key, PIPC_CREX, 9);
  EXPECT_EQ(again.rc, PIPC_EEXIST);
  EXPECT_EQ(again.sem, nullptr);
  EXPECT_EQ(pipc_last_errno(), EEXIST);
  EXPECT_TRUE(message_mentions("pipc_sysv_sem_open"));
  EXPECT_EQ(raw_value(a.id()), 2);
  EXPECT_EQ(a.id(), id_of_key(a.key));
}

TEST(SysvSemOpen, OpeningAnExistingSetNeverChangesItsValue) {
  keyed_sem a;
  ASSERT_EQ(a.create(2), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_sem_acquire(a.sem, 1, 0), PIPC_OK);
  for (uint32_t flags : {0u, PIPC_CREAT}) {
    SCOPED_TRACE(flags);
    other_handle b(a.key, flags, 7);
    ASSERT_EQ(b.rc, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(pipc_sysv_sem_created(b.sem), 0);
    EXPECT_EQ(pipc_sysv_sem_id(b.sem), a.id());
    EXPECT_EQ(value_of(b.sem), 1);
  }
  // Both handles are the same semaphore.
  other_handle b(a.key);
  ASSERT_EQ(pipc_sysv_sem_release(b.sem, 3), PIPC_OK);
  EXPECT_EQ(value_of(a.sem), 4);
}

TEST(SysvSemOpen, OpeningASetMadeByAnotherProgramLeavesItUninitialised) {
  // A creator that has not set the value yet: otime is 0, and stays 0.
  const int64_t key = unique_key();
  const int id = semget(static_cast<key_t>(key), 1, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(id, 0) << strerror(errno);
  scope_exit cleanup([&] { remove_id(id); });
  for (uint32_t flags : {0u, PIPC_CREAT}) {
    other_handle b(key, flags, 7);
    ASSERT_EQ(b.rc, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(pipc_sysv_sem_created(b.sem), 0);
    EXPECT_EQ(value_of(b.sem), 0);
    EXPECT_EQ(stat_of(b.sem).otime, 0);
  }
  EXPECT_EQ(raw_stat(id).sem_otime, 0);
}

TEST(SysvSemOpen, CreatMakesTheSetWhenItIsMissing) {
  keyed_sem a;
  ASSERT_EQ(a.open(a.key, options(PIPC_CREAT, 4)), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_sem_created(a.sem), 1);
  EXPECT_EQ(raw_value(id_of_key(a.key)), 4);
}

TEST(SysvSemOpen, OpeningWithoutCreatNeedsAnExistingSet) {
  const int64_t key = unique_key();
  other_handle missing(key);
  EXPECT_EQ(missing.rc, PIPC_ENOENT);
  EXPECT_EQ(missing.sem, nullptr);
  EXPECT_EQ(pipc_last_errno(), ENOENT);
  EXPECT_TRUE(message_mentions("pipc_sysv_sem_open"));
  EXPECT_FALSE(key_exists(key));
}

TEST(SysvSemOpen, ModeIsThePermissionBitsWhateverTheUmask) {
  const mode_t old_umask = umask(077);
  scope_exit restore([&] { umask(old_umask); });
  // Modes without the owner's rw bits are given after the value is set.
  for (uint32_t mode : {0600u, 0640u, 0666u, 0777u, 0u, 0400u, 0200u, 0044u}) {
    SCOPED_TRACE(testing::Message() << "mode 0" << std::oct << mode);
    keyed_sem a;
    ASSERT_EQ(a.create(3, mode), PIPC_OK) << pipc_last_message();
    const proc_entry e = proc_entry_of(a.id());
    EXPECT_TRUE(e.found);
    EXPECT_EQ(e.mode, mode);
    own_and_read(a.id());
    EXPECT_EQ(raw_value(a.id()), 3);
  }
}

TEST(SysvSemOpen, ACreatorWithoutPrivilegeMayGiveItsSetAModeThatDeniesItself) {
  struct mode_case {
    uint32_t mode;
    uint32_t initial;
  };
  for (const mode_case c : {mode_case{0, 3}, mode_case{0400, 2}, mode_case{0200, 0}}) {
    SCOPED_TRACE(testing::Message() << "mode 0" << std::oct << c.mode);
    const int64_t key = unique_key();
    scope_exit cleanup([&] { remove_id(id_of_key(key)); });
    const pid_t child = spawn([&] {
      // Root would pass every permission check (CAP_IPC_OWNER): become nobody first.
      if (geteuid() == 0 && !become_nobody()) return 1;
      pipc_sysv_sem *sem = nullptr;
      const pipc_sysv_sem_options opts = options(PIPC_CREX, c.initial, c.mode);
      return pipc_sysv_sem_open(&sem, key, &opts) == PIPC_OK ? 0 : 2;
    });
    EXPECT_EQ(wait_child(child), 0);
    const int id = id_of_key(key);
    ASSERT_GE(id, 0);
    const proc_entry e = proc_entry_of(id);
    EXPECT_TRUE(e.found);
    EXPECT_EQ(e.mode, c.mode);
    EXPECT_NE(e.otime, 0);
    own_and_read(id);
    EXPECT_EQ(raw_value(id), static_cast<int>(c.initial));
  }
}

TEST(SysvSemOpen, NullOptionsMeanTheDefaults) {
  keyed_sem a;
  // The default flags do not create.
  EXPECT_EQ(pipc_sysv_sem_open(&a.sem, a.key, nullptr), PIPC_ENOENT);
  ASSERT_EQ(a.create(6, 0640), PIPC_OK) << pipc_last_message();
  pipc_sysv_sem *b = nullptr;
  ASSERT_EQ(pipc_sysv_sem_open(&b, a.key, nullptr), PIPC_OK) << pipc_last_message();
  scope_exit close_b([&] { pipc_sysv_sem_close(b); });
  EXPECT_EQ(value_of(b), 6);
  EXPECT_EQ(pipc_sysv_sem_created(b), 0);

  pipc_sysv_sem *fresh = nullptr;
  ASSERT_EQ(pipc_sysv_sem_open(&fresh, PIPC_IPC_PRIVATE, nullptr), PIPC_OK) << pipc_last_message();
  scope_exit remove_fresh([&] {
    remove_id(pipc_sysv_sem_id(fresh));
    pipc_sysv_sem_close(fresh);
  });
  EXPECT_EQ(value_of(fresh), 0);
  EXPECT_EQ(raw_stat(pipc_sysv_sem_id(fresh)).sem_perm.mode & 0777u, PIPC_DEFAULT_MODE);
}

TEST(SysvSemOpen, OptionsInitGivesTheDefaults) {
  pipc_sysv_sem_options opts;
  opts.version = 99;
  opts.flags = opts.mode = opts.initial_value = 77;
  pipc_sysv_sem_options_init(&opts);
  EXPECT_EQ(opts.version, PIPC_SYSV_OPTIONS_VERSION);
  EXPECT_EQ(opts.flags, 0u);
  EXPECT_EQ(opts.mode, PIPC_DEFAULT_MODE);
  EXPECT_EQ(opts.initial_value, 0u);
  pipc_sysv_sem_options_init(nullptr);  // does nothing
}

// Runs BODY in RACERS child processes that all start at once (when a gate pipe
// closes) and returns their exit codes (1: the gate failed).
std::vector<int> race(int racers, const std::function<int()> &body) {
  int gate[2];
  if (pipe(gate) != 0) return {};
  std::vector<pid_t> children;
  for (int i = 0; i < racers; ++i) {
    children.push_back(spawn([&] {
      close(gate[1]);
      char c;
      return read(gate[0], &c, 1) == 0 ? body() : 1;
    }));
  }
  close(gate[0]);
  close(gate[1]);  // opens the gate
  std::vector<int> codes;
  for (pid_t child : children) codes.push_back(wait_child(child));
  return codes;
}

// Several processes race to create the set with an initial value. One creates
// it; the others open it and wait until otime != 0, after which all see the value.
TEST(SysvSemOpen, OtimeTellsRacingOpenersWhenTheValueIsSet) {
  constexpr int racers = 6;
  constexpr uint32_t initial = 11;
  constexpr int created = 10, opened = 11;
  keyed_sem a;
  int creators = 0, openers = 0;
  for (const int code : race(racers, [&] {
         pipc_sysv_sem *sem = nullptr;
         const pipc_sysv_sem_options crex = options(PIPC_CREX, initial);
         int rc = pipc_sysv_sem_open(&sem, a.key, &crex);
         const bool creator = rc == PIPC_OK;
         if (rc == PIPC_EEXIST) rc = pipc_sysv_sem_open(&sem, a.key, nullptr);
         if (rc != PIPC_OK) return 2;
         pipc_sysv_sem_stat st{};
         const int64_t give_up = now_ns() + 10 * s;
         do {
           if (pipc_sysv_sem_stat_get(&st, sem) != PIPC_OK) return 3;
         } while (st.otime == 0 && now_ns() < give_up && sched_yield() == 0);
         if (st.otime == 0) return 4;
         int value = -1;
         if (pipc_sysv_sem_value(&value, sem) != PIPC_OK || value != static_cast<int>(initial)) {
           return 5;
         }
         return creator ? created : opened;
       })) {
    creators += code == created;
    openers += code == opened;
    EXPECT_TRUE(code == created || code == opened) << "child exit " << code;
  }
  EXPECT_EQ(creators, 1);
  EXPECT_EQ(openers, racers - 1);
  EXPECT_EQ(raw_value(id_of_key(a.key)), static_cast<int>(initial));
}

// Many processes race PIPC_CREAT (not exclusive) on one key, round after round,
// and each that did not create releases once at once. Exactly one creates; the
// value is set once, before any other's operation applies (with SETVAL an opener's
// release that came first would be overwritten); none is lost.
TEST(SysvSemOpen, RacingOpenersNeverGetAnOperationInBeforeTheInitialValue) {
  constexpr int racers = 8, rounds = 30;
  constexpr uint32_t initial = 10;
  for (uint32_t setval : {0u, PIPC_SYSV_SEM_SETVAL}) {
    SCOPED_TRACE(setval ? "SETVAL" : "semop");
    int bad_rounds = 0;
    for (int round = 0; round < rounds; ++round) {
      keyed_sem a;
      int creators = 0, openers = 0;
      for (const int code : race(racers, [&] {
             other_handle mine(a.key, PIPC_CREAT | setval, initial);
             if (mine.rc != PIPC_OK) return 2;
             if (pipc_sysv_sem_created(mine.sem) == 1) return 10;
             return pipc_sysv_sem_release(mine.sem, 1) == PIPC_OK ? 11 : 3;
           })) {
        creators += code == 10;
        openers += code == 11;
      }
      const int value = raw_value(id_of_key(a.key));
      if (creators != 1 || openers != racers - 1 || value != static_cast<int>(initial) + openers) {
        ++bad_rounds;
        ADD_FAILURE() << "round " << round << ": " << creators << " created, " << openers
                      << " released, value " << value;
      }
    }
    EXPECT_EQ(bad_rounds, 0);
  }
}

// A creator that is slow to give its set the value (here 100 ms, as a creator
// preempted between semget and its first operation): an open meanwhile waits for
// the value, so the opener's first operation applies after it.
TEST(SysvSemOpen, AnOpenerWaitsForASlowCreatorsValue) {
  for (bool setval : {false, true}) {
    SCOPED_TRACE(setval ? "SETVAL" : "semop");
    const int64_t key = unique_key();
    const int id = semget(static_cast<key_t>(key), 1, IPC_CREAT | IPC_EXCL | 0600);
    ASSERT_GE(id, 0) << strerror(errno);
    scope_exit cleanup([&] { remove_id(id); });
    std::thread creator([id, setval] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the slowness tested
      if (setval) {
        semctl(id, 0, SETVAL, 10);
      } else {
        sembuf op{0, 10, 0};
        semop(id, &op, 1);
      }
    });
    other_handle b(key);
    const bool opened = b.rc == PIPC_OK;
    // Before the value, a wait for zero would pass and a release be overwritten.
    const int zero = pipc_sysv_sem_wait_zero(b.sem, 0);
    const int released = pipc_sysv_sem_release(b.sem, 1);
    creator.join();
    ASSERT_TRUE(opened) << pipc_last_message();
    EXPECT_EQ(zero, PIPC_EAGAIN);
    EXPECT_EQ(released, PIPC_OK);
    EXPECT_EQ(raw_value(id), 11);
  }
}

// A set another program made and never touched (its last-operation pid is 0) is
// opened as it is: an open waits for a creator only briefly, and only for a set
// made in the last second.
TEST(SysvSemOpen, AnUntouchedSetOfAnotherProgramIsOpenedWithinHalfASecond) {
  const int64_t key = unique_key();
  const int id = semget(static_cast<key_t>(key), 1, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(id, 0) << strerror(errno);
  scope_exit cleanup([&] { remove_id(id); });
  const int64_t start = now_ns();
  other_handle b(key);
  ASSERT_EQ(b.rc, PIPC_OK) << pipc_last_message();
  EXPECT_LT(now_ns() - start, 600 * ms);
  EXPECT_EQ(value_of(b.sem), 0);
}

// ---- Keys and ids ----------------------------------------------------------------

TEST(SysvSemKeys, IpcPrivateAlwaysCreatesANewSet) {
  for (uint32_t flags : {0u, PIPC_CREAT, PIPC_CREX}) {
    SCOPED_TRACE(flags);
    owned_sem a, b;
    ASSERT_EQ(a.open(PIPC_IPC_PRIVATE, options(flags, 2)), PIPC_OK) << pipc_last_message();
    ASSERT_EQ(b.open(PIPC_IPC_PRIVATE, options(flags, 3)), PIPC_OK) << pipc_last_message();
    EXPECT_NE(a.id(), b.id());
    for (const owned_sem *o : {&a, &b}) {
      EXPECT_EQ(pipc_sysv_sem_created(o->sem), 1);
      EXPECT_EQ(key_of(o->sem), PIPC_IPC_PRIVATE);
      EXPECT_EQ(stat_of(o->sem).perm.key, PIPC_IPC_PRIVATE);
    }
    EXPECT_EQ(raw_value(a.id()), 2);
    EXPECT_EQ(raw_value(b.id()), 3);
  }
}

TEST(SysvSemKeys, KeyRandomCreatesASetUnderAFreshKey) {
  for (uint32_t flags : {PIPC_CREAT, PIPC_CREX}) {
    owned_sem a, b;
    ASSERT_EQ(a.open(PIPC_KEY_RANDOM, options(flags, 4)), PIPC_OK) << pipc_last_message();
    ASSERT_EQ(b.open(PIPC_KEY_RANDOM, options(flags, 5)), PIPC_OK) << pipc_last_message();
    const int64_t key = key_of(a.sem);
    EXPECT_NE(key, PIPC_IPC_PRIVATE);
    EXPECT_GE(key, PIPC_SYSV_KEY_MIN);
    EXPECT_LE(key, PIPC_SYSV_KEY_MAX);
    EXPECT_NE(key, key_of(b.sem));
    EXPECT_EQ(pipc_sysv_sem_created(a.sem), 1);
    EXPECT_EQ(id_of_key(key), a.id());
    EXPECT_EQ(stat_of(a.sem).perm.key, key);
    other_handle same(key);
    ASSERT_EQ(same.rc, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(value_of(same.sem), 4);
  }
}

TEST(SysvSemKeys, TheExtremeKeysAreKeys) {
  for (int64_t key : {PIPC_SYSV_KEY_MIN, PIPC_SYSV_KEY_MAX, int64_t{-1}}) {
    SCOPED_TRACE(key);
    owned_sem a;
    const int rc = a.open(key, options(PIPC_CREX, 1));
    if (rc == PIPC_EEXIST) continue;  // someone else's: not ours to touch
    ASSERT_EQ(rc, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(key_of(a.sem), key);
    EXPECT_EQ(id_of_key(key), a.id());
  }
}

TEST(SysvSemId, OpenIdFindsTheSetAndItsKey) {
  keyed_sem a;
  ASSERT_EQ(a.create(3), PIPC_OK) << pipc_last_message();
  pipc_sysv_sem *b = nullptr;
  ASSERT_EQ(pipc_sysv_sem_open_id(&b, a.id()), PIPC_OK) << pipc_last_message();
  scope_exit close_b([&] { pipc_sysv_sem_close(b); });
  EXPECT_EQ(pipc_sysv_sem_id(b), a.id());
  EXPECT_EQ(key_of(b), a.key);
  EXPECT_EQ(pipc_sysv_sem_created(b), 0);
  EXPECT_EQ(value_of(b), 3);
  ASSERT_EQ(pipc_sysv_sem_acquire(b, 2, 0), PIPC_OK);
  EXPECT_EQ(value_of(a.sem), 1);

  owned_sem priv;
  ASSERT_EQ(priv.open(PIPC_IPC_PRIVATE, options(0, 8)), PIPC_OK) << pipc_last_message();
  pipc_sysv_sem *c = nullptr;
  ASSERT_EQ(pipc_sysv_sem_open_id(&c, priv.id()), PIPC_OK) << pipc_last_message();
  scope_exit close_c([&] { pipc_sysv_sem_close(c); });
  EXPECT_EQ(key_of(c), PIPC_IPC_PRIVATE);
  EXPECT_EQ(value_of(c), 8);
}

TEST(SysvSemId, AnUnusedIdIsNoentForOpenIdAndRemoveId) {
  int unused = -1;
  {
    owned_sem gone;
    ASSERT_EQ(gone.open(PIPC_IPC_PRIVATE, options(0)), PIPC_OK) << pipc_last_message();
    unused = gone.id();
  }
  ASSERT_LT(raw_value(unused), 0);
  pipc_sysv_sem *sem = not_null<pipc_sysv_sem>;
  EXPECT_EQ(pipc_sysv_sem_open_id(&sem, unused), PIPC_ENOENT);
  EXPECT_EQ(sem, nullptr);
  EXPECT_TRUE(message_mentions("pipc_sysv_sem_open_id"));
  EXPECT_EQ(pipc_sysv_sem_remove_id(unused), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions("pipc_sysv_sem_remove_id"));
}

// ---- Counting --------------------------------------------------------------------

TEST(SysvSemValue, AcquireAndReleaseCountByDelta) {
  keyed_sem a;
  ASSERT_EQ(a.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_sem_release(a.sem, 5), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(raw_value(a.id()), 5);
  ASSERT_EQ(pipc_sysv_sem_acquire(a.sem, 3, 0), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(raw_value(a.id()), 2);
  EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, 3, 0), PIPC_EAGAIN);  // all or nothing
  EXPECT_EQ(raw_value(a.id()), 2);
  ASSERT_EQ(pipc_sysv_sem_acquire(a.sem, 2, PIPC_FOREVER), PIPC_OK);
  EXPECT_EQ(raw_value(a.id()), 0);
  ASSERT_EQ(pipc_sysv_sem_release(a.sem, static_cast<uint32_t>(value_max)), PIPC_OK);
  EXPECT_EQ(value_of(a.sem), value_max);
  ASSERT_EQ(pipc_sysv_sem_acquire(a.sem, static_cast<uint32_t>(value_max), 0), PIPC_OK);
  EXPECT_EQ(value_of(a.sem), 0);
}

TEST(SysvSemValue, ReleasePastTheMaximumIsOutOfRangeAndChangesNothing) {
  EXPECT_EQ(value_max, 32767);  // SEMVMX
  keyed_sem a;
  ASSERT_EQ(a.create(static_cast<uint32_t>(value_max) - 1), PIPC_OK) << pipc_last_message();
  for (uint32_t delta : {2u, static_cast<uint32_t>(value_max)}) {
    EXPECT_EQ(pipc_sysv_sem_release(a.sem, delta), PIPC_ERANGE) << delta;
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_sem_release"));
    EXPECT_TRUE(message_mentions(std::to_string(value_max)));
    EXPECT_EQ(raw_value(a.id()), value_max - 1);
  }
  EXPECT_EQ(pipc_sysv_sem_release(a.sem, 1), PIPC_OK);
  EXPECT_EQ(raw_value(a.id()), value_max);
}

TEST(SysvSemValue, SetValueSetsAnyValueInRange) {
  keyed_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  for (int64_t value : {int64_t{0}, int64_t{17}, int64_t{value_max}, int64_t{2}}) {
    EXPECT_EQ(pipc_sysv_sem_set_value(a.sem, value), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(raw_value(a.id()), value);
  }
}

TEST(SysvSemValue, WaitZeroReturnsAtOnceWhenTheValueIsZero) {
  keyed_sem a;
  ASSERT_EQ(a.create(0), PIPC_OK) << pipc_last_message();
  for (int64_t timeout : {int64_t{0}, int64_t{1}, s, PIPC_FOREVER}) {
    EXPECT_EQ(pipc_sysv_sem_wait_zero(a.sem, timeout), PIPC_OK) << timeout;
  }
  ASSERT_EQ(pipc_sysv_sem_release(a.sem, 1), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_wait_zero(a.sem, 0), PIPC_EAGAIN);
  EXPECT_EQ(pipc_last_errno(), EAGAIN);
  EXPECT_TRUE(message_mentions("pipc_sysv_sem_wait_zero"));
  EXPECT_EQ(raw_value(a.id()), 1);
}

// ---- Settings --------------------------------------------------------------------

TEST(SysvSemSettings, UndoAndBlockingAreFlagsOfTheHandle) {
  keyed_sem a;
  ASSERT_EQ(a.create(), PIPC_OK) << pipc_last_message();
  other_handle b(a.key);
  ASSERT_EQ(b.rc, PIPC_OK) << pipc_last_message();
  int undo = -1, blocking = -1;
  ASSERT_EQ(pipc_sysv_sem_undo(&undo, a.sem), PIPC_OK);
  ASSERT_EQ(pipc_sysv_sem_blocking(&blocking, a.sem), PIPC_OK);
  EXPECT_EQ(undo, 0);
  EXPECT_EQ(blocking, 1);
  // Any non-zero int is on.
  for (int on : {1, -1, 7, INT_MIN, 0}) {
    SCOPED_TRACE(on);
    ASSERT_EQ(pipc_sysv_sem_set_undo(a.sem, on), PIPC_OK);
    ASSERT_EQ(pipc_sysv_sem_set_blocking(a.sem, on), PIPC_OK);
    ASSERT_EQ(pipc_sysv_sem_undo(&undo, a.sem), PIPC_OK);
    ASSERT_EQ(pipc_sysv_sem_blocking(&blocking, a.sem), PIPC_OK);
    EXPECT_EQ(undo, on != 0);
    EXPECT_EQ(blocking, on != 0);
  }
  ASSERT_EQ(pipc_sysv_sem_set_undo(a.sem, 1), PIPC_OK);
  ASSERT_EQ(pipc_sysv_sem_set_blocking(a.sem, 0), PIPC_OK);
  // The other handle keeps its own.
  ASSERT_EQ(pipc_sysv_sem_undo(&undo, b.sem), PIPC_OK);
  ASSERT_EQ(pipc_sysv_sem_blocking(&blocking, b.sem), PIPC_OK);
  EXPECT_EQ(undo, 0);
  EXPECT_EQ(blocking, 1);
}

TEST(SysvSemSettings, NonBlockingModeMakesEveryTimeoutZero) {
  keyed_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  other_handle b(a.key);
  ASSERT_EQ(b.rc, PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_sem_set_blocking(a.sem, 0), PIPC_OK);
  const int64_t start = now_ns();
  for (int64_t timeout : {PIPC_FOREVER, 60 * s, int64_t{0}}) {
    EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, 2, timeout), PIPC_EAGAIN) << timeout;
    EXPECT_EQ(pipc_last_errno(), EAGAIN);
    EXPECT_EQ(pipc_sysv_sem_wait_zero(a.sem, timeout), PIPC_EAGAIN) << timeout;
  }
  EXPECT_LT(now_ns() - start, s);
  EXPECT_EQ(raw_value(a.id()), 1);
  // What is possible at once still happens.
  EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, 1, PIPC_FOREVER), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_wait_zero(a.sem, PIPC_FOREVER), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_release(a.sem, 2), PIPC_OK);
  EXPECT_EQ(raw_value(a.id()), 2);
  // The other handle still waits.
  EXPECT_EQ(pipc_sysv_sem_acquire(b.sem, 3, 1), PIPC_ETIMEDOUT);
  // And blocking again waits again.
  ASSERT_EQ(pipc_sysv_sem_set_blocking(a.sem, 1), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, 3, 1), PIPC_ETIMEDOUT);
}

// ---- SEM_UNDO across processes ---------------------------------------------------

// A child that opens the set KEY, sets undo, runs OPS (positive: release, negative:
// acquire), tells READY, and waits to be killed.
pid_t child_operating(int64_t key, bool undo, std::vector<int> ops, signal_pipe &ready) {
  return spawn([=, &ready] {
    other_handle h(key);
    if (h.rc != PIPC_OK || pipc_sysv_sem_set_undo(h.sem, undo) != PIPC_OK) return 2;
    for (int op : ops) {
      const int rc = op > 0 ? pipc_sysv_sem_release(h.sem, static_cast<uint32_t>(op))
                            : pipc_sysv_sem_acquire(h.sem, static_cast<uint32_t>(-op), 0);
      if (rc != PIPC_OK) return 3;
    }
    ready.post();
    for (;;) pause();
  });
}

TEST(SysvSemUndo, TheKernelRevertsTheOperationsOfAKilledChildOnlyWithUndo) {
  for (bool undo : {true, false}) {
    SCOPED_TRACE(undo ? "undo" : "no undo");
    keyed_sem a;
    ASSERT_EQ(a.create(5), PIPC_OK) << pipc_last_message();
    signal_pipe ready;
    const pid_t child = child_operating(a.key, undo, {-3, 4, -1, -2}, ready);
    const bool did_its_part = ready.wait();
    kill(child, SIGKILL);
    EXPECT_EQ(wait_child(child), -1);  // killed
    ASSERT_TRUE(did_its_part);
    EXPECT_EQ(raw_value(a.id()), undo ? 5 : 3);
  }
}

TEST(SysvSemUndo, SetValueClearsTheUndoAdjustments) {
  keyed_sem a;
  ASSERT_EQ(a.create(5), PIPC_OK) << pipc_last_message();
  signal_pipe ready;
  const pid_t child = child_operating(a.key, true, {-2}, ready);
  const bool did_its_part = ready.wait();
  EXPECT_EQ(pipc_sysv_sem_set_value(a.sem, 10), PIPC_OK) << pipc_last_message();
  kill(child, SIGKILL);
  EXPECT_EQ(wait_child(child), -1);
  ASSERT_TRUE(did_its_part);
  EXPECT_EQ(raw_value(a.id()), 10);  // not 12
}

// ---- Timeouts --------------------------------------------------------------------

TEST(SysvSemTimeout, ZeroTriesOnceAndReturnsEagainAtOnce) {
  keyed_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  const int64_t start = now_ns();
  EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, 2, 0), PIPC_EAGAIN);
  EXPECT_EQ(pipc_last_errno(), EAGAIN);
  EXPECT_TRUE(message_mentions("pipc_sysv_sem_acquire"));
  EXPECT_EQ(pipc_sysv_sem_wait_zero(a.sem, 0), PIPC_EAGAIN);
  EXPECT_EQ(pipc_last_errno(), EAGAIN);
  EXPECT_LT(now_ns() - start, s);
  EXPECT_EQ(raw_value(a.id()), 1);
}

TEST(SysvSemTimeout, APositiveTimeoutExpiresAfterItsTime) {
  keyed_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  const std::pair<const char *, std::function<int(int64_t)>> waits[] = {
      {"pipc_sysv_sem_acquire", [&](int64_t t) { return pipc_sysv_sem_acquire(a.sem, 2, t); }},
      {"pipc_sysv_sem_wait_zero", [&](int64_t t) { return pipc_sysv_sem_wait_zero(a.sem, t); }},
  };
  for (const auto &[function, wait] : waits) {
    for (int64_t timeout : {int64_t{1}, 150 * ms}) {
      SCOPED_TRACE(testing::Message() << function << ", timeout " << timeout);
      const int64_t start = now_ns();
      EXPECT_EQ(wait(timeout), PIPC_ETIMEDOUT);
      const int64_t waited = now_ns() - start;
      EXPECT_GE(waited, timeout);
      EXPECT_LT(waited, timeout + margin);
      EXPECT_EQ(pipc_last_errno(), ETIMEDOUT);
      EXPECT_TRUE(message_mentions(function));
    }
  }
  EXPECT_EQ(raw_value(a.id()), 1);
}

// A wait that timed out takes nothing afterwards, although the helper that waited
// for it may still be queued for a while: a release right after it shows in full.
TEST(SysvSemTimeout, AWaitThatTimedOutTakesNothingAfterwards) {
  keyed_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, 2, 5 * ms), PIPC_ETIMEDOUT);
    ASSERT_EQ(pipc_sysv_sem_release(a.sem, 4), PIPC_OK);
    EXPECT_EQ(raw_value(a.id()), 5);
    EXPECT_TRUE(queued(a.id(), 0, 0));
    EXPECT_EQ(raw_value(a.id()), 5);
    ASSERT_EQ(pipc_sysv_sem_set_value(a.sem, 1), PIPC_OK);
  }
}

TEST(SysvSemTimeout, AWaitEndsWhenAnotherThreadReleases) {
  // INT64_MAX checks that the timeout does not wrap into the past.
  for (int64_t timeout : {PIPC_FOREVER, PIPC_FOREVER_RESTARTABLE, 60 * s, int64_t{INT64_MAX}}) {
    SCOPED_TRACE(timeout);
    keyed_sem a;
    ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
    background_call waiter(a.id(), [&] { return pipc_sysv_sem_acquire(a.sem, 3, timeout); });
    EXPECT_TRUE(waiter.waits());
    EXPECT_TRUE(waiter.running());
    ASSERT_EQ(pipc_sysv_sem_release(a.sem, 1), PIPC_OK);  // 2: not enough yet
    EXPECT_TRUE(waiter.waits());
    EXPECT_TRUE(waiter.running());
    ASSERT_EQ(pipc_sysv_sem_release(a.sem, 1), PIPC_OK);
    EXPECT_EQ(waiter.status(), PIPC_OK);
    EXPECT_EQ(raw_value(a.id()), 0);
  }
}

// ---- Signals ---------------------------------------------------------------------

// System V waits are never restarted, whether or not the handler asked for
// SA_RESTART: the caller gets PIPC_EINTR and the value is unchanged.
TEST(SysvSemSignal, ASignalDuringAWaitGivesEintrAndChangesNothing) {
  keyed_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  const std::pair<const char *, std::function<int(int64_t)>> waits[] = {
      {"acquire", [&](int64_t t) { return pipc_sysv_sem_acquire(a.sem, 2, t); }},
      {"wait_zero", [&](int64_t t) { return pipc_sysv_sem_wait_zero(a.sem, t); }},
  };
  for (int flags : {0, SA_RESTART}) {
    usr1_handler handler(count_signal, flags);
    for (const auto &[what, wait] : waits) {
      for (int64_t timeout : {PIPC_FOREVER, PIPC_FOREVER_RESTARTABLE, 60 * s}) {
        SCOPED_TRACE(testing::Message() << what << (flags ? ", SA_RESTART" : "") << ", timeout "
                                        << timeout);
        signals_caught = 0;
        background_call waiter(a.id(), [&wait = wait, timeout] { return wait(timeout); });
        ASSERT_TRUE(waiter.waits());
        waiter.signal(SIGUSR1);
        const auto [status, err] = waiter.outcome();
        EXPECT_EQ(status, PIPC_EINTR);
        EXPECT_EQ(err, EINTR);
        EXPECT_EQ(signals_caught.load(), 1);
        EXPECT_EQ(raw_value(a.id()), 1);
      }
    }
  }
}

// ---- Several processes -----------------------------------------------------------

TEST(SysvSemProcesses, AWaitForZeroInOneProcessEndsByAnAcquireInAnother) {
  PIPC_SKIP_UNDER_TSAN_IF_CHILDREN_START_THREADS();
  keyed_sem a;
  ASSERT_EQ(a.create(2), PIPC_OK) << pipc_last_message();
  const pid_t child = child_expecting(a.key, PIPC_OK, [](pipc_sysv_sem *h) {
    return pipc_sysv_sem_wait_zero(h, PIPC_FOREVER);
  });
  EXPECT_TRUE(wait_until_blocked(child, SYS_ppoll));
  EXPECT_TRUE(queued(a.id(), 0, 1));
  EXPECT_EQ(stat_of(a.sem).waiting_zero, 1);
  ASSERT_EQ(pipc_sysv_sem_acquire(a.sem, 1, 0), PIPC_OK);
  EXPECT_TRUE(wait_until_blocked(child, SYS_ppoll));  // 1 is not 0
  EXPECT_TRUE(queued(a.id(), 0, 1));
  ASSERT_EQ(pipc_sysv_sem_acquire(a.sem, 1, 0), PIPC_OK);
  EXPECT_EQ(wait_child(child), 0);
}

TEST(SysvSemProcesses, AnAcquireInOneProcessEndsByAReleaseInAnother) {
  PIPC_SKIP_UNDER_TSAN_IF_CHILDREN_START_THREADS();
  keyed_sem a;
  ASSERT_EQ(a.create(0), PIPC_OK) << pipc_last_message();
  const pid_t child = child_expecting(a.key, PIPC_OK, [](pipc_sysv_sem *h) {
    return pipc_sysv_sem_acquire(h, 3, 60 * s);
  });
  EXPECT_TRUE(wait_until_blocked(child, SYS_ppoll));
  EXPECT_TRUE(queued(a.id(), 1, 0));
  EXPECT_EQ(stat_of(a.sem).waiting_nonzero, 1);
  ASSERT_EQ(pipc_sysv_sem_release(a.sem, 4), PIPC_OK);
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(raw_value(a.id()), 1);
  // The child's semop was the last one.
  EXPECT_EQ(stat_of(a.sem).last_pid, child);
}

// ---- Remove and close ------------------------------------------------------------

TEST(SysvSemRemove, WakesEveryWaiterInEveryProcessWithNoent) {
  PIPC_SKIP_UNDER_TSAN_IF_CHILDREN_START_THREADS();
  const std::pair<const char *, std::function<int(pipc_sysv_sem *)>> removers[] = {
      {"by handle", pipc_sysv_sem_remove},
      {"by id", [](pipc_sysv_sem *h) { return pipc_sysv_sem_remove_id(pipc_sysv_sem_id(h)); }},
  };
  for (const auto &[how, remove] : removers) {
    SCOPED_TRACE(how);
    keyed_sem a;
    ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
    // The children first: forking while this process's waiters start their helper
    // threads can leave a child's allocator locked under gcc 12's ASan (its runtime
    // takes no allocator lock around fork), and the child's own wait then never starts.
    const pid_t child_acquirer = child_expecting(a.key, PIPC_ENOENT, [](pipc_sysv_sem *h) {
      return pipc_sysv_sem_acquire(h, 2, 60 * s);
    });
    const pid_t child_zero_waiter = child_expecting(a.key, PIPC_ENOENT, [](pipc_sysv_sem *h) {
      return pipc_sysv_sem_wait_zero(h, PIPC_FOREVER);
    });
    background_call acquirer(a.id(),
                             [&] { return pipc_sysv_sem_acquire(a.sem, 2, PIPC_FOREVER); });
    background_call zero_waiter(a.id(),
                                [&] { return pipc_sysv_sem_wait_zero(a.sem, PIPC_FOREVER); });
    EXPECT_TRUE(acquirer.waits());
    EXPECT_TRUE(zero_waiter.waits());
    EXPECT_TRUE(wait_until_blocked(child_acquirer, SYS_ppoll));
    EXPECT_TRUE(wait_until_blocked(child_zero_waiter, SYS_ppoll));
    EXPECT_TRUE(queued(a.id(), 2, 2));
    const pipc_sysv_sem_stat st = stat_of(a.sem);
    EXPECT_EQ(st.waiting_nonzero, 2);
    EXPECT_EQ(st.waiting_zero, 2);

    ASSERT_EQ(remove(a.sem), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(acquirer.status(), PIPC_ENOENT);
    EXPECT_EQ(zero_waiter.status(), PIPC_ENOENT);
    EXPECT_EQ(wait_child(child_acquirer), 0);
    EXPECT_EQ(wait_child(child_zero_waiter), 0);
    EXPECT_FALSE(key_exists(a.key));
    EXPECT_EQ(other_handle(a.key).rc, PIPC_ENOENT);
  }
}

TEST(SysvSemRemove, EveryCallOnARemovedSetIsNoent) {
  keyed_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  const int id = a.id();
  ASSERT_EQ(pipc_sysv_sem_remove(a.sem), PIPC_OK) << pipc_last_message();
  EXPECT_LT(raw_value(id), 0);
  const std::pair<const char *, std::function<int(pipc_sysv_sem *)>> calls[] = {
      {"pipc_sysv_sem_acquire",
       [](pipc_sysv_sem *h) { return pipc_sysv_sem_acquire(h, 1, PIPC_FOREVER); }},
      {"pipc_sysv_sem_release", [](pipc_sysv_sem *h) { return pipc_sysv_sem_release(h, 1); }},
      {"pipc_sysv_sem_wait_zero", [](pipc_sysv_sem *h) { return pipc_sysv_sem_wait_zero(h, 0); }},
      {"pipc_sysv_sem_value", [](pipc_sysv_sem *h) { int v; return pipc_sysv_sem_value(&v, h); }},
      {"pipc_sysv_sem_set_value", [](pipc_sysv_sem *h) { return pipc_sysv_sem_set_value(h, 1); }},
      {"pipc_sysv_sem_stat_get",
       [](pipc_sysv_sem *h) { pipc_sysv_sem_stat st; return pipc_sysv_sem_stat_get(&st, h); }},
      {"pipc_sysv_sem_set_perm",
       [](pipc_sysv_sem *h) {
         return pipc_sysv_sem_set_perm(h, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0600);
       }},
      {"pipc_sysv_sem_remove", pipc_sysv_sem_remove},
      {"pipc_sysv_sem_remove_id",
       [](pipc_sysv_sem *h) { return pipc_sysv_sem_remove_id(pipc_sysv_sem_id(h)); }},
      {"pipc_sysv_sem_open_id",
       [](pipc_sysv_sem *h) {
         pipc_sysv_sem *o = nullptr;
         return pipc_sysv_sem_open_id(&o, pipc_sysv_sem_id(h));
       }},
  };
  for (const auto &[function, call] : calls) {
    EXPECT_EQ(call(a.sem), PIPC_ENOENT) << function;
    EXPECT_TRUE(pipc_last_errno() == EIDRM || pipc_last_errno() == EINVAL) << pipc_last_errno();
    EXPECT_TRUE(message_mentions(function));
  }
  // What the handle itself knows stays.
  EXPECT_EQ(pipc_sysv_sem_id(a.sem), id);
  EXPECT_EQ(key_of(a.sem), a.key);
  EXPECT_EQ(pipc_sysv_sem_created(a.sem), 1);
}

// Close ends the call blocked on the handle at once and leaves the set, its value
// and its other handles as they were, also while the helper that waited for it is
// still queued: its wait takes nothing.
TEST(SysvSemClose, EndsTheCallBlockedOnTheHandleAndNeverRemoves) {
  for (int64_t timeout : {PIPC_FOREVER, 60 * s}) {
    SCOPED_TRACE(timeout);
    keyed_sem a;
    ASSERT_EQ(a.create(0), PIPC_OK) << pipc_last_message();
    pipc_sysv_sem *b = nullptr;
    ASSERT_EQ(pipc_sysv_sem_open(&b, a.key, nullptr), PIPC_OK) << pipc_last_message();
    background_call waiter(a.id(), [b, timeout] { return pipc_sysv_sem_acquire(b, 1, timeout); });
    ASSERT_TRUE(waiter.waits());
    ASSERT_TRUE(queued(a.id(), 1, 0));
    const int64_t start = now_ns();
    EXPECT_EQ(pipc_sysv_sem_close(b), PIPC_OK);
    EXPECT_EQ(waiter.status(), PIPC_EBADHANDLE);
    EXPECT_LT(now_ns() - start, 50 * ms);
    EXPECT_TRUE(key_exists(a.key));
    ASSERT_EQ(pipc_sysv_sem_release(a.sem, 1), PIPC_OK);
    EXPECT_EQ(raw_value(a.id()), 1);
    EXPECT_TRUE(queued(a.id(), 0, 0));
    EXPECT_EQ(raw_value(a.id()), 1);
    EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, 1, 10 * s), PIPC_OK);
  }
}

// ---- Stat and permissions --------------------------------------------------------

TEST(SysvSemStat, ShowsOwnerModeTimesAndWaiters) {
  keyed_sem a;
  const time_t before = time(nullptr);
  ASSERT_EQ(a.create(1, 0640), PIPC_OK) << pipc_last_message();
  pipc_sysv_sem_stat st = stat_of(a.sem);
  EXPECT_EQ(st.perm.key, a.key);
  EXPECT_EQ(st.perm.uid, geteuid());
  EXPECT_EQ(st.perm.gid, getegid());
  EXPECT_EQ(st.perm.cuid, geteuid());
  EXPECT_EQ(st.perm.cgid, getegid());
  EXPECT_EQ(st.perm.mode, 0640u);
  EXPECT_GE(st.otime, before);
  EXPECT_LE(st.otime, time(nullptr));
  EXPECT_GE(st.ctime, before);
  EXPECT_EQ(st.last_pid, getpid());
  EXPECT_EQ(st.waiting_nonzero, 0);
  EXPECT_EQ(st.waiting_zero, 0);
  const semid_ds ds = raw_stat(a.id());
  EXPECT_EQ(st.otime, ds.sem_otime);
  EXPECT_EQ(st.ctime, ds.sem_ctime);

  background_call acquirer(a.id(), [&] { return pipc_sysv_sem_acquire(a.sem, 2, 60 * s); });
  background_call zero_waiter(a.id(), [&] { return pipc_sysv_sem_wait_zero(a.sem, 60 * s); });
  ASSERT_TRUE(acquirer.waits());
  ASSERT_TRUE(zero_waiter.waits());
  ASSERT_TRUE(queued(a.id(), 1, 1));
  st = stat_of(a.sem);
  EXPECT_EQ(st.waiting_nonzero, 1);
  EXPECT_EQ(st.waiting_zero, 1);
  // 2 lets the acquire through, which brings 0 for the other.
  ASSERT_EQ(pipc_sysv_sem_release(a.sem, 1), PIPC_OK);
  EXPECT_EQ(acquirer.status(), PIPC_OK);
  EXPECT_EQ(zero_waiter.status(), PIPC_OK);
  st = stat_of(a.sem);
  EXPECT_EQ(st.waiting_nonzero, 0);
  EXPECT_EQ(st.waiting_zero, 0);
}

TEST(SysvSemPerm, SetPermChangesModeAndOwner) {
  keyed_sem a;
  ASSERT_EQ(a.create(1, 0600), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_sem_set_perm(a.sem, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0640), PIPC_OK)
      << pipc_last_message();
  pipc_sysv_sem_stat st = stat_of(a.sem);
  EXPECT_EQ(st.perm.mode, 0640u);
  EXPECT_EQ(st.perm.uid, geteuid());
  // The creator keeps its rights after giving the set away.
  EXPECT_EQ(pipc_sysv_sem_set_perm(a.sem, nobody, nobody, PIPC_SYSV_KEEP), PIPC_OK)
      << pipc_last_message();
  st = stat_of(a.sem);
  EXPECT_EQ(st.perm.uid, nobody);
  EXPECT_EQ(st.perm.gid, nobody);
  EXPECT_EQ(st.perm.cuid, geteuid());
  EXPECT_EQ(st.perm.cgid, getegid());
  EXPECT_EQ(st.perm.mode, 0640u);
  const semid_ds ds = raw_stat(a.id());
  EXPECT_EQ(ds.sem_perm.uid, nobody);
  EXPECT_EQ(ds.sem_perm.mode & 0777u, 0640u);
  EXPECT_EQ(pipc_sysv_sem_set_perm(a.sem, geteuid(), PIPC_SYSV_KEEP, 0400), PIPC_OK);
  st = stat_of(a.sem);
  EXPECT_EQ(st.perm.uid, geteuid());
  EXPECT_EQ(st.perm.gid, nobody);
  EXPECT_EQ(st.perm.mode, 0400u);
  EXPECT_EQ(raw_value(a.id()), 1);
}

TEST(SysvSemPerm, AccessFollowsTheModeAndTheOwner) {
  keyed_sem a;
  ASSERT_EQ(a.create(1, 0600), PIPC_OK) << pipc_last_message();
  if (geteuid() != 0) {
    // Without privilege the creator itself is bound by the mode; the owner may still change it.
    ASSERT_EQ(pipc_sysv_sem_set_perm(a.sem, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0), PIPC_OK);
    int value = -1;
    EXPECT_EQ(pipc_sysv_sem_value(&value, a.sem), PIPC_EACCES);
    EXPECT_EQ(pipc_sysv_sem_release(a.sem, 1), PIPC_EACCES);
    EXPECT_EQ(other_handle(a.key).rc, PIPC_EACCES);
    own_and_read(a.id());
    EXPECT_EQ(value_of(a.sem), 1);
    return;
  }
  // Root passes every check: another user is a child that became nobody.
  auto as_nobody = [&](int64_t new_mode) {
    return pipc_test::as_nobody([&] {
      int value = -1;
      other_handle h(a.key);
      if (new_mode < 0) {  // not the owner, no access
        if (h.rc != PIPC_EACCES) return 2;
        pipc_sysv_sem *by_id = nullptr;
        if (pipc_sysv_sem_open_id(&by_id, a.id()) != PIPC_EACCES) return 3;
        // The handle inherited from the parent is refused by the kernel too.
        if (pipc_sysv_sem_value(&value, a.sem) != PIPC_EACCES) return 4;
        if (pipc_sysv_sem_release(a.sem, 1) != PIPC_EACCES) return 5;
        if (pipc_sysv_sem_acquire(a.sem, 1, 0) != PIPC_EACCES) return 6;
        if (pipc_sysv_sem_set_perm(a.sem, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0666) != PIPC_EACCES) {
          return 7;
        }
        if (pipc_sysv_sem_remove(a.sem) != PIPC_EACCES) return 8;
        return pipc_last_errno() == EPERM ? 0 : 9;
      }
      if (h.rc != PIPC_OK || pipc_sysv_sem_release(h.sem, 1) != PIPC_OK) return 10;
      return pipc_sysv_sem_set_perm(h.sem, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, new_mode) == PIPC_OK
                 ? 0
                 : 11;
    }, 1);
  };
  EXPECT_EQ(as_nobody(-1), 0);
  EXPECT_EQ(raw_value(a.id()), 1);
  EXPECT_EQ(raw_stat(a.id()).sem_perm.mode & 0777u, 0600u);
  // Given to nobody, the set is nobody's to use and to change.
  ASSERT_EQ(pipc_sysv_sem_set_perm(a.sem, nobody, nobody, PIPC_SYSV_KEEP), PIPC_OK);
  EXPECT_EQ(as_nobody(0660), 0);
  EXPECT_EQ(raw_value(a.id()), 2);
  EXPECT_EQ(raw_stat(a.id()).sem_perm.mode & 0777u, 0660u);
}

// ---- Bad input -------------------------------------------------------------------

TEST(SysvSemBadInput, NullAndForeignHandlesAreRejectedByEveryFunction) {
  pipc_sem *posix = nullptr;
  ASSERT_EQ(pipc_sem_open(&posix, nullptr, nullptr), PIPC_OK) << pipc_last_message();
  scope_exit cleanup([&] {
    pipc_sem_unlink(posix);
    pipc_sem_close(posix);
  });
  int out = 0;
  int64_t key = 0;
  pipc_sysv_sem_stat st{};
  const std::pair<const char *, std::function<int(pipc_sysv_sem *)>> calls[] = {
      {"pipc_sysv_sem_acquire", [](pipc_sysv_sem *h) { return pipc_sysv_sem_acquire(h, 1, 0); }},
      {"pipc_sysv_sem_release", [](pipc_sysv_sem *h) { return pipc_sysv_sem_release(h, 1); }},
      {"pipc_sysv_sem_wait_zero", [](pipc_sysv_sem *h) { return pipc_sysv_sem_wait_zero(h, 0); }},
      {"pipc_sysv_sem_undo", [&](pipc_sysv_sem *h) { return pipc_sysv_sem_undo(&out, h); }},
      {"pipc_sysv_sem_set_undo", [](pipc_sysv_sem *h) { return pipc_sysv_sem_set_undo(h, 1); }},
      {"pipc_sysv_sem_blocking", [&](pipc_sysv_sem *h) { return pipc_sysv_sem_blocking(&out, h); }},
      {"pipc_sysv_sem_set_blocking",
       [](pipc_sysv_sem *h) { return pipc_sysv_sem_set_blocking(h, 0); }},
      {"pipc_sysv_sem_value", [&](pipc_sysv_sem *h) { return pipc_sysv_sem_value(&out, h); }},
      {"pipc_sysv_sem_set_value", [](pipc_sysv_sem *h) { return pipc_sysv_sem_set_value(h, 1); }},
      {"pipc_sysv_sem_stat_get", [&](pipc_sysv_sem *h) { return pipc_sysv_sem_stat_get(&st, h); }},
      {"pipc_sysv_sem_set_perm",
       [](pipc_sysv_sem *h) {
         return pipc_sysv_sem_set_perm(h, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0);
       }},
      {"pipc_sysv_sem_id", pipc_sysv_sem_id},
      {"pipc_sysv_sem_key", [&](pipc_sysv_sem *h) { return pipc_sysv_sem_key(&key, h); }},
      {"pipc_sysv_sem_created", pipc_sysv_sem_created},
      {"pipc_sysv_sem_remove", pipc_sysv_sem_remove},
  };
  auto *foreign = reinterpret_cast<pipc_sysv_sem *>(posix);
  pipc_test::expect_rejects_bad_handles(calls, foreign, "POSIX semaphore handle");
  EXPECT_EQ(pipc_sysv_sem_close(nullptr), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_close(foreign), PIPC_EBADHANDLE);
  EXPECT_TRUE(message_mentions("pipc_sysv_sem_close"));
  // The POSIX semaphore was neither closed nor changed by the calls.
  EXPECT_EQ(pipc_sem_release(posix), PIPC_OK) << pipc_last_message();
  int value = -1;
  EXPECT_EQ(pipc_sem_value(&value, posix), PIPC_OK);
  EXPECT_EQ(value, 1);
  EXPECT_EQ(out, 0);
  EXPECT_EQ(key, 0);
}

TEST(SysvSemBadInput, OpenRejectsBadOptionsAndKeysAndCreatesNothing) {
  const int64_t key = unique_key();
  const pipc_sysv_sem_options crex = options(PIPC_CREX);
  auto cases = pipc_test::options_no_family_takes(crex);
  cases.insert(cases.end(), {
      {"PIPC_SHM_HUGETLB", pipc_test::spoiled(crex, [](auto &o) { o.flags |= PIPC_SHM_HUGETLB; }),
       PIPC_EINVAL},
      {"value max + 1",
       pipc_test::spoiled(crex,
                          [](auto &o) { o.initial_value = static_cast<uint32_t>(value_max) + 1; }),
       PIPC_ERANGE},
      {"value ~0", pipc_test::spoiled(crex, [](auto &o) { o.initial_value = UINT32_MAX; }),
       PIPC_ERANGE},
  });
  pipc_test::expect_open_refuses(family, key, cases);
  pipc_test::expect_open_refuses_bad_keys(family, crex);
  EXPECT_EQ(pipc_sysv_sem_open(nullptr, key, &crex), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("out is NULL"));
  EXPECT_FALSE(key_exists(key));
  EXPECT_EQ(errno, ENOENT);
}

TEST(SysvSemBadInput, BadOptionsNeitherOpenNorChangeAnExistingSet) {
  keyed_sem a;
  ASSERT_EQ(a.create(2), PIPC_OK) << pipc_last_message();
  for (uint32_t flags : {0u, PIPC_CREAT}) {
    pipc_sysv_sem_options opts = options(flags, 9);
    opts.version = 0;
    pipc_sysv_sem *sem = not_null<pipc_sysv_sem>;
    EXPECT_EQ(pipc_sysv_sem_open(&sem, a.key, &opts), PIPC_EINVAL);
    EXPECT_EQ(sem, nullptr);
    opts = options(flags, UINT32_MAX);
    EXPECT_EQ(pipc_sysv_sem_open(&sem, a.key, &opts), PIPC_ERANGE);
    opts = options(flags, 0, 01000);
    EXPECT_EQ(pipc_sysv_sem_open(&sem, a.key, &opts), PIPC_EINVAL);
    EXPECT_EQ(pipc_sysv_sem_open(nullptr, a.key, &opts), PIPC_EINVAL);
  }
  EXPECT_EQ(raw_value(a.id()), 2);
  EXPECT_EQ(raw_stat(a.id()).sem_perm.mode & 0777u, PIPC_DEFAULT_MODE);
}

TEST(SysvSemBadInput, BadIdsAreOutOfRangeAndTouchNothing) {
  keyed_sem a;
  ASSERT_EQ(a.create(2), PIPC_OK) << pipc_last_message();
  pipc_test::expect_bad_ids_refused(family, a.id());
  EXPECT_EQ(raw_value(a.id()), 2);
}

TEST(SysvSemBadInput, DeltasValuesAndTimeoutsOutOfRangeChangeNothing) {
  keyed_sem a;
  ASSERT_EQ(a.create(3), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_sem_set_undo(a.sem, 1), PIPC_OK);
  for (uint32_t delta : {0u, static_cast<uint32_t>(value_max) + 1, UINT32_MAX}) {
    SCOPED_TRACE(delta);
    EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, delta, 0), PIPC_ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_sem_acquire"));
    EXPECT_EQ(pipc_sysv_sem_release(a.sem, delta), PIPC_ERANGE);
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_sem_release"));
  }
  for (int64_t timeout : {int64_t{-3}, -s, INT64_MIN}) {
    SCOPED_TRACE(timeout);
    EXPECT_EQ(pipc_sysv_sem_acquire(a.sem, 1, timeout), PIPC_ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_sem_acquire"));
    EXPECT_TRUE(message_mentions(std::to_string(timeout)));
    EXPECT_EQ(pipc_sysv_sem_wait_zero(a.sem, timeout), PIPC_ERANGE);
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_sem_wait_zero"));
  }
  for (int64_t value : {int64_t{-1}, int64_t{value_max} + 1, INT64_MIN, INT64_MAX,
                        int64_t{1} << 32}) {
    SCOPED_TRACE(value);
    EXPECT_EQ(pipc_sysv_sem_set_value(a.sem, value), PIPC_ERANGE);
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_sem_set_value"));
  }
  EXPECT_EQ(raw_value(a.id()), 3);
  EXPECT_EQ(semctl(a.id(), 0, GETPID), getpid());
}

TEST(SysvSemBadInput, SetPermRejectsBadIdsAndModesAndChangesNothing) {
  keyed_sem a;
  ASSERT_EQ(a.create(1, 0640), PIPC_OK) << pipc_last_message();
  const semid_ds before = raw_stat(a.id());
  pipc_test::expect_set_perm_refuses_bad_values(family, a.sem);
  const semid_ds after = raw_stat(a.id());
  EXPECT_EQ(after.sem_perm.uid, before.sem_perm.uid);
  EXPECT_EQ(after.sem_perm.gid, before.sem_perm.gid);
  EXPECT_EQ(after.sem_perm.mode, before.sem_perm.mode);
  EXPECT_EQ(after.sem_ctime, before.sem_ctime);
}

TEST(SysvSemBadInput, NullOutPointersAreInvalid) {
  keyed_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  const std::pair<const char *, std::function<int()>> calls[] = {
      {"undo_out is NULL", [&] { return pipc_sysv_sem_undo(nullptr, a.sem); }},
      {"blocking_out is NULL", [&] { return pipc_sysv_sem_blocking(nullptr, a.sem); }},
      {"value_out is NULL", [&] { return pipc_sysv_sem_value(nullptr, a.sem); }},
      {"out is NULL", [&] { return pipc_sysv_sem_stat_get(nullptr, a.sem); }},
      {"key_out is NULL", [&] { return pipc_sysv_sem_key(nullptr, a.sem); }},
  };
  pipc_test::expect_each_fails(calls, PIPC_EINVAL, EINVAL);
  EXPECT_EQ(raw_value(a.id()), 1);
}

}  // namespace
