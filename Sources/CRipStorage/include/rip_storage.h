#ifndef RIP_STORAGE_H
#define RIP_STORAGE_H

/// Starts writing the dirty pages of `descriptor` to disk without waiting for them (Linux's
/// sync_file_range with SYNC_FILE_RANGE_WRITE; nothing elsewhere), so that the fsync which
/// makes a file durable finds most of it written. Returns 0, or -1 with errno set.
int rip_start_writeback(int descriptor);

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `count` bytes: with the CPU's crc32
/// instruction where it has one (x86-64 with SSE4.2: eight bytes a cycle or so), else a byte at
/// a time from a table.
uint32_t rip_crc32c(const uint8_t *bytes, size_t count);

/// The same from the table alone, as CPUs without the instruction compute it (for tests).
uint32_t rip_crc32c_table(const uint8_t *bytes, size_t count);

#endif
