// Cross-architecture test harness for the SightlineKernels C exports (sl_scalar_* / sl_simd_*).
//
// Built by scripts/arm-test twice from this one file: for aarch64 (run under qemu-aarch64-static)
// and for x86_64 (run natively), each linked with an Embedded Swift object of
// Sources/SightlineKernels. Every kernel runs, scalar and SIMD, on deterministic inputs at many
// sizes (odd ones, padded strides, inputs and outputs that end right before an unmapped page).
//
//   harness check   run every case; per case print one RESULT line per implementation (FNV-1a 64
//                   of every output byte, row padding included, float outputs as their bits) and a
//                   CHECK line comparing SIMD with scalar on this architecture (exact: integer
//                   bytes and float bits must be identical; the first difference is described).
//   harness bench   run the benchmark cases once per implementation, each call alone inside
//                   bench_region(); external tools count the instructions executed in it
//                   (callgrind on x86_64, qemu's exec trace on aarch64). Prints BENCH lines in call
//                   order.
//   harness list    print the kernels this harness knows and whether the linked object has them.
//
// Adding a kernel: declare its two exports with SL_PAIR below, write a cases function (enumerate
// geometries into a Case) and a run function (call the export with the Ctx buffers), and add one
// line to the KERNELS table. Exports are weak, so a kernels folder without the kernel still links;
// scripts/arm-test fails if the object exports a kernel that is not in the table.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef intptr_t isz;

// ---------------------------------------------------------------------------------------------
// Kernel prototypes (as documented in Sources/SightlineKernels/CExports.swift), weak.

#define SL_PAIR(name, params) \
    __attribute__((weak)) void sl_scalar_##name params; \
    __attribute__((weak)) void sl_simd_##name params;

#define PLANAR_F32 float *dst, isz dst_row_stride, isz dst_plane_stride, float s0, float s1, \
    float s2, float b0, float b1, float b2
SL_PAIR(yuyv_to_rgb, (const uint8_t *src, isz src_stride, uint8_t *dst, isz dst_stride, isz width,
                      isz height, int32_t range, int32_t swap_rb))
SL_PAIR(nv12_to_rgb, (const uint8_t *y, isz y_stride, const uint8_t *uv, isz uv_stride,
                      uint8_t *dst, isz dst_stride, isz width, isz height, int32_t range,
                      int32_t swap_rb))
SL_PAIR(grey_to_rgb, (const uint8_t *src, isz src_stride, uint8_t *dst, isz dst_stride,
                      isz width, isz height))
SL_PAIR(swap_rb, (const uint8_t *src, isz src_stride, uint8_t *dst, isz dst_stride, isz width,
                  isz height))
SL_PAIR(rgb_to_grey, (const uint8_t *src, isz src_stride, uint8_t *dst, isz dst_stride,
                      isz width, isz height, int32_t swap_rb))
SL_PAIR(resize, (const void *plan, const uint8_t *src, isz src_stride, uint8_t *dst,
                 isz dst_stride))
SL_PAIR(pack_planar, (const uint8_t *src, isz src_stride, isz width, isz height, PLANAR_F32,
                      int32_t swap_rb))
SL_PAIR(fill_planar, (float *dst, isz dst_row_stride, isz dst_plane_stride, isz x, isz y,
                      isz width, isz height, float v0, float v1, float v2))
SL_PAIR(resize_pack, (const void *plan, const uint8_t *src, isz src_stride, PLANAR_F32,
                      int32_t swap_rb))
SL_PAIR(resize_pack_yuyv, (const void *plan, const uint8_t *src, isz src_stride, int32_t range,
                           PLANAR_F32, int32_t swap_rb))
SL_PAIR(deinterleave_yuyv, (const uint8_t *src, isz src_stride, isz width, isz height,
                            uint8_t *y, isz y_stride, uint8_t *u, isz u_stride, uint8_t *v,
                            isz v_stride))
SL_PAIR(split_uv, (const uint8_t *src, isz src_stride, isz width, isz height, uint8_t *u,
                   isz u_stride, uint8_t *v, isz v_stride))
SL_PAIR(yuv_planes_to_float, (const uint8_t *y, isz y_stride, const uint8_t *u, isz u_stride,
                              const uint8_t *v, isz v_stride, isz width, isz height,
                              int32_t range, PLANAR_F32, int32_t swap_rb))
SL_PAIR(resize_pack_yuv, (const void *plan, const uint8_t *y, isz y_stride, const uint8_t *u,
                          const uint8_t *v, isz chroma_stride, isz chroma_step, int32_t range,
                          PLANAR_F32, int32_t swap_rb))
SL_PAIR(abs_diff, (const uint8_t *a, isz a_stride, const uint8_t *b, isz b_stride, uint8_t *dst,
                   isz dst_stride, isz width, isz height))
__attribute__((weak)) void *sl_resize_plan_create(isz src_w, isz src_h, isz dst_w, isz dst_h,
                                                  isz channels, int32_t mode);
__attribute__((weak)) void sl_resize_plan_destroy(void *plan);
__attribute__((weak)) void *sl_yuv_resize_plan_create(isz w, isz h, isz chroma_x, isz chroma_y, isz dst_w,
                                                      isz dst_h, int32_t mode);
