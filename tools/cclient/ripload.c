/*
 * A load generator for ripd in the shape of redis-benchmark: one process, one epoll loop,
 * N connections, each with P calls in flight (-P pipelining), for S seconds. Requests are
 * encoded once with protoc-c generated code; replies are checked for status OK.
 *
 *   ripload SOCKET CONNECTIONS PIPELINE SECONDS health|get-session|record-request|create-session
 *
 * health and get-session read; record-request changes one session (a durable write);
 * create-session creates a new uniquely named session per call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rip/v1/admin.pb-c.h"
#include "rip/v1/envelope.pb-c.h"
#include "rip/v1/session.pb-c.h"

struct conn { int fd; int index; long sent; size_t have; uint8_t buf[65536]; };

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

/* One framed Request for `method` with `msg` as payload; returns its length. */
static size_t frame(uint8_t *out, const char *method, const ProtobufCMessage *msg) {
    Rip__V1__Request req = RIP__V1__REQUEST__INIT;
    uint8_t payload[256];
    req.id = 1; req.method = (char *)method;
    req.payload.len = protobuf_c_message_pack(msg, payload);
    req.payload.data = payload;
    size_t len = rip__v1__request__pack(&req, out + 4);
    out[0] = len >> 24; out[1] = len >> 16; out[2] = len >> 8; out[3] = len;
    return len + 4;
}

/* Writes `count` calls on `c`: copies of the pre-encoded request, or fresh CreateSession
 * requests named ripload-PID-CONNECTION-N. */
static ssize_t send_calls(struct conn *c, uint8_t *burst, size_t request_len, int count, int creating) {
    size_t len = 0;
    if (!creating) {
        len = request_len * count;
    } else {
        for (int i = 0; i < count; i++) {
            char name[64];
            snprintf(name, sizeof name, "ripload-%d-%d-%ld", (int)getpid(), c->index, c->sent++);
            Rip__V1__CreateSessionRequest create = RIP__V1__CREATE_SESSION_REQUEST__INIT;
            create.name = name;
            len += frame(burst + len, "/rip.v1.SessionService/CreateSession", &create.base);
        }
    }
    return write(c->fd, burst, len);
}

/* Connects and returns a blocking socket. */
static int dial(const char *path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("ripload: connect"); exit(2); }
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: ripload SOCKET CONNECTIONS PIPELINE SECONDS health|get-session|record-request|create-session\n");
        return 2;
    }
    int creating = strcmp(argv[5], "create-session") == 0;
    int n = atoi(argv[2]), depth = atoi(argv[3]); double seconds = atof(argv[4]);
    uint8_t request[512]; size_t request_len;
    if (strcmp(argv[5], "health") == 0) {
        Rip__V1__HealthRequest health = RIP__V1__HEALTH_REQUEST__INIT;
        request_len = frame(request, "/rip.v1.AdminService/Health", &health.base);
    } else if (creating) {
        request_len = 0;  /* encoded per call: every session needs its own name */
    } else {
        char name[64]; snprintf(name, sizeof name, "ripload-%d", (int)getpid());
        Rip__V1__CreateSessionRequest create = RIP__V1__CREATE_SESSION_REQUEST__INIT;
        create.name = name;
        int fd = dial(argv[1]);
        size_t len = frame(request, "/rip.v1.SessionService/CreateSession", &create.base);
        if (write(fd, request, len) != (ssize_t)len) { perror("ripload: write"); return 2; }
        uint8_t reply[4096]; if (read(fd, reply, sizeof reply) <= 0) { perror("ripload: read"); return 2; }
        close(fd);
        if (strcmp(argv[5], "record-request") == 0) {
            Rip__V1__RecordRequestRequest record = RIP__V1__RECORD_REQUEST_REQUEST__INIT;
            record.session = name; record.url = "https://example.com/ripload"; record.success = 1;
            request_len = frame(request, "/rip.v1.SessionService/RecordRequest", &record.base);
        } else {
            Rip__V1__GetSessionRequest get = RIP__V1__GET_SESSION_REQUEST__INIT;
            get.session = name;
            request_len = frame(request, "/rip.v1.SessionService/GetSession", &get.base);
        }
    }
    uint8_t *burst = malloc(512 * depth);
    for (int i = 0; i < depth && !creating; i++) memcpy(burst + i * request_len, request, request_len);

    int ep = epoll_create1(0);
    struct conn *conns = calloc(n, sizeof *conns);
    for (int i = 0; i < n; i++) {
        conns[i].fd = dial(argv[1]);
        conns[i].index = i;
        fcntl(conns[i].fd, F_SETFL, O_NONBLOCK);
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &conns[i] };
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
        if (send_calls(&conns[i], burst, request_len, depth, creating) < 0) { perror("ripload: write"); return 2; }
    }
    long done = 0, failed = 0;
    double start = now(), end = start + seconds;
    struct epoll_event events[256];
    while (now() < end) {
        int ready = epoll_wait(ep, events, 256, 100);
        for (int e = 0; e < ready; e++) {
            struct conn *c = events[e].data.ptr;
            ssize_t r = read(c->fd, c->buf + c->have, sizeof c->buf - c->have);
            if (r <= 0) { if (errno == EAGAIN) continue; fprintf(stderr, "ripload: connection closed\n"); return 1; }
            c->have += r;
            size_t off = 0; int replies = 0;
            while (c->have - off >= 4) {
                size_t len = (size_t)c->buf[off] << 24 | c->buf[off + 1] << 16 | c->buf[off + 2] << 8 | c->buf[off + 3];
                if (c->have - off - 4 < len) break;
                Rip__V1__Response *resp = rip__v1__response__unpack(NULL, len, c->buf + off + 4);
                if (!resp || resp->code != RIP__V1__STATUS_CODE__OK) failed++;
                if (resp) rip__v1__response__free_unpacked(resp, NULL);
                off += 4 + len; replies++;
            }
            memmove(c->buf, c->buf + off, c->have - off); c->have -= off;
            done += replies;
            if (replies && send_calls(c, burst, request_len, replies, creating) < 0 && errno != EAGAIN) {
                perror("ripload: write");
                return 1;
            }
        }
    }
    double elapsed = now() - start;
    printf("ripload %s: %d connections, pipeline %d: %.0f calls/s (%ld calls, %ld failed, %.1f s)\n",
           argv[5], n, depth, done / elapsed, done, failed, elapsed);
    return failed ? 1 : 0;
}
