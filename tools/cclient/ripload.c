/*
 * A load generator for ripd in the shape of redis-benchmark: one process, one epoll loop,
 * N connections, each with P calls in flight (-P pipelining), for S seconds. Requests are
 * encoded once with protoc-c generated code; replies are checked for status OK.
 *
 *   ripload SOCKET CONNECTIONS PIPELINE SECONDS MODE
 *
 * MODE: health and get-session read; record-request changes one session (a durable write);
 * create-session creates a new uniquely named session per call; cookie-header asks for the
 * Cookie header of one of 300 URLs, in turn, from a jar of 3,000 cookies over 300 domains
 * (cookie-header-only: with header_only, the reply leaves the cookies out);
 * store-cookies stores one Set-Cookie line per call (a durable write) into such a jar.
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
#include "rip/v1/cookie.pb-c.h"
#include "rip/v1/envelope.pb-c.h"
#include "rip/v1/session.pb-c.h"
#include "ripwire.h"

struct conn { int fd; int index; long sent; size_t have; uint8_t buf[65536]; };

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

#define DOMAINS 300
#define COOKIES_PER_DOMAIN 10

/* The pre-encoded requests a connection sends in turn (one for most modes, 300 for the
 * cookie modes). */
static uint8_t *requests[DOMAINS];
static size_t request_lens[DOMAINS];
static int request_count = 1;

/* Writes `count` calls on `c`: the pre-encoded requests in turn, or fresh CreateSession
 * requests named ripload-PID-CONNECTION-N. */
static ssize_t send_calls(struct conn *c, uint8_t *burst, size_t request_len, int count, int creating) {
    size_t len = 0;
    (void)request_len;
    if (!creating) {
        for (int i = 0; i < count; i++) {
            int k = (int)(c->sent++ % request_count);
            memcpy(burst + len, requests[k], request_lens[k]);
            len += request_lens[k];
        }
    } else {
        for (int i = 0; i < count; i++) {
            char name[64];
            snprintf(name, sizeof name, "ripload-%d-%d-%ld", (int)getpid(), c->index, c->sent++);
            Rip__V1__CreateSessionRequest create = RIP__V1__CREATE_SESSION_REQUEST__INIT;
            create.name = name;
            len += rip_frame(burst + len, "/rip.v1.SessionService/CreateSession", &create.base);
        }
    }
    return write(c->fd, burst, len);
}

/* Fills the jar of `session` with DOMAINS x COOKIES_PER_DOMAIN cookies: per domain, host-only
 * and domain cookies on a few paths, as a crawler's jar holds them. */
