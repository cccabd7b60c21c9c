// See include/sl_mqtt.h.
#include "sl_mqtt.h"

#include <dlfcn.h>
#include <errno.h>
#include <mosquitto.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { CONNECTING, CONNECTED, ENDED };

/// Packet ids the broker acknowledged lately (one publish waits at a time, so a few suffice).
#define ACKED_RING 32

struct sl_mqtt {
    struct mosquitto *mosq;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    /// The owner and the network thread each hold one reference; the last to let go frees.
    int references;
    int state;
    /// Why the connection ended (an SL_MQTT_ status) and the words for it.
    int result;
    char message[512];
    /// The last error libmosquitto logged (TLS failures are explained only there).
    char logged[256];
    /// The owner asked the network thread to finish.
    int stopping;
    int acked[ACKED_RING];
    unsigned acked_count;
    char *host;
    int port;
    int keepalive;
};

// libmosquitto is opened with dlopen on the first connection, not linked: a process that
// publishes nothing over MQTT never maps it and its TLS libraries (libssl, libcrypto: about
// 1.7 MB resident in the live pipeline, docs/detection.md). Its functions are called through
// `M`, with the types of <mosquitto.h>'s declarations.
#define SL_MOSQUITTO_LIBRARY "libmosquitto.so.1"
#define MOSQUITTO_FUNCTIONS(X) \
    X(connack_string) X(connect) X(connect_callback_set) X(destroy) X(disconnect) \
    X(disconnect_callback_set) X(int_option) X(lib_init) X(log_callback_set) X(loop) \
    X(max_inflight_messages_set) X(new) X(publish) X(publish_callback_set) X(strerror) \
    X(threaded_set) X(tls_set) X(username_pw_set) X(will_set)
static struct {
#define FIELD(name) __typeof__(&mosquitto_##name) name;
    MOSQUITTO_FUNCTIONS(FIELD)
#undef FIELD
} M;

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
/// Why libmosquitto could not be opened ("" once it is).
static char library_error[384] = "libmosquitto was not opened";

static void library_init(void) {
    void *handle = dlopen(SL_MOSQUITTO_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(library_error, sizeof library_error,
                 "cannot open %s (%s): MQTT needs Debian's libmosquitto1, which scripts/setup installs",
                 SL_MOSQUITTO_LIBRARY, why ? why : "unknown dlopen error");
        return;
    }
    // POSIX lets a data pointer from dlsym convert to a function pointer; memcpy says so to C.
#define RESOLVE(name)                                                                                       \
    {                                                                                                       \
        void *symbol = dlsym(handle, "mosquitto_" #name);                                                  \
        if (!symbol) {                                                                                      \
            snprintf(library_error, sizeof library_error, "%s has no mosquitto_" #name, SL_MOSQUITTO_LIBRARY); \
            return;                                                                                         \
        }                                                                                                   \
        memcpy(&M.name, &symbol, sizeof symbol);                                                            \
    }
    MOSQUITTO_FUNCTIONS(RESOLVE)
#undef RESOLVE
    // From here on libmosquitto stays open: it is never unloaded.
    M.lib_init();
    library_error[0] = 0;
}

static void put(char *out, size_t size, const char *text) {
    if (out && size) snprintf(out, size, "%s", text);
}

static void deadline_after(struct timespec *t, int ms) {
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec += 1;
        t->tv_nsec -= 1000000000L;
    }
}

static void release(struct sl_mqtt *c) {
    pthread_mutex_lock(&c->lock);
    int left = --c->references;
    pthread_mutex_unlock(&c->lock);
    if (left > 0) return;
    if (c->mosq) M.destroy(c->mosq);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->changed);
    free(c->host);
    free(c);
}

/// Ends the connection with `result` unless it already ended (the first reason wins). Locked.
static void end_locked(struct sl_mqtt *c, int result, const char *message) {
    if (c->state == ENDED) return;
    c->state = ENDED;
    c->result = result;
    if (c->logged[0] && result == SL_MQTT_UNREACHABLE)
        /* Bounded so the two parts always fit: 250 + " (" + 255 + ")" < 512. */
        snprintf(c->message, sizeof c->message, "%.250s (%.255s)", message, c->logged);
    else
        snprintf(c->message, sizeof c->message, "%s", message);
    pthread_cond_broadcast(&c->changed);
}