__attribute__((weak)) void sl_yuv_resize_plan_destroy(void *plan);

// ---------------------------------------------------------------------------------------------
// Deterministic inputs, guarded buffers, hashing.

static uint64_t rng_state;
static void rng_seed(uint64_t s) { rng_state = s ^ 0x9E3779B97F4A7C15ull; }
static uint64_t rng_next(void) {  // splitmix64
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static void rng_fill(uint8_t *p, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) { uint64_t r = rng_next(); memcpy(p + i, &r, 8); }
    if (i < n) { uint64_t r = rng_next(); memcpy(p + i, &r, n - i); }
}
static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001B3ull; }
    return h;
}
#define FNV_BASIS 0xCBF29CE484222325ull

static size_t page_size;

// `n` bytes that end exactly where an unmapped (PROT_NONE) page begins, so any read or write past
// the end faults. n is rounded up to a multiple of 4 (keeps float buffers aligned).
typedef struct { uint8_t *p; size_t n; void *map; size_t map_len; } Guarded;
static Guarded galloc(size_t n) {
    Guarded g;
    n = (n + 3) & ~(size_t)3;
    if (n == 0) n = 4;
    size_t body = (n + page_size - 1) / page_size * page_size;
    g.map_len = body + page_size;
    g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g.map == MAP_FAILED) { perror("mmap"); exit(2); }
    if (mprotect((uint8_t *)g.map + body, page_size, PROT_NONE) != 0) { perror("mprotect"); exit(2); }
    g.p = (uint8_t *)g.map + body - n;
    g.n = n;
    return g;
}
static void gfree(Guarded *g) { if (g->map) munmap(g->map, g->map_len); memset(g, 0, sizeof *g); }

// ---------------------------------------------------------------------------------------------
// Cases and buffers.

typedef struct {
    char label[96];
    int w, h;            // image size (for resize: source size)
    int dw, dh;          // resize destination size
    int ch, mode;        // resize channels (1, 3) and mode (0 bilinear, 1 area)
    int pad;             // extra bytes/elements per row
    int range, swap;     // YUV range, R/B swap
    int param;           // kernel-specific (scale/bias set, rectangle variant)
    int layout;          // resize_pack_yuv: 0 4:2:0 planes, 1 NV12 pairs, 2 4:2:2 planes
    int bench;           // 1: also a benchmark case
    long pixels;         // pixels the kernel produces (benchmark denominator)
} Case;

enum { MAX_IN = 3, MAX_OUT = 3 };
typedef struct {
    const char *name;
    int elem;            // 1 (u8) or 4 (float)
    isz row;             // row stride in elements
    isz plane;           // plane stride in elements (0: single plane)
    Guarded g;
} Out;
typedef struct {
    Guarded in[MAX_IN];
    isz in_stride[MAX_IN];
    Out out[MAX_OUT];
    int n_out;
    void *plan;
    void *yuv_plan;
    float scale[3], bias[3];
} Ctx;

static Out *add_out(Ctx *c, const char *name, int elem, isz row, isz plane, size_t bytes) {
    Out *o = &c->out[c->n_out++];
    o->name = name; o->elem = elem; o->row = row; o->plane = plane;
    o->g = galloc(bytes);
    return o;
}
static void add_in(Ctx *c, int i, isz stride, size_t bytes) {
    c->in[i] = galloc(bytes);
    c->in_stride[i] = stride;
    rng_fill(c->in[i].p, c->in[i].n);
}
// u8 image buffer of `rows` rows, `rowbytes` used bytes per row, `stride` apart (last row unpadded).
static size_t img_bytes(isz stride, isz rowbytes, isz rows) { return rows ? (size_t)((rows - 1) * stride + rowbytes) : 0; }

static int pad_for(int i) { return (i % 4 == 0) ? 0 : (i * 5) % 23 + 1; }

static const float SCALE_SETS[3][6] = {
    {1.0f / 255, 1.0f / 255, 1.0f / 255, 0, 0, 0},
    // ImageNet normalisation: 1 / (std * 255), -mean / std
    {1.0f / (0.229f * 255), 1.0f / (0.224f * 255), 1.0f / (0.225f * 255),
     -0.485f / 0.229f, -0.456f / 0.224f, -0.406f / 0.225f},
    {1.0f, 0.5f, 2.0f, -128.0f, 0.25f, -1.0f},
};
static void set_scale(Ctx *c, int set) {
    for (int p = 0; p < 3; p++) { c->scale[p] = SCALE_SETS[set][p]; c->bias[p] = SCALE_SETS[set][3 + p]; }
}

// Sizes every per-pixel kernel runs at (the last one is the benchmark size).
static const int SIZES[][2] = {
    {1, 1}, {2, 2}, {3, 1}, {15, 2}, {16, 3}, {17, 9}, {18, 4}, {31, 5}, {32, 2}, {33, 31},
    {47, 3}, {64, 8}, {97, 7}, {640, 480},
};
enum { N_SIZES = sizeof SIZES / sizeof SIZES[0] };

