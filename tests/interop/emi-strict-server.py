#!/usr/bin/env python3
# tests/interop/emi-strict-server.py LISTEN_PORT UPSTREAM_URL: the proof that
# enc.neg.offer-to-plain-server can fail. A front that answers HTTP 500 to any message with an EMI
# and passes the rest to a server behind it (conftest serve): the scenario fails against it, while
# the plain DS scenarios pass (docs/INTEROP.md).
import http.server, sys, urllib.request
up = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if b'<EMI' in body:
            self.send_response(500); self.send_header('Content-Length', '0'); self.end_headers(); return
        req = urllib.request.Request(up + self.path, data=body, headers={'Content-Type': self.headers['Content-Type']})
        with urllib.request.urlopen(req) as r:
            data = r.read(); self.send_response(r.status)
            self.send_header('Content-Type', r.headers['Content-Type']); self.send_header('Content-Length', str(len(data))); self.end_headers(); self.wfile.write(data)
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
