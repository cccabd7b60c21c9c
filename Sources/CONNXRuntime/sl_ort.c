// The plain C boundary over ONNX Runtime's C API (see include/sl_ort.h).
#define _GNU_SOURCE  // strdup, dlopen
#include "sl_ort.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<onnxruntime/onnxruntime_c_api.h>)
#include <onnxruntime/onnxruntime_c_api.h>
#define SL_ORT_HAVE_HEADER 1
#elif defined(SL_ORT_REQUIRE_HEADER)  // scripts/arm-test: a check of the real bridge, not of the stub
#error "onnxruntime/onnxruntime_c_api.h is not on the include path (scripts/setup-onnxruntime installs it)"
#else
#define SL_ORT_HAVE_HEADER 0
#endif

static void write_error(char *err, size_t len, const char *format, ...) {
    if (err == NULL || len == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(err, len, format, args);
    va_end(args);
}

#if !SL_ORT_HAVE_HEADER

// Built without ONNX Runtime's header: every entry point reports that, the rest of Sightline
// (OpenCV's runtime) is unaffected.
static const char no_header[] =
    "this build of Sightline has no ONNX Runtime: onnxruntime/onnxruntime_c_api.h was not on the include path "
    "when it was compiled";

int sl_ort_open(const char *library, char *err, size_t err_len) {
    (void)library;
    write_error(err, err_len, "%s", no_header);
    return SL_ORT_UNAVAILABLE;
}
const char *sl_ort_library_version(void) { return NULL; }
int sl_ort_header_api_version(void) { return 0; }
static sl_ort_session *unavailable(int *code, char *err, size_t err_len) {
    if (code) *code = SL_ORT_UNAVAILABLE;
    write_error(err, err_len, "%s", no_header);
    return NULL;
}
sl_ort_session *sl_ort_session_create(const char *path, const sl_ort_options *options, int *code, char *err,
                                      size_t err_len) {
    (void)path, (void)options;
    return unavailable(code, err, err_len);
}
sl_ort_session *sl_ort_session_create_from_bytes(const void *bytes, size_t length, const sl_ort_options *options,
                                                 int *code, char *err, size_t err_len) {
    (void)bytes, (void)length, (void)options;
    return unavailable(code, err, err_len);
}
void sl_ort_session_free(sl_ort_session *session) { (void)session; }
int sl_ort_input_count(const sl_ort_session *session) { return (void)session, -1; }
int sl_ort_output_count(const sl_ort_session *session) { return (void)session, -1; }
const char *sl_ort_input_name(const sl_ort_session *session, int index) { return (void)session, (void)index, NULL; }
const char *sl_ort_output_name(const sl_ort_session *session, int index) { return (void)session, (void)index, NULL; }
int sl_ort_input_type(const sl_ort_session *session, int index) { return (void)session, (void)index, -1; }
int sl_ort_output_type(const sl_ort_session *session, int index) { return (void)session, (void)index, -1; }
int sl_ort_input_shape(const sl_ort_session *session, int index, int64_t *dims, int max_dims) {
    return (void)session, (void)index, (void)dims, (void)max_dims, -1;
}
int sl_ort_output_shape(const sl_ort_session *session, int index, int64_t *dims, int max_dims) {
    return (void)session, (void)index, (void)dims, (void)max_dims, -1;
}
int sl_ort_bind_input(sl_ort_session *session, int index, float *data, const int64_t *shape, int rank, char *err,
                      size_t err_len) {
    (void)session, (void)index, (void)data, (void)shape, (void)rank;
    write_error(err, err_len, "%s", no_header);
    return SL_ORT_UNAVAILABLE;
}
int sl_ort_run(sl_ort_session *session, char *err, size_t err_len) {
    (void)session;
    write_error(err, err_len, "%s", no_header);
    return SL_ORT_UNAVAILABLE;
}
long sl_ort_input_values_created(const sl_ort_session *session, int index) { return (void)session, (void)index, -1; }
int sl_ort_output_preallocated(const sl_ort_session *session, int index) { return (void)session, (void)index, 0; }
int sl_ort_result_shape(const sl_ort_session *session, int index, int64_t *dims, int max_dims) {
    return (void)session, (void)index, (void)dims, (void)max_dims, -1;
}
const float *sl_ort_result_data(const sl_ort_session *session, int index) { return (void)session, (void)index, NULL; }

#else

// One library, one environment and one CPU memory description for the whole process, set by
// the first successful sl_ort_open and never released (ONNX Runtime is not meant to be
// unloaded while its thread pools may live).
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const OrtApi *api;
static OrtEnv *env;
static OrtMemoryInfo *cpu_memory;
static const char *library_version;

static const char *code_name(OrtErrorCode code) {
    switch (code) {
    case ORT_OK: return "OK";
    case ORT_FAIL: return "FAIL";
    case ORT_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case ORT_NO_SUCHFILE: return "NO_SUCHFILE";
    case ORT_NO_MODEL: return "NO_MODEL";
    case ORT_ENGINE_ERROR: return "ENGINE_ERROR";
    case ORT_RUNTIME_EXCEPTION: return "RUNTIME_EXCEPTION";
    case ORT_INVALID_PROTOBUF: return "INVALID_PROTOBUF";
    case ORT_MODEL_LOADED: return "MODEL_LOADED";
    case ORT_NOT_IMPLEMENTED: return "NOT_IMPLEMENTED";
    case ORT_INVALID_GRAPH: return "INVALID_GRAPH";
    case ORT_EP_FAIL: return "EP_FAIL";
    default: return "error";
    }
}

/// Writes `what: message (CODE)` for a failed status, releases it and returns `code`.
static int fail(OrtStatus *status, int code, char *err, size_t err_len, const char *what) {
    write_error(err, err_len, "%s: %s (%s)", what, api->GetErrorMessage(status), code_name(api->GetErrorCode(status)));
    api->ReleaseStatus(status);
    return code;
}

int sl_ort_header_api_version(void) { return ORT_API_VERSION; }

const char *sl_ort_library_version(void) {
    pthread_mutex_lock(&lock);
    const char *v = library_version;
    pthread_mutex_unlock(&lock);
    return v;
}

int sl_ort_open(const char *library, char *err, size_t err_len) {
    const char *name = library ? library : "libonnxruntime.so.1";
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *why = dlerror();
        write_error(err, err_len, "cannot open %s: %s", name, why ? why : "unknown dlopen error");
        return SL_ORT_UNAVAILABLE;
    }
    typedef const OrtApiBase *(*get_api_base)(void);
    get_api_base get_base = (get_api_base)dlsym(handle, "OrtGetApiBase");
    if (get_base == NULL) {
        dlclose(handle);
        write_error(err, err_len, "%s is not ONNX Runtime: it has no OrtGetApiBase", name);
        return SL_ORT_UNAVAILABLE;
    }
    // From here on the handle stays open: ONNX Runtime is never unloaded.
    const OrtApiBase *base = get_base();
    const OrtApi *candidate = base->GetApi(ORT_API_VERSION);
    if (candidate == NULL) {
        write_error(err, err_len, "%s is ONNX Runtime %s, which does not serve C API version %d (this build's header): "
                    "it is older than the header",
                    name, base->GetVersionString(), ORT_API_VERSION);
        return SL_ORT_UNAVAILABLE;
    }
    int result = SL_ORT_OK;
    pthread_mutex_lock(&lock);
    if (api == NULL) {
        OrtEnv *new_env = NULL;
        OrtMemoryInfo *memory = NULL;
        OrtStatus *status = candidate->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "sightline", &new_env);
        if (status == NULL) status = candidate->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memory);
        // The environment's CPU arena, which sessions with an arena use (session.use_env_allocators):
        // it extends by what is requested. The default (a session's own arena, extended to the next
        // power of two) kept about 11 MB more resident on the grocery network at the same speed.
        OrtArenaCfg *arena = NULL;
        const char *keys[] = {"arena_extend_strategy"};
        const size_t values[] = {1};  // kSameAsRequested
        if (status == NULL) status = candidate->CreateArenaCfgV2(keys, values, 1, &arena);
        if (status == NULL) status = candidate->CreateAndRegisterAllocator(new_env, memory, arena);
        if (arena) candidate->ReleaseArenaCfg(arena);
        if (status != NULL) {
            write_error(err, err_len, "%s: creating the ONNX Runtime environment failed: %s", name,
                        candidate->GetErrorMessage(status));
            candidate->ReleaseStatus(status);
            if (memory) candidate->ReleaseMemoryInfo(memory);
            if (new_env) candidate->ReleaseEnv(new_env);
            result = SL_ORT_UNAVAILABLE;
        } else {
            api = candidate;
            env = new_env;
            cpu_memory = memory;
            library_version = base->GetVersionString();
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/// The opened API, or NULL with an error written (sessions need sl_ort_open first).
static const OrtApi *opened(int *code, char *err, size_t err_len) {
    pthread_mutex_lock(&lock);
    const OrtApi *a = api;
    pthread_mutex_unlock(&lock);
    if (a == NULL) {
        if (code) *code = SL_ORT_UNAVAILABLE;
        write_error(err, err_len, "ONNX Runtime is not open (sl_ort_open first)");
    }
    return a;
}

typedef struct port {
    char *name;
    int type;
    int rank;
    int64_t dims[SL_ORT_MAX_RANK];
} port;

/// One input bound to one caller buffer: the value over it, kept for when the same buffer (same
/// address and shape) is bound again.
typedef struct binding {
    float *data;
    int rank;
    int64_t dims[SL_ORT_MAX_RANK];
    OrtValue *value;
    /// The bind call that last chose it (the one chosen longest ago is replaced first).
    unsigned long long chosen;
} binding;

struct sl_ort_session {
    OrtSession *session;
    int input_count, output_count;
    port *inputs, *outputs;
    const char **input_names, **output_names;
    /// The value each input is bound to now (one of its `bindings`); NULL until bound.
    OrtValue **input_values;
    /// SL_ORT_MAX_BINDINGS bindings per input, owned here; `values_created` counts the values
    /// made per input over the session's life.
    binding *bindings;
    unsigned long long bind_calls;
    long *values_created;
    /// Outputs: over `output_buffers` for outputs of fixed shape (kept across runs), else what
    /// ONNX Runtime allocated in the last run.
    OrtValue **output_values;
    float **output_buffers;
    int has_run;
};

void sl_ort_session_free(sl_ort_session *s) {
    if (s == NULL) return;
    for (int i = 0; i < s->input_count; i++) {
        for (int k = 0; s->bindings && k < SL_ORT_MAX_BINDINGS; k++) {
            OrtValue *value = s->bindings[i * SL_ORT_MAX_BINDINGS + k].value;
            if (value) api->ReleaseValue(value);
        }
        if (s->inputs) free(s->inputs[i].name);
    }
    for (int i = 0; i < s->output_count; i++) {
        if (s->output_values && s->output_values[i]) api->ReleaseValue(s->output_values[i]);
        if (s->output_buffers) free(s->output_buffers[i]);
        if (s->outputs) free(s->outputs[i].name);
    }
    free(s->inputs), free(s->outputs), free(s->input_names), free(s->output_names);
    free(s->input_values), free(s->bindings), free(s->values_created);
    free(s->output_values), free(s->output_buffers);
    if (s->session) api->ReleaseSession(s->session);
    free(s);
}

/// Reads the name, element type and shape of input or output `index` into `p`.
static OrtStatus *describe(OrtSession *session, int is_input, size_t index, OrtAllocator *allocator, port *p) {
    char *name = NULL;
    OrtTypeInfo *info = NULL;
    OrtStatus *st = is_input ? api->SessionGetInputName(session, index, allocator, &name)
                             : api->SessionGetOutputName(session, index, allocator, &name);
    if (st) return st;
    p->name = strdup(name);
    OrtStatus *freed = api->AllocatorFree(allocator, name);
    if (freed) api->ReleaseStatus(freed);
    st = is_input ? api->SessionGetInputTypeInfo(session, index, &info)
                  : api->SessionGetOutputTypeInfo(session, index, &info);
    if (st) return st;
    const OrtTensorTypeAndShapeInfo *tensor = NULL;
    st = api->CastTypeInfoToTensorInfo(info, &tensor);
    p->type = -1;
    p->rank = 0;
    if (st == NULL && tensor != NULL) {  // NULL for a non-tensor (sequence, map) port
        ONNXTensorElementDataType type;
        size_t rank = 0;
        st = api->GetTensorElementType(tensor, &type);
        if (st == NULL) st = api->GetDimensionsCount(tensor, &rank);
        if (st == NULL && rank > SL_ORT_MAX_RANK) rank = SL_ORT_MAX_RANK + 1;  // reported, not read
        if (st == NULL && rank <= SL_ORT_MAX_RANK) st = api->GetDimensions(tensor, p->dims, rank);
        if (st == NULL) {
            p->type = (int)type;
            p->rank = (int)rank;
            for (size_t i = 0; i < rank && i < SL_ORT_MAX_RANK; i++)
                if (p->dims[i] <= 0) p->dims[i] = -1;
        }
    }
    api->ReleaseTypeInfo(info);
    return st;
}

static sl_ort_session *create(const char *path, const void *bytes, size_t length, const sl_ort_options *o, int *code,
                              char *err, size_t err_len) {
    if (opened(code, err, err_len) == NULL) return NULL;
    int dummy;
    if (code == NULL) code = &dummy;
    *code = SL_ORT_OK;
    if (o == NULL || o->intra_op_threads < 0 || o->intra_op_threads > 1024 ||
        !(o->optimization_level == SL_ORT_OPTIMIZE_NONE || o->optimization_level == SL_ORT_OPTIMIZE_BASIC ||
          o->optimization_level == SL_ORT_OPTIMIZE_EXTENDED || o->optimization_level == SL_ORT_OPTIMIZE_ALL)) {
        *code = SL_ORT_INVALID_ARGUMENT;
        write_error(err, err_len, "invalid session options (threads 0...1024, optimisation level 0, 1, 2 or 99)");
        return NULL;
    }
    OrtSessionOptions *options = NULL;
    OrtStatus *st = api->CreateSessionOptions(&options);
    if (st == NULL) st = api->SetIntraOpNumThreads(options, o->intra_op_threads);
    if (st == NULL) st = api->SetInterOpNumThreads(options, 1);
    if (st == NULL) st = api->SetSessionExecutionMode(options, ORT_SEQUENTIAL);
    if (st == NULL) st = api->SetSessionGraphOptimizationLevel(options, (GraphOptimizationLevel)o->optimization_level);
    if (st == NULL) st = o->memory_arena ? api->EnableCpuMemArena(options) : api->DisableCpuMemArena(options);
    if (st == NULL && o->memory_arena) st = api->AddSessionConfigEntry(options, "session.use_env_allocators", "1");
    if (st == NULL && o->memory_arena) st = api->DisableMemPattern(options);
    if (st == NULL)
        st = api->AddSessionConfigEntry(options, "session.intra_op.allow_spinning", o->allow_spinning ? "1" : "0");
    if (st) {
        if (options) api->ReleaseSessionOptions(options);
        *code = fail(st, SL_ORT_INVALID_ARGUMENT, err, err_len, "session options");
        return NULL;
    }
    sl_ort_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        api->ReleaseSessionOptions(options);
        *code = SL_ORT_LOAD_FAILED;
        write_error(err, err_len, "out of memory");
        return NULL;
    }
    st = path ? api->CreateSession(env, path, options, &s->session)
              : api->CreateSessionFromArray(env, bytes, length, options, &s->session);
    api->ReleaseSessionOptions(options);
    if (st) {
        *code = fail(st, SL_ORT_LOAD_FAILED, err, err_len, "ONNX Runtime could not load the model");
        free(s);
        return NULL;
    }
    size_t inputs = 0, outputs = 0;
    OrtAllocator *allocator = NULL;
    st = api->SessionGetInputCount(s->session, &inputs);
    if (st == NULL) st = api->SessionGetOutputCount(s->session, &outputs);
    if (st == NULL) st = api->GetAllocatorWithDefaultOptions(&allocator);
    if (st == NULL) {
        s->input_count = (int)inputs;
        s->output_count = (int)outputs;
        s->inputs = calloc(inputs + 1, sizeof(port));
        s->outputs = calloc(outputs + 1, sizeof(port));
        s->input_names = calloc(inputs + 1, sizeof(char *));
        s->output_names = calloc(outputs + 1, sizeof(char *));
        s->input_values = calloc(inputs + 1, sizeof(OrtValue *));
        s->bindings = calloc((inputs + 1) * SL_ORT_MAX_BINDINGS, sizeof(binding));
        s->values_created = calloc(inputs + 1, sizeof(long));
        s->output_values = calloc(outputs + 1, sizeof(OrtValue *));
        s->output_buffers = calloc(outputs + 1, sizeof(float *));
        if (!s->inputs || !s->outputs || !s->input_names || !s->output_names || !s->input_values ||
            !s->bindings || !s->values_created || !s->output_values || !s->output_buffers) {
            sl_ort_session_free(s);
            *code = SL_ORT_LOAD_FAILED;
            write_error(err, err_len, "out of memory");
            return NULL;
        }
    }
    for (size_t i = 0; st == NULL && i < inputs; i++) {
        st = describe(s->session, 1, i, allocator, &s->inputs[i]);
        s->input_names[i] = s->inputs[i].name;
    }
    for (size_t i = 0; st == NULL && i < outputs; i++) {
        st = describe(s->session, 0, i, allocator, &s->outputs[i]);
        s->output_names[i] = s->outputs[i].name;
    }
    // Float outputs of fixed shape get a buffer of their own, written in place by every run.
    for (size_t i = 0; st == NULL && i < outputs; i++) {
        port *p = &s->outputs[i];
        if (p->type != SL_ORT_FLOAT || p->rank > SL_ORT_MAX_RANK) continue;
        size_t count = 1;
        int fixed = 1;
        for (int d = 0; d < p->rank; d++) {
            if (p->dims[d] <= 0 || p->dims[d] > (1 << 28)) fixed = 0;
            else count *= (size_t)p->dims[d];
        }
        if (!fixed || count > ((size_t)1 << 28)) continue;
        s->output_buffers[i] = calloc(count, sizeof(float));
        if (s->output_buffers[i] == NULL) continue;  // ONNX Runtime allocates it instead
        st = api->CreateTensorWithDataAsOrtValue(cpu_memory, s->output_buffers[i], count * sizeof(float), p->dims,
                                                 (size_t)p->rank, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
                                                 &s->output_values[i]);
    }
    if (st) {
        *code = fail(st, SL_ORT_LOAD_FAILED, err, err_len, "reading the model's inputs and outputs");
        sl_ort_session_free(s);
        return NULL;
    }
    return s;
}

