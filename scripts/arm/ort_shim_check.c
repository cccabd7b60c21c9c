// Checks the ONNX Runtime bridge (Sources/CONNXRuntime, a plain C API over ONNX Runtime's C API,
// opened with dlopen) from plain C, the way Swift sees it. Built by scripts/arm-test for aarch64
// (run under qemu-aarch64-static with the aarch64 wheel's library) and for x86_64 (native); the
// script requires both outputs to be identical.
//
//   1. sl_ort_open on a file that does not exist and on a library that is not ONNX Runtime:
//      SL_ORT_UNAVAILABLE with a message naming the file;
//   2. sl_ort_open on the library named by argv[1] (or libonnxruntime.so.1): the header's API
//      version is served;
//   3. a model that is not one (bytes of text): SL_ORT_LOAD_FAILED with ONNX Runtime's message;
//   4. a real network: a 2x2/2 MaxPool model (ONNX, 146 bytes, made with onnx.helper) loaded
//      from memory with each option set; its declared shapes; the input bound to a caller
//      buffer; run; the output checked against the expected max-pool; the buffer changed in
//      place and run again without binding: the output follows (no copy was taken).
//
// usage: ort_shim_check [LIBRARY]   (exit 0 when every check passes; lines on stdout)
#include "sl_ort.h"

#include "shim_check.h"

#include <stdio.h>
#include <string.h>

// onnx.helper: MaxPool(kernel_shape=[2, 2], strides=[2, 2]) from x [1, 2, 4, 4] to y [1, 2, 2, 2],
// opset 13, IR version 7.
static const unsigned char maxpool_onnx[] = {
    8, 7, 18, 9, 115, 105, 103, 104, 116, 108, 105, 110, 101, 58, 125, 10, 56, 10, 1, 120, 18, 1, 121, 34, 7, 77, 97,
    120, 80, 111, 111, 108, 42, 21, 10, 12, 107, 101, 114, 110, 101, 108, 95, 115, 104, 97, 112, 101, 64, 2, 64, 2,
    160, 1, 7, 42, 16, 10, 7, 115, 116, 114, 105, 100, 101, 115, 64, 2, 64, 2, 160, 1, 7, 18, 7, 109, 97, 120, 112,
    111, 111, 108, 90, 27, 10, 1, 120, 18, 22, 10, 20, 8, 1, 18, 16, 10, 2, 8, 1, 10, 2, 8, 2, 10, 2, 8, 4, 10, 2, 8,
    4, 98, 27, 10, 1, 121, 18, 22, 10, 20, 8, 1, 18, 16, 10, 2, 8, 1, 10, 2, 8, 2, 10, 2, 8, 2, 10, 2, 8, 2, 66, 4, 10,
    0, 16, 13};

static void one_line(char *s) {
    for (char *p = s; *p; p++)
        if (*p == '\n') *p = ' ';
}

/// Runs the bound session and checks the output against the max-pool of `input`.
static void run_and_check(sl_ort_session *s, const float *input, const char *what) {
    char err[1024] = {0};
    int rc = sl_ort_run(s, err, sizeof err);
    CHECK(rc == SL_ORT_OK, "%s: run returned %d (%s)", what, rc, err);
    if (rc != SL_ORT_OK) return;
    int64_t dims[8] = {0};
    int rank = sl_ort_result_shape(s, 0, dims, 8);
    const float *out = sl_ort_result_data(s, 0);
    CHECK(rank == 4 && dims[0] == 1 && dims[1] == 2 && dims[2] == 2 && dims[3] == 2, "%s: result rank %d", what, rank);
    CHECK(out != NULL, "%s: no result data", what);
    if (out == NULL) return;
    printf("%s:", what);
    check_maxpool_2x2(input, out, what);
    printf("\n");
}

