// What the C boundary checks (dnn_shim_check.c, ort_shim_check.c) share: a CHECK that counts
// failures, and the check of a 2x2/2 max-pool output, the network both run.
#ifndef SIGHTLINE_SHIM_CHECK_H
#define SIGHTLINE_SHIM_CHECK_H
#include <stdio.h>

static int failures;
#define CHECK(cond, ...)                                              \
    do {                                                              \
        if (!(cond)) {                                                \
            printf("FAIL: " __VA_ARGS__);                             \
            printf("\n");                                             \
            failures++;                                               \
        }                                                             \
    } while (0)

/// Prints the values of `out` (2 channels of 2x2) after "values" and checks each against the
/// 2x2/2 max-pool of `input` (2 channels of 4x4). No newline.
static void check_maxpool_2x2(const float *input, const float *out, const char *what) {
    printf(" values");
    for (int c = 0; c < 2; c++)
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 2; x++) {
                float expect = -1e30f;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++) {
                        float v = input[c * 16 + (2 * y + dy) * 4 + 2 * x + dx];
                        if (v > expect) expect = v;
                    }
                float got = out[c * 4 + y * 2 + x];
                printf(" %g", got);
                CHECK(got == expect, "%s: output[%d][%d][%d] = %g, expected %g", what, c, y, x, got, expect);
            }
}

/// Ends the check program: a summary line, and the exit status.
static int finish(const char *program) {
    if (failures) {
        printf("%s: %d check%s failed\n", program, failures, failures == 1 ? "" : "s");
        return 1;
    }
    printf("%s: all checks passed\n", program);
    return 0;
}
#endif
