#!/usr/bin/python3
"""A webhook receiver for the Actions tests, on 127.0.0.1 only.

Every POST is appended to RECORD as one JSON line: {"status", "key" (the Idempotency-Key
header), "event" (the parsed body)}. The first FAIL_FIRST requests are answered FAIL_STATUS
(default 503), the rest 200; a 3xx answer carries `Location: /elsewhere`, and a GET (what a
client following a redirect would send) is recorded with "method": "GET" and answered 200.
Once listening, the port is written to PORT_FILE.

    webhook_server.py --port 0 --record FILE --port-file FILE [--fail-first N] [--fail-status S]
"""
import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--record", required=True)
parser.add_argument("--port-file", required=True)
parser.add_argument("--fail-first", type=int, default=0)
parser.add_argument("--fail-status", type=int, default=503)
args = parser.parse_args()
state = {"requests": 0}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        state["requests"] += 1
        status = args.fail_status if state["requests"] <= args.fail_first else 200
        try:
            event = json.loads(body)
        except ValueError:
            event, status = None, 400
        with open(args.record, "a") as f:
            f.write(json.dumps({"status": status, "method": "POST", "key": self.headers.get("Idempotency-Key"),
                                "contentType": self.headers.get("Content-Type"), "event": event}) + "\n")
            f.flush()
            os.fsync(f.fileno())
        reply = b'{"ok":true}' if status == 200 else b'{"ok":false}'
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        with open(args.record, "a") as f:
            f.write(json.dumps({"status": 200, "method": "GET", "key": self.headers.get("Idempotency-Key"),
                                "contentType": None, "event": None}) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


# Die on SIGTERM even if the parent ignored it, and when the test process (stdin) goes away.
signal.signal(signal.SIGTERM, signal.SIG_DFL)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()

server = HTTPServer(("127.0.0.1", args.port), Handler)
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, args.port_file)
server.serve_forever()
