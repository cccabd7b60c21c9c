// Checks the detector runtime bridge (Sources/CDetectorRuntime, a C API over OpenCV 4.6 DNN) from
// plain C, the way Swift sees it. Built by scripts/arm-test for aarch64 (run under
// qemu-aarch64-static against Debian's arm64 OpenCV) and for x86_64 (native); the script requires
// both outputs to be identical.
//
//   1. sl_dnn_get_threads / sl_dnn_set_threads (cv::getNumThreads / cv::setNumThreads);
//   2. sl_dnn_load_darknet_buffers on a config that does not parse: NULL and OpenCV's error
//      message, no exception escaping through C;
//   3. a real network: a weightless Darknet .cfg (one 2x2/2 max-pool layer) loaded from memory,
//      run forward on a 1x2x4x4 tensor; the output's rank, shape, name and values are checked
//      against the expected max-pool result; then freed.
//
// usage: dnn_shim_check      (exit 0 when every check passes; lines on stdout)
#include "sl_dnn.h"

#include "shim_check.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    char err[1024];

    // 1. Threads. The default depends on the machine, so only the explicit values are printed.
    int initial = sl_dnn_get_threads();
    CHECK(initial >= 1, "sl_dnn_get_threads() = %d before any set", initial);
    sl_dnn_set_threads(1);
    int one = sl_dnn_get_threads();
    sl_dnn_set_threads(2);
    int two = sl_dnn_get_threads();
    sl_dnn_set_threads(initial);
    CHECK(one == 1 && two == 2, "set_threads(1) -> %d, set_threads(2) -> %d", one, two);
    printf("threads: set 1 -> %d, set 2 -> %d\n", one, two);

    // 2. A config that does not parse: NULL with a message, no C++ exception.
    static const char bad[] = "[net]\nwidth=4\nheight=4\n[convolutional]\nfilters=banana\n";
    static const char weights[16] = {0};
    err[0] = 0;
    sl_dnn_net *broken = sl_dnn_load_darknet_buffers(bad, strlen(bad), weights, sizeof weights, err, sizeof err);
    CHECK(broken == NULL, "loading a config that does not parse returned a network");
    CHECK(err[0] != 0, "loading a config that does not parse gave no error message");
    for (char *p = err; *p; p++)
        if (*p == '\n') *p = ' ';
    for (size_t n = strlen(err); n > 0 && err[n - 1] == ' '; n--) err[n - 1] = 0;
    printf("bad config: %s, error: %s\n", broken ? "a network" : "NULL", err);
    if (broken) sl_dnn_free(broken);

    // 3. A weightless network: 2x2 max-pool, stride 2, on 2 channels of 4x4.
    static const char cfg[] = "[net]\nbatch=1\nwidth=4\nheight=4\nchannels=2\n\n[maxpool]\nsize=2\nstride=2\n";
    err[0] = 0;
    sl_dnn_net *net = sl_dnn_load_darknet_buffers(cfg, strlen(cfg), NULL, 0, err, sizeof err);
    CHECK(net != NULL, "loading the max-pool config failed: %s", err);
    if (net) {
        float input[2 * 4 * 4];
        for (int i = 0; i < 32; i++) input[i] = (float)((i * 7) % 32) - 10.5f;  // a permutation, shifted
        int outputs = sl_dnn_forward(net, input, 1, 2, 4, 4, err, sizeof err);
        CHECK(outputs == 1, "forward returned %d (%s)", outputs, outputs < 0 ? err : "");
        if (outputs == 1) {
            int dims[8] = {0};
            int rank = sl_dnn_output_shape(net, 0, dims, 8);
            const float *data = sl_dnn_output_data(net, 0);
            const char *name = sl_dnn_output_name(net, 0);
            CHECK(rank == 4 && dims[0] == 1 && dims[1] == 2 && dims[2] == 2 && dims[3] == 2,
                  "output shape rank %d [%d %d %d %d], expected [1 2 2 2]", rank, dims[0], dims[1], dims[2], dims[3]);
            CHECK(data != NULL, "no output data");
            CHECK(name != NULL && name[0], "no output name");
            CHECK(sl_dnn_output_data(net, 1) == NULL && sl_dnn_output_shape(net, -1, dims, 8) == -1,
                  "out-of-range output index accepted");
            printf("forward: 1 output '%s', shape [%d %d %d %d],", name ? name : "?", dims[0], dims[1], dims[2], dims[3]);
            if (data && rank == 4) check_maxpool_2x2(input, data, "forward");
            printf("\n");
        }
        sl_dnn_free(net);
    }
    return finish("dnn_shim_check");
}
