/*
 * Capstan sample workload: a small multi-threaded HTTP/1.1 server whose
 * behaviour (slow start, failing health, crashes, CPU burn, memory growth,
 * injected errors and latency) is set by environment variables and can be
 * changed at runtime over HTTP (/control).  See sample/README.md.
 *
 * Build (static, so it runs in a FROM scratch image):
 *   gcc -static -O2 -pthread -o sample sample.c
 *
 * `sample probe` performs GET /healthz against 127.0.0.1:$PORT and exits 0 on
 * 200, 1 otherwise (Docker HEALTHCHECK in an image without a shell).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define REQ_BUF 16384            /* max request head + body */
#define MAX_CONNS 512            /* concurrent connections */
#define IDLE_TIMEOUT_MS 5000     /* keep-alive idle timeout */
#define HEADER_TIMEOUT_MS 10000  /* time allowed to send a full request */
#define SEND_TIMEOUT_S 10
#define MAX_BURN_THREADS 64
#define MAX_LATENCY_MS 600000L
#define MAX_MEM_RATE 10240.0     /* MiB/s */
#ifndef CONN_STACK
#define CONN_STACK (256 * 1024)
#endif

/* ---- global state ------------------------------------------------------ */

static char g_version[64] = "dev";
static char g_hostname[256] = "unknown";
static int g_port = 8080;
static double g_start_delay = 0;     /* seconds until /healthz is ok */
static double g_crash_after = 0;     /* 0 = never */
static double g_shutdown_delay = 0;  /* keep serving (healthz 503) after SIGTERM */
static double g_shutdown_timeout = 5; /* bound on draining in-flight requests */
static double g_t0;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int health_fail;
    double error_rate;
    long latency_ms;
    double cpu_burn;
    double mem_rate; /* MiB per second */
    int log_requests;
} g_cfg;

static atomic_ulong g_requests;      /* requests to "/" */
static atomic_int g_active;          /* open connections */
static atomic_int g_draining;        /* SIGTERM received */
static atomic_int g_closed;          /* listener closed: idle keep-alive conns should go */
static int g_closed_pipe[2] = {-1, -1}; /* readable once g_closed is set: wakes idle conns at once */
static atomic_ulong g_mem_grown;     /* bytes allocated+touched */
static int g_burners;                /* burner threads started (under g_mu) */
static int g_mem_thread;             /* memory thread started (under g_mu) */
static volatile sig_atomic_t g_signal;

/* ---- helpers ----------------------------------------------------------- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double uptime_s(void) { return now_s() - g_t0; }

static double thread_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void logf_out(FILE *f, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(f, "sample %s: %s\n", g_version, buf);
    fflush(f);
}

/* Start a detached thread with all signals blocked (only main handles them). */
static int spawn(void *(*fn)(void *), void *arg, size_t stack) {
    pthread_attr_t attr;
    pthread_t t;
    sigset_t all, old;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (stack) pthread_attr_setstacksize(&attr, stack);
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&t, &attr, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return rc;
}

