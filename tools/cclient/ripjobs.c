/*
 * The job cycle against ripd in the shape of ../shared/bench/beanbench.c (beanstalkd's put,
 * reserve, delete): one process per client, each on its own connection doing SubmitJob,
 * Claim (long poll), CompleteJob in turn, on its own method as beanbench uses a tube per
 * client. protoc-c generated code, blocking calls.
 *
 *   ripjobs SOCKET cycle CLIENTS JOBS_PER_CLIENT   jobs per second
 *   ripjobs SOCKET loop CLIENTS JOBS_PER_CLIENT    the same with a worker's loop: SubmitJob, then
 *                                                  CompleteAndClaim (completes the job held,
 *                                                  claims the one just submitted): two calls a job
 *   ripjobs SOCKET latency ROUNDS                  submit-to-claim latency of a waiting worker
 *
 * latency: a worker connection parks a Claim (wait 10 s); 2 ms later a second connection
 * submits a job; the time from sending the submit to receiving the claim's reply is one
 * sample. The job is then completed. p50 and p99 are printed, next to those of a Health round
 * trip made the same way (after the same 2 ms pause, so both start from idle threads).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rip/v1/admin.pb-c.h"
#include "rip/v1/envelope.pb-c.h"
#include "rip/v1/job.pb-c.h"
#include "ripwire.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

/* Writes one framed Request for `method` carrying `msg`. */
static void send_call(int fd, const char *method, const ProtobufCMessage *msg) {
    uint8_t out[9000];
    size_t len = rip_frame(out, method, msg);
    if (write(fd, out, len) != (ssize_t)len) { perror("ripjobs: write"); exit(2); }
}

/* Jobs of client C have method tC and C claims only those: beanbench's tube per client. */
static void submit(int fd, int client) {
    static char *urls[] = { "https://example.com/a" };
    char method[32]; snprintf(method, sizeof method, "t%d", client);
    Rip__V1__SubmitJobRequest request = RIP__V1__SUBMIT_JOB_REQUEST__INIT;
    request.n_urls = 1; request.urls = urls; request.method = method;
    send_call(fd, "/rip.v1.JobService/SubmitJob", &request.base);
}

/* The claim of client C: one job (waiting up to 10 s) of its own method. */
struct claim_terms { char worker[32], method[32]; char *methods[1]; Rip__V1__ClaimRequest request; };

static void claim_terms_init(struct claim_terms *terms, int client) {
    snprintf(terms->worker, sizeof terms->worker, "w%d", client);
    snprintf(terms->method, sizeof terms->method, "t%d", client);
    terms->methods[0] = terms->method;
    Rip__V1__ClaimRequest request = RIP__V1__CLAIM_REQUEST__INIT;
    request.worker_id = terms->worker; request.wait_ms = 10000; request.max_jobs = 1;
    request.n_methods = 1; request.methods = terms->methods;
    terms->request = request;
}

/* Copies the id and lease token of the one job a claim's reply holds; exits when it holds none. */
static void take_claimed(size_t n_jobs, Rip__V1__ClaimedJob **jobs, const char *what, char id[64], char token[64]) {
    if (n_jobs != 1) { fprintf(stderr, "ripjobs: %s got no job\n", what); exit(3); }
    snprintf(id, 64, "%s", jobs[0]->job->id); snprintf(token, 64, "%s", jobs[0]->token);
}

static void claim_one(int fd, struct claim_terms *terms, char id[64], char token[64]) {
    send_call(fd, "/rip.v1.JobService/Claim", &terms->request.base);
    Rip__V1__Response *resp = rip_receive(fd);
    Rip__V1__ClaimResponse *claimed = rip__v1__claim_response__unpack(NULL, resp->payload.len, resp->payload.data);
    if (!claimed) { fprintf(stderr, "ripjobs: claim failed: %s\n", resp->message); exit(3); }
    take_claimed(claimed->n_jobs, claimed->jobs, "claim", id, token);
    rip__v1__claim_response__free_unpacked(claimed, NULL);
    rip__v1__response__free_unpacked(resp, NULL);
}

static void complete_one(int fd, char *id, char *token) {
    Rip__V1__CompleteJobRequest complete = RIP__V1__COMPLETE_JOB_REQUEST__INIT;
    complete.job_id = id; complete.token = token;
    send_call(fd, "/rip.v1.JobService/CompleteJob", &complete.base);
    Rip__V1__Response *resp = rip_receive(fd);
    if (resp->code != 0) { fprintf(stderr, "ripjobs: complete failed: %s\n", resp->message); exit(3); }
    rip__v1__response__free_unpacked(resp, NULL);
}

/* Claims one job (waiting up to 10 s) and completes it. */
static void claim_and_complete(int fd, int client) {
    struct claim_terms terms; claim_terms_init(&terms, client);
    char id[64], token[64];
    claim_one(fd, &terms, id, token);
    complete_one(fd, id, token);
}

/* The worker's loop: claims one job, then for each job submits the next and completes the
 * held one while claiming the next in one CompleteAndClaim; completes the last. */
