// See include/sl_http.h.
#define _GNU_SOURCE  // dlopen, strncasecmp
#include "sl_http.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// libcurl's ABI, as far as this file uses it. Option and info numbers are part of libcurl's
// stable ABI (curl.h: CURLOPTTYPE_* + n). Where <curl/curl.h> is installed (scripts/setup
// installs libcurl4-openssl-dev), every number below is checked against it at compile time; the
// header is not needed to build, only to check.
enum {
    SL_CURL_GLOBAL_DEFAULT = 3,
    SL_CURL_ERROR_SIZE = 256,
    SL_CURLE_OPERATION_TIMEDOUT = 28,
    SL_CURLOPT_WRITEDATA = 10001,
    SL_CURLOPT_URL = 10002,
    SL_CURLOPT_ERRORBUFFER = 10010,
    SL_CURLOPT_WRITEFUNCTION = 20011,
    SL_CURLOPT_POSTFIELDS = 10015,
    SL_CURLOPT_USERAGENT = 10018,
    SL_CURLOPT_HTTPHEADER = 10023,
    SL_CURLOPT_HEADERDATA = 10029,
    SL_CURLOPT_POST = 47,
    SL_CURLOPT_FOLLOWLOCATION = 52,
    SL_CURLOPT_POSTFIELDSIZE = 60,
    SL_CURLOPT_HEADERFUNCTION = 20079,
    SL_CURLOPT_NOSIGNAL = 99,
    SL_CURLOPT_TIMEOUT_MS = 155,
    SL_CURLOPT_CONNECTTIMEOUT_MS = 156,
    SL_CURLOPT_PROTOCOLS_STR = 10318,
    SL_CURLINFO_RESPONSE_CODE = 0x200000 + 2,
};
#if defined(__has_include)
#if __has_include(<curl/curl.h>)
#include <curl/curl.h>
#define SL_CHECK(name) _Static_assert(SL_##name == name, #name " differs from <curl/curl.h>");
SL_CHECK(CURL_GLOBAL_DEFAULT)
SL_CHECK(CURL_ERROR_SIZE)
SL_CHECK(CURLE_OPERATION_TIMEDOUT)
SL_CHECK(CURLOPT_WRITEDATA)
SL_CHECK(CURLOPT_URL)
SL_CHECK(CURLOPT_ERRORBUFFER)
SL_CHECK(CURLOPT_WRITEFUNCTION)
SL_CHECK(CURLOPT_POSTFIELDS)
SL_CHECK(CURLOPT_USERAGENT)
SL_CHECK(CURLOPT_HTTPHEADER)
SL_CHECK(CURLOPT_HEADERDATA)
SL_CHECK(CURLOPT_POST)
SL_CHECK(CURLOPT_FOLLOWLOCATION)
SL_CHECK(CURLOPT_POSTFIELDSIZE)
SL_CHECK(CURLOPT_HEADERFUNCTION)
SL_CHECK(CURLOPT_NOSIGNAL)
SL_CHECK(CURLOPT_TIMEOUT_MS)
SL_CHECK(CURLOPT_CONNECTTIMEOUT_MS)
SL_CHECK(CURLOPT_PROTOCOLS_STR)
SL_CHECK(CURLINFO_RESPONSE_CODE)
#undef SL_CHECK
#endif
#endif

#define SL_CURL_LIBRARY "libcurl.so.4"

struct sl_curl_slist;  // curl's string list (never looked into here)

// libcurl's functions, resolved once (enums pass as int, the type of every C enum here).
static struct {
    int (*global_init)(long);
    void *(*easy_init)(void);
    int (*easy_setopt)(void *, int, ...);
    int (*easy_perform)(void *);
    int (*easy_getinfo)(void *, int, ...);
    void (*easy_reset)(void *);
    void (*easy_cleanup)(void *);
    const char *(*easy_strerror)(int);
    struct sl_curl_slist *(*slist_append)(struct sl_curl_slist *, const char *);
    void (*slist_free_all)(struct sl_curl_slist *);
} C;

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
/// Why libcurl could not be opened ("" once it is).
static char library_error[384] = "libcurl was not opened";

static void library_init(void) {
    static const char *const names[] = {
        "curl_global_init", "curl_easy_init",    "curl_easy_setopt",   "curl_easy_perform",   "curl_easy_getinfo",
        "curl_easy_reset",  "curl_easy_cleanup", "curl_easy_strerror", "curl_slist_append", "curl_slist_free_all",
    };
    void *handle = dlopen(SL_CURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(library_error, sizeof library_error,
                 "cannot open %s (%s): the webhook needs Debian's libcurl4, which scripts/setup installs", SL_CURL_LIBRARY,
                 why ? why : "unknown dlopen error");
        return;
    }
    // The table's fields are function pointers in the order of `names`, all of one size.
    _Static_assert(sizeof C == sizeof names / sizeof names[0] * sizeof(void (*)(void)), "one field per name");
    unsigned char *field = (unsigned char *)&C;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *symbol = dlsym(handle, names[i]);
        if (!symbol) {
            snprintf(library_error, sizeof library_error, "%s has no %s", SL_CURL_LIBRARY, names[i]);
            return;
        }
        // POSIX lets a data pointer from dlsym convert to a function pointer; memcpy says so to C.
        memcpy(field + i * sizeof symbol, &symbol, sizeof symbol);
    }
    // From here on libcurl stays open: it is never unloaded.
    int rc = C.global_init(SL_CURL_GLOBAL_DEFAULT);
    if (rc != 0) {
        snprintf(library_error, sizeof library_error, "curl_global_init failed: %s", C.easy_strerror(rc));
        return;
    }
    library_error[0] = 0;
}

