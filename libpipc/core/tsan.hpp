// PIPC_TSAN: 1 when this file is compiled with ThreadSanitizer (-fsanitize=thread).
//
// ThreadSanitizer sees only the synchronisation it intercepts or that atomic
// operations express; where the library relies on something it cannot see (an
// asymmetric barrier, a fence, threads that glibc starts on its own, a raw system
// call that sleeps), the few places marked with PIPC_TSAN take a way it can see.
// The normal build's code is not changed by any of them.
#pragma once

#if defined(__SANITIZE_THREAD__)  // gcc
#define PIPC_TSAN 1
#elif defined(__has_feature)  // clang
#if __has_feature(thread_sanitizer)
#define PIPC_TSAN 1
#endif
#endif
#ifndef PIPC_TSAN
#define PIPC_TSAN 0
#endif
