#define _GNU_SOURCE  // copy_file_range
#include "rip_descriptors.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/// Room for a few descriptors: those a peer sends beyond the first are closed, not leaked.
#define RIP_MAX_DESCRIPTORS 8

ssize_t rip_send_with_descriptor(int socket, const void *bytes, size_t length, int descriptor) {
    struct iovec io = {.iov_base = (void *)bytes, .iov_len = length};
    struct msghdr message = {.msg_iov = &io, .msg_iovlen = 1};
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    if (descriptor >= 0) {
        memset(&control, 0, sizeof control);
        message.msg_control = control.buffer;
        message.msg_controllen = sizeof control.buffer;
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
    }
    ssize_t sent;
    do {
        sent = sendmsg(socket, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

ssize_t rip_receive_with_descriptor(int socket, void *bytes, size_t length, int *descriptor, int *lost) {
    struct iovec io = {.iov_base = bytes, .iov_len = length};
    struct msghdr message = {.msg_iov = &io, .msg_iovlen = 1};
    union {
        char buffer[CMSG_SPACE(RIP_MAX_DESCRIPTORS * sizeof(int))];
        struct cmsghdr align;
    } control;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof control.buffer;
    int flags = 0;
#ifdef MSG_CMSG_CLOEXEC
    flags |= MSG_CMSG_CLOEXEC;
#endif
    ssize_t received;
    do {
        received = recvmsg(socket, &message, flags);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return received;
    if (message.msg_flags & MSG_CTRUNC) *lost = 1;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t index = 0; index < count; index++) {
            int received_descriptor;
            memcpy(&received_descriptor, CMSG_DATA(header) + index * sizeof(int), sizeof(int));
#ifndef MSG_CMSG_CLOEXEC
            fcntl(received_descriptor, F_SETFD, FD_CLOEXEC);
#endif
            if (*descriptor < 0) {
                *descriptor = received_descriptor;
            } else {
                close(received_descriptor);
            }
        }
    }
    return received;
}

long long rip_copy_file(int from, int to, unsigned long long length) {
    unsigned long long copied = 0;
#ifdef __linux__
    /// copy_file_range: regular file to regular file (EXDEV, EINVAL and the like: try the next).
    while (copied < length) {
        loff_t offset = (loff_t)copied;
        ssize_t count = copy_file_range(from, &offset, to, NULL, length - copied, 0);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) break;
        copied += (unsigned long long)count;
    }
    /// sendfile: to any descriptor, a pipe or socket included.
    while (copied < length) {
        off_t offset = (off_t)copied;
        ssize_t count = sendfile(to, from, &offset, length - copied);
        if (count < 0 && errno == EINTR) continue;
        if (count < 0 && copied == 0 && (errno == EINVAL || errno == ENOSYS)) break;
        if (count < 0) return -1;
        if (count == 0) return (long long)copied;
        copied += (unsigned long long)count;
    }
#endif
    char buffer[1 << 16];
    while (copied < length) {
        size_t want = length - copied < sizeof buffer ? (size_t)(length - copied) : sizeof buffer;
        ssize_t count = pread(from, buffer, want, (off_t)copied);
        if (count < 0 && errno == EINTR) continue;
        if (count < 0) return -1;
        if (count == 0) break;
        for (ssize_t written = 0; written < count;) {
            ssize_t step = write(to, buffer + written, (size_t)(count - written));
            if (step < 0 && errno == EINTR) continue;
            if (step < 0) return -1;
            written += step;
        }
        copied += (unsigned long long)count;
    }
    return (long long)copied;
}