sl_ort_session *sl_ort_session_create(const char *path, const sl_ort_options *options, int *code, char *err,
                                      size_t err_len) {
    if (path == NULL) {
        if (code) *code = SL_ORT_INVALID_ARGUMENT;
        write_error(err, err_len, "no model path");
        return NULL;
    }
    return create(path, NULL, 0, options, code, err, err_len);
}

sl_ort_session *sl_ort_session_create_from_bytes(const void *bytes, size_t length, const sl_ort_options *options,
                                                 int *code, char *err, size_t err_len) {
    if (bytes == NULL || length == 0) {
        if (code) *code = SL_ORT_LOAD_FAILED;
        write_error(err, err_len, "the model is empty (0 bytes)");
        return NULL;
    }
    return create(NULL, bytes, length, options, code, err, err_len);
}

int sl_ort_input_count(const sl_ort_session *s) { return s ? s->input_count : -1; }
int sl_ort_output_count(const sl_ort_session *s) { return s ? s->output_count : -1; }

static const port *input_port(const sl_ort_session *s, int i) {
    return s && i >= 0 && i < s->input_count ? &s->inputs[i] : NULL;
}
static const port *output_port(const sl_ort_session *s, int i) {
    return s && i >= 0 && i < s->output_count ? &s->outputs[i] : NULL;
}
static int copy_dims(const port *p, int64_t *dims, int max_dims) {
    if (p == NULL) return -1;
    for (int d = 0; d < p->rank && d < max_dims && d < SL_ORT_MAX_RANK; d++) dims[d] = p->dims[d];
    return p->rank;
}

