/*
 * A ripd client in C with protoc-c generated code and libprotobuf-c: creates a session over
 * the Unix socket, reads it back by name, checks every field, and checks that a duplicate name
 * gets ALREADY_EXISTS. Exit 0 when all checks pass.
 *
 *   ripc SOCKET [NAME]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rip/v1/envelope.pb-c.h"
#include "rip/v1/session.pb-c.h"
#include "rip/v1/cookie.pb-c.h"

static int fd;
static uint64_t next_id = 1;
static int failures;

static void die(const char *what) { fprintf(stderr, "ripc: %s: %s\n", what, strerror(errno)); exit(2); }

static void write_all(const void *buf, size_t n) {
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, (const char *)buf + off, n - off);
        if (w <= 0) die("write");
        off += (size_t)w;
    }
}

static void read_all(void *buf, size_t n) {
    for (size_t off = 0; off < n;) {
        ssize_t r = read(fd, (char *)buf + off, n - off);
        if (r <= 0) die("read");
        off += (size_t)r;
    }
}

/* Sends one request frame and returns the matching response (caller frees). */
static Rip__V1__Response *call(const char *method, const ProtobufCMessage *msg) {
    Rip__V1__Request req = RIP__V1__REQUEST__INIT;
    req.id = next_id++;
    req.method = (char *)method;
    req.payload.len = protobuf_c_message_get_packed_size(msg);
    req.payload.data = malloc(req.payload.len + 1);
    protobuf_c_message_pack(msg, req.payload.data);

    size_t len = rip__v1__request__get_packed_size(&req);
    uint8_t *frame = malloc(4 + len);
    frame[0] = len >> 24; frame[1] = len >> 16; frame[2] = len >> 8; frame[3] = len;
    rip__v1__request__pack(&req, frame + 4);
    write_all(frame, 4 + len);
    free(frame);
    free(req.payload.data);

    uint8_t head[4];
    read_all(head, 4);
    size_t rlen = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
    uint8_t *body = malloc(rlen + 1);
    read_all(body, rlen);
    Rip__V1__Response *resp = rip__v1__response__unpack(NULL, rlen, body);
    free(body);
    if (!resp) { fprintf(stderr, "ripc: response does not decode\n"); exit(2); }
    if (resp->id != req.id) { fprintf(stderr, "ripc: response id %llu for request %llu\n",
                                      (unsigned long long)resp->id, (unsigned long long)req.id); exit(2); }
    return resp;
}

