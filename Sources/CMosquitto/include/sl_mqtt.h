#ifndef SIGHTLINE_SL_MQTT_H
#define SIGHTLINE_SL_MQTT_H
// One MQTT connection over libmosquitto (libmosquitto-dev 2.0), with fixed plain-C signatures
// so Swift sees no callbacks, no varargs and no library structs. libmosquitto speaks the
// protocol; this layer only turns its asynchronous callbacks into blocking calls with timeouts:
//
// - sl_mqtt_open connects (TCP, TLS, CONNECT) on a thread of its own and waits for the broker's
//   CONNACK. That thread then runs libmosquitto's network loop (keepalive pings, reading
//   acknowledgements) until the connection ends. It never reconnects: a connection that was
//   lost stays lost, and whatever libmosquitto held in flight goes with it, so the caller's own
//   outbox decides what is sent again (nothing is sent twice behind its back).
// - sl_mqtt_publish sends one message and, for QoS 1, waits for the broker's PUBACK.
//
// Every call that can fail returns a status below and writes a message into the caller's
// buffer. A connection is used by one thread at a time.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Statuses of the calls below.
enum {
    SL_MQTT_OK = 0,
    /// No connection: name resolution, TCP or TLS failed (the message says which and why).
    SL_MQTT_UNREACHABLE = 1,
    /// The broker answered and refused the connection (bad credentials, not authorised …).
    SL_MQTT_REFUSED = 2,
    /// No answer in time (the connection is closed).
    SL_MQTT_TIMEOUT = 3,
    /// The connection was lost (or never made); open a new one.
    SL_MQTT_LOST = 4,
    /// An argument libmosquitto refused (topic, payload size, options).
    SL_MQTT_INVALID = 5,
};

typedef struct sl_mqtt sl_mqtt;

/// How to reach the broker. Strings are copied during sl_mqtt_open; NULL where optional.
typedef struct {
    const char *host;
    int port;
    const char *client_id;
    const char *username;
    const char *password;
    /// The last will (QoS 1): what the broker publishes when the connection ends without a
    /// DISCONNECT. NULL topic: none.
    const char *will_topic;
    const void *will_payload;
    int will_length;
    int will_retain;
    /// 1: TLS. `ca_file` names the certificate authorities to trust; NULL trusts the system's.
    int tls;
    const char *ca_file;
    /// Seconds between keepalive pings (at least 5).
    int keepalive;
} sl_mqtt_options;

/// Connects and waits up to `timeout_ms` for the broker to accept. On SL_MQTT_OK, `*out` is
/// the connection (close it with sl_mqtt_close); otherwise `*out` is NULL.
int sl_mqtt_open(const sl_mqtt_options *options, int timeout_ms, sl_mqtt **out, char *message, size_t message_size);

/// Publishes one message. QoS 1 waits up to `timeout_ms` for the broker's PUBACK; QoS 0 waits
/// until the message was written to the socket. A timeout or a lost connection leaves the
/// connection unusable (close it and open a new one).
int sl_mqtt_publish(sl_mqtt *connection, const char *topic, const void *payload, int length, int qos, int retain,
                    int timeout_ms, char *message, size_t message_size);

/// 1 while the broker has accepted the connection and it has not been lost.
int sl_mqtt_is_connected(sl_mqtt *connection);

/// Why the connection ended (empty while connected).
void sl_mqtt_last_error(sl_mqtt *connection, char *message, size_t message_size);

/// Sends DISCONNECT when still connected (so the broker drops the will), waits up to
/// `timeout_ms` for it to leave, and frees the connection.
void sl_mqtt_close(sl_mqtt *connection, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
