#include "payload.h"

#include <string.h>

static void put32(unsigned char *at, uint32_t value) {
  for (int i = 0; i < 4; ++i) at[i] = (unsigned char)(value >> (8 * i));
}

static uint32_t get32(const unsigned char *at) {
  return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}

static uint32_t fnv1a(const unsigned char *data, size_t len) {
  uint32_t hash = 2166136261u;
  for (size_t i = 0; i < len; ++i) hash = (hash ^ data[i]) * 16777619u;
  return hash;
}

void stress_payload(unsigned char out[STRESS_PAYLOAD_SIZE], uint32_t producer, uint32_t seq) {
  put32(out, producer);
  put32(out + 4, seq);
  for (uint32_t k = 0; k < 32; ++k) out[8 + k] = (unsigned char)((producer * 31 + seq * 7 + k * 13) % 256);
  put32(out + 40, fnv1a(out, 40));
}

int stress_check(const unsigned char *data, size_t len, uint32_t *producer, uint32_t *seq) {
  unsigned char expected[STRESS_PAYLOAD_SIZE];
  if (len != STRESS_PAYLOAD_SIZE) return 0;
  *producer = get32(data);
  *seq = get32(data + 4);
  stress_payload(expected, *producer, *seq);
  return memcmp(expected, data, STRESS_PAYLOAD_SIZE) == 0;
}
