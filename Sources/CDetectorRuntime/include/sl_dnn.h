#ifndef SIGHTLINE_SL_DNN_H
#define SIGHTLINE_SL_DNN_H
// A plain C API over OpenCV's DNN module (libopencv-dnn 4.6), so Swift can run a network
// without seeing C++. Sightline does its own preprocessing and output decoding; this layer only
// loads a network, runs it on a float tensor and hands back the raw output blobs.
//
// Errors never cross as exceptions: every call that can fail returns NULL or -1 and writes a
// message into the caller's buffer.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_dnn_net sl_dnn_net;

/// Loads a Darknet network from memory: the .cfg text and the .weights bytes (`weights` may be
/// NULL with length 0 for a network without weights). OpenCV copies what it needs during the
/// call. NULL on failure, with a message in `err`.
sl_dnn_net *sl_dnn_load_darknet_buffers(const char *cfg, size_t cfg_len, const void *weights, size_t weights_len,
                                        char *err, size_t err_len);

/// Loads an ONNX network with fixed input shape. NULL on failure, with a message in `err`.
sl_dnn_net *sl_dnn_load_onnx(const char *onnx_path, char *err, size_t err_len);

void sl_dnn_free(sl_dnn_net *net);

/// Sets OpenCV's worker thread count for the whole process (cv::setNumThreads).
void sl_dnn_set_threads(int threads);
int sl_dnn_get_threads(void);

/// Runs the network on an NCHW float32 tensor. The outputs (one per unconnected output layer)
/// stay valid until the next forward or free. Returns the number of outputs, or -1 with `err`.
int sl_dnn_forward(sl_dnn_net *net, const float *input, int n, int c, int h, int w, char *err, size_t err_len);

/// Shape of output `index` after a forward: writes up to `max_dims` sizes, returns the rank.
int sl_dnn_output_shape(const sl_dnn_net *net, int index, int *dims, int max_dims);

/// Data of output `index` after a forward (contiguous float32), or NULL.
const float *sl_dnn_output_data(const sl_dnn_net *net, int index);

/// Name of output layer `index` (valid while the net lives).
const char *sl_dnn_output_name(const sl_dnn_net *net, int index);

#ifdef __cplusplus
}
#endif
#endif