struct sl_http {
    void *curl;  // created on the first POST; keeps its connection between POSTs
};

sl_http *sl_http_new(void) { return calloc(1, sizeof(struct sl_http)); }

void sl_http_free(sl_http *client) {
    if (!client) return;
    if (client->curl) C.easy_cleanup(client->curl);
    free(client);
}

static size_t keep_body(char *data, size_t size, size_t count, void *target) {
    sl_http_response *r = target;
    size_t have = strlen(r->body), room = sizeof r->body - 1 - have, n = size * count;
    memcpy(r->body + have, data, n < room ? n : room);
    r->body[have + (n < room ? n : room)] = 0;
    return n;  // all of it taken, or libcurl would stop the transfer
}

// Copies a header's value (trimmed) when `line` is "name: value\r\n".
static void header_value(const char *line, size_t n, const char *name, char *out, size_t out_size) {
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':') return;
    const char *v = line + k + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    size_t len = (size_t)(end - v) < out_size - 1 ? (size_t)(end - v) : out_size - 1;
    memcpy(out, v, len);
    out[len] = 0;
}

static size_t keep_headers(char *line, size_t size, size_t count, void *target) {
    sl_http_response *r = target;
    size_t n = size * count;
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {  // a new response (after a 1xx): start again
        r->retry_after[0] = 0;
        r->location[0] = 0;
    }
    header_value(line, n, "Retry-After", r->retry_after, sizeof r->retry_after);
    header_value(line, n, "Location", r->location, sizeof r->location);
    return n;
}

int sl_http_post(sl_http *client, const char *url, const void *body, size_t length, const char *const *headers,
                 int header_count, int timeout_ms, sl_http_response *response, char *err, size_t err_len) {
    memset(response, 0, sizeof *response);
    pthread_once(&library_once, library_init);
    if (library_error[0]) {
        snprintf(err, err_len, "%s", library_error);
        return SL_HTTP_UNAVAILABLE;
    }
    if (!client->curl && !(client->curl = C.easy_init())) {
        snprintf(err, err_len, "curl_easy_init failed");
        return SL_HTTP_FAILED;
    }
    void *h = client->curl;
    C.easy_reset(h);  // options go; the connection stays for the next POST
    struct sl_curl_slist *list = NULL;
    for (int i = 0; i < header_count; i++) list = C.slist_append(list, headers[i]);
    list = C.slist_append(list, "Expect:");  // no 100-continue round trip for larger bodies
    char detail[SL_CURL_ERROR_SIZE] = "";
    C.easy_setopt(h, SL_CURLOPT_URL, url);
    C.easy_setopt(h, SL_CURLOPT_PROTOCOLS_STR, "http,https");
    C.easy_setopt(h, SL_CURLOPT_POST, 1L);
    C.easy_setopt(h, SL_CURLOPT_POSTFIELDS, body);
    C.easy_setopt(h, SL_CURLOPT_POSTFIELDSIZE, (long)length);
    C.easy_setopt(h, SL_CURLOPT_HTTPHEADER, list);
    C.easy_setopt(h, SL_CURLOPT_FOLLOWLOCATION, 0L);  // a webhook must answer the POST itself
    C.easy_setopt(h, SL_CURLOPT_NOSIGNAL, 1L);        // threads: no SIGALRM for timeouts
    C.easy_setopt(h, SL_CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    C.easy_setopt(h, SL_CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    C.easy_setopt(h, SL_CURLOPT_ERRORBUFFER, detail);
    C.easy_setopt(h, SL_CURLOPT_WRITEFUNCTION, keep_body);
    C.easy_setopt(h, SL_CURLOPT_WRITEDATA, response);
    C.easy_setopt(h, SL_CURLOPT_HEADERFUNCTION, keep_headers);
    C.easy_setopt(h, SL_CURLOPT_HEADERDATA, response);
    int rc = C.easy_perform(h);
    C.easy_setopt(h, SL_CURLOPT_HTTPHEADER, (void *)NULL);
    C.easy_setopt(h, SL_CURLOPT_ERRORBUFFER, (void *)NULL);  // `detail` leaves with this frame
    C.slist_free_all(list);
    if (rc != 0) {
        snprintf(err, err_len, "%s", detail[0] ? detail : C.easy_strerror(rc));
        return rc == SL_CURLE_OPERATION_TIMEDOUT ? SL_HTTP_TIMEOUT : SL_HTTP_FAILED;
    }
    long status = 0;
    C.easy_getinfo(h, SL_CURLINFO_RESPONSE_CODE, &status);
    response->status = (int)status;
    return SL_HTTP_ANSWERED;
}
