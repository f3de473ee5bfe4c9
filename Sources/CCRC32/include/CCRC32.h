#ifndef CCRC32_H
#define CCRC32_H
#include <stddef.h>
#include <stdint.h>

/// The gzip CRC-32 (ISO-HDLC) of `length` bytes at `bytes`, continuing from
/// `crc` (0 to start), as zlib's `crc32_z`: with carry-less multiplication
/// (PCLMULQDQ) where the CPU has it, several times faster than zlib's tables.
uint32_t ccrc32_update(uint32_t crc, const unsigned char *bytes, size_t length);

#endif
