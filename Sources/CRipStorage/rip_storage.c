#define _GNU_SOURCE  // sync_file_range
#include "rip_storage.h"

#include <fcntl.h>
#include <string.h>

int rip_start_writeback(int descriptor) {
#ifdef SYNC_FILE_RANGE_WRITE
    return sync_file_range(descriptor, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)descriptor;
    return 0;
#endif
}

/// A byte at a time, for CPUs without the instruction.
uint32_t rip_crc32c_table(const uint8_t *bytes, size_t count) {
    static uint32_t table[256];
    static int ready;
    if (!ready) {
        for (uint32_t index = 0; index < 256; index++) {
            uint32_t crc = index;
            for (int bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            table[index] = crc;
        }
        ready = 1;  // a race only writes the same values twice
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t index = 0; index < count; index++) crc = table[(crc ^ bytes[index]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(const uint8_t *bytes, size_t count) {
    uint64_t crc = 0xFFFFFFFFu;
    for (; count >= 8; bytes += 8, count -= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        crc = __builtin_ia32_crc32di(crc, word);
    }
    uint32_t small = (uint32_t)crc;
    for (; count > 0; bytes++, count--) small = __builtin_ia32_crc32qi(small, *bytes);
    return small ^ 0xFFFFFFFFu;
}
#endif

uint32_t rip_crc32c(const uint8_t *bytes, size_t count) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return crc32c_sse42(bytes, count);
#endif
    return rip_crc32c_table(bytes, count);
}