int main(int argc, char **argv) {
    char err[1024];
    const char *library = argc > 1 ? argv[1] : NULL;

    // 1. Not there, not ONNX Runtime.
    err[0] = 0;
    int rc = sl_ort_open("/nonexistent/libonnxruntime.so.1", err, sizeof err);
    CHECK(rc == SL_ORT_UNAVAILABLE && strstr(err, "/nonexistent/libonnxruntime.so.1"), "missing library: %d %s", rc, err);
    printf("missing library: code %d, names the file: %s\n", rc, strstr(err, "/nonexistent/") ? "yes" : "no");
    err[0] = 0;
    rc = sl_ort_open("libc.so.6", err, sizeof err);
    CHECK(rc == SL_ORT_UNAVAILABLE && strstr(err, "OrtGetApiBase"), "libc as ONNX Runtime: %d %s", rc, err);
    printf("not ONNX Runtime: code %d, %s\n", rc, err);
    CHECK(sl_ort_library_version() == NULL, "a version before any library opened");

    // 2. The real library.
    err[0] = 0;
    rc = sl_ort_open(library, err, sizeof err);
    CHECK(rc == SL_ORT_OK, "opening %s: %s", library ? library : "libonnxruntime.so.1", err);
    if (rc != SL_ORT_OK) {
        printf("ort_shim_check: cannot go on without the library\n");
        return 1;
    }
    printf("opened: header API version %d served (library version %s)\n", sl_ort_header_api_version(),
           sl_ort_library_version() ? "reported" : "missing");

    // 3. Not a model.
    static const char text[] = "this is not an ONNX model";
    int code = 0;
    sl_ort_options options = {1, SL_ORT_OPTIMIZE_ALL, 1, 0};
    err[0] = 0;
    sl_ort_session *bad = sl_ort_session_create_from_bytes(text, sizeof text - 1, &options, &code, err, sizeof err);
    CHECK(bad == NULL && code == SL_ORT_LOAD_FAILED && err[0], "text as a model: %p, code %d", (void *)bad, code);
    one_line(err);
    printf("not a model: code %d, message given: %s\n", code, err[0] ? "yes" : "no");
    if (bad) sl_ort_session_free(bad);
    sl_ort_options wrong = {1, 7, 1, 0};
    bad = sl_ort_session_create_from_bytes(maxpool_onnx, sizeof maxpool_onnx, &wrong, &code, err, sizeof err);
    CHECK(bad == NULL && code == SL_ORT_INVALID_ARGUMENT, "optimisation level 7 accepted (code %d)", code);

    // 4. A real network, with each option.
    sl_ort_options choices[] = {{1, SL_ORT_OPTIMIZE_ALL, 1, 0}, {2, SL_ORT_OPTIMIZE_NONE, 0, 1},
                                {0, SL_ORT_OPTIMIZE_BASIC, 1, 1}};
    for (int k = 0; k < 3; k++) {
        err[0] = 0;
        sl_ort_session *s =
            sl_ort_session_create_from_bytes(maxpool_onnx, sizeof maxpool_onnx, &choices[k], &code, err, sizeof err);
        CHECK(s != NULL, "options %d: %s", k, err);
        if (s == NULL) continue;
        int64_t dims[8] = {0};
        CHECK(sl_ort_input_count(s) == 1 && sl_ort_output_count(s) == 1, "counts %d %d", sl_ort_input_count(s),
              sl_ort_output_count(s));
        CHECK(strcmp(sl_ort_input_name(s, 0), "x") == 0 && strcmp(sl_ort_output_name(s, 0), "y") == 0, "names");
        CHECK(sl_ort_input_type(s, 0) == SL_ORT_FLOAT && sl_ort_output_type(s, 0) == SL_ORT_FLOAT, "types");
        int rank = sl_ort_input_shape(s, 0, dims, 8);
        CHECK(rank == 4 && dims[1] == 2 && dims[2] == 4 && dims[3] == 4, "input shape rank %d", rank);
        CHECK(sl_ort_input_name(s, 1) == NULL && sl_ort_output_shape(s, -1, dims, 8) == -1, "index out of range");
        CHECK(sl_ort_result_data(s, 0) == NULL, "a result before any run");
        CHECK(sl_ort_run(s, err, sizeof err) == SL_ORT_INVALID_ARGUMENT, "a run with nothing bound");
        float input[32];
        for (int i = 0; i < 32; i++) input[i] = (float)((i * 7) % 32) - 10.5f;
        int64_t shape[4] = {1, 2, 4, 4};
        rc = sl_ort_bind_input(s, 0, input, shape, 4, err, sizeof err);
        CHECK(rc == SL_ORT_OK, "bind: %s", err);
        if (k == 0) {
            printf("model: input '%s' [1 2 4 4], output '%s'\n", sl_ort_input_name(s, 0), sl_ort_output_name(s, 0));
            run_and_check(s, input, "run");
            for (int i = 0; i < 32; i++) input[i] = 100.0f - input[i];  // in place, not bound again
            run_and_check(s, input, "same buffer changed");
            int64_t other[4] = {1, 2, 4, 2};
            rc = sl_ort_bind_input(s, 0, input, other, 4, err, sizeof err);
            rc = rc == SL_ORT_OK ? sl_ort_run(s, err, sizeof err) : rc;
            CHECK(rc == SL_ORT_RUN_FAILED, "a run on [1 2 4 2] gave %d", rc);
            printf("wrong input shape: code %d\n", rc);
        } else {
            run_and_check(s, input, k == 1 ? "2 threads, no optimisation, no arena" : "default threads, basic");
        }
        sl_ort_session_free(s);
    }
    return finish("ort_shim_check");
}
