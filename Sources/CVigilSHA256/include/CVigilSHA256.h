// Hardware SHA-256 compression for VigilCore (x86-64 SHA extensions). Used by `PortableSHA256`
// when the CPU has them; the pure-Swift rounds remain the implementation everywhere else.
#ifndef CVIGIL_SHA256_H
#define CVIGIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU can run `cvigil_sha256_compress` (x86-64 with SHA, SSSE3 and SSE4.1), else 0.
int cvigil_sha256_hardware_available(void);

/// Runs the SHA-256 compression function over `count` consecutive 64-byte blocks at `blocks`,
/// updating the eight chaining words `state[0]`…`state[7]` (H0…H7). Call only when
/// `cvigil_sha256_hardware_available()` returned 1.
void cvigil_sha256_compress(uint32_t state[8], const uint8_t *blocks, size_t count);

#endif