// Per-pixel kernels: every size × n_var parameter variants; variant 0 of the last size is the
// benchmark case.
static int pixel_case(int i, Case *c, int n_var, const char *(*describe)(int var, Case *c)) {
    if (i >= N_SIZES * n_var) return 0;
    int s = i / n_var, var = i % n_var;
    c->w = SIZES[s][0]; c->h = SIZES[s][1];
    c->pad = pad_for(i);
    c->pixels = (long)c->w * c->h;
    c->bench = (s == N_SIZES - 1 && var == 0);
    const char *d = describe ? describe(var, c) : "";
    snprintf(c->label, sizeof c->label, "%dx%d+%d%s", c->w, c->h, c->pad, d);
    return 1;
}
static const char *var_none(int var, Case *c) { (void)var; (void)c; return ""; }
static const char *var_range_swap(int var, Case *c) {
    static const char *n[] = {"/limited", "/full/swap", "/limited/swap", "/full"};
    c->range = (var == 1 || var == 3); c->swap = (var == 1 || var == 2);
    return n[var];
}
static const char *var_swap(int var, Case *c) { c->swap = var; return var ? "/swap" : ""; }
static const char *var_scale_swap(int var, Case *c) {
    static const char *n[] = {"/s0", "/s1/swap", "/s2"};
    c->param = var; c->swap = (var == 1);
    return n[var];
}
static const char *var_yuv_float(int var, Case *c) {
    static const char *n[] = {"/limited/s0", "/full/s1/swap", "/limited/s2/swap", "/full/s0"};
    c->range = (var == 1 || var == 3); c->swap = (var == 1 || var == 2); c->param = var % 3;
    return n[var];
}

// ---------------------------------------------------------------------------------------------
// Kernel adapters: setup (inputs, outputs) and run (one call).

typedef void (*Fn)(void);
typedef struct Kernel Kernel;
struct Kernel {
    const char *name;
    Fn scalar, simd;
    int (*cases)(int i, Case *c);           // fills case i; 0 when past the last
    void (*setup)(const Case *c, Ctx *x);   // allocates and fills inputs, allocates outputs
    void (*run)(const Kernel *k, int simd, const Case *c, Ctx *x);
};
#define IMPL(k, simd, type) ((type)((simd) ? (k)->simd : (k)->scalar))
#define STRIDE(bytes, c) ((isz)(bytes) + (c)->pad)

// yuyv_to_rgb
static int yuyv_cases(int i, Case *c) { return pixel_case(i, c, 4, var_range_swap); }
static void yuyv_setup(const Case *c, Ctx *x) {
    isz rb = 4 * ((c->w + 1) / 2), ss = STRIDE(rb, c), ds = STRIDE(3 * c->w, c);
    add_in(x, 0, ss, img_bytes(ss, rb, c->h));
    add_out(x, "rgb", 1, ds, 0, img_bytes(ds, 3 * c->w, c->h));
}
typedef void (*yuyv_fn)(const uint8_t *, isz, uint8_t *, isz, isz, isz, int32_t, int32_t);
static void yuyv_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    IMPL(k, simd, yuyv_fn)(x->in[0].p, x->in_stride[0], x->out[0].g.p, x->out[0].row, c->w, c->h,
                           c->range, c->swap);
}

// nv12_to_rgb
static void nv12_setup(const Case *c, Ctx *x) {
    isz uvb = 2 * ((c->w + 1) / 2), ys = STRIDE(c->w, c), uvs = STRIDE(uvb, c) + 1;
    isz ds = STRIDE(3 * c->w, c);
    add_in(x, 0, ys, img_bytes(ys, c->w, c->h));
    add_in(x, 1, uvs, img_bytes(uvs, uvb, (c->h + 1) / 2));
    add_out(x, "rgb", 1, ds, 0, img_bytes(ds, 3 * c->w, c->h));
}
typedef void (*nv12_fn)(const uint8_t *, isz, const uint8_t *, isz, uint8_t *, isz, isz, isz,
                        int32_t, int32_t);
static void nv12_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    IMPL(k, simd, nv12_fn)(x->in[0].p, x->in_stride[0], x->in[1].p, x->in_stride[1],
                           x->out[0].g.p, x->out[0].row, c->w, c->h, c->range, c->swap);
}

// grey_to_rgb, swap_rb, swap_rb in place, rgb_to_grey
static int plain_cases(int i, Case *c) { return pixel_case(i, c, 1, var_none); }
static int swap_cases(int i, Case *c) { return pixel_case(i, c, 2, var_swap); }
static void grey_setup(const Case *c, Ctx *x) {
    isz ss = STRIDE(c->w, c), ds = STRIDE(3 * c->w, c);
    add_in(x, 0, ss, img_bytes(ss, c->w, c->h));
    add_out(x, "rgb", 1, ds, 0, img_bytes(ds, 3 * c->w, c->h));
}
typedef void (*img_fn)(const uint8_t *, isz, uint8_t *, isz, isz, isz);
static void img_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    IMPL(k, simd, img_fn)(x->in[0].p, x->in_stride[0], x->out[0].g.p, x->out[0].row, c->w, c->h);
}
static void rgb_setup(const Case *c, Ctx *x) {
    isz ss = STRIDE(3 * c->w, c), ds = STRIDE(3 * c->w, c) + 2;
    add_in(x, 0, ss, img_bytes(ss, 3 * c->w, c->h));
    add_out(x, "rgb", 1, ds, 0, img_bytes(ds, 3 * c->w, c->h));
}
// In place: the output buffer is filled with the input image and the kernel reads and writes it.
static void inplace_setup(const Case *c, Ctx *x) {
    isz s = STRIDE(3 * c->w, c);
    add_out(x, "rgb", 1, s, 0, img_bytes(s, 3 * c->w, c->h));
}
static void inplace_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    IMPL(k, simd, img_fn)(x->out[0].g.p, x->out[0].row, x->out[0].g.p, x->out[0].row, c->w, c->h);
}
static void rgb_grey_setup(const Case *c, Ctx *x) {
    isz ss = STRIDE(3 * c->w, c), ds = STRIDE(c->w, c);
    add_in(x, 0, ss, img_bytes(ss, 3 * c->w, c->h));
    add_out(x, "grey", 1, ds, 0, img_bytes(ds, c->w, c->h));
}
typedef void (*grey_fn)(const uint8_t *, isz, uint8_t *, isz, isz, isz, int32_t);
static void rgb_grey_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    IMPL(k, simd, grey_fn)(x->in[0].p, x->in_stride[0], x->out[0].g.p, x->out[0].row, c->w, c->h,
                           c->swap);
}

