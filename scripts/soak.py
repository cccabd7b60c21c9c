#!/usr/bin/python3
"""The soak of docs/reliability.md: the live pipeline (`sightline replay`) on a long recorded
stream while faults are injected, then every event accounted for.

    scripts/soak [--frames N] [--faults N] [--dir DIR]

The stream is an MJPEG file of N frames (default 100,000) made from the sample photos, with
damaged frames among them (truncated, random bytes, no scan data). The replay sends its events
to three sinks: a JSON Lines file (what was produced), the grocery list, and the webhook (a real
HTTP server on 127.0.0.1, Tests/ActionsTests/webhook_server.py, recording every POST). While it
runs, each fault is injected at least --faults times (default 10):
  - the webhook server is killed (SIGKILL) and started again a few seconds later;
  - the grocery list is locked by another process (BEGIN EXCLUSIVE) for 2 s, less than the
    sink's 5 s wait.
Afterwards: events produced (lines of the JSON Lines file) = delivered once (ids the server
accepted) + still waiting in the outbox (pending or dead-lettered), printed side by side; and
every damaged frame was reported. The exit status is 0 only when all of that holds.
"""
import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("--frames", type=int, default=100_000)
parser.add_argument("--faults", type=int, default=10)
parser.add_argument("--dir", default=os.path.join(root, ".build-soak"))
parser.add_argument("--sightline", default=os.path.join(root, ".build", "release", "sightline"))
args = parser.parse_args()
if not 1000 <= args.frames <= 10_000_000 or not 1 <= args.faults <= 1000:
    sys.exit("soak: --frames must be between 1000 and 10000000, --faults between 1 and 1000")
os.makedirs(args.dir, exist_ok=True)
d = args.dir
for name in ["events.jsonl", "received.jsonl", "grocery.sqlite", "outbox.sqlite", "stats.json"]:
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(os.path.join(d, name + suffix)):
            os.remove(os.path.join(d, name + suffix))

# --- The stream: small JPEGs of the sample photos, changing every 20 frames, with damage. ---
photos = sorted(f for f in os.listdir(os.path.join(root, "Samples/fridge/train/images")) if f.endswith(".jpg"))
frames = []
for p in photos:
    ppm = subprocess.run(["djpeg", "-scale", "1/8", os.path.join(root, "Samples/fridge/train/images", p)],
                         check=True, capture_output=True).stdout
    frames.append(subprocess.run(["cjpeg", "-quality", "70"], input=ppm, check=True, capture_output=True).stdout)
