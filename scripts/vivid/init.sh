#!/bin/busybox sh
# /init of the vivid-run initramfs (copied verbatim by scripts/vivid-run).
# Runs as PID 1 in the guest with busybox only.  Console (/dev/console) is
# ttyS1 = host stderr; the command's stdout goes to ttyS0 = host stdout.
#
# Contract with the host (scripts/vivid-run):
#   share "vrun" (read-write 9p) holds: config (sourced here), cmd.sh (run in
#   the chroot with the host's /bin/sh), and receives: booted, status.
#   status is one line: "exit N" or "error MESSAGE".
#   share "hostroot" (read-only 9p) is the host's /.
#   share "rwN" (read-write 9p), N=0.., is the host directory RW_N (same path).

/bin/busybox mkdir -p /bin /proc /sys /dev /share /lower /rw /newroot
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

say() { echo "vivid-run(guest): $*" >&2; }
SHARE_OK=0
finish() {
    # $1 = status line for the host
    if [ "$SHARE_OK" = 1 ]; then echo "$1" > /share/status.tmp && mv /share/status.tmp /share/status; fi
    sync
    # Changing tty attributes with TCSADRAIN waits until the UART has sent
    # everything, so the host gets the tail of the output before power-off.
    stty -F /dev/ttyS0 raw -echo 2>/dev/null
    stty -F /dev/ttyS1 -onlcr 2>/dev/null
    echo 0 > /proc/sys/kernel/printk    # silence "reboot: Power down"
    poweroff -f
    sleep 10
}
fail() { say "FAILED: $*"; finish "error $*"; }

# Don't let kernel info messages (e.g. from vivid) interleave with the output.
dmesg -n 1 2>/dev/null

# ---- modules, in dependency order (computed on the host with modinfo) ----
while read -r name file; do
    [ -n "$name" ] || continue
    out=$(insmod "/lib/modules/$file" 2>&1) || fail "insmod $name failed: $out"
done < /modules.load

# ---- result share + config ----
n=0
until mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none vrun /share 2>/dev/null; do
    n=$((n + 1)); [ $n -lt 50 ] || fail "cannot mount the 9p share 'vrun' (virtio/9p not working)"
    sleep 0.1
done
SHARE_OK=1
: > /share/booted
[ -r /share/config ] || fail "no config in the run share"
# shellcheck disable=SC1091  # written by scripts/vivid-run for this run
. /share/config

# ---- host root, read-only, with a writable tmpfs overlay on top ----
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /lower \
    || fail "cannot mount the host root (9p tag hostroot)"
mount -t tmpfs -o mode=0755 tmpfs /rw || fail "cannot mount tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot \
    || fail "cannot mount overlayfs over the host root"
mount -t proc proc /newroot/proc || fail "mount proc"
mount -t sysfs sysfs /newroot/sys || fail "mount sysfs"
mount -t devtmpfs devtmpfs /newroot/dev || fail "mount devtmpfs"
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
if [ "$FRESH_TMP" = 1 ]; then
    mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp || fail "mount tmpfs on /tmp"
fi
mkdir -p /newroot/run/vivid-run
mount -o bind /share /newroot/run/vivid-run || fail "bind-mount the run share"
i=0
while [ "$i" -lt "${RW_COUNT:-0}" ]; do
    dir=""; eval "dir=\$RW_$i"
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none "rw$i" "/newroot$dir" \
        || fail "cannot mount read-write share $dir"
    i=$((i + 1))
done

# ---- vivid ----
if [ -n "$VIVID_MODULE" ]; then
    # shellcheck disable=SC2086  # options are deliberately word-split
    out=$(insmod "/lib/modules/$VIVID_MODULE" $VIVID_OPTS 2>&1) || fail "insmod vivid ($VIVID_OPTS) failed: $out"
    n=0
    while [ ! -c /newroot/dev/video0 ]; do
        n=$((n + 1)); [ $n -lt 50 ] || fail "vivid loaded but /dev/video0 did not appear"
        sleep 0.1
    done
    if [ "$VERBOSE" = 1 ]; then
        # shellcheck disable=SC2012
        say "device nodes: $(cd /newroot/dev && ls -d video* media* v4l-* vbi* radio* swradio* 2>/dev/null | tr '\n' ' ')"
    fi
fi

# ---- the command ----
ip link set lo up 2>/dev/null      # loopback only: the VM has no network card
hostname vivid-run
stty -F /dev/ttyS0 raw -echo 2>/dev/null
stty -F /dev/ttyS1 -onlcr 2>/dev/null
[ "$VERBOSE" = 1 ] && say "running command (uptime $(cut -d' ' -f1 /proc/uptime) s)"
env -i chroot /newroot /bin/sh /run/vivid-run/cmd.sh </dev/null >/dev/ttyS0 2>/dev/ttyS1
rc=$?
[ "$VERBOSE" = 1 ] && say "command exited $rc (uptime $(cut -d' ' -f1 /proc/uptime) s)"
finish "exit $rc"