/* Strict number parsing. */
static int parse_double(const char *s, double lo, double hi, double *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (errno || *end || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_long(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, int *out) {
    if (!s) return -1;
    if (!strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
        *out = 1;
        return 0;
    }
    if (!*s || !strcmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

static int parse_health(const char *s, int *fail) {
    if (!s) return -1;
    if (!strcasecmp(s, "fail")) { *fail = 1; return 0; }
    if (!*s || !strcasecmp(s, "ok")) { *fail = 0; return 0; }
    return -1;
}

static void die_env(const char *name, const char *val, const char *want) {
    fprintf(stderr, "sample %s: invalid %s=%s (expected %s)\n", g_version, name, val, want);
    exit(64);
}

static double env_double(const char *name, double def, double lo, double hi) {
    const char *s = getenv(name);
    double v;
    if (!s || !*s) return def;
    if (parse_double(s, lo, hi, &v)) {
        char want[96];
        snprintf(want, sizeof want, "a number in [%g, %g]", lo, hi);
        die_env(name, s, want);
    }
    return v;
}

static size_t json_escape(char *dst, size_t cap, const char *src) {
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p && n + 7 < cap; p++) {
        if (*p == '"' || *p == '\\') {
            dst[n++] = '\\';
            dst[n++] = *p;
        } else if (*p < 0x20) {
            n += snprintf(dst + n, cap - n, "\\u%04x", *p);
        } else {
            dst[n++] = *p;
        }
    }
    dst[n] = 0;
    return n;
}

/* xorshift64* per connection */
static double rnd01(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return ((x * 0x2545F4914F6CDD1DULL) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- CPU burn ---------------------------------------------------------- */

static void *burner(void *arg) {
    int idx = (int)(intptr_t)arg;
    const double period = 0.1;
    volatile uint64_t sink = 0;
    for (;;) {
        pthread_mutex_lock(&g_mu);
        double load = g_cfg.cpu_burn - idx;
        pthread_mutex_unlock(&g_mu);
        if (load <= 0) {
            sleep_ms(100);
            continue;
        }
        if (load > 1) load = 1;
        /* spin until this thread got load*period of CPU (not wall) time, so the
         * duty cycle holds when the host is busy, then sleep out the period */
        double p0 = now_s(), c0 = thread_cpu_s();
        while (now_s() - p0 < period && (load >= 1 || thread_cpu_s() - c0 < period * load))
            for (int i = 0; i < 10000; i++) sink += i;
        double rest = period - (now_s() - p0);
        if (rest > 0.001) sleep_ms((long)(rest * 1000));
    }
    return NULL;
}

/* caller holds g_mu */
static void ensure_burners_locked(double target) {
    int want = (int)ceil(target);
    if (want > MAX_BURN_THREADS) want = MAX_BURN_THREADS;
    while (g_burners < want) {
        if (spawn(burner, (void *)(intptr_t)g_burners, 64 * 1024)) break;
        g_burners++;
    }
}

/* ---- memory growth ----------------------------------------------------- */

static void *mem_grower(void *arg) {
    (void)arg;
    const size_t page = 4096;
    double owed = 0, last = now_s();
    int warned = 0;
    for (;;) {
        sleep_ms(100);
        double t = now_s();
        pthread_mutex_lock(&g_mu);
        double rate = g_cfg.mem_rate;
        pthread_mutex_unlock(&g_mu);
        if (rate > 0) owed += rate * 1048576.0 * (t - last);
        else owed = 0;
        last = t;
        if (owed < page) continue;
        size_t n = (size_t)owed / page * page;
        char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            if (!warned++) logf_out(stderr, "memory growth: mmap failed: %s", strerror(errno));
            continue;
        }
        for (size_t i = 0; i < n; i += page) ((volatile char *)p)[i] = (char)(i | 1);
        atomic_fetch_add(&g_mem_grown, n);
        owed -= n;
    }
    return NULL;
}

/* caller holds g_mu */
static void ensure_mem_thread_locked(double rate) {
    if (rate > 0 && !g_mem_thread) {
        if (spawn(mem_grower, NULL, 64 * 1024) == 0) g_mem_thread = 1;
    }
}

/* ---- networking helpers ------------------------------------------------ */

static int send_all(int fd, const char *buf, size_t len) {
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Wait until fd is readable.  Returns 1 readable, 0 timeout (or drain abort),
 * -1 error.  abort_on_drain: give up as soon as the server is draining. */
static int wait_readable(int fd, int timeout_ms, int abort_on_drain) {
    double deadline = now_s() + timeout_ms / 1000.0;
    for (;;) {
        if (abort_on_drain && atomic_load(&g_closed)) return 0;
        double left = deadline - now_s();
        if (left <= 0) return 0;
        int slice = left > 0.2 ? 200 : (int)(left * 1000) + 1;
        struct pollfd p[2] = {{fd, POLLIN, 0}, {g_closed_pipe[0], POLLIN, 0}};
        int r = poll(p, abort_on_drain && g_closed_pipe[0] >= 0 ? 2 : 1, slice);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (p[0].revents) return 1;
        if (r > 0 && abort_on_drain) return 0; /* the listener closed: an idle connection goes now */
    }
}

/* ---- HTTP -------------------------------------------------------------- */

struct conn {
    int fd;
    size_t len;
    uint64_t rng;
    char buf[REQ_BUF + 1];
};

struct req {
    char method[16];
    char path[2048];
    char query[4096];
    int keep_alive;
    const char *body;
    size_t body_len;
};

static const char *reason(int code) {
    switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

static int respond(int fd, int code, const char *ctype, const char *body, int keep_alive, int head_only,
                   const char *extra_headers) {
    char hdr[1024];
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: %s\r\n"
                     "Cache-Control: no-store\r\n"
                     "X-Sample-Version: %s\r\n"
                     "%s"
                     "\r\n",
                     code, reason(code), ctype, blen, keep_alive ? "keep-alive" : "close", g_version,
                     extra_headers ? extra_headers : "");
    if (n < 0 || (size_t)n >= sizeof hdr) return -1;
    if (send_all(fd, hdr, (size_t)n)) return -1;
    if (!head_only && blen && send_all(fd, body, blen)) return -1;
    return 0;
}

/* Find end of request head: returns offset just past the blank line, or 0. */
static size_t head_end(const char *b, size_t len) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (b[i] != '\n') continue;
        if (b[i + 1] == '\n') return i + 2;
        if (b[i + 1] == '\r' && i + 2 < len && b[i + 2] == '\n') return i + 3;
    }
    return 0;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* In-place URL decode ('+' -> space). */
static void url_decode(char *s) {
    char *o = s;
    for (; *s; s++) {
        if (*s == '+') *o++ = ' ';
        else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else *o++ = *s;
    }
    *o = 0;
}

/* Copy the next "line" (terminated by \n) out of [*p, end); strips \r. */
static int next_line(const char **p, const char *end, char *out, size_t cap) {
    const char *s = *p;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl) return -1;
    size_t n = (size_t)(nl - s);
    if (n && s[n - 1] == '\r') n--;
    *p = nl + 1;
    if (n >= cap) return -2;
    memcpy(out, s, n);
    out[n] = 0;
    return (int)n;
}

static void lower(char *s) {
    for (; *s; s++) *s = (char)tolower((unsigned char)*s);
}

static int has_token(const char *v, const char *tok) {
    /* comma separated, case-insensitive */
    size_t tl = strlen(tok);
    while (*v) {
        while (*v == ' ' || *v == '\t' || *v == ',') v++;
        const char *e = v;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > v && (t[-1] == ' ' || t[-1] == '\t')) t--;
        if ((size_t)(t - v) == tl && !strncasecmp(v, tok, tl)) return 1;
        v = e;
    }
    return 0;
}

/* ---- /control ---------------------------------------------------------- */

struct ctl {
    int set_health, health_fail;
    int set_err;
    double err;
    int set_lat;
    long lat;
    int set_cpu;
    double cpu;
    int set_mem;
    double mem;
    int set_log, log;
    int crash;
};

/* Parse a query/form string; returns NULL on success or an error message. */
static const char *parse_ctl(char *qs, struct ctl *c, char *errbuf, size_t errcap) {
    char *save = NULL;
    for (char *kv = strtok_r(qs, "&;", &save); kv; kv = strtok_r(NULL, "&;", &save)) {
        char *eq = strchr(kv, '=');
        char *val = eq ? eq + 1 : kv + strlen(kv); /* writable empty string */
        if (eq) *eq = 0;
        url_decode(kv);
        url_decode(val);
        if (!*kv) continue;
        if (!strcmp(kv, "health")) {
            if (parse_health(val, &c->health_fail)) goto bad;
            c->set_health = 1;
        } else if (!strcmp(kv, "error_rate")) {
            if (parse_double(val, 0, 1, &c->err)) goto bad;
            c->set_err = 1;
        } else if (!strcmp(kv, "latency_ms")) {
            if (parse_long(val, 0, MAX_LATENCY_MS, &c->lat)) goto bad;
            c->set_lat = 1;
        } else if (!strcmp(kv, "cpu_burn")) {
            if (parse_double(val, 0, MAX_BURN_THREADS, &c->cpu)) goto bad;
            c->set_cpu = 1;
        } else if (!strcmp(kv, "memory_growth_mb_per_sec")) {
            if (parse_double(val, 0, MAX_MEM_RATE, &c->mem)) goto bad;
            c->set_mem = 1;
        } else if (!strcmp(kv, "log_requests")) {
            if (parse_bool(val, &c->log)) goto bad;
            c->set_log = 1;
        } else if (!strcmp(kv, "crash")) {
            int b;
            if (parse_bool(val, &b)) goto bad;
            c->crash = b;
        } else {
            char k[64];
            json_escape(k, sizeof k, kv);
            snprintf(errbuf, errcap, "unknown parameter \\\"%s\\\"", k);
            return errbuf;
        }
        continue;
    bad: {
        char k[64], v[64];
        json_escape(k, sizeof k, kv);
        json_escape(v, sizeof v, val);
        snprintf(errbuf, errcap, "invalid value for %s: \\\"%s\\\"", k, v);
        return errbuf;
    }
    }
    return NULL;
}

static void state_json(char *out, size_t cap) {
    char ver[128], host[512];
    json_escape(ver, sizeof ver, g_version);
    json_escape(host, sizeof host, g_hostname);
    pthread_mutex_lock(&g_mu);
    snprintf(out, cap,
             "{\"version\":\"%s\",\"hostname\":\"%s\",\"uptime_s\":%ld,\"ready\":%s,\"draining\":%s,"
             "\"health\":\"%s\",\"error_rate\":%g,\"latency_ms\":%ld,\"cpu_burn\":%g,"
             "\"memory_growth_mb_per_sec\":%g,\"memory_grown_mb\":%lu,\"log_requests\":%s,"
             "\"requests\":%lu,\"active_connections\":%d}\n",
             ver, host, (long)uptime_s(), uptime_s() >= g_start_delay ? "true" : "false",
             atomic_load(&g_draining) ? "true" : "false", g_cfg.health_fail ? "fail" : "ok", g_cfg.error_rate,
             g_cfg.latency_ms, g_cfg.cpu_burn, g_cfg.mem_rate, atomic_load(&g_mem_grown) / 1048576UL,
             g_cfg.log_requests ? "true" : "false", atomic_load(&g_requests), atomic_load(&g_active));
    pthread_mutex_unlock(&g_mu);
}

/* ---- request handling -------------------------------------------------- */

/* Returns the status code sent; sets *crash when the process must exit. */
static int handle(struct conn *c, struct req *r, int *crash) {
    int fd = c->fd;
    int ka = r->keep_alive && !atomic_load(&g_draining);
    r->keep_alive = ka;
    int is_get = !strcmp(r->method, "GET");
    int is_head = !strcmp(r->method, "HEAD");
    int is_post = !strcmp(r->method, "POST");
    char body[2048];

    if (!strcmp(r->path, "/control")) {
        if (!is_get && !is_post) {
            respond(fd, 405, "text/plain", "method not allowed\n", ka, 0, "Allow: GET, POST\r\n");
            return 405;
        }
        struct ctl ctl = {0};
        char errbuf[256];
        const char *err = parse_ctl(r->query, &ctl, errbuf, sizeof errbuf);
        if (!err && is_post && r->body_len) {
            char form[REQ_BUF + 1];
            memcpy(form, r->body, r->body_len);
            form[r->body_len] = 0;
            err = parse_ctl(form, &ctl, errbuf, sizeof errbuf);
        }
        if (err) {
            snprintf(body, sizeof body, "{\"error\":\"%s\"}\n", err);
            respond(fd, 400, "application/json", body, ka, 0, NULL);
            return 400;
        }
        pthread_mutex_lock(&g_mu);
        if (ctl.set_health) g_cfg.health_fail = ctl.health_fail;
        if (ctl.set_err) g_cfg.error_rate = ctl.err;
        if (ctl.set_lat) g_cfg.latency_ms = ctl.lat;
        if (ctl.set_cpu) {
            g_cfg.cpu_burn = ctl.cpu;
            ensure_burners_locked(ctl.cpu);
        }
        if (ctl.set_mem) {
            g_cfg.mem_rate = ctl.mem;
            ensure_mem_thread_locked(ctl.mem);
        }
        if (ctl.set_log) g_cfg.log_requests = ctl.log;
        pthread_mutex_unlock(&g_mu);
        if (ctl.crash) {
            respond(fd, 200, "application/json", "{\"crashing\":true}\n", 0, 0, NULL);
            r->keep_alive = 0;
            *crash = 1;
            return 200;
        }
        state_json(body, sizeof body);
        respond(fd, 200, "application/json", body, ka, 0, NULL);
        return 200;
    }

    if (!is_get && !is_head) {
        int known = !strcmp(r->path, "/") || !strcmp(r->path, "/healthz") || !strcmp(r->path, "/version");
        if (known) {
            respond(fd, 405, "text/plain", "method not allowed\n", ka, 0, "Allow: GET, HEAD\r\n");
            return 405;
        }
        respond(fd, 404, "text/plain", "not found\n", ka, 0, NULL);
        return 404;
    }

    if (!strcmp(r->path, "/healthz")) {
        pthread_mutex_lock(&g_mu);
        int fail = g_cfg.health_fail;
        pthread_mutex_unlock(&g_mu);
        if (atomic_load(&g_draining)) {
            respond(fd, 503, "text/plain", "draining\n", ka, is_head, NULL);
            return 503;
        }
        if (fail) {
            respond(fd, 500, "text/plain", "unhealthy\n", ka, is_head, NULL);
            return 500;
        }
        if (uptime_s() < g_start_delay) {
            respond(fd, 503, "text/plain", "starting\n", ka, is_head, NULL);
            return 503;
        }
        respond(fd, 200, "text/plain", "ok\n", ka, is_head, NULL);
        return 200;
    }

    if (!strcmp(r->path, "/version")) {
        snprintf(body, sizeof body, "%s\n", g_version);
        respond(fd, 200, "text/plain", body, ka, is_head, NULL);
        return 200;
    }

    if (!strcmp(r->path, "/")) {
        char ver[128], host[512];
        json_escape(ver, sizeof ver, g_version);
        json_escape(host, sizeof host, g_hostname);
        if (uptime_s() < g_start_delay) {
            snprintf(body, sizeof body, "{\"error\":\"starting\",\"version\":\"%s\",\"hostname\":\"%s\"}\n", ver,
                     host);
            respond(fd, 503, "application/json", body, ka, is_head, "Retry-After: 1\r\n");
            return 503;
        }
        pthread_mutex_lock(&g_mu);
        long lat = g_cfg.latency_ms;
        double er = g_cfg.error_rate;
        pthread_mutex_unlock(&g_mu);
        sleep_ms(lat);
        unsigned long n = atomic_fetch_add(&g_requests, 1) + 1;
        if (er > 0 && rnd01(&c->rng) < er) {
            snprintf(body, sizeof body,
                     "{\"error\":\"injected error\",\"version\":\"%s\",\"hostname\":\"%s\",\"requests\":%lu}\n", ver,
                     host, n);
            respond(fd, 500, "application/json", body, ka, is_head, NULL);
            return 500;
        }
        snprintf(body, sizeof body, "{\"version\":\"%s\",\"hostname\":\"%s\",\"uptime_s\":%ld,\"requests\":%lu}\n",
                 ver, host, (long)uptime_s(), n);
        respond(fd, 200, "application/json", body, ka, is_head, NULL);
        return 200;
    }

    respond(fd, 404, "text/plain", "not found\n", ka, is_head, NULL);
    return 404;
}

/* Parse the request head in c->buf[0..hlen).  Returns 0 or an HTTP status
 * code to answer with (and close). */
static int parse_head(struct conn *c, size_t hlen, struct req *r, size_t *content_length) {
    const char *p = c->buf, *end = c->buf + hlen;
    char line[4096 + 2048 + 64];
    int n = next_line(&p, end, line, sizeof line);
    if (n == -2) return 431;
    if (n <= 0) return 400;

    /* request line: METHOD SP target SP HTTP/x.y */
    char *sp1 = strchr(line, ' ');
    if (!sp1) return 400;
    *sp1 = 0;
    char *target = sp1 + 1;
    char *sp2 = strchr(target, ' ');
    if (!sp2) return 400;
    *sp2 = 0;
    char *version = sp2 + 1;
    if (!*line || strlen(line) >= sizeof r->method) return 400;
    for (char *m = line; *m; m++)
        if (!isupper((unsigned char)*m)) return 400;
    strcpy(r->method, line);
    if (strncmp(version, "HTTP/", 5)) return 400;
    if (!strcmp(version, "HTTP/1.1")) r->keep_alive = 1;
    else if (!strcmp(version, "HTTP/1.0")) r->keep_alive = 0;
    else if (version[5] >= '2' && version[5] <= '9') return 505;
    else return 400;

    /* absolute-form target */
    if (!strncasecmp(target, "http://", 7) || !strncasecmp(target, "https://", 8)) {
        char *s = strstr(target, "//") + 2;
        char *slash = strchr(s, '/');
        target = slash ? slash : (char *)"/";
    }
    if (*target != '/') return 400;
    char *q = strchr(target, '?');
    if (q) *q++ = 0;
    char *frag = strchr(q ? q : target, '#');
    if (frag) *frag = 0;
    if (strlen(target) >= sizeof r->path) return 431;
    if (q && strlen(q) >= sizeof r->query) return 431;
    strcpy(r->path, target);
    url_decode(r->path);
    strcpy(r->query, q ? q : "");

    long cl = -1;
    for (;;) {
        n = next_line(&p, end, line, sizeof line);
        if (n == -2) return 431;
        if (n < 0) return 400;
        if (n == 0) break;
        if (line[0] == ' ' || line[0] == '\t') return 400; /* obsolete folding */
        char *colon = strchr(line, ':');
        if (!colon || colon == line) return 400;
        *colon = 0;
        char *val = colon + 1;
        while (*val == ' ' || *val == '\t') val++;
        size_t vl = strlen(val);
        while (vl && (val[vl - 1] == ' ' || val[vl - 1] == '\t')) val[--vl] = 0;
        for (char *h = line; *h; h++)
            if (*h == ' ' || *h == '\t') return 400;
        lower(line);
        if (!strcmp(line, "connection")) {
            if (has_token(val, "close")) r->keep_alive = 0;
            else if (has_token(val, "keep-alive")) r->keep_alive = 1;
        } else if (!strcmp(line, "content-length")) {
            long v;
            if (parse_long(val, 0, 1L << 40, &v)) return 400;
            if (cl >= 0 && v != cl) return 400;
            cl = v;
        } else if (!strcmp(line, "transfer-encoding")) {
            return 501;
        }
    }
    *content_length = cl < 0 ? 0 : (size_t)cl;
    return 0;
}

static void *conn_main(void *arg) {
    struct conn *c = arg;
    int fd = c->fd;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {SEND_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    for (;;) {
        /* drop leading empty lines between requests (RFC 9112 2.2) */
        size_t skip = 0;
        while (skip < c->len && (c->buf[skip] == '\r' || c->buf[skip] == '\n')) skip++;
        if (skip) {
            memmove(c->buf, c->buf + skip, c->len - skip);
            c->len -= skip;
        }

        size_t hlen;
        double started = now_s();
        while (!(hlen = head_end(c->buf, c->len))) {
            if (c->len >= REQ_BUF) {
                respond(fd, 431, "text/plain", "request head too large\n", 0, 0, NULL);
                goto done;
            }
            int idle = c->len == 0;
            int budget = idle ? IDLE_TIMEOUT_MS : HEADER_TIMEOUT_MS - (int)((now_s() - started) * 1000);
            int w = wait_readable(fd, budget, idle);
            if (w < 0) goto done;
            if (w == 0) {
                if (!idle) respond(fd, 408, "text/plain", "request timeout\n", 0, 0, NULL);
                goto done;
            }
            ssize_t n = recv(fd, c->buf + c->len, REQ_BUF - c->len, 0);
            if (n == 0) goto done;
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                goto done;
            }
            c->len += (size_t)n;
            /* skip leading blank lines that arrived in this read */
            if (c->len && (c->buf[0] == '\r' || c->buf[0] == '\n')) break;
        }
        if (!hlen) continue; /* re-run blank line skipping */

        struct req r;
        memset(&r, 0, sizeof r);
        size_t clen = 0;
        int bad = parse_head(c, hlen, &r, &clen);
        if (bad) {
            char msg[64];
            snprintf(msg, sizeof msg, "%s\n", reason(bad));
            respond(fd, bad, "text/plain", msg, 0, 0, NULL);
            goto done;
        }
        if (hlen + clen > REQ_BUF) {
            respond(fd, 413, "text/plain", "payload too large\n", 0, 0, NULL);
            goto done;
        }
        while (c->len < hlen + clen) {
            int w = wait_readable(fd, HEADER_TIMEOUT_MS, 0);
            if (w <= 0) goto done;
            ssize_t n = recv(fd, c->buf + c->len, REQ_BUF - c->len, 0);
            if (n == 0) goto done;
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                goto done;
            }
            c->len += (size_t)n;
        }
        r.body = c->buf + hlen;
        r.body_len = clen;

        double t = now_s();
        int crash = 0;
        int code = handle(c, &r, &crash);
        pthread_mutex_lock(&g_mu);
        int logreq = g_cfg.log_requests;
        pthread_mutex_unlock(&g_mu);
        if (logreq)
            logf_out(stdout, "%s %s%s%s %d %.1fms", r.method, r.path, r.query[0] ? "?" : "", r.query, code,
                     (now_s() - t) * 1000);
        if (crash) {
            logf_out(stderr, "crash requested via /control, exiting with code 3");
            shutdown(fd, SHUT_WR);
            _exit(3);
        }
        if (!r.keep_alive) goto done;

        /* keep pipelined bytes */
        size_t used = hlen + clen;
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
    }
done:
    shutdown(fd, SHUT_WR);
    /* brief lingering drain so the peer sees our response rather than RST */
    {
        char tmp[512];
        double until = now_s() + 0.2;
        struct pollfd p = {fd, POLLIN, 0};
        while (now_s() < until && poll(&p, 1, 50) > 0) {
            if (recv(fd, tmp, sizeof tmp, MSG_DONTWAIT) <= 0) break;
        }
    }
    close(fd);
    free(c);
    atomic_fetch_sub(&g_active, 1);
    return NULL;
}

/* ---- probe mode -------------------------------------------------------- */

static int probe(void) {
    const char *ps = getenv("PORT");
    long port = 8080;
    if (ps && *ps && parse_long(ps, 1, 65535, &port)) {
        fprintf(stderr, "probe: invalid PORT=%s\n", ps);
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        perror("probe: socket");
        return 1;
    }
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        fprintf(stderr, "probe: connect 127.0.0.1:%ld: %s\n", port, strerror(errno));
        return 1;
    }
    struct pollfd p = {fd, POLLOUT, 0};
    if (poll(&p, 1, 2000) <= 0) {
        fprintf(stderr, "probe: connect timeout\n");
        return 1;
    }
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err) {
        fprintf(stderr, "probe: connect 127.0.0.1:%ld: %s\n", port, strerror(err));
        return 1;
    }
    const char *req = "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: sample-probe\r\n\r\n";
    if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
        fprintf(stderr, "probe: send failed\n");
        return 1;
    }
    char buf[512];
    size_t len = 0;
    double deadline = now_s() + 3;
    while (len < sizeof buf - 1) {
        double left = deadline - now_s();
        if (left <= 0) break;
        p.events = POLLIN;
        if (poll(&p, 1, (int)(left * 1000) + 1) <= 0) break;
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
        if (memchr(buf, '\n', len)) break;
    }
    buf[len] = 0;
    close(fd);
    int code = 0;
    if (sscanf(buf, "HTTP/%*d.%*d %d", &code) != 1) {
        fprintf(stderr, "probe: no HTTP response\n");
        return 1;
    }
    printf("healthz: %d\n", code);
    return code == 200 ? 0 : 1;
}

