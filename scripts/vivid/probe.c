/*
 * vivid-run self-test probe: a minimal V4L2 mmap capture against the vivid
 * virtual camera.  Built on the host by `scripts/vivid-run --self-test` and
 * run inside the VM.  Exits 0 only if every step succeeded.
 *
 * usage: probe [DEVICE] [FRAMES] [WxH] [FPS]   (defaults: /dev/video0 30 640x480 25)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NBUF 4

static int fd = -1;

static int xioctl(unsigned long req, void *arg) {
    int r;
    do { r = ioctl(fd, req, arg); } while (r < 0 && errno == EINTR);
    return r;
}

#define CHECK(call, what) do { if ((call) < 0) { \
    fprintf(stderr, "probe: FAIL %s: %s\n", what, strerror(errno)); return 1; } } while (0)

static const char *fourcc(uint32_t f, char out[5]) {
    for (int i = 0; i < 4; i++) {
        char c = (char)((f >> (8 * i)) & 0xff);
        out[i] = (c >= 32 && c < 127) ? c : '?';
    }
    out[4] = 0;
    return out;
}

static double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *dev = argc > 1 ? argv[1] : "/dev/video0";
    int frames = argc > 2 ? atoi(argv[2]) : 30;
    unsigned WIDTH = 640, HEIGHT = 480, FPS = 25;
    if (argc > 3 && sscanf(argv[3], "%ux%u", &WIDTH, &HEIGHT) != 2) {
        fprintf(stderr, "probe: bad size %s (want WxH)\n", argv[3]); return 2;
    }
    if (argc > 4) FPS = (unsigned)atoi(argv[4]);
    if (frames < 1 || FPS < 1) { fprintf(stderr, "probe: bad FRAMES or FPS\n"); return 2; }
    char fc[5];
    setvbuf(stdout, NULL, _IOLBF, 0);

    fd = open(dev, O_RDWR | O_NONBLOCK);
    if (fd < 0) { fprintf(stderr, "probe: FAIL open %s: %s\n", dev, strerror(errno)); return 1; }

    struct v4l2_capability cap; memset(&cap, 0, sizeof cap);
    CHECK(xioctl(VIDIOC_QUERYCAP, &cap), "VIDIOC_QUERYCAP");
    uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    printf("device: %s\ndriver: %s\ncard: %s\nbus_info: %s\nversion: %u.%u.%u\n",
           dev, cap.driver, cap.card, cap.bus_info,
           (cap.version >> 16) & 0xff, (cap.version >> 8) & 0xff, cap.version & 0xff);
    printf("capabilities: 0x%08x device_caps: 0x%08x [%s%s%s%s%s]\n", cap.capabilities, caps,
           (caps & V4L2_CAP_VIDEO_CAPTURE) ? " VIDEO_CAPTURE" : "",
           (caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE) ? " VIDEO_CAPTURE_MPLANE" : "",
           (caps & V4L2_CAP_STREAMING) ? " STREAMING" : "",
           (caps & V4L2_CAP_READWRITE) ? " READWRITE" : "",
           (caps & V4L2_CAP_EXT_PIX_FORMAT) ? " EXT_PIX_FORMAT" : "");
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING)) {
        fprintf(stderr, "probe: FAIL device is not a single-planar streaming capture device\n");
        return 1;
    }

    struct v4l2_input in; memset(&in, 0, sizeof in);
    for (in.index = 0; xioctl(VIDIOC_ENUMINPUT, &in) == 0; in.index++)
        printf("input %u: %s (type %u)\n", in.index, in.name, in.type);

    /* All pixel formats. */
    struct v4l2_fmtdesc fdesc; memset(&fdesc, 0, sizeof fdesc);
    fdesc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    int have_yuyv = 0;
    for (fdesc.index = 0; xioctl(VIDIOC_ENUM_FMT, &fdesc) == 0; fdesc.index++) {
        printf("format %2u: %s  %s\n", fdesc.index, fourcc(fdesc.pixelformat, fc), fdesc.description);
        if (fdesc.pixelformat == V4L2_PIX_FMT_YUYV) have_yuyv = 1;
    }
    if (fdesc.index == 0) { fprintf(stderr, "probe: FAIL VIDIOC_ENUM_FMT returned no formats\n"); return 1; }
    if (!have_yuyv) { fprintf(stderr, "probe: FAIL YUYV not offered\n"); return 1; }

    struct v4l2_frmsizeenum fs; memset(&fs, 0, sizeof fs);
    fs.pixel_format = V4L2_PIX_FMT_YUYV;
    printf("YUYV frame sizes:");
    for (fs.index = 0; xioctl(VIDIOC_ENUM_FRAMESIZES, &fs) == 0; fs.index++) {
        if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE)
            printf(" %ux%u", fs.discrete.width, fs.discrete.height);
        else {
            printf(" %ux%u..%ux%u (step %u,%u)", fs.stepwise.min_width, fs.stepwise.min_height,
                   fs.stepwise.max_width, fs.stepwise.max_height,
                   fs.stepwise.step_width, fs.stepwise.step_height);
            break;
        }
    }
    printf("\n");

    struct v4l2_frmivalenum fi; memset(&fi, 0, sizeof fi);
    fi.pixel_format = V4L2_PIX_FMT_YUYV; fi.width = WIDTH; fi.height = HEIGHT;
    printf("YUYV %ux%u frame intervals:", WIDTH, HEIGHT);
    for (fi.index = 0; xioctl(VIDIOC_ENUM_FRAMEINTERVALS, &fi) == 0; fi.index++) {
        if (fi.type == V4L2_FRMIVAL_TYPE_DISCRETE)
            printf(" %u/%u", fi.discrete.numerator, fi.discrete.denominator);
        else { printf(" (stepwise/continuous)"); break; }
    }
    printf("\n");

    /* Format. */
    struct v4l2_format fmt; memset(&fmt, 0, sizeof fmt);
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = WIDTH; fmt.fmt.pix.height = HEIGHT;
    fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    CHECK(xioctl(VIDIOC_S_FMT, &fmt), "VIDIOC_S_FMT");
    printf("S_FMT: %s %ux%u field=%u bytesperline=%u sizeimage=%u colorspace=%u\n",
           fourcc(fmt.fmt.pix.pixelformat, fc), fmt.fmt.pix.width, fmt.fmt.pix.height,
           fmt.fmt.pix.field, fmt.fmt.pix.bytesperline, fmt.fmt.pix.sizeimage, fmt.fmt.pix.colorspace);
    if (fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV || fmt.fmt.pix.width != WIDTH ||
        fmt.fmt.pix.height != HEIGHT) {
        fprintf(stderr, "probe: FAIL driver did not accept YUYV %ux%u\n", WIDTH, HEIGHT);
        return 1;
    }
    uint32_t sizeimage = fmt.fmt.pix.sizeimage;

    /* Frame rate. */
    struct v4l2_streamparm parm; memset(&parm, 0, sizeof parm);
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    CHECK(xioctl(VIDIOC_G_PARM, &parm), "VIDIOC_G_PARM");
    printf("G_PARM after S_FMT: timeperframe=%u/%u capability=0x%x\n",
           parm.parm.capture.timeperframe.numerator, parm.parm.capture.timeperframe.denominator,
           parm.parm.capture.capability);
    memset(&parm, 0, sizeof parm);
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    parm.parm.capture.timeperframe.numerator = 1;
    parm.parm.capture.timeperframe.denominator = FPS;
    CHECK(xioctl(VIDIOC_S_PARM, &parm), "VIDIOC_S_PARM");
    printf("S_PARM 1/%u -> timeperframe=%u/%u\n", FPS,
           parm.parm.capture.timeperframe.numerator, parm.parm.capture.timeperframe.denominator);
    if (parm.parm.capture.timeperframe.numerator * FPS != parm.parm.capture.timeperframe.denominator) {
        fprintf(stderr, "probe: FAIL driver did not accept %u fps\n", FPS);
        return 1;
    }

    /* Buffers. */
    struct v4l2_requestbuffers rb; memset(&rb, 0, sizeof rb);
    rb.count = NBUF; rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE; rb.memory = V4L2_MEMORY_MMAP;
    CHECK(xioctl(VIDIOC_REQBUFS, &rb), "VIDIOC_REQBUFS");
    printf("REQBUFS: asked %d, got %u\n", NBUF, rb.count);
    if (rb.count < 2) { fprintf(stderr, "probe: FAIL too few buffers\n"); return 1; }
    unsigned nbuf = rb.count;
    void *mem[16]; size_t len[16];
    for (unsigned i = 0; i < nbuf && i < 16; i++) {
        struct v4l2_buffer b; memset(&b, 0, sizeof b);
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE; b.memory = V4L2_MEMORY_MMAP; b.index = i;
        CHECK(xioctl(VIDIOC_QUERYBUF, &b), "VIDIOC_QUERYBUF");
        len[i] = b.length;
        mem[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
        if (mem[i] == MAP_FAILED) { fprintf(stderr, "probe: FAIL mmap: %s\n", strerror(errno)); return 1; }
        CHECK(xioctl(VIDIOC_QBUF, &b), "VIDIOC_QBUF");
    }

    enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    CHECK(xioctl(VIDIOC_STREAMON, &type), "VIDIOC_STREAMON");
    double t0 = now_mono();
    double first_ts = 0, last_ts = 0;
    uint32_t first_seq = 0, last_seq = 0, gaps = 0;
    int errors = 0;
    for (int n = 0; n < frames; n++) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r;
        do { r = poll(&p, 1, 3000); } while (r < 0 && errno == EINTR);
        if (r <= 0) { fprintf(stderr, "probe: FAIL poll %s\n", r == 0 ? "timed out (3 s)" : strerror(errno)); return 1; }
        struct v4l2_buffer b; memset(&b, 0, sizeof b);
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE; b.memory = V4L2_MEMORY_MMAP;
        if (xioctl(VIDIOC_DQBUF, &b) < 0) {
            if (errno == EAGAIN) { n--; continue; }
            fprintf(stderr, "probe: FAIL VIDIOC_DQBUF: %s\n", strerror(errno)); return 1;
        }
        double ts = (double)b.timestamp.tv_sec + b.timestamp.tv_usec / 1e6;
        const uint8_t *px = mem[b.index];
        uint32_t sum = 0;
        for (size_t k = 0; k < b.bytesused; k += 4099) sum = sum * 31 + px[k];
        printf("frame %2d: buf=%u seq=%u ts=%.6f bytesused=%u flags=0x%05x%s sample=%08x\n", n, b.index,
               b.sequence, ts, b.bytesused, b.flags,
               (b.flags & V4L2_BUF_FLAG_ERROR) ? " ERROR" : "", sum);
        if (b.bytesused != sizeimage || (b.flags & V4L2_BUF_FLAG_ERROR)) errors++;
        if (n == 0) { first_ts = ts; first_seq = b.sequence; }
        else {
            if (b.sequence <= last_seq || ts <= last_ts) errors++;
            gaps += b.sequence - last_seq - 1;
        }
        last_ts = ts; last_seq = b.sequence;
        CHECK(xioctl(VIDIOC_QBUF, &b), "VIDIOC_QBUF (requeue)");
    }
    double wall = now_mono() - t0;
    CHECK(xioctl(VIDIOC_STREAMOFF, &type), "VIDIOC_STREAMOFF");
    for (unsigned i = 0; i < nbuf && i < 16; i++) munmap(mem[i], len[i]);
    rb.count = 0;
    CHECK(xioctl(VIDIOC_REQBUFS, &rb), "VIDIOC_REQBUFS(0)");
    close(fd);

    double span = last_ts - first_ts;
    printf("captured %d frames in %.2f s wall; seq %u..%u (%u skipped by driver); "
           "timestamp span %.3f s = %.2f fps; now(monotonic)=%.6f\n",
           frames, wall, first_seq, last_seq, gaps, span,
           frames > 1 && span > 0 ? (frames - 1) / span : 0.0, now_mono());
    if (errors) { fprintf(stderr, "probe: FAIL %d bad frames (size/flags/order)\n", errors); return 1; }
    printf("probe: OK\n");
    return 0;
}
