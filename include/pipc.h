/* libpipc: one header for the whole C API. */
#ifndef PIPC_H
#define PIPC_H

#include "pipc/common.h"
#include "pipc/version.h"
#include "pipc/errors.h"
#include "pipc/sem.h"
#include "pipc/shm.h"
#include "pipc/mq.h"
#include "pipc/sysv.h"
#include "pipc/inventory.h"
#include "pipc/mutex.h"
#include "pipc/channel.h"

#endif