// resize and resize_pack: geometries (src → dst, channels, mode); bench marks benchmark cases.
static const struct { int sw, sh, dw, dh, ch, mode, bench; } GEOM[] = {
    {480, 270, 416, 234, 3, 0, 1}, {640, 480, 160, 120, 3, 1, 1}, {640, 480, 416, 312, 3, 0, 0},
    {480, 270, 416, 234, 3, 1, 0}, {640, 480, 213, 160, 3, 1, 0}, {1, 1, 1, 1, 3, 0, 0},
    {1, 1, 3, 3, 3, 0, 0}, {2, 2, 1, 1, 3, 1, 0}, {2, 2, 5, 3, 3, 0, 0}, {17, 9, 33, 31, 3, 0, 0},
    {33, 31, 17, 9, 3, 0, 0}, {33, 31, 17, 9, 3, 1, 0}, {33, 31, 5, 3, 3, 1, 0},
    {17, 9, 17, 9, 3, 1, 0}, {7, 5, 16, 16, 3, 1, 0}, {5, 7, 9, 3, 3, 1, 0},
    {480, 270, 416, 234, 1, 0, 1}, {640, 480, 160, 120, 1, 1, 1}, {640, 480, 213, 160, 1, 1, 0},
    {1, 1, 1, 1, 1, 0, 0}, {1, 1, 3, 3, 1, 0, 0}, {2, 2, 1, 1, 1, 1, 0}, {17, 9, 33, 31, 1, 0, 0},
    {33, 31, 17, 9, 1, 1, 0}, {33, 31, 5, 3, 1, 1, 0}, {7, 5, 16, 16, 1, 1, 0},
    {97, 7, 31, 5, 1, 0, 0},
};
enum { N_GEOM = sizeof GEOM / sizeof GEOM[0] };
static void geom_case(int g, int i, Case *c) {
    c->w = GEOM[g].sw; c->h = GEOM[g].sh; c->dw = GEOM[g].dw; c->dh = GEOM[g].dh;
    c->ch = GEOM[g].ch; c->mode = GEOM[g].mode; c->pad = pad_for(i + 1);
    c->pixels = (long)c->dw * c->dh;
}
static int resize_cases(int i, Case *c) {
    if (i >= N_GEOM) return 0;
    geom_case(i, i, c);
    c->bench = GEOM[i].bench;
    snprintf(c->label, sizeof c->label, "%dx%d>%dx%d/c%d/%s+%d", c->w, c->h, c->dw, c->dh, c->ch,
             c->mode ? "area" : "bilinear", c->pad);
    return 1;
}
static void plan_setup(const Case *c, Ctx *x) {
    x->plan = sl_resize_plan_create(c->w, c->h, c->dw, c->dh, c->ch, c->mode);
    if (!x->plan) { fprintf(stderr, "harness: sl_resize_plan_create failed for %s\n", c->label); exit(2); }
    isz ss = STRIDE(c->ch * c->w, c);
    add_in(x, 0, ss, img_bytes(ss, c->ch * c->w, c->h));
}
static void resize_setup(const Case *c, Ctx *x) {
    plan_setup(c, x);
    isz ds = STRIDE(c->ch * c->dw, c);
    add_out(x, c->ch == 3 ? "rgb" : "grey", 1, ds, 0, img_bytes(ds, c->ch * c->dw, c->dh));
}
typedef void (*resize_fn)(const void *, const uint8_t *, isz, uint8_t *, isz);
static void resize_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    (void)c;
    IMPL(k, simd, resize_fn)(x->plan, x->in[0].p, x->in_stride[0], x->out[0].g.p, x->out[0].row);
}
// float planes: `rows` rows of `w` floats, row stride w + pad, plane stride rows*row + pad + 3
static Out *add_planes(Ctx *x, const Case *c, int w, int rows) {
    isz row = w + c->pad, plane = rows * row + c->pad + 3;
    return add_out(x, "planes", 4, row, plane, 4 * (size_t)(2 * plane + (rows - 1) * row + w));
}
static int resize_pack_cases(int i, Case *c) {
    int n = 0;
    for (int g = 0; g < N_GEOM; g++) {
        if (GEOM[g].ch != 3) continue;
        for (int var = 0; var < 2; var++, n++) {
            if (n != i) continue;
            geom_case(g, i, c);
            c->bench = GEOM[g].bench && var == 0;
            c->param = var ? 1 : 0; c->swap = var;
            snprintf(c->label, sizeof c->label, "%dx%d>%dx%d/%s+%d/s%d%s", c->w, c->h, c->dw, c->dh,
                     c->mode ? "area" : "bilinear", c->pad, c->param, c->swap ? "/swap" : "");
            return 1;
        }
    }
    return 0;
}
static void resize_pack_setup(const Case *c, Ctx *x) {
    plan_setup(c, x);
    set_scale(x, c->param);
    add_planes(x, c, c->dw, c->dh);
}
typedef void (*resize_pack_fn)(const void *, const uint8_t *, isz, float *, isz, isz, float,
                               float, float, float, float, float, int32_t);
