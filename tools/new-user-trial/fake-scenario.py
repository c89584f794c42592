"""A stand-in for Scenario's TaskStatus and polling APIs on loopback: records what it receives, one JSON line each."""
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG, TOKEN = int(sys.argv[1]), sys.argv[2], sys.argv[3]

class Scenario(BaseHTTPRequestHandler):
    def _record(self, status, body=None):
        with open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path, "auth_ok": self.headers.get("Authorization") == "bearer " + TOKEN,
                                "answered": status, "body": body}) + "\n")

    def _answer(self, status, payload=None):
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        status = 204 if self.path == "/taskstatus/api/task-statuses" else 404
        self._record(status, json.loads(body) if body else None)
        self._answer(status)

    def do_GET(self):
        if self.path.endswith("/api/ServiceStatus"):
            self._answer(204)
        elif self.path.startswith("/polling/api/Cancelled"):
            self._record(200)
            self._answer(200, {"isCancelled": False})
        else:
            self._answer(404)

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", PORT), Scenario).serve_forever()