rng = random.Random(16)
damage_every = max(1, args.frames // (3 * args.faults + 3))
damaged = 0
stream = os.path.join(d, "stream.mjpeg")
with open(stream, "wb") as f:
    for i in range(args.frames):
        good = frames[(i // 20) % len(frames)]
        if i % damage_every == damage_every // 2:
            kind = damaged % 3
            if kind == 0:
                f.write(good[: len(good) // 2])  # cut short: the next frame's SOI ends it
            elif kind == 1:
                f.write(b"\xff\xd8" + bytes(rng.randrange(256) for _ in range(300)))  # SOI + random bytes
            else:
                sos = good.index(b"\xff\xda")
                f.write(good[:sos] + b"\xff\xd9")  # tables and frame header, no scan
            damaged += 1
        f.write(good)
labels = os.path.join(d, "labels")
os.makedirs(labels, exist_ok=True)
first_label = sorted(os.listdir(os.path.join(root, "Samples/fridge/train/labels")))[0]
with open(os.path.join(root, "Samples/fridge/train/labels", first_label)) as src, open(os.path.join(labels, "stream.txt"), "w") as dst:
    dst.write(src.read())
print(f"soak: {args.frames} frames and {damaged} damaged ones in {stream} ({os.path.getsize(stream) >> 20} MiB)", flush=True)

# --- The webhook server, killed and started again. ---
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port

port = free_port()
record = os.path.join(d, "received.jsonl")

def start_server():
    port_file = os.path.join(d, "port")
    if os.path.exists(port_file):
        os.remove(port_file)
    p = subprocess.Popen(["/usr/bin/python3", os.path.join(root, "Tests/ActionsTests/webhook_server.py"), "--port", str(port),
                          "--record", record, "--port-file", port_file], stdin=subprocess.PIPE)
    deadline = time.time() + 20
    while not os.path.exists(port_file) and time.time() < deadline and p.poll() is None:
        time.sleep(0.05)
    if not os.path.exists(port_file):
        p.kill()
        sys.exit("soak: the webhook server did not start")
    return p

server = start_server()
db = os.path.join(d, "grocery.sqlite")
sqlite3.connect(db).close()
env = dict(os.environ, SIGHTLINE_DATA=d)
replay = subprocess.Popen(
    [args.sightline, "replay", stream, "--quiet", "--stats", os.path.join(d, "stats.json"),
     "--profile", os.path.join(root, "Samples/profiles/deficit.json"), "--today", "2026-11-22",
     "--ground-truth", labels, "--classes", os.path.join(root, "Samples/fridge/classes.txt"),
     "--models-dir", os.path.join(root, "Models"),
     "--sink", "jsonl:" + os.path.join(d, "events.jsonl"), "--sink", "grocery:" + db,
     "--sink", f"webhook:http://127.0.0.1:{port}/hook"],
    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
started = time.time()
counts = {"server": 0, "lock": 0}

def faults():
    """Alternates the two faults until the replay ends; each cycle takes about 6 s."""
    global server
    while replay.poll() is None:
        server.kill()
        server.wait()
        counts["server"] += 1
        time.sleep(2)
        server = start_server()
        holder = sqlite3.connect(db, timeout=30, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            counts["lock"] += 1
            time.sleep(2)
            holder.execute("COMMIT")
        except sqlite3.OperationalError:
            pass  # the sink held the write lock at that moment; the next cycle tries again
        finally:
            holder.close()
        time.sleep(2)

injector = threading.Thread(target=faults, daemon=True)
injector.start()
out, err = replay.communicate()
injector.join(timeout=30)
wall = time.time() - started
status = replay.returncode

# --- Accounting. ---
produced = []
with open(os.path.join(d, "events.jsonl")) as f:
    for line in f:
        produced.append(json.loads(line)["id"])
accepted = []
with open(record) as f:
    for line in f:
        r = json.loads(line)
        if r.get("method") == "POST" and r["status"] == 200:
            accepted.append(r["key"])
outbox = sqlite3.connect(os.path.join(d, "outbox.sqlite"))
pending = [r[0] for r in outbox.execute("SELECT eventID FROM outbox")]
dead = [r[0] for r in outbox.execute("SELECT eventID FROM deadLetter")]
server.kill()

produced_set, delivered_set = set(produced), set(accepted)
waiting_set = set(pending) | set(dead)
twice = len(accepted) - len(delivered_set)
stats = json.load(open(os.path.join(d, "stats.json")))
print(f"soak: {stats['stages'][0]['framesIn']} frames replayed in {wall:.0f} s, exit status {status}")
print(f"soak: faults injected: webhook server killed and restarted {counts['server']} times, "
      f"grocery list locked for 2 s {counts['lock']} times, {damaged} damaged frames")
print(f"soak: events produced {len(produced)} = delivered once {len(delivered_set)} + waiting in the outbox "
      f"{len(waiting_set)} ({len(pending)} pending, {len(dead)} dead-lettered) = {len(delivered_set) + len(waiting_set)}")
print(f"soak: delivered a second time (a response lost when the server was killed; the receiver drops it by "
      f"Idempotency-Key): {twice}")
problems = []
if status != 0:
    problems.append(f"the replay exited {status}: {err.strip()[-2000:]}")
if len(produced_set) != len(produced):
    problems.append("an event id was produced twice")
if produced_set != delivered_set | waiting_set:
    problems.append(f"unaccounted: {len(produced_set - delivered_set - waiting_set)} produced but neither delivered nor waiting; "
                    f"{len((delivered_set | waiting_set) - produced_set)} delivered or waiting but never produced")
if delivered_set & set(pending):
    problems.append(f"{len(delivered_set & set(pending))} events both delivered and still pending")
if counts["server"] < args.faults or counts["lock"] < args.faults:
    problems.append(f"fewer than {args.faults} faults of a kind were injected (a longer stream gives more)")
reported = err.count("skipped")
if reported < damaged:
    problems.append(f"{damaged} damaged frames injected, {reported} reported")
for p in problems:
    print("soak: FAILED: " + p, file=sys.stderr)
print("soak: " + ("every event accounted for" if not problems else f"{len(problems)} problem(s)"))
sys.exit(1 if problems else 0)