const char *sl_ort_input_name(const sl_ort_session *s, int i) { return input_port(s, i) ? s->inputs[i].name : NULL; }
const char *sl_ort_output_name(const sl_ort_session *s, int i) { return output_port(s, i) ? s->outputs[i].name : NULL; }
int sl_ort_input_type(const sl_ort_session *s, int i) { return input_port(s, i) ? s->inputs[i].type : -1; }
int sl_ort_output_type(const sl_ort_session *s, int i) { return output_port(s, i) ? s->outputs[i].type : -1; }
int sl_ort_input_shape(const sl_ort_session *s, int i, int64_t *dims, int max_dims) {
    return copy_dims(input_port(s, i), dims, max_dims);
}
int sl_ort_output_shape(const sl_ort_session *s, int i, int64_t *dims, int max_dims) {
    return copy_dims(output_port(s, i), dims, max_dims);
}

int sl_ort_bind_input(sl_ort_session *s, int index, float *data, const int64_t *shape, int rank, char *err,
                      size_t err_len) {
    if (input_port(s, index) == NULL || data == NULL || shape == NULL || rank < 1 || rank > SL_ORT_MAX_RANK) {
        write_error(err, err_len, "bind: input %d of %d, rank %d (1...%d), data %s", index, s ? s->input_count : 0,
                    rank, SL_ORT_MAX_RANK, data ? "given" : "NULL");
        return SL_ORT_INVALID_ARGUMENT;
    }
    size_t count = 1;
    for (int d = 0; d < rank; d++) {
        if (shape[d] <= 0 || shape[d] > (1 << 28)) {
            write_error(err, err_len, "bind: dimension %d of the input is %lld", d, (long long)shape[d]);
            return SL_ORT_INVALID_ARGUMENT;
        }
        count *= (size_t)shape[d];
    }
    // The same buffer bound before: choose its value again (nothing is allocated).
    binding *slots = &s->bindings[index * SL_ORT_MAX_BINDINGS];
    binding *victim = &slots[0];
    s->bind_calls++;
    for (int k = 0; k < SL_ORT_MAX_BINDINGS; k++) {
        binding *b = &slots[k];
        if (b->value && b->data == data && b->rank == rank && memcmp(b->dims, shape, (size_t)rank * sizeof *shape) == 0) {
            b->chosen = s->bind_calls;
            s->input_values[index] = b->value;
            return SL_ORT_OK;
        }
        // An empty slot first, else the one chosen longest ago.
        if (victim->value && (b->value == NULL || b->chosen < victim->chosen)) victim = b;
    }
    OrtValue *value = NULL;
    OrtStatus *st = api->CreateTensorWithDataAsOrtValue(cpu_memory, data, count * sizeof(float), shape, (size_t)rank,
                                                        ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &value);
    if (st) return fail(st, SL_ORT_INVALID_ARGUMENT, err, err_len, "bind");
    if (victim->value) api->ReleaseValue(victim->value);
    victim->data = data;
    victim->rank = rank;
    memcpy(victim->dims, shape, (size_t)rank * sizeof *shape);
    victim->value = value;
    victim->chosen = s->bind_calls;
    s->values_created[index]++;
    s->input_values[index] = value;
    return SL_ORT_OK;
}

