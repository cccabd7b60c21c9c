#ifndef SIGHTLINE_CV4L2_SHIM_H
#define SIGHTLINE_CV4L2_SHIM_H
// The C boundary to Linux V4L2 (<linux/videodev2.h>) and libv4l2 (Debian 12: libv4l-dev 1.22).
//
// Swift imports neither function-like macros (VIDIOC_* are _IOWR(...) expressions,
// V4L2_PIX_FMT_* are v4l2_fourcc(...)) nor variadic C functions (ioctl, v4l2_ioctl,
// v4l2_open). This header re-exports the constants Capture uses as `static const` values and
// wraps the variadic calls in fixed-signature inline functions. Nothing else lives here.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/videodev2.h>
#include <libv4l2.h>

// ---- ioctl request numbers
static const unsigned long sl_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long sl_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long sl_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long sl_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long sl_VIDIOC_TRY_FMT = VIDIOC_TRY_FMT;
static const unsigned long sl_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long sl_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long sl_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long sl_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long sl_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long sl_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;
static const unsigned long sl_VIDIOC_G_PARM = VIDIOC_G_PARM;
static const unsigned long sl_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long sl_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long sl_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
static const unsigned long sl_VIDIOC_G_INPUT = VIDIOC_G_INPUT;
static const unsigned long sl_VIDIOC_QUERYCTRL = VIDIOC_QUERYCTRL;
static const unsigned long sl_VIDIOC_G_CTRL = VIDIOC_G_CTRL;
static const unsigned long sl_VIDIOC_S_CTRL = VIDIOC_S_CTRL;
static const unsigned long sl_VIDIOC_S_INPUT = VIDIOC_S_INPUT;

// ---- pixel formats (fourcc codes)
static const uint32_t sl_V4L2_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;
static const uint32_t sl_V4L2_PIX_FMT_JPEG = V4L2_PIX_FMT_JPEG;
static const uint32_t sl_V4L2_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
static const uint32_t sl_V4L2_PIX_FMT_NV12 = V4L2_PIX_FMT_NV12;
static const uint32_t sl_V4L2_PIX_FMT_RGB24 = V4L2_PIX_FMT_RGB24;
static const uint32_t sl_V4L2_PIX_FMT_BGR24 = V4L2_PIX_FMT_BGR24;
static const uint32_t sl_V4L2_PIX_FMT_GREY = V4L2_PIX_FMT_GREY;

// ---- enums and flags (re-exported so Swift never spells a magic number)
static const uint32_t sl_V4L2_BUF_TYPE_VIDEO_CAPTURE = V4L2_BUF_TYPE_VIDEO_CAPTURE;
static const uint32_t sl_V4L2_MEMORY_MMAP = V4L2_MEMORY_MMAP;
static const uint32_t sl_V4L2_FIELD_NONE = V4L2_FIELD_NONE;
static const uint32_t sl_V4L2_FIELD_ANY = V4L2_FIELD_ANY;
static const uint32_t sl_V4L2_CAP_VIDEO_CAPTURE = V4L2_CAP_VIDEO_CAPTURE;
static const uint32_t sl_V4L2_CAP_VIDEO_CAPTURE_MPLANE = V4L2_CAP_VIDEO_CAPTURE_MPLANE;
static const uint32_t sl_V4L2_CAP_STREAMING = V4L2_CAP_STREAMING;
static const uint32_t sl_V4L2_CAP_READWRITE = V4L2_CAP_READWRITE;
static const uint32_t sl_V4L2_CAP_DEVICE_CAPS = V4L2_CAP_DEVICE_CAPS;
static const uint32_t sl_V4L2_CAP_TIMEPERFRAME = V4L2_CAP_TIMEPERFRAME;
static const uint32_t sl_V4L2_FMT_FLAG_COMPRESSED = V4L2_FMT_FLAG_COMPRESSED;
static const uint32_t sl_V4L2_FMT_FLAG_EMULATED = V4L2_FMT_FLAG_EMULATED;
static const uint32_t sl_V4L2_FRMSIZE_TYPE_DISCRETE = V4L2_FRMSIZE_TYPE_DISCRETE;
static const uint32_t sl_V4L2_FRMSIZE_TYPE_CONTINUOUS = V4L2_FRMSIZE_TYPE_CONTINUOUS;
static const uint32_t sl_V4L2_FRMSIZE_TYPE_STEPWISE = V4L2_FRMSIZE_TYPE_STEPWISE;
static const uint32_t sl_V4L2_FRMIVAL_TYPE_DISCRETE = V4L2_FRMIVAL_TYPE_DISCRETE;
static const uint32_t sl_V4L2_FRMIVAL_TYPE_CONTINUOUS = V4L2_FRMIVAL_TYPE_CONTINUOUS;
static const uint32_t sl_V4L2_FRMIVAL_TYPE_STEPWISE = V4L2_FRMIVAL_TYPE_STEPWISE;
static const uint32_t sl_V4L2_BUF_FLAG_ERROR = V4L2_BUF_FLAG_ERROR;
static const uint32_t sl_V4L2_BUF_FLAG_TIMESTAMP_MASK = V4L2_BUF_FLAG_TIMESTAMP_MASK;
static const uint32_t sl_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;

static const uint32_t sl_V4L2_CTRL_FLAG_NEXT_CTRL = V4L2_CTRL_FLAG_NEXT_CTRL;
static const uint32_t sl_V4L2_CTRL_FLAG_DISABLED = V4L2_CTRL_FLAG_DISABLED;

// ---- libv4l2 flags for v4l2_fd_open
static const int sl_V4L2_DISABLE_CONVERSION = V4L2_DISABLE_CONVERSION;
static const int sl_V4L2_ENABLE_ENUM_FMT_EMULATION = V4L2_ENABLE_ENUM_FMT_EMULATION;

// ---- mmap's failure value ((void *)-1 is not importable)
static inline int sl_is_map_failed(const void *p) { return p == MAP_FAILED; }

// ---- fixed-signature wrappers for variadic calls
static inline int sl_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
static inline int sl_open(const char *path, int flags) { return open(path, flags); }
static inline int sl_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }
static inline int sl_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }

#endif
