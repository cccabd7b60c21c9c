"""Starts a program for the tests with a clean slate, and (mode `supervise`) watches it.

A child of the test process inherits the signal mask of the thread that started it (with
SIGTERM, SIGHUP and SIGALRM blocked, mosquitto_sub -W never times out and SIGTERM never
arrives) and its open descriptors. This resets the mask and every signal's action, closes
descriptors above 2, then:

    supervise.py exec PROGRAM ARGS...       runs PROGRAM in its place
    supervise.py supervise PROGRAM ARGS...  runs PROGRAM as a child; SIGTERM to this process
                                            stops it (SIGTERM, then waits); when the test
                                            process goes away, the child is stopped too, so
                                            a broker never outlives the test that started it
"""

import os
import signal
import stat
import sys
import time

signal.pthread_sigmask(signal.SIG_SETMASK, [])
for number in range(1, signal.NSIG):
    try:
        signal.signal(number, signal.SIG_DFL)
    except (OSError, ValueError, RuntimeError):
        pass  # SIGKILL, SIGSTOP and the real-time signals Python does not know


def close_descriptors(keep_sockets):
    """Closes every descriptor above 2. Foundation's Process learns that its child ended when
    a socket it shared with the child closes: closing that socket while the child still runs
    makes Foundation wait for it (blocking every other child's reaping), so this process keeps
    its sockets; what it runs in its place or as its own child gets none."""
    for fd in [int(name) for name in os.listdir("/proc/self/fd")]:
        if fd <= 2:
            continue
        try:
            if keep_sockets and stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            os.close(fd)
        except OSError:
            pass


mode, argv = sys.argv[1], sys.argv[2:]
if mode == "exec":
    close_descriptors(keep_sockets=True)
    os.execv(argv[0], argv)

close_descriptors(keep_sockets=True)
parent = os.getppid()
child = os.fork()
if child == 0:
    close_descriptors(keep_sockets=False)
    os.execv(argv[0], argv)


def stop(*_):
    try:
        os.kill(child, signal.SIGTERM)
        os.waitpid(child, 0)
    except OSError:
        pass
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
while True:
    done, status = os.waitpid(child, os.WNOHANG)
    if done:
        sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
    if os.getppid() != parent:
        stop()
    time.sleep(0.1)
