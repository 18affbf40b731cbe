// mq_notify(3) registrations: by signal, or by a callback run on a new thread.
//
// A callback registration is known to the kernel only by an id; the id maps to
// (function, argument, handle) in a process-wide table. The table entry is removed
// when the notification fires, or when its handle cancels or is closed, so a late
// notification for a closed handle finds nothing and calls nothing. A new
// registration leaves the handle's earlier entries alone: the kernel may have fired
// one already (dropping its registration) before its thread looked it up.
#pragma once

#include "core/posix_mq.hpp"

namespace pipc::core {

int mq_notify_signal(posix_mq &mq, int signo);
int mq_notify_callback(posix_mq &mq, pipc_mq_notify_fn fn, void *arg);
int mq_notify_cancel(posix_mq &mq);

// Forgets the handle's callback registrations (when the handle is destroyed).
void mq_notify_forget(posix_mq &mq);

}  // namespace pipc::core