static void resize_pack_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    Out *o = &x->out[0];
    IMPL(k, simd, resize_pack_fn)(x->plan, x->in[0].p, x->in_stride[0], (float *)o->g.p, o->row,
                                  o->plane, x->scale[0], x->scale[1], x->scale[2], x->bias[0],
                                  x->bias[1], x->bias[2], c->swap);
}

// resize_pack_yuyv: the fused camera path, YUYV source, 3-channel plan geometry; the variant
// picks the range (limited/full) and the channel order.
static int resize_pack_yuyv_cases(int i, Case *c) {
    if (!resize_pack_cases(i, c)) return 0;
    c->range = c->swap;
    snprintf(c->label + strlen(c->label), sizeof c->label - strlen(c->label), "/r%d", c->range);
    return 1;
}
static void resize_pack_yuyv_setup(const Case *c, Ctx *x) {
    x->plan = sl_resize_plan_create(c->w, c->h, c->dw, c->dh, 3, c->mode);
    if (!x->plan) { fprintf(stderr, "harness: sl_resize_plan_create failed for %s\n", c->label); exit(2); }
    isz rb = 4 * ((c->w + 1) / 2), ss = STRIDE(rb, c);
    add_in(x, 0, ss, img_bytes(ss, rb, c->h));
    set_scale(x, c->param);
    add_planes(x, c, c->dw, c->dh);
}
typedef void (*resize_pack_yuyv_fn)(const void *, const uint8_t *, isz, int32_t, float *, isz, isz,
                                    float, float, float, float, float, float, int32_t);
static void resize_pack_yuyv_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    Out *o = &x->out[0];
    IMPL(k, simd, resize_pack_yuyv_fn)(x->plan, x->in[0].p, x->in_stride[0], c->range,
                                       (float *)o->g.p, o->row, o->plane, x->scale[0], x->scale[1],
                                       x->scale[2], x->bias[0], x->bias[1], x->bias[2], c->swap);
}

// resize_pack_yuv: the fused planar path (JPEG's Y, Cb, Cr planes; NV12), 3-channel geometries;
// each geometry in three layouts (4:2:0 planes full range, NV12 pairs limited, 4:2:2 planes).
static int resize_pack_yuv_cases(int i, Case *c) {
    if (!resize_pack_cases(i / 3, c)) return 0;
    c->layout = i % 3;
    c->range = c->layout != 1;
    c->bench = c->bench && c->layout == 0;
    c->pad = pad_for(i + 1);
    static const char *n[] = {"/420", "/nv12", "/422"};
    snprintf(c->label + strlen(c->label), sizeof c->label - strlen(c->label), "%s", n[c->layout]);
    return 1;
}
static void resize_pack_yuv_setup(const Case *c, Ctx *x) {
    isz cx = 2, cy = c->layout == 2 ? 1 : 2;
    x->yuv_plan = sl_yuv_resize_plan_create(c->w, c->h, cx, cy, c->dw, c->dh, c->mode);
    if (!x->yuv_plan) { fprintf(stderr, "harness: sl_yuv_resize_plan_create failed for %s\n", c->label); exit(2); }
    isz cw = (c->w + cx - 1) / cx, chh = (c->h + cy - 1) / cy, ys = STRIDE(c->w, c);
    add_in(x, 0, ys, img_bytes(ys, c->w, c->h));
    if (c->layout == 1) {
        isz s = STRIDE(2 * cw, c) + 1;
        add_in(x, 1, s, img_bytes(s, 2 * cw, chh));
    } else {
        isz s = STRIDE(cw, c) + 3;
        add_in(x, 1, s, img_bytes(s, cw, chh));
        add_in(x, 2, s, img_bytes(s, cw, chh));
    }
    set_scale(x, c->param);
    add_planes(x, c, c->dw, c->dh);
}
typedef void (*resize_pack_yuv_fn)(const void *, const uint8_t *, isz, const uint8_t *, const uint8_t *,
                                   isz, isz, int32_t, float *, isz, isz, float, float, float, float,
                                   float, float, int32_t);
