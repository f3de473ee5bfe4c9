"""A CML API v2 stand-in over TLS on 127.0.0.1, for the https tests.

Usage: tls_cml.py CERT KEY. Prints the port on the first line of stdout, then
serves until its standard input closes. Answers in a real server's wire
format: the job listing and create-run of "Load Ground Truth".
"""
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JOB = {"id": "ldgt-0000-0000-0002", "name": "Load Ground Truth", "script": "jobs/cml/load_ground_truth.py",
       "cpu": 1, "memory": 2, "timeout": "3600", "environment": "", "engine_image_id": "0"}
runs = []


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.split("?")[0].endswith("/jobs"):
            self.answer(200, {"jobs": [JOB]})
        elif "/runs" in self.path:
            self.answer(200, {"job_runs": list(reversed(runs))})
        else:
            self.answer(404, {"error": "not found", "code": 5, "message": "not found", "details": []})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        run = {"id": "tls-run-%d" % (len(runs) + 1), "job_id": JOB["id"], "status": "ENGINE_SCHEDULING",
               "arguments": body.get("arguments", ""), "environment": json.dumps(body.get("environment", {}))}
        runs.append(run)
        self.answer(200, run)

    def log_message(self, *args):
        pass


def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