/* ---- main -------------------------------------------------------------- */

static void on_signal(int sig) { g_signal = sig; }

static int listen_on(int port) {
    int one = 1, zero = 0;
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        struct sockaddr_in6 a6 = {0};
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        a6.sin6_addr = in6addr_any;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        if (bind(fd, (struct sockaddr *)&a6, sizeof a6) == 0 && listen(fd, 511) == 0) return fd;
        close(fd);
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 511) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int main(int argc, char **argv) {
    g_t0 = now_s();
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *v = getenv("SAMPLE_VERSION");
    if (v && *v) snprintf(g_version, sizeof g_version, "%s", v);

    if (argc > 1 && !strcmp(argv[1], "probe")) return probe();
    if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
        printf("%s\n", g_version);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: %s [probe|version]\n", argv[0]);
        return 64;
    }

    int crash_on_start = 0;
    const char *cs = getenv("CRASH_ON_START");
    if (cs && parse_bool(cs, &crash_on_start)) die_env("CRASH_ON_START", cs, "0 or 1");
    if (crash_on_start) {
        fprintf(stderr, "sample %s: CRASH_ON_START is set, exiting with code 1\n", g_version);
        return 1;
    }

    long port = 8080;
    const char *ps = getenv("PORT");
    if (ps && *ps && parse_long(ps, 1, 65535, &port)) die_env("PORT", ps, "1-65535");
    g_port = (int)port;
    g_start_delay = env_double("START_DELAY_SECONDS", 0, 0, 86400);
    g_crash_after = env_double("CRASH_AFTER_SECONDS", 0, 0, 86400 * 365.0);
    g_shutdown_delay = env_double("SHUTDOWN_DELAY_SECONDS", 0, 0, 300);
    g_shutdown_timeout = env_double("SHUTDOWN_TIMEOUT_SECONDS", 5, 0, 300);
    g_cfg.error_rate = env_double("ERROR_RATE", 0, 0, 1);
    g_cfg.latency_ms = (long)env_double("LATENCY_MS", 0, 0, MAX_LATENCY_MS);
    g_cfg.cpu_burn = env_double("CPU_BURN", 0, 0, MAX_BURN_THREADS);
    g_cfg.mem_rate = env_double("MEMORY_GROWTH_MB_PER_SEC", 0, 0, MAX_MEM_RATE);
    const char *hs = getenv("HEALTH");
    if (hs && parse_health(hs, &g_cfg.health_fail)) die_env("HEALTH", hs, "ok or fail");
    const char *ls = getenv("LOG_REQUESTS");
    if (ls && parse_bool(ls, &g_cfg.log_requests)) die_env("LOG_REQUESTS", ls, "0 or 1");
    if (gethostname(g_hostname, sizeof g_hostname - 1) != 0) strcpy(g_hostname, "unknown");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (pipe2(g_closed_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_closed_pipe[0] = g_closed_pipe[1] = -1;

    int lfd = listen_on(g_port);
    if (lfd < 0) {
        fprintf(stderr, "sample %s: cannot listen on :%d: %s\n", g_version, g_port, strerror(errno));
        return 1;
    }

    pthread_mutex_lock(&g_mu);
    ensure_burners_locked(g_cfg.cpu_burn);
    ensure_mem_thread_locked(g_cfg.mem_rate);
    pthread_mutex_unlock(&g_mu);

    logf_out(stdout,
             "listening on :%d (pid %d, host %s, start_delay=%gs, health=%s, crash_after=%gs, error_rate=%g, "
             "latency_ms=%ld, cpu_burn=%g, memory_growth_mb_per_sec=%g)",
             g_port, (int)getpid(), g_hostname, g_start_delay, g_cfg.health_fail ? "fail" : "ok", g_crash_after,
             g_cfg.error_rate, g_cfg.latency_ms, g_cfg.cpu_burn, g_cfg.mem_rate);

    double drain_until = 0;
    for (;;) {
        if (g_signal && !atomic_load(&g_draining)) {
            atomic_store(&g_draining, 1);
            drain_until = now_s() + g_shutdown_delay;
        }
        if (atomic_load(&g_draining) && now_s() >= drain_until) break;
        if (g_crash_after > 0 && uptime_s() >= g_crash_after) {
            fprintf(stderr, "sample %s: CRASH_AFTER_SECONDS=%g reached, exiting with code 2\n", g_version,
                    g_crash_after);
            fflush(stdout);
            _exit(2);
        }
        struct pollfd p = {lfd, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r <= 0) continue; /* timeout or EINTR (signal) */
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) sleep_ms(10);
            continue;
        }
        if (atomic_load(&g_active) >= MAX_CONNS) {
            static const char busy[] =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n";
            send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            close(fd);
            continue;
        }
        struct conn *c = malloc(sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->len = 0;
        c->rng = ((uint64_t)fd * 0x9E3779B97F4A7C15ULL) ^ (uint64_t)(now_s() * 1e9) ^ (uint64_t)(uintptr_t)c;
        if (!c->rng) c->rng = 88172645463325252ULL;
        atomic_fetch_add(&g_active, 1);
        if (spawn(conn_main, c, CONN_STACK)) {
            atomic_fetch_sub(&g_active, 1);
            close(fd);
            free(c);
        }
    }

    /* graceful shutdown: stop accepting, let in-flight requests finish */
    const char *sname = g_signal == SIGINT ? "SIGINT" : "SIGTERM";
    atomic_store(&g_closed, 1);
    if (g_closed_pipe[1] >= 0) {
        ssize_t w = write(g_closed_pipe[1], "x", 1); /* should it fail, idle conns see g_closed within 200 ms */
        (void)w;
    }
    close(lfd);
    double deadline = now_s() + g_shutdown_timeout;
    while (atomic_load(&g_active) > 0 && now_s() < deadline) sleep_ms(20);
    int left = atomic_load(&g_active);
    logf_out(stdout, "%s: stopped after %lds (%lu requests served%s)", sname, (long)uptime_s(),
             atomic_load(&g_requests), left ? ", in-flight requests abandoned" : "");
    fflush(stdout);
    _exit(0);
}
