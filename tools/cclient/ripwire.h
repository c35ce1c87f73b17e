/*
 * The blocking basics the C load tools share: connect to ripd's socket, frame a Request
 * (4-byte big-endian length, then rip.v1.Request), and read one Response whole. Each exits
 * the program with a message on failure: these are benchmarks, not libraries.
 */
#ifndef RIPWIRE_H
#define RIPWIRE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rip/v1/envelope.pb-c.h"

static inline int rip_dial(const char *path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); exit(2); }
    return fd;
}

/* Writes one framed Request (id 1) for `method` with `msg` as payload into `out`; returns its
 * length. `out` needs the payload's size plus the method name plus 32 bytes. */
static inline size_t rip_frame(uint8_t *out, const char *method, const ProtobufCMessage *msg) {
    uint8_t payload[8192];
    Rip__V1__Request req = RIP__V1__REQUEST__INIT;
    req.id = 1; req.method = (char *)method;
    req.payload.len = protobuf_c_message_pack(msg, payload);
    req.payload.data = payload;
    size_t len = rip__v1__request__pack(&req, out + 4);
    out[0] = len >> 24; out[1] = len >> 16; out[2] = len >> 8; out[3] = len;
    return len + 4;
}

static inline void rip_read_full(int fd, uint8_t *into, size_t len) {
    size_t got = 0;
    while (got < len) { ssize_t r = read(fd, into + got, len - got); if (r <= 0) { perror("read"); exit(2); } got += r; }
}

/* Reads one Response; exits unless its status is OK. Free it with
 * rip__v1__response__free_unpacked. */
static inline Rip__V1__Response *rip_receive(int fd) {
    uint8_t head[4];
    rip_read_full(fd, head, 4);
    size_t len = (size_t)head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3];
    uint8_t *reply = malloc(len);
    rip_read_full(fd, reply, len);
    Rip__V1__Response *resp = rip__v1__response__unpack(NULL, len, reply);
    free(reply);
    if (!resp || resp->code != RIP__V1__STATUS_CODE__OK) {
        fprintf(stderr, "call failed: %s\n", resp ? resp->message : "undecodable reply");
        exit(3);
    }
    return resp;
}

/* Sends one framed call and waits for its OK reply. */
static inline void rip_call(int fd, const uint8_t *request, size_t len) {
    if (write(fd, request, len) != (ssize_t)len) { perror("write"); exit(2); }
    rip__v1__response__free_unpacked(rip_receive(fd), NULL);
}

#endif