static void resize_pack_yuv_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    Out *o = &x->out[0];
    const uint8_t *u = x->in[1].p, *v = c->layout == 1 ? x->in[1].p + 1 : x->in[2].p;
    IMPL(k, simd, resize_pack_yuv_fn)(x->yuv_plan, x->in[0].p, x->in_stride[0], u, v, x->in_stride[1],
                                      c->layout == 1 ? 2 : 1, c->range, (float *)o->g.p, o->row,
                                      o->plane, x->scale[0], x->scale[1], x->scale[2], x->bias[0],
                                      x->bias[1], x->bias[2], c->swap);
}

// pack_planar
static int pack_cases(int i, Case *c) { return pixel_case(i, c, 3, var_scale_swap); }
static void pack_setup(const Case *c, Ctx *x) {
    isz ss = STRIDE(3 * c->w, c);
    add_in(x, 0, ss, img_bytes(ss, 3 * c->w, c->h));
    set_scale(x, c->param);
    add_planes(x, c, c->w, c->h);
}
typedef void (*pack_fn)(const uint8_t *, isz, isz, isz, float *, isz, isz, float, float, float,
                        float, float, float, int32_t);
static void pack_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    Out *o = &x->out[0];
    IMPL(k, simd, pack_fn)(x->in[0].p, x->in_stride[0], c->w, c->h, (float *)o->g.p, o->row,
                           o->plane, x->scale[0], x->scale[1], x->scale[2], x->bias[0], x->bias[1],
                           x->bias[2], c->swap);
}

// fill_planar: a frame of (w + 5) × (h + 3) floats per plane; variants fill the whole frame,
// an inner rectangle at (x, y) = (1, 2), and a band at the right edge.
static const char *var_rect(int var, Case *c) {
    static const char *n[] = {"/inner", "/all", "/right"};
    c->param = var;
    return n[var];
}
static int fill_cases(int i, Case *c) { return pixel_case(i, c, 3, var_rect); }
static void fill_rect(const Case *c, isz *rx, isz *ry, isz *rw, isz *rh) {
    isz fw = c->w + 5, fh = c->h + 3;
    switch (c->param) {
    case 0: *rx = 1; *ry = 2; *rw = c->w; *rh = c->h; break;
    case 1: *rx = 0; *ry = 0; *rw = fw; *rh = fh; break;
    default: *rx = fw - c->w; *ry = 0; *rw = c->w; *rh = fh; break;
    }
}
static void fill_setup(const Case *c, Ctx *x) { add_planes(x, c, c->w + 5, c->h + 3); }
typedef void (*fill_fn)(float *, isz, isz, isz, isz, isz, isz, float, float, float);
static void fill_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    isz rx, ry, rw, rh;
    fill_rect(c, &rx, &ry, &rw, &rh);
    Out *o = &x->out[0];
    IMPL(k, simd, fill_fn)((float *)o->g.p, o->row, o->plane, rx, ry, rw, rh, 114.0f / 255,
                           -0.5f, 1e-3f * (float)c->w);
}

// deinterleave_yuyv
static int deint_cases(int i, Case *c) { return pixel_case(i, c, 1, var_none); }
static void deint_setup(const Case *c, Ctx *x) {
    isz cw = (c->w + 1) / 2, rb = 4 * cw, ss = STRIDE(rb, c);
    isz ys = STRIDE(c->w, c), cs = STRIDE(cw, c) + 1;
    add_in(x, 0, ss, img_bytes(ss, rb, c->h));
    add_out(x, "y", 1, ys, 0, img_bytes(ys, c->w, c->h));
    add_out(x, "u", 1, cs, 0, img_bytes(cs, cw, c->h));
    add_out(x, "v", 1, cs + 2, 0, img_bytes(cs + 2, cw, c->h));
}
typedef void (*deint_fn)(const uint8_t *, isz, isz, isz, uint8_t *, isz, uint8_t *, isz,
                         uint8_t *, isz);
static void deint_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    IMPL(k, simd, deint_fn)(x->in[0].p, x->in_stride[0], c->w, c->h, x->out[0].g.p, x->out[0].row,
                            x->out[1].g.p, x->out[1].row, x->out[2].g.p, x->out[2].row);
}

// split_uv (width/height count U,V pairs)
static void split_setup(const Case *c, Ctx *x) {
    isz ss = STRIDE(2 * c->w, c), us = STRIDE(c->w, c), vs = us + 3;
    add_in(x, 0, ss, img_bytes(ss, 2 * c->w, c->h));
    add_out(x, "u", 1, us, 0, img_bytes(us, c->w, c->h));
    add_out(x, "v", 1, vs, 0, img_bytes(vs, c->w, c->h));
}
typedef void (*split_fn)(const uint8_t *, isz, isz, isz, uint8_t *, isz, uint8_t *, isz);
static void split_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    IMPL(k, simd, split_fn)(x->in[0].p, x->in_stride[0], c->w, c->h, x->out[0].g.p, x->out[0].row,
                            x->out[1].g.p, x->out[1].row);
}

// yuv_planes_to_float
static int yuvf_cases(int i, Case *c) { return pixel_case(i, c, 4, var_yuv_float); }
static void yuvf_setup(const Case *c, Ctx *x) {
    for (int p = 0; p < 3; p++) {
        isz s = STRIDE(c->w, c) + p;
        add_in(x, p, s, img_bytes(s, c->w, c->h));
    }
    set_scale(x, c->param);
    add_planes(x, c, c->w, c->h);
}
typedef void (*yuvf_fn)(const uint8_t *, isz, const uint8_t *, isz, const uint8_t *, isz, isz, isz,
                        int32_t, float *, isz, isz, float, float, float, float, float, float,
                        int32_t);
