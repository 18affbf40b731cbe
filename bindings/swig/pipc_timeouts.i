/* Timeouts in seconds, as the Python and Ruby APIs take them, turned into libpipc's
 * nanoseconds the same way in both (Go passes time.Duration, already nanoseconds). */
%{
/* Waiting without limit. CPython and Ruby install their signal handlers (Ruby also the
 * SIGVTALRM its unblocking function sends) without SA_RESTART, so a signal ends every
 * wait with PIPC_EINTR for them, and the binding runs its handlers there (pipc_python.i's
 * pypipc_block, pipc_ruby.i's rbpipc_wait). */
#define PIPC_BINDING_FOREVER PIPC_FOREVER

/* A whole number of seconds >= 0; more than int64 nanoseconds hold is "forever". */
static int64_t pipc_timeout_from_whole_seconds(long long s) {
  return s > INT64_MAX / 1000000000LL ? PIPC_BINDING_FOREVER : (int64_t)s * 1000000000LL;
}

/* Seconds >= 0 (not NaN: the callers refuse negatives and NaN with their own exceptions).
 * A positive time below a nanosecond waits 1 ns rather than becoming a try. */
static int64_t pipc_timeout_from_seconds(double s) {
  if (s >= 9.2e9) return PIPC_BINDING_FOREVER;
  return s > 0 && s * 1e9 < 1 ? 1 : (int64_t)(s * 1e9);
}
%}