/// libmosquitto's words for a failed call, with errno's when it is a system error.
static void describe(int rc, int saved_errno, char *out, size_t size) {
    if (rc == MOSQ_ERR_ERRNO)
        snprintf(out, size, "%s", strerror(saved_errno));
    else if (rc == MOSQ_ERR_EAI)
        snprintf(out, size, "cannot resolve the host name (%s)", gai_strerror(saved_errno));
    else
        snprintf(out, size, "%s", M.strerror(rc));
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc) {
    (void)mosq;
    struct sl_mqtt *c = obj;
    pthread_mutex_lock(&c->lock);
    if (rc == 0) {
        if (c->state == CONNECTING) {
            c->state = CONNECTED;
            pthread_cond_broadcast(&c->changed);
        }
    } else {
        char text[256];
        snprintf(text, sizeof text, "the broker refused the connection: %s", M.connack_string(rc));
        end_locked(c, SL_MQTT_REFUSED, text);
    }
    pthread_mutex_unlock(&c->lock);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc) {
    (void)mosq;
    struct sl_mqtt *c = obj;
    pthread_mutex_lock(&c->lock);
    if (c->stopping && rc == 0) {
        end_locked(c, SL_MQTT_LOST, "disconnected");
    } else {
        char text[256];
        snprintf(text, sizeof text, "connection lost (%s)", rc == 0 ? "closed" : M.strerror(rc));
        end_locked(c, SL_MQTT_LOST, text);
    }
    pthread_mutex_unlock(&c->lock);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid) {
    (void)mosq;
    struct sl_mqtt *c = obj;
    pthread_mutex_lock(&c->lock);
    c->acked[c->acked_count % ACKED_RING] = mid;
    c->acked_count++;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

static void on_log(struct mosquitto *mosq, void *obj, int level, const char *text) {
    (void)mosq;
    struct sl_mqtt *c = obj;
    if (!(level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) || !text) return;
    pthread_mutex_lock(&c->lock);
    snprintf(c->logged, sizeof c->logged, "%s", text);
    pthread_mutex_unlock(&c->lock);
}

/// The network thread: connect, then run libmosquitto's loop until the connection ends.
static void *network(void *arg) {
    struct sl_mqtt *c = arg;
    errno = 0;
    int rc = M.connect(c->mosq, c->host, c->port, c->keepalive);
    int saved_errno = errno;
    if (rc != MOSQ_ERR_SUCCESS) {
        char text[256];
        describe(rc, saved_errno, text, sizeof text);
        pthread_mutex_lock(&c->lock);
        end_locked(c, SL_MQTT_UNREACHABLE, text);
        pthread_mutex_unlock(&c->lock);
        release(c);
        return NULL;
    }
    int disconnect_sent = 0;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        int stopping = c->stopping, ended = c->state == ENDED;
        pthread_mutex_unlock(&c->lock);
        if (ended) break;
        if (stopping && !disconnect_sent) {
            // The owner gave up waiting (an abandoned open): leave politely.
            M.disconnect(c->mosq);
            disconnect_sent = 1;
        }
        rc = M.loop(c->mosq, 100, 1);
        if (rc != MOSQ_ERR_SUCCESS) {
            char text[256];
            snprintf(text, sizeof text, "connection lost (%s)", M.strerror(rc));
            pthread_mutex_lock(&c->lock);
            end_locked(c, SL_MQTT_LOST, c->stopping ? "disconnected" : text);
            pthread_mutex_unlock(&c->lock);
            break;
        }
    }
    release(c);
    return NULL;
}

