#ifndef SIGHTLINE_SL_HTTP_H
#define SIGHTLINE_SL_HTTP_H
// One HTTP POST at a time over libcurl (Debian's libcurl4), for the webhook sink. libcurl is
// opened with dlopen on the first POST, not linked: a process that posts nothing never maps it
// and its TLS stack (about 4 MB resident, docs/detection.md). Redirects are not followed.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Statuses of sl_http_post.
enum {
    /// The server answered (any HTTP status: see `status`).
    SL_HTTP_ANSWERED = 0,
    /// No answer: name resolution, connection, TLS or the transfer failed (the message says why).
    SL_HTTP_FAILED = 1,
    /// No answer within the timeout.
    SL_HTTP_TIMEOUT = 2,
    /// libcurl cannot be opened (the message says how to install it).
    SL_HTTP_UNAVAILABLE = 3,
};

/// What the server answered.
typedef struct {
    int status;
    /// The start of the body (at most 500 bytes), NUL-terminated.
    char body[501];
    /// The Retry-After and Location headers' values ("" when absent).
    char retry_after[64];
    char location[1024];
} sl_http_response;

typedef struct sl_http sl_http;

/// A client that keeps its connection between POSTs. Opens nothing yet. NULL: out of memory.
sl_http *sl_http_new(void);
void sl_http_free(sl_http *client);

/// POSTs `body` to `url` with `headers` ("Name: value" each), waiting at most `timeout_ms`.
/// Not thread-safe for one client: one POST at a time.
int sl_http_post(sl_http *client, const char *url, const void *body, size_t length, const char *const *headers,
                 int header_count, int timeout_ms, sl_http_response *response, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif
