#ifndef SIGHTLINE_SL_ORT_H
#define SIGHTLINE_SL_ORT_H
// A plain C API over ONNX Runtime's C API, so Swift can run an ONNX network with fixed
// signatures and without ONNX Runtime's function table. Sightline does its own preprocessing and
// output decoding; this layer loads a network, binds its input to the caller's float buffer
// without copying, runs it, and hands back the output buffers.
//
// The library is opened at run time (dlopen of libonnxruntime.so.1, or the file the caller
// names), not linked: a binary built here runs OpenCV's runtime on a machine without ONNX
// Runtime, and only asking for this one gives an error, which says how to install it. The
// library is asked for the C API version of the header this file was compiled against
// (ORT_API_VERSION): the C API is versioned and a newer library serves older versions.
//
// Errors: every call that can fail returns an SL_ORT_* code (or NULL, with the code in `*code`)
// and writes a message into the caller's buffer. ONNX Runtime's C API reports errors as status
// values, never as exceptions, so nothing is thrown across this boundary.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Result codes.
enum {
    SL_ORT_OK = 0,
    /// The library is missing, is not ONNX Runtime, is older than the header's API version, or
    /// this file was compiled without ONNX Runtime's header.
    SL_ORT_UNAVAILABLE = 1,
    /// A bad argument from the caller (index out of range, no input bound, shape of rank > 8 …).
    SL_ORT_INVALID_ARGUMENT = 2,
    /// ONNX Runtime refused the model (not a model, truncated, an invalid graph, no such file).
    SL_ORT_LOAD_FAILED = 3,
    /// The network failed to run (input shape or type not what the model takes …).
    SL_ORT_RUN_FAILED = 4,
};

/// Graph optimisation levels (ONNX Runtime's GraphOptimizationLevel values).
enum {
    SL_ORT_OPTIMIZE_NONE = 0,
    SL_ORT_OPTIMIZE_BASIC = 1,
    SL_ORT_OPTIMIZE_EXTENDED = 2,
    SL_ORT_OPTIMIZE_ALL = 99,
};

/// ONNX tensor element type of 32-bit floats (the only type Sightline binds or reads).
enum { SL_ORT_FLOAT = 1 };

/// The most dimensions a shape may have across this boundary.
enum { SL_ORT_MAX_RANK = 8 };

/// How many caller buffers one input keeps a bound value for (sl_ort_bind_input).
enum { SL_ORT_MAX_BINDINGS = 4 };

/// Session options.
typedef struct sl_ort_options {
    /// Threads of one inference (intra-op); 0 lets ONNX Runtime choose (one per core).
    int intra_op_threads;
    /// One of SL_ORT_OPTIMIZE_*.
    int optimization_level;
    /// 1: the CPU memory arena (buffers reused across runs): the environment's one arena, shared
    /// by every session, which grows by what a run asks for (not to the next power of two), with
    /// ONNX Runtime's memory pattern off (its whole-run block would stay resident on top);
    /// 0: plain allocations.
    int memory_arena;
    /// 1: idle intra-op threads spin for the next job (faster back-to-back runs, burns CPU);
    /// 0: they sleep at once.
    int allow_spinning;
} sl_ort_options;

typedef struct sl_ort_session sl_ort_session;

/// Opens ONNX Runtime: `library` is a file name or path for dlopen (NULL: libonnxruntime.so.1,
/// found as the dynamic loader finds any library). The first library opened serves every
/// session of the process. SL_ORT_OK, or a code with a message in `err`.
int sl_ort_open(const char *library, char *err, size_t err_len);

/// The opened library's version ("1.32.0"), or NULL before a successful sl_ort_open.
const char *sl_ort_library_version(void);

/// The C API version this boundary was compiled against (ORT_API_VERSION of the header), or 0
/// if it was compiled without the header.
int sl_ort_header_api_version(void);

/// Creates a session from an ONNX file, or from the bytes of one (ONNX Runtime parses them
/// during the call; the caller may free them after). NULL on failure, with `*code` and `err`.
sl_ort_session *sl_ort_session_create(const char *path, const sl_ort_options *options, int *code, char *err,
                                      size_t err_len);
sl_ort_session *sl_ort_session_create_from_bytes(const void *bytes, size_t length, const sl_ort_options *options,
                                                 int *code, char *err, size_t err_len);

void sl_ort_session_free(sl_ort_session *session);

/// The model's inputs and outputs as it declares them: count, name (valid while the session
/// lives), element type (SL_ORT_FLOAT …) and shape (rank returned, up to `max_dims` sizes
/// written; -1 for a dimension the model leaves free). -1 for an index out of range.
int sl_ort_input_count(const sl_ort_session *session);
int sl_ort_output_count(const sl_ort_session *session);
const char *sl_ort_input_name(const sl_ort_session *session, int index);
const char *sl_ort_output_name(const sl_ort_session *session, int index);
int sl_ort_input_type(const sl_ort_session *session, int index);
int sl_ort_output_type(const sl_ort_session *session, int index);
int sl_ort_input_shape(const sl_ort_session *session, int index, int64_t *dims, int max_dims);
int sl_ort_output_shape(const sl_ort_session *session, int index, int64_t *dims, int max_dims);

/// Binds input `index` to the caller's float buffer `data` of the given shape, without copying:
/// every later run reads the buffer as it is then, until the input is bound again or the
/// session is freed; the caller keeps the buffer alive and unchanged during a run.
///
/// The value made over a buffer is kept: binding the same address with the same shape again
/// chooses it again and allocates nothing, so a caller rotating a few buffers (a live pipeline's
/// pooled tensors) gets one value per buffer, not one per run. Up to SL_ORT_MAX_BINDINGS buffers
/// per input are kept; a new one beyond that replaces the one chosen longest ago.
int sl_ort_bind_input(sl_ort_session *session, int index, float *data, const int64_t *shape, int rank, char *err,
                      size_t err_len);

/// How many bound values input `index` has had made over the session's life (-1: no such input).
long sl_ort_input_values_created(const sl_ort_session *session, int index);

/// 1 when output `index` is written into a buffer the session allocated once (its declared shape
/// is fixed), so its data pointer and shape stay the same from run to run; else 0.
int sl_ort_output_preallocated(const sl_ort_session *session, int index);

/// Runs the network on the bound inputs. Outputs whose declared shape is fixed are written into
/// buffers the session allocated once; others are allocated by ONNX Runtime. Either way they
/// stay valid until the next run or free.
int sl_ort_run(sl_ort_session *session, char *err, size_t err_len);

/// Output `index` of the last run: its shape (rank returned) and its float data, or -1 / NULL.
int sl_ort_result_shape(const sl_ort_session *session, int index, int64_t *dims, int max_dims);
const float *sl_ort_result_data(const sl_ort_session *session, int index);

#ifdef __cplusplus
}
#endif
#endif
