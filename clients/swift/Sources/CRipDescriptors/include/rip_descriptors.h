#ifndef RIP_DESCRIPTORS_H
#define RIP_DESCRIPTORS_H

#include <stddef.h>
#include <sys/types.h>

/// Sends `length` bytes from `bytes` on the Unix stream socket `socket` in one sendmsg, with
/// `descriptor` attached (SCM_RIGHTS) unless it is -1. Returns what sendmsg returns (errno set
/// on -1); a short count means the rest must be sent with plain writes.
ssize_t rip_send_with_descriptor(int socket, const void *bytes, size_t length, int descriptor);

/// Receives up to `length` bytes into `bytes` with recvmsg. A descriptor that came with them is
/// stored in `*descriptor` (close-on-exec) when that is -1; every other one is closed, so a
/// peer cannot leave descriptors behind. `*lost` is set to 1 when the kernel dropped
/// descriptors sent with them (this process is out of descriptors). Returns what recvmsg
/// returns (errno set on -1).
ssize_t rip_receive_with_descriptor(int socket, void *bytes, size_t length, int *descriptor, int *lost);

/// Copies `length` bytes from the file `from` (from offset 0) to `to` at its current offset, in
/// the kernel where it can (copy_file_range, then sendfile), else with read and write. Returns
/// the bytes copied, fewer when `from` ended first, or -1 with errno set.
long long rip_copy_file(int from, int to, unsigned long long length);

#endif