static void yuvf_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    Out *o = &x->out[0];
    IMPL(k, simd, yuvf_fn)(x->in[0].p, x->in_stride[0], x->in[1].p, x->in_stride[1], x->in[2].p,
                           x->in_stride[2], c->w, c->h, c->range, (float *)o->g.p, o->row, o->plane,
                           x->scale[0], x->scale[1], x->scale[2], x->bias[0], x->bias[1],
                           x->bias[2], c->swap);
}

#define K(name, cases, setup, run) {#name, (Fn)sl_scalar_##name, (Fn)sl_simd_##name, cases, setup, run}
// abs_diff: two grey images in, their per-byte absolute difference out.
static void absdiff_setup(const Case *c, Ctx *x) {
    isz as = STRIDE(c->w, c), bs = as + 5, ds = STRIDE(c->w, c);
    add_in(x, 0, as, img_bytes(as, c->w, c->h));
    add_in(x, 1, bs, img_bytes(bs, c->w, c->h));
    add_out(x, "diff", 1, ds, 0, img_bytes(ds, c->w, c->h));
}
typedef void (*absdiff_fn)(const uint8_t *, isz, const uint8_t *, isz, uint8_t *, isz, isz, isz);
static void absdiff_run(const Kernel *k, int simd, const Case *c, Ctx *x) {
    IMPL(k, simd, absdiff_fn)(x->in[0].p, x->in_stride[0], x->in[1].p, x->in_stride[1], x->out[0].g.p,
                              x->out[0].row, c->w, c->h);
}

static const Kernel KERNELS[] = {
    K(yuyv_to_rgb, yuyv_cases, yuyv_setup, yuyv_run),
    K(nv12_to_rgb, yuyv_cases, nv12_setup, nv12_run),
    K(grey_to_rgb, plain_cases, grey_setup, img_run),
    K(swap_rb, plain_cases, rgb_setup, img_run),
    {"swap_rb@inplace", (Fn)sl_scalar_swap_rb, (Fn)sl_simd_swap_rb, plain_cases, inplace_setup, inplace_run},
    K(rgb_to_grey, swap_cases, rgb_grey_setup, rgb_grey_run),
    K(resize, resize_cases, resize_setup, resize_run),
    K(pack_planar, pack_cases, pack_setup, pack_run),
    K(fill_planar, fill_cases, fill_setup, fill_run),
    K(resize_pack, resize_pack_cases, resize_pack_setup, resize_pack_run),
    K(resize_pack_yuyv, resize_pack_yuyv_cases, resize_pack_yuyv_setup, resize_pack_yuyv_run),
    K(deinterleave_yuyv, deint_cases, deint_setup, deint_run),
    K(split_uv, plain_cases, split_setup, split_run),
    K(yuv_planes_to_float, yuvf_cases, yuvf_setup, yuvf_run),
    K(resize_pack_yuv, resize_pack_yuv_cases, resize_pack_yuv_setup, resize_pack_yuv_run),
    K(abs_diff, plain_cases, absdiff_setup, absdiff_run),
};
enum { N_KERNELS = sizeof KERNELS / sizeof KERNELS[0] };

// ---------------------------------------------------------------------------------------------
// Driver.

static uint64_t name_seed(const char *s, int i) { return fnv1a(FNV_BASIS, (const uint8_t *)s, strlen(s)) + (uint64_t)i * 0x632BE59BD9B4E019ull; }

static void prepare(const Kernel *k, int i, Case *c, Ctx *x) {
    memset(x, 0, sizeof *x);
    rng_seed(name_seed(k->name, i));
    k->setup(c, x);
}
// Outputs start as a canary pattern (the same for both implementations), so padding a kernel
// must not touch is hashed and compared too. In-place kernels get the input image instead.
static void reset_outputs(const Kernel *k, int i, Ctx *x) {
    rng_seed(name_seed(k->name, i) ^ 0xC0FFEEull);
    for (int o = 0; o < x->n_out; o++) rng_fill(x->out[o].g.p, x->out[o].g.n);
}
static void release(Ctx *x) {
    for (int i = 0; i < MAX_IN; i++) gfree(&x->in[i]);
    for (int o = 0; o < x->n_out; o++) gfree(&x->out[o].g);
    if (x->plan) sl_resize_plan_destroy(x->plan);
    if (x->yuv_plan) sl_yuv_resize_plan_destroy(x->yuv_plan);
}
static int present(const Kernel *k) { return k->scalar && k->simd; }