long sl_ort_input_values_created(const sl_ort_session *s, int index) {
    return input_port(s, index) ? s->values_created[index] : -1;
}

int sl_ort_output_preallocated(const sl_ort_session *s, int index) {
    return output_port(s, index) && s->output_buffers[index] != NULL;
}

int sl_ort_run(sl_ort_session *s, char *err, size_t err_len) {
    if (s == NULL) {
        write_error(err, err_len, "run: no session");
        return SL_ORT_INVALID_ARGUMENT;
    }
    for (int i = 0; i < s->input_count; i++) {
        if (s->input_values[i] == NULL) {
            write_error(err, err_len, "run: input '%s' is not bound", s->inputs[i].name);
            return SL_ORT_INVALID_ARGUMENT;
        }
    }
    // What ONNX Runtime allocated last time goes; the fixed buffers stay.
    for (int i = 0; i < s->output_count; i++) {
        if (s->output_buffers[i] == NULL && s->output_values[i]) {
            api->ReleaseValue(s->output_values[i]);
            s->output_values[i] = NULL;
        }
    }
    s->has_run = 0;
    OrtStatus *st = api->Run(s->session, NULL, s->input_names, (const OrtValue *const *)s->input_values,
                             (size_t)s->input_count, s->output_names, (size_t)s->output_count, s->output_values);
    if (st) return fail(st, SL_ORT_RUN_FAILED, err, err_len, "run");
    s->has_run = 1;
    return SL_ORT_OK;
}