#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "ripc: FAIL " __VA_ARGS__); fputc('\n', stderr); } } while (0)

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: ripc SOCKET [NAME]\n"); return 2; }
    char name[128];
    snprintf(name, sizeof name, "%s", argc > 2 ? argv[2] : "c-client");

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("connect");

    /* CreateSession with tags, a header, a user agent and a timeout. */
    Rip__V1__CreateSessionRequest create = RIP__V1__CREATE_SESSION_REQUEST__INIT;
    char *tags[] = { "c", "polyglot" };
    Rip__V1__CreateSessionRequest__HeadersEntry header = RIP__V1__CREATE_SESSION_REQUEST__HEADERS_ENTRY__INIT;
    Rip__V1__CreateSessionRequest__HeadersEntry *headers[] = { &header };
    header.key = "X-Client"; header.value = "libprotobuf-c";
    create.name = name; create.description = "made by tools/cclient";
    create.n_tags = 2; create.tags = tags;
    create.n_headers = 1; create.headers = headers;
    create.user_agent = "ripc/1.0"; create.timeout_minutes = 30;
    Rip__V1__Response *resp = call("/rip.v1.SessionService/CreateSession", &create.base);
    CHECK(resp->code == RIP__V1__STATUS_CODE__OK, "CreateSession: status %d %s", resp->code, resp->message);
    Rip__V1__Session *created = rip__v1__session__unpack(NULL, resp->payload.len, resp->payload.data);
    CHECK(created && strncmp(created->id, "sess_", 5) == 0 && strlen(created->id) == 37, "id has the sess_ form");
    rip__v1__response__free_unpacked(resp, NULL);

    /* GetSession by name returns the same fields. */
    Rip__V1__GetSessionRequest get = RIP__V1__GET_SESSION_REQUEST__INIT;
    get.session = name;
    resp = call("/rip.v1.SessionService/GetSession", &get.base);
    CHECK(resp->code == RIP__V1__STATUS_CODE__OK, "GetSession: status %d %s", resp->code, resp->message);
    Rip__V1__Session *s = rip__v1__session__unpack(NULL, resp->payload.len, resp->payload.data);
    CHECK(s != NULL, "GetSession reply decodes");
    if (s && created) {
        CHECK(strcmp(s->id, created->id) == 0, "same id");
        CHECK(strcmp(s->name, name) == 0, "name is %s", s->name);
        CHECK(strcmp(s->description, "made by tools/cclient") == 0, "description");
        CHECK(s->n_tags == 2 && strcmp(s->tags[0], "c") == 0 && strcmp(s->tags[1], "polyglot") == 0, "tags");
        CHECK(s->n_headers == 1 && strcmp(s->headers[0]->key, "X-Client") == 0
              && strcmp(s->headers[0]->value, "libprotobuf-c") == 0, "header");
        CHECK(strcmp(s->user_agent, "ripc/1.0") == 0, "user agent");
        CHECK(s->timeout_minutes == 30, "timeout");
        CHECK(s->state == RIP__V1__SESSION_STATE__SESSION_STATE_ACTIVE, "state ACTIVE");
        CHECK(s->created_at && s->created_at->seconds > 1700000000, "created_at set");
        CHECK(s->expires_at && s->expires_at->seconds == s->last_used_at->seconds + 30 * 60, "expires 30 min after last use");
    }
    if (s) rip__v1__session__free_unpacked(s, NULL);
    if (created) rip__v1__session__free_unpacked(created, NULL);
    rip__v1__response__free_unpacked(resp, NULL);

    /* A duplicate name is refused with ALREADY_EXISTS. */
    resp = call("/rip.v1.SessionService/CreateSession", &create.base);
    CHECK(resp->code == RIP__V1__STATUS_CODE__ALREADY_EXISTS, "duplicate: status %d", resp->code);
    rip__v1__response__free_unpacked(resp, NULL);

    /* Cookies: store two Set-Cookie lines (one rejected), then ask for the Cookie header. */
    Rip__V1__StoreResponseCookiesRequest store = RIP__V1__STORE_RESPONSE_COOKIES_REQUEST__INIT;
    char *lines[] = { "sid=c-client; Path=/; HttpOnly", "bad=1; Domain=com" };
    store.session = name; store.url = "https://www.example.com/login";
    store.n_set_cookie_lines = 2; store.set_cookie_lines = lines;
    resp = call("/rip.v1.CookieService/StoreResponseCookies", &store.base);
    CHECK(resp->code == RIP__V1__STATUS_CODE__OK, "StoreResponseCookies: status %d %s", resp->code, resp->message);
    Rip__V1__StoreResponseCookiesResponse *stored =
        rip__v1__store_response_cookies_response__unpack(NULL, resp->payload.len, resp->payload.data);
    CHECK(stored && stored->n_outcomes == 2 && stored->outcomes[0]->stored && !stored->outcomes[1]->stored
          && strstr(stored->outcomes[1]->rejection, "public suffix"), "one line stored, one rejected");
    if (stored) rip__v1__store_response_cookies_response__free_unpacked(stored, NULL);
    rip__v1__response__free_unpacked(resp, NULL);
    Rip__V1__CookieHeaderRequest lookup = RIP__V1__COOKIE_HEADER_REQUEST__INIT;
    lookup.session = name; lookup.url = "https://www.example.com/account";
    resp = call("/rip.v1.CookieService/CookieHeader", &lookup.base);
    Rip__V1__CookieHeaderResponse *sent = rip__v1__cookie_header_response__unpack(NULL, resp->payload.len, resp->payload.data);
    CHECK(sent && strcmp(sent->header, "sid=c-client") == 0 && sent->n_cookies == 1 && sent->cookies[0]->http_only,
          "Cookie header is %s", sent ? sent->header : "(none)");
    if (sent) rip__v1__cookie_header_response__free_unpacked(sent, NULL);
    rip__v1__response__free_unpacked(resp, NULL);

    close(fd);
    if (failures) { fprintf(stderr, "ripc: %d checks failed\n", failures); return 1; }
    printf("ripc: session %s created, read back, given cookies and checked over %s: all checks passed\n", name, argv[1]);
    return 0;
}