static void worker_loop(int fd, int client, int per) {
    struct claim_terms terms; claim_terms_init(&terms, client);
    char id[64], token[64];
    submit(fd, client);
    rip__v1__response__free_unpacked(rip_receive(fd), NULL);
    claim_one(fd, &terms, id, token);
    for (int i = 1; i < per; i++) {
        submit(fd, client);
        rip__v1__response__free_unpacked(rip_receive(fd), NULL);
        Rip__V1__CompleteJobRequest complete = RIP__V1__COMPLETE_JOB_REQUEST__INIT;
        complete.job_id = id; complete.token = token;
        Rip__V1__CompleteAndClaimRequest both = RIP__V1__COMPLETE_AND_CLAIM_REQUEST__INIT;
        both.complete = &complete; both.claim = &terms.request;
        send_call(fd, "/rip.v1.JobService/CompleteAndClaim", &both.base);
        Rip__V1__Response *resp = rip_receive(fd);
        Rip__V1__CompleteAndClaimResponse *next = rip__v1__complete_and_claim_response__unpack(NULL, resp->payload.len, resp->payload.data);
        if (resp->code != 0 || !next) { fprintf(stderr, "ripjobs: complete-and-claim failed: %s\n", resp->message); exit(3); }
        take_claimed(next->n_jobs, next->jobs, "complete-and-claim", id, token);
        rip__v1__complete_and_claim_response__free_unpacked(next, NULL);
        rip__v1__response__free_unpacked(resp, NULL);
    }
    complete_one(fd, id, token);
}

static int compare(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    int loop = argc == 5 && strcmp(argv[2], "loop") == 0;
    if (argc == 5 && (loop || strcmp(argv[2], "cycle") == 0)) {
        int clients = atoi(argv[3]), per = atoi(argv[4]);
        double start = now();
        for (int c = 0; c < clients; c++) {
            if (fork() == 0) {
                int fd = rip_dial(argv[1]);
                if (loop) {
                    worker_loop(fd, c, per);
                    exit(0);
                }
                for (int i = 0; i < per; i++) {
                    submit(fd, c);
                    rip__v1__response__free_unpacked(rip_receive(fd), NULL);
                    claim_and_complete(fd, c);
                }
                exit(0);
            }
        }
        int failed = 0;
        for (int c = 0; c < clients; c++) { int status; wait(&status); failed |= status != 0; }
        double seconds = now() - start;
        if (failed) { fprintf(stderr, "ripjobs: a client failed\n"); return 1; }
        printf("ripd: %d clients x %d jobs: %.0f jobs/s (%s), %.0f calls/s\n", clients, per, clients * per / seconds,
               loop ? "submit, complete-and-claim" : "submit+claim+complete", (loop ? 2 : 3) * clients * per / seconds);
        return 0;
    }
    if (argc == 4 && strcmp(argv[2], "latency") == 0) {
        int rounds = atoi(argv[3]);
        int worker = rip_dial(argv[1]), submitter = rip_dial(argv[1]);
        double *samples = malloc(sizeof(double) * rounds), *baseline = malloc(sizeof(double) * rounds);
        struct claim_terms terms; claim_terms_init(&terms, 0);
        for (int i = 0; i < rounds; i++) {
            send_call(worker, "/rip.v1.JobService/Claim", &terms.request.base);
            struct timespec pause = { 0, 2000000 };
            nanosleep(&pause, NULL);
            double sent = now();
            submit(submitter, 0);
            Rip__V1__Response *resp = rip_receive(worker);
            samples[i] = now() - sent;
            rip__v1__response__free_unpacked(rip_receive(submitter), NULL);
            Rip__V1__ClaimResponse *claimed = rip__v1__claim_response__unpack(NULL, resp->payload.len, resp->payload.data);
            if (!claimed) { fprintf(stderr, "ripjobs: claim failed: %s\n", resp->message); return 3; }
            char id[64], token[64];
            take_claimed(claimed->n_jobs, claimed->jobs, "claim", id, token);
            rip__v1__claim_response__free_unpacked(claimed, NULL);
            rip__v1__response__free_unpacked(resp, NULL);
            complete_one(worker, id, token);

            nanosleep(&pause, NULL);
            Rip__V1__HealthRequest health = RIP__V1__HEALTH_REQUEST__INIT;
            sent = now();
            send_call(submitter, "/rip.v1.AdminService/Health", &health.base);
            rip__v1__response__free_unpacked(rip_receive(submitter), NULL);
            baseline[i] = now() - sent;
        }
        qsort(samples, rounds, sizeof(double), compare);
        qsort(baseline, rounds, sizeof(double), compare);
        printf("ripd: submit-to-claim latency of a waiting worker, %d rounds: p50 %.0f us, p99 %.0f us "
               "(a Health round trip after the same pause: p50 %.0f us, p99 %.0f us)\n", rounds,
               samples[rounds / 2] * 1e6, samples[(int)(rounds * 0.99)] * 1e6,
               baseline[rounds / 2] * 1e6, baseline[(int)(rounds * 0.99)] * 1e6);
        return 0;
    }
    fprintf(stderr, "usage: ripjobs SOCKET cycle|loop CLIENTS JOBS_PER_CLIENT | ripjobs SOCKET latency ROUNDS\n");
    return 2;
}