static OrtValue *result(const sl_ort_session *s, int index) {
    return s && s->has_run && index >= 0 && index < s->output_count ? s->output_values[index] : NULL;
}

int sl_ort_result_shape(const sl_ort_session *s, int index, int64_t *dims, int max_dims) {
    OrtValue *value = result(s, index);
    if (value == NULL) return -1;
    OrtTensorTypeAndShapeInfo *info = NULL;
    size_t rank = 0;
    OrtStatus *st = api->GetTensorTypeAndShape(value, &info);
    if (st == NULL) st = api->GetDimensionsCount(info, &rank);
    if (st == NULL && rank <= SL_ORT_MAX_RANK) {
        int64_t all[SL_ORT_MAX_RANK];
        st = api->GetDimensions(info, all, rank);
        for (size_t d = 0; st == NULL && d < rank && (int)d < max_dims; d++) dims[d] = all[d];
    }
    if (info) api->ReleaseTensorTypeAndShapeInfo(info);
    if (st) {
        api->ReleaseStatus(st);
        return -1;
    }
    return (int)rank;
}

const float *sl_ort_result_data(const sl_ort_session *s, int index) {
    OrtValue *value = result(s, index);
    if (value == NULL) return NULL;
    if (s->output_buffers[index]) return s->output_buffers[index];
    if (s->outputs[index].type != SL_ORT_FLOAT) return NULL;
    void *data = NULL;
    OrtStatus *st = api->GetTensorMutableData(value, &data);
    if (st) {
        api->ReleaseStatus(st);
        return NULL;
    }
    return (const float *)data;
}

#endif
