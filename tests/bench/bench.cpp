// The C API against the raw libc calls and system calls it wraps, side by side
// in one run.
//
// Each case is timed in alternating rounds (raw, pipc, raw, pipc, ...) so both
// sides see the same machine state; the median round of each side is reported
// with their ratio and difference. Run: meson test -C build --benchmark (or the
// binary: bench_c_api [--quick] [part of a case's name]; --quick is a short
// smoke run).
#include "bench.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "pipc.h"

namespace pipc_bench {

bool quick = false;

// Only cases whose name contains this run (empty: all).
std::string only;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Nanoseconds per call of BODY (which performs BATCH operations per call), over
// about ROUND_SECONDS.
double time_round(const std::function<void()> &body, long batch) {
  const double round_seconds = quick ? 0.01 : 0.25;
  long calls = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    body();
    ++calls;
  } while ((elapsed = seconds_since(start)) < round_seconds);
  return elapsed * 1e9 / static_cast<double>(calls * batch);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

void die(const char *what) {
  std::fprintf(stderr, "bench: %s failed: %s (%s)\n", what, std::strerror(errno),
               pipc_last_message());
  std::exit(1);
}

void check(int rc, const char *what) {
  if (rc != PIPC_OK) die(what);
}

std::string bench_name(const char *kind) {
  return "/pipc_bench_" + std::string(kind) + "_" + std::to_string(getpid());
}

void report(const char *name, const std::function<void()> &raw, const std::function<void()> &pipc,
            long batch) {
  if (std::string(name).find(only) == std::string::npos) return;
  const int rounds = quick ? 1 : 9;
  std::vector<double> raw_ns, pipc_ns;
  raw();  // warm caches and page tables on both sides before timing
  pipc();
  for (int i = 0; i < rounds; ++i) {
    raw_ns.push_back(time_round(raw, batch));
    pipc_ns.push_back(time_round(pipc, batch));
  }
  const double r = median(raw_ns), p = median(pipc_ns);
  std::printf("%-34s %10.1f %10.1f %8.3f %+9.1f\n", name, r, p, p / r, p - r);
  std::fflush(stdout);
}

}  // namespace pipc_bench

int main(int argc, char **argv) {
  int arg = 1;
  pipc_bench::quick = argc > arg && std::strcmp(argv[arg], "--quick") == 0;
  if (pipc_bench::quick) ++arg;
  if (argc > arg) pipc_bench::only = argv[arg];
  std::printf("libpipc %s C API vs raw calls: median ns per operation of %s rounds\n",
              pipc_version(), pipc_bench::quick ? "1 (quick)" : "9 alternating");
  std::printf("%-34s %10s %10s %8s %9s\n", "case", "raw", "pipc", "ratio", "diff");
  pipc_bench::bench_posix();
  pipc_bench::bench_sysv();
  pipc_bench::bench_mutex();
  return 0;
}