// Describes the first difference between two copies of output o.
static void describe_diff(const Out *o, const uint8_t *a, const uint8_t *b, char *msg, size_t n) {
    size_t e = 0, count = 0, elems = o->g.n / o->elem;
    long first = -1;
    for (e = 0; e < elems; e++)
        if (memcmp(a + e * o->elem, b + e * o->elem, o->elem) != 0) { if (first < 0) first = (long)e; count++; }
    isz rem = first, plane = 0;
    if (o->plane) { plane = rem / o->plane; rem %= o->plane; }
    isz row = rem / o->row, col = rem % o->row;
    char va[48], vb[48];
    if (o->elem == 4) {
        float fa, fb; uint32_t ua, ub;
        memcpy(&fa, a + first * 4, 4); memcpy(&fb, b + first * 4, 4);
        memcpy(&ua, &fa, 4); memcpy(&ub, &fb, 4);
        snprintf(va, sizeof va, "%.9g (0x%08x)", fa, ua); snprintf(vb, sizeof vb, "%.9g (0x%08x)", fb, ub);
    } else {
        snprintf(va, sizeof va, "%u", a[first]); snprintf(vb, sizeof vb, "%u", b[first]);
    }
    char where[64] = "";
    if (o->plane) snprintf(where, sizeof where, "plane %ld ", (long)plane);
    snprintf(msg, n, "%zu of %zu %s %s differ (padding included); first at %srow %ld %s %ld: scalar %s, simd %s",
             count, elems, o->name, o->elem == 4 ? "floats" : "bytes", where, (long)row,
             o->elem == 4 ? "element" : "byte", (long)col, va, vb);
}

static int run_check(const char *only) {
    int failures = 0;
    for (int ki = 0; ki < N_KERNELS; ki++) {
        const Kernel *k = &KERNELS[ki];
        if (only && strcmp(only, k->name) != 0) continue;
        if (!present(k)) { printf("ABSENT\t%s\n", k->name); continue; }
        Case c;
        for (int i = 0; memset(&c, 0, sizeof c), k->cases(i, &c); i++) {
            fprintf(stderr, "harness: %s %s\n", k->name, c.label);
            Ctx x;
            prepare(k, i, &c, &x);
            uint8_t *copy[MAX_OUT] = {0};
            uint64_t h[2];
            for (int simd = 0; simd < 2; simd++) {
                reset_outputs(k, i, &x);
                if (k->run == inplace_run) {  // in place: the "output" starts as the input image
                    rng_seed(name_seed(k->name, i));
                    rng_fill(x.out[0].g.p, x.out[0].g.n);
                }
                k->run(k, simd, &c, &x);
                h[simd] = FNV_BASIS;
                for (int o = 0; o < x.n_out; o++) {
                    h[simd] = fnv1a(h[simd], x.out[o].g.p, x.out[o].g.n);
                    if (!simd) { copy[o] = malloc(x.out[o].g.n); memcpy(copy[o], x.out[o].g.p, x.out[o].g.n); }
                }
                printf("RESULT\t%s\t%s\t%s\t%016llx\n", k->name, c.label, simd ? "simd" : "scalar",
                       (unsigned long long)h[simd]);
            }
            char msg[400] = "identical outputs";
            int ok = 1;
            for (int o = 0; o < x.n_out; o++) {
                if (memcmp(copy[o], x.out[o].g.p, x.out[o].g.n) != 0) {
                    ok = 0;
                    describe_diff(&x.out[o], copy[o], x.out[o].g.p, msg, sizeof msg);
                    break;
                }
            }
            printf("CHECK\t%s\t%s\t%s\t%s\n", k->name, c.label, ok ? "match" : "MISMATCH", msg);
            failures += !ok;
            for (int o = 0; o < x.n_out; o++) free(copy[o]);
            release(&x);
            fflush(stdout);
        }
    }
    return failures ? 1 : 0;
}

// The measured region: exactly one kernel call. Not inlined, so callgrind (--toggle-collect) and
// the qemu exec trace can find its entry; bench_end() marks the return.
__attribute__((noinline)) void bench_region(const Kernel *k, int simd, const Case *c, Ctx *x) {
    k->run(k, simd, c, x);
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline)) void bench_end(void) { __asm__ volatile("" ::: "memory"); }

static int run_bench(const char *only, const char *label) {
    for (int ki = 0; ki < N_KERNELS; ki++) {
        const Kernel *k = &KERNELS[ki];
        if (!present(k) || k->run == inplace_run) continue;
        if (only && strcmp(only, k->name) != 0) continue;
        Case c;
        for (int i = 0; memset(&c, 0, sizeof c), k->cases(i, &c); i++) {
            if (label ? strncmp(c.label, label, strlen(label)) != 0 : !c.bench) continue;
            Ctx x;
            prepare(k, i, &c, &x);
            for (int simd = 0; simd < 2; simd++) {
                reset_outputs(k, i, &x);
                printf("BENCH\t%s\t%s\t%s\t%ld\n", k->name, c.label, simd ? "simd" : "scalar", c.pixels);
                fflush(stdout);
                bench_region(k, simd, &c, &x);
                bench_end();
            }
            release(&x);
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    const char *mode = argc > 1 ? argv[1] : "check";
    if (strcmp(mode, "check") == 0) return run_check(argc > 2 ? argv[2] : NULL);
    if (strcmp(mode, "bench") == 0) return run_bench(argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL);
    if (strcmp(mode, "list") == 0) {
        for (int ki = 0; ki < N_KERNELS; ki++)
            printf("%s\t%s\n", KERNELS[ki].name, present(&KERNELS[ki]) ? "present" : "absent");
        return 0;
    }
    fprintf(stderr, "usage: %s [check [kernel] | bench [kernel [case-label-prefix]] | list]\n", argv[0]);
    return 2;
}
