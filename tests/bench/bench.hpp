// What the benchmark cases share: failing loudly, and timing a raw side against
// a pipc side in alternating rounds.
#pragma once

#include <functional>
#include <string>

namespace pipc_bench {

// True for a short smoke run (--quick): one short round per side.
extern bool quick;

// Prints what failed (errno and pipc's detail) and exits.
[[noreturn]] void die(const char *what);
// die(WHAT) unless RC is PIPC_OK.
void check(int rc, const char *what);

// A name no other run uses, for POSIX objects.
std::string bench_name(const char *kind);

// Times RAW and PIPC (each performing BATCH operations per call) in alternating
// rounds and prints the median ns per operation of each, their ratio and difference.
void report(const char *name, const std::function<void()> &raw, const std::function<void()> &pipc,
            long batch);

// The cases, one function per family group.
void bench_posix();
void bench_sysv();
void bench_mutex();

}  // namespace pipc_bench