int sl_mqtt_open(const sl_mqtt_options *o, int timeout_ms, sl_mqtt **out, char *message, size_t message_size) {
    *out = NULL;
    pthread_once(&library_once, library_init);
    if (library_error[0]) {
        put(message, message_size, library_error);
        return SL_MQTT_UNREACHABLE;
    }
    struct sl_mqtt *c = calloc(1, sizeof *c);
    if (!c) {
        put(message, message_size, "out of memory");
        return SL_MQTT_INVALID;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    c->references = 1;
    c->state = CONNECTING;
    c->host = strdup(o->host);
    c->port = o->port;
    c->keepalive = o->keepalive < 5 ? 5 : o->keepalive;
    c->mosq = M.new(o->client_id, 1, c);
    if (!c->mosq || !c->host) {
        put(message, message_size, "cannot create a libmosquitto client (out of memory or bad client id)");
        release(c);
        return SL_MQTT_INVALID;
    }
    M.threaded_set(c->mosq, 1);
    M.connect_callback_set(c->mosq, on_connect);
    M.disconnect_callback_set(c->mosq, on_disconnect);
    M.publish_callback_set(c->mosq, on_publish);
    M.log_callback_set(c->mosq, on_log);
    // One QoS 1 message in flight at a time: the outbox sends its head only.
    M.max_inflight_messages_set(c->mosq, 1);
    int rc = MOSQ_ERR_SUCCESS;
    const char *what = "";
    if (o->username) {
        rc = M.username_pw_set(c->mosq, o->username, o->password);
        what = "user name or password";
    }
    if (rc == MOSQ_ERR_SUCCESS && o->will_topic) {
        rc = M.will_set(c->mosq, o->will_topic, o->will_length, o->will_payload, 1, o->will_retain != 0);
        what = "last will";
    }
    if (rc == MOSQ_ERR_SUCCESS && o->tls) {
        what = "TLS settings";
        if (o->ca_file)
            rc = M.tls_set(c->mosq, o->ca_file, NULL, NULL, NULL, NULL);
        else
            rc = M.int_option(c->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        char text[256];
        describe(rc, errno, text, sizeof text);
        snprintf(message, message_size, "%s refused: %s", what, text);
        release(c);
        return SL_MQTT_INVALID;
    }
    pthread_t thread;
    c->references = 2;
    if (pthread_create(&thread, NULL, network, c) != 0) {
        c->references = 1;
        put(message, message_size, "cannot start the network thread");
        release(c);
        return SL_MQTT_INVALID;
    }
    pthread_detach(thread);

    struct timespec deadline;
    deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&c->lock);
    int waited = 0;
    while (c->state == CONNECTING && waited == 0) waited = pthread_cond_timedwait(&c->changed, &c->lock, &deadline);
    int state = c->state, result = c->result;
    if (state == CONNECTING) {
        // No answer in time: the network thread finishes on its own (it may still be inside a
        // blocking connect) and frees the connection with its reference.
        c->stopping = 1;
        pthread_mutex_unlock(&c->lock);
        snprintf(message, message_size, "no answer within %.1f s", timeout_ms / 1000.0);
        release(c);
        return SL_MQTT_TIMEOUT;
    }
    if (state == ENDED) {
        put(message, message_size, c->message);
        pthread_mutex_unlock(&c->lock);
        release(c);
        return result;
    }
    pthread_mutex_unlock(&c->lock);
    *out = c;
    return SL_MQTT_OK;
}

static int was_acked(struct sl_mqtt *c, int mid) {
    unsigned n = c->acked_count < ACKED_RING ? c->acked_count : ACKED_RING;
    for (unsigned i = 0; i < n; i++)
        if (c->acked[i] == mid) return 1;
    return 0;
}

int sl_mqtt_publish(sl_mqtt *c, const char *topic, const void *payload, int length, int qos, int retain, int timeout_ms,
                    char *message, size_t message_size) {
    pthread_mutex_lock(&c->lock);
    if (c->state != CONNECTED) {
        put(message, message_size, c->state == ENDED ? c->message : "not connected");
        pthread_mutex_unlock(&c->lock);
        return SL_MQTT_LOST;
    }
    // Forget older acknowledgements: packet ids wrap, and only this message's counts.
    c->acked_count = 0;
    pthread_mutex_unlock(&c->lock);

    int mid = 0;
    errno = 0;
    int rc = M.publish(c->mosq, &mid, topic, length, payload, qos, retain != 0);
    if (rc != MOSQ_ERR_SUCCESS) {
        char text[256];
        describe(rc, errno, text, sizeof text);
        int status = (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_ERRNO) ? SL_MQTT_LOST : SL_MQTT_INVALID;
        snprintf(message, message_size, "publish to %s refused: %s", topic, text);
        return status;
    }
    struct timespec deadline;
    deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&c->lock);
    int waited = 0;
    while (!was_acked(c, mid) && c->state == CONNECTED && waited == 0)
        waited = pthread_cond_timedwait(&c->changed, &c->lock, &deadline);
    int status = SL_MQTT_OK;
    if (was_acked(c, mid)) {
        status = SL_MQTT_OK;
    } else if (c->state != CONNECTED) {
        put(message, message_size, c->message);
        status = SL_MQTT_LOST;
    } else {
        snprintf(message, message_size, "no acknowledgement for %s within %.1f s", topic, timeout_ms / 1000.0);
        // A message left in flight would be resent by libmosquitto behind the outbox's back:
        // the connection is given up instead.
        end_locked(c, SL_MQTT_TIMEOUT, message);
        status = SL_MQTT_TIMEOUT;
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

int sl_mqtt_is_connected(sl_mqtt *c) {
    pthread_mutex_lock(&c->lock);
    int connected = c->state == CONNECTED;
    pthread_mutex_unlock(&c->lock);
    return connected;
}

void sl_mqtt_last_error(sl_mqtt *c, char *message, size_t message_size) {
    pthread_mutex_lock(&c->lock);
    put(message, message_size, c->state == ENDED ? c->message : "");
    pthread_mutex_unlock(&c->lock);
}

void sl_mqtt_close(sl_mqtt *c, int timeout_ms) {
    if (!c) return;
    pthread_mutex_lock(&c->lock);
    c->stopping = 1;
    int connected = c->state == CONNECTED;
    pthread_mutex_unlock(&c->lock);
    if (connected) M.disconnect(c->mosq);
    struct timespec deadline;
    deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&c->lock);
    int waited = 0;
    while (c->state != ENDED && waited == 0) waited = pthread_cond_timedwait(&c->changed, &c->lock, &deadline);
    // A connection the thread still runs (it did not end in time) ends at its next turn.
    end_locked(c, SL_MQTT_LOST, "closed");
    pthread_mutex_unlock(&c->lock);
    release(c);
}
