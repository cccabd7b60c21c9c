#ifndef SIGHTLINE_SL_OPENCV_H
#define SIGHTLINE_SL_OPENCV_H
// OpenCV's DNN runtime, opened on first use. The bridge to OpenCV (Sources/CDetectorRuntime,
// C++ over libopencv-dnn 4.6) is built as its own shared library, libSightlineOpenCVDNN.so
// (the SightlineOpenCVDNN product), and opened here with dlopen: a process that runs its models
// on ONNX Runtime never maps OpenCV and its dependencies (about 7 MB resident, docs/detection.md).
//
// Each call below forwards to the bridge's sl_dnn_* function of the same name (sl_dnn.h says
// what it does). The loading calls open the bridge first, and fail with a message saying how
// to build it when it cannot be opened.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_dnn_net sl_dnn_net;

/// The bridge's file name, looked for next to the running executable, then on the library path.
#define SL_OPENCV_BRIDGE "libSightlineOpenCVDNN.so"
/// An environment variable naming the bridge's file instead (only that file is tried).
#define SL_OPENCV_BRIDGE_VARIABLE "SIGHTLINE_OPENCV_BRIDGE"

/// Opens the bridge (once; later calls return at once). 0, or -1 with a message in `err`.
int sl_opencv_open(char *err, size_t err_len);

sl_dnn_net *sl_opencv_load_darknet_buffers(const char *cfg, size_t cfg_len, const void *weights, size_t weights_len,
                                           char *err, size_t err_len);
sl_dnn_net *sl_opencv_load_onnx(const char *onnx_path, char *err, size_t err_len);
void sl_opencv_free(sl_dnn_net *net);

/// Sets OpenCV's worker thread count. Before the bridge is open, the count is kept and set when
/// it opens, so that choosing threads never loads OpenCV by itself.
void sl_opencv_set_threads(int threads);
/// OpenCV's worker thread count; before the bridge is open, the count kept (0: none).
int sl_opencv_get_threads(void);

int sl_opencv_forward(sl_dnn_net *net, const float *input, int n, int c, int h, int w, char *err, size_t err_len);
int sl_opencv_output_shape(const sl_dnn_net *net, int index, int *dims, int max_dims);
const float *sl_opencv_output_data(const sl_dnn_net *net, int index);
const char *sl_opencv_output_name(const sl_dnn_net *net, int index);

#ifdef __cplusplus
}
#endif
#endif
