// libpipc: the thread-local storage model of the variables hot paths read.
#pragma once

// Initial-exec: one %fs-relative access, no call — where libpipc is a shared library,
// loaded with its program or as the one dependency of a module. A static copy linked
// into modules that are dlopened (a wheel's two Python extensions) keeps the default
// model: initial-exec TLS in such a module takes glibc's small static TLS reserve,
// which two copies exhaust ("cannot allocate memory in static TLS block").
#if defined(PIPC_STATIC)
#define PIPC_TLS_HOT
#else
#define PIPC_TLS_HOT __attribute__((tls_model("initial-exec")))
#endif
