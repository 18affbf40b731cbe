/* The stress payload of tests/interop/PROTOCOL.md: 44 bytes naming a producer and a
 * sequence number, with filler derived from both and an FNV-1a hash over the rest. */
#ifndef PIPC_INTEROP_PAYLOAD_H
#define PIPC_INTEROP_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define STRESS_PAYLOAD_SIZE 44

void stress_payload(unsigned char out[STRESS_PAYLOAD_SIZE], uint32_t producer, uint32_t seq);
/* 1 when DATA is a valid payload (its producer and sequence number in *PRODUCER, *SEQ). */
int stress_check(const unsigned char *data, size_t len, uint32_t *producer, uint32_t *seq);

#endif