static void fill_jar(int fd, char *session) {
    uint8_t request[8192];
    for (int d = 0; d < DOMAINS; d++) {
        char url[128], lines[COOKIES_PER_DOMAIN][160]; char *pointers[COOKIES_PER_DOMAIN];
        snprintf(url, sizeof url, "https://www.d%d.bench.example/app/page", d);
        for (int k = 0; k < COOKIES_PER_DOMAIN; k++) {
            /* Odd cookies are domain cookies; every third lives under /app. */
            char domain[64] = "";
            if (k % 2) snprintf(domain, sizeof domain, "; Domain=d%d.bench.example", d);
            snprintf(lines[k], sizeof lines[k], "c%d=value-%d-%d-0123456789abcdef; Max-Age=86400%s%s", k, d, k,
                     domain, k % 3 == 0 ? "; Path=/app" : "; Path=/");
            pointers[k] = lines[k];
        }
        Rip__V1__StoreResponseCookiesRequest store = RIP__V1__STORE_RESPONSE_COOKIES_REQUEST__INIT;
        store.session = session; store.url = url;
        store.n_set_cookie_lines = COOKIES_PER_DOMAIN; store.set_cookie_lines = pointers;
        rip_call(fd, request, rip_frame(request, "/rip.v1.CookieService/StoreResponseCookies", &store.base));
    }
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: ripload SOCKET CONNECTIONS PIPELINE SECONDS "
                        "health|get-session|record-request|create-session|cookie-header[-only]|store-cookies\n");
        return 2;
    }
    int creating = strcmp(argv[5], "create-session") == 0;
    int n = atoi(argv[2]), depth = atoi(argv[3]); double seconds = atof(argv[4]);
    uint8_t request[512]; size_t request_len;
    requests[0] = request;
    if (strcmp(argv[5], "health") == 0) {
        Rip__V1__HealthRequest health = RIP__V1__HEALTH_REQUEST__INIT;
        request_len = rip_frame(request, "/rip.v1.AdminService/Health", &health.base);
    } else if (creating) {
        request_len = 0;  /* encoded per call: every session needs its own name */
    } else {
        char name[64]; snprintf(name, sizeof name, "ripload-%d", (int)getpid());
        Rip__V1__CreateSessionRequest create = RIP__V1__CREATE_SESSION_REQUEST__INIT;
        create.name = name;
        int fd = rip_dial(argv[1]);
        size_t len = rip_frame(request, "/rip.v1.SessionService/CreateSession", &create.base);
        if (write(fd, request, len) != (ssize_t)len) { perror("ripload: write"); return 2; }
        uint8_t reply[4096]; if (read(fd, reply, sizeof reply) <= 0) { perror("ripload: read"); return 2; }
        close(fd);
        if (strncmp(argv[5], "cookie-header", 13) == 0 || strcmp(argv[5], "store-cookies") == 0) {
            int storing = strcmp(argv[5], "store-cookies") == 0;
            fd = rip_dial(argv[1]);
            fill_jar(fd, name);
            close(fd);
            request_count = DOMAINS;
            for (int d = 0; d < DOMAINS; d++) {
                char url[128], line[128]; char *pointers[1] = { line };
                requests[d] = malloc(512);
                if (storing) {
                    snprintf(url, sizeof url, "https://www.d%d.bench.example/app/page", d);
                    snprintf(line, sizeof line, "c%d=changed-%d; Max-Age=86400; Path=/", (d * 7) % COOKIES_PER_DOMAIN, d);
                    Rip__V1__StoreResponseCookiesRequest store = RIP__V1__STORE_RESPONSE_COOKIES_REQUEST__INIT;
                    store.session = name; store.url = url; store.n_set_cookie_lines = 1; store.set_cookie_lines = pointers;
                    request_lens[d] = rip_frame(requests[d], "/rip.v1.CookieService/StoreResponseCookies", &store.base);
                } else {
                    snprintf(url, sizeof url, "https://www.d%d.bench.example/app/page?q=%d", d, d);
                    Rip__V1__CookieHeaderRequest header = RIP__V1__COOKIE_HEADER_REQUEST__INIT;
                    header.session = name; header.url = url;
                    header.header_only = strcmp(argv[5], "cookie-header-only") == 0;
                    request_lens[d] = rip_frame(requests[d], "/rip.v1.CookieService/CookieHeader", &header.base);
                }
            }
            request_len = 512;
        } else if (strcmp(argv[5], "record-request") == 0) {
            Rip__V1__RecordRequestRequest record = RIP__V1__RECORD_REQUEST_REQUEST__INIT;
            record.session = name; record.url = "https://example.com/ripload"; record.success = 1;
            request_len = rip_frame(request, "/rip.v1.SessionService/RecordRequest", &record.base);
        } else {
            Rip__V1__GetSessionRequest get = RIP__V1__GET_SESSION_REQUEST__INIT;
            get.session = name;
            request_len = rip_frame(request, "/rip.v1.SessionService/GetSession", &get.base);
        }
    }
    if (request_count == 1) request_lens[0] = request_len;
    uint8_t *burst = malloc(512 * depth);

    int ep = epoll_create1(0);
    struct conn *conns = calloc(n, sizeof *conns);
    for (int i = 0; i < n; i++) {
        conns[i].fd = rip_dial(argv[1]);
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
