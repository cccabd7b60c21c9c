#define _GNU_SOURCE  // dlopen
#include "sl_opencv.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// The bridge's functions, resolved once by sl_opencv_open.
static struct {
    sl_dnn_net *(*load_darknet_buffers)(const char *, size_t, const void *, size_t, char *, size_t);
    sl_dnn_net *(*load_onnx)(const char *, char *, size_t);
    void (*free_net)(sl_dnn_net *);
    void (*set_threads)(int);
    int (*get_threads)(void);
    int (*forward)(sl_dnn_net *, const float *, int, int, int, int, char *, size_t);
    int (*output_shape)(const sl_dnn_net *, int, int *, int);
    const float *(*output_data)(const sl_dnn_net *, int);
    const char *(*output_name)(const sl_dnn_net *, int);
} bridge;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int opened;             // guarded by lock; once 1, `bridge` is set and never changes
static int requested_threads;  // guarded by lock; 0: never set

// A message into the caller's buffer (none when it has no room).
#define write_error(err, len, ...)                          \
    do {                                                    \
        if ((err) != NULL && (len) > 0) snprintf((err), (len), __VA_ARGS__); \
    } while (0)

// The folder of the running executable (the build folder, for SwiftPM's products), or "".
static void executable_folder(char *out, size_t len) {
    out[0] = 0;
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return;
    path[n] = 0;
    char *slash = strrchr(path, '/');
    if (slash == NULL) return;
    *slash = 0;
    snprintf(out, len, "%s", path);
}

static int resolve(void *handle, char *err, size_t err_len, const char *where) {
    static const char *const names[] = {
        "sl_dnn_load_darknet_buffers", "sl_dnn_load_onnx", "sl_dnn_free", "sl_dnn_set_threads", "sl_dnn_get_threads",
        "sl_dnn_forward", "sl_dnn_output_shape", "sl_dnn_output_data", "sl_dnn_output_name",
    };
    void *found[sizeof names / sizeof names[0]];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        found[i] = dlsym(handle, names[i]);
        if (found[i] == NULL) {
            write_error(err, err_len, "%s is not Sightline's OpenCV bridge: it has no %s", where, names[i]);
            return -1;
        }
    }
    // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
    memcpy(&bridge.load_darknet_buffers, &found[0], sizeof found[0]);
    memcpy(&bridge.load_onnx, &found[1], sizeof found[1]);
    memcpy(&bridge.free_net, &found[2], sizeof found[2]);
    memcpy(&bridge.set_threads, &found[3], sizeof found[3]);
    memcpy(&bridge.get_threads, &found[4], sizeof found[4]);
    memcpy(&bridge.forward, &found[5], sizeof found[5]);
    memcpy(&bridge.output_shape, &found[6], sizeof found[6]);
    memcpy(&bridge.output_data, &found[7], sizeof found[7]);
    memcpy(&bridge.output_name, &found[8], sizeof found[8]);
    return 0;
}

// Once `bridge` is resolved: from here on the bridge stays open (OpenCV is never unloaded).
static int finish_open(void) {
    if (requested_threads > 0) bridge.set_threads(requested_threads);
    opened = 1;
    return 0;
}

// Opens and resolves the bridge; called with the lock held, which it leaves held.
static int open_locked(char *err, size_t err_len) {
    if (opened) return 0;
    const char *chosen = getenv(SL_OPENCV_BRIDGE_VARIABLE);
    if (chosen != NULL && chosen[0] != 0) {
        void *handle = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
        const char *why = handle ? NULL : dlerror();
        if (handle == NULL || resolve(handle, err, err_len, chosen) != 0) {
            if (handle == NULL) {
                write_error(err, err_len,
                            "OpenCV DNN runtime unavailable: cannot open %s (%s, named by %s). Build the bridge with "
                            "`swift build --product SightlineOpenCVDNN`, or unset %s to use the one next to the "
                            "executable",
                            chosen, why ? why : "unknown dlopen error", SL_OPENCV_BRIDGE_VARIABLE,
                            SL_OPENCV_BRIDGE_VARIABLE);
            } else {
                dlclose(handle);
            }
            return -1;
        }
        return finish_open();
    }
    char folder[PATH_MAX], beside[PATH_MAX + 64], why_beside[512] = "", why_path[512] = "";
    executable_folder(folder, sizeof folder);
    snprintf(beside, sizeof beside, "%s/%s", folder, SL_OPENCV_BRIDGE);
    const char *where = beside;
    void *handle = folder[0] ? dlopen(beside, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(why_beside, sizeof why_beside, "%s", why ? why : "no executable folder");
        where = SL_OPENCV_BRIDGE;
        handle = dlopen(SL_OPENCV_BRIDGE, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
            why = dlerror();
            snprintf(why_path, sizeof why_path, "%s", why ? why : "unknown dlopen error");
        }
    }
    if (handle == NULL) {
        write_error(err, err_len,
                    "OpenCV DNN runtime unavailable: cannot open %s, Sightline's bridge to OpenCV, next to the "
                    "executable (%s) or on the library path (%s). Build it beside the executable with "
                    "`swift build --product SightlineOpenCVDNN` (add -c release for a release build); it needs "
                    "OpenCV DNN, which scripts/setup installs",
                    SL_OPENCV_BRIDGE, why_beside, why_path);
        return -1;
    }
    if (resolve(handle, err, err_len, where) != 0) {
        dlclose(handle);
        return -1;
    }
    return finish_open();
}

int sl_opencv_open(char *err, size_t err_len) {
    pthread_mutex_lock(&lock);
    int status = open_locked(err, err_len);
    pthread_mutex_unlock(&lock);
    return status;
}

sl_dnn_net *sl_opencv_load_darknet_buffers(const char *cfg, size_t cfg_len, const void *weights, size_t weights_len,
                                           char *err, size_t err_len) {
    if (sl_opencv_open(err, err_len) != 0) return NULL;
    return bridge.load_darknet_buffers(cfg, cfg_len, weights, weights_len, err, err_len);
}

sl_dnn_net *sl_opencv_load_onnx(const char *onnx_path, char *err, size_t err_len) {
    if (sl_opencv_open(err, err_len) != 0) return NULL;
    return bridge.load_onnx(onnx_path, err, err_len);
}

// A network exists only once the bridge is open, so the calls on one need no check.
void sl_opencv_free(sl_dnn_net *net) {
    if (net != NULL) bridge.free_net(net);
}

void sl_opencv_set_threads(int threads) {
    pthread_mutex_lock(&lock);
    requested_threads = threads;
    if (opened) bridge.set_threads(threads);
    pthread_mutex_unlock(&lock);
}

int sl_opencv_get_threads(void) {
    pthread_mutex_lock(&lock);
    int threads = opened ? bridge.get_threads() : requested_threads;
    pthread_mutex_unlock(&lock);
    return threads;
}

int sl_opencv_forward(sl_dnn_net *net, const float *input, int n, int c, int h, int w, char *err, size_t err_len) {
    return bridge.forward(net, input, n, c, h, w, err, err_len);
}

int sl_opencv_output_shape(const sl_dnn_net *net, int index, int *dims, int max_dims) {
    return bridge.output_shape(net, index, dims, max_dims);
}

const float *sl_opencv_output_data(const sl_dnn_net *net, int index) { return bridge.output_data(net, index); }

const char *sl_opencv_output_name(const sl_dnn_net *net, int index) { return bridge.output_name(net, index); }
