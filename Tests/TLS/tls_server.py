#!/usr/bin/env python3
"""TLS fixtures for grafana-jit's end-to-end tests.

Usage:
    tls_server.py certs DIR
        Write test certificates into DIR; print {"ca.pem": "DIR/ca.pem", ...}.
    tls_server.py serve --cert PEM --key KEY [--client-ca PEM]
                        [--upstream HOST:PORT] [--port N] [--stats FILE]
        Serve TLS on 127.0.0.1:N (0 = any free port). Prints one line
        {"port": N} once listening, then serves until killed. Answers every
        HTTP/1.1 request with 200 {"ok":true}, or with --upstream relays the
        decrypted bytes of each connection to a plain-TCP upstream.
        --client-ca requires a client certificate signed by that CA.
        --stats FILE holds {"connections": N, "handshakes": M}, rewritten on
        every change (accepted TCP connections, completed TLS handshakes).
    tls_server.py selftest
        Check all of the above with Python's own TLS client.

Certificates (EC P-256, PEM, keys mode 0600), all signed by the test CA
"grafana-jit test CA" unless said otherwise:
    ca          the test CA
    server      SAN DNS:localhost, IP:127.0.0.1, valid from an hour ago for 30 days
    wrong-name  SAN DNS:grafana.example.com only
    expired     SAN localhost/127.0.0.1, expired yesterday
    other-ca    a second, unrelated CA
    untrusted   SAN localhost/127.0.0.1, signed by other-ca
    client      extendedKeyUsage clientAuth, CN grafana-jit test client

Every certificate is issued with `openssl ca` and explicit -startdate/-enddate:
`openssl x509 -req -not_before/-not_after` only exists in newer OpenSSL (3.4+),
not in the 3.0 of Debian 12, and `openssl ca` works on both.

The HTTP answerer understands Content-Length request bodies (and Expect:
100-continue), not chunked ones.
"""
import argparse, datetime, http.client, http.server, json, os, select, socket
import signal, ssl, subprocess, sys, tempfile, threading, time

OPENSSL = "/usr/bin/openssl"

CA_CONFIG = """\
[ca]
default_ca = ca_default
[ca_default]
database = {work}/index.txt
new_certs_dir = {work}
serial = {work}/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
[req]
distinguished_name = req_dn
[req_dn]
"""


def openssl(*args):
    """Run openssl, raising with its stderr on failure."""
    run = subprocess.run([OPENSSL, *args], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {run.stderr.strip()}")


def stamp(days):
    """An `openssl ca` date (YYMMDDHHMMSSZ), `days` from now (may be negative)."""
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return when.strftime("%y%m%d%H%M%SZ")


def issue(out, work, name, cn, ext, start, end, issuer=None):
    """Create DIR/name.key and DIR/name.pem, signed by `issuer` (or self-signed)."""
    key, pem, csr = (os.path.join(out, name + ".key"), os.path.join(out, name + ".pem"),
                     os.path.join(work, name + ".csr"))
    config, extfile = os.path.join(work, "ca.cnf"), os.path.join(work, name + ".ext")
    with open(config, "w") as f:
        f.write(CA_CONFIG.format(work=work))
    with open(extfile, "w") as f:
        f.write("[ext]\n" + "\n".join(ext) + "\n")
    open(os.path.join(work, "index.txt"), "w").close()  # fresh database every time
    openssl("req", "-new", "-config", config, "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={cn}")
    os.chmod(key, 0o600)
    signer = ["-cert", issuer + ".pem", "-keyfile", issuer + ".key"] if issuer \
        else ["-selfsign", "-keyfile", key]
    openssl("ca", "-batch", "-notext", "-rand_serial", "-config", config, *signer,
            "-in", csr, "-out", pem, "-startdate", stamp(start), "-enddate", stamp(end),
            "-extfile", extfile, "-extensions", "ext")
    return {name + ".pem": pem, name + ".key": key}


def make_certs(out):
    """Generate the whole certificate set into `out`; return file name -> path."""
    os.makedirs(out, exist_ok=True)
    out = os.path.abspath(out)
    ca_ext = ["basicConstraints = critical, CA:TRUE", "keyUsage = critical, keyCertSign, cRLSign",
              "subjectKeyIdentifier = hash"]

    def leaf(usage, san):
        return ["basicConstraints = critical, CA:FALSE", "keyUsage = critical, digitalSignature",
                f"extendedKeyUsage = {usage}", "subjectKeyIdentifier = hash",
                "authorityKeyIdentifier = keyid"] + ([f"subjectAltName = {san}"] if san else [])

    local = "DNS:localhost, IP:127.0.0.1"
    ca, other = os.path.join(out, "ca"), os.path.join(out, "other-ca")
    paths = {}
    with tempfile.TemporaryDirectory() as work:
        for name, cn, ext, start, end, issuer in [
            ("ca", "grafana-jit test CA", ca_ext, -60, 365, None),
            ("other-ca", "grafana-jit other CA", ca_ext, -60, 365, None),
            ("server", "localhost", leaf("serverAuth", local), -1 / 24, 30, ca),
            ("wrong-name", "grafana.example.com", leaf("serverAuth", "DNS:grafana.example.com"),
             -1 / 24, 30, ca),
            ("expired", "localhost", leaf("serverAuth", local), -30, -1, ca),
            ("untrusted", "localhost", leaf("serverAuth", local), -1 / 24, 30, other),
            ("client", "grafana-jit test client", leaf("clientAuth", None), -1 / 24, 30, ca),
        ]:
            paths.update(issue(out, work, name, cn, ext, start, end, issuer))
    return paths


class Stats:
    """Connection and handshake counters, mirrored to a JSON file."""

    def __init__(self, path):
        self.path, self.lock = path, threading.Lock()
        self.counts = {"connections": 0, "handshakes": 0}
        self.add(None)

    def add(self, key):
        with self.lock:
            if key:
                self.counts[key] += 1
            if self.path:
                with open(self.path + ".tmp", "w") as f:
                    json.dump(self.counts, f)
                os.replace(self.path + ".tmp", self.path)


def answer_http(conn):
    """Answer HTTP/1.1 requests on one connection with 200 {"ok":true}, keep-alive."""
    buf, body = b"", b'{"ok":true}'
    while True:
        while b"\r\n\r\n" not in buf:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        fields = (line.partition(":") for line in lines[1:])
        headers = {name.strip().lower(): value.strip() for name, _, value in fields}
        length = int(headers.get("content-length", "0"))
        if length and headers.get("expect", "").lower() == "100-continue" and len(buf) < length:
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        while len(buf) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
        buf = buf[length:]
        close = headers.get("connection", "").lower() == "close" or lines[0].endswith("HTTP/1.0")
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n%s\r\n%s"
                     % (len(body), b"Connection: close\r\n" if close else b"", body))
        if close:
            return


def relay(conn, upstream):
    """Copy bytes both ways between the TLS connection and a plain-TCP upstream."""
    host, _, port = upstream.rpartition(":")
    try:
        up = socket.create_connection((host, int(port)), timeout=10)
        up.settimeout(None)
    except OSError as e:
        log(f"cannot reach upstream {upstream}: {e}")
        return
    with up:
        while True:
            # Decrypted bytes may already be buffered inside the SSL object.
            ready = [conn] if conn.pending() else select.select([conn, up], [], [])[0]
            for source in ready:
                data = source.recv(65536)
                if not data:
                    return
                (up if source is conn else conn).sendall(data)


def log(message):
    print(f"tls_server: {message}", file=sys.stderr, flush=True)


def linger_close(raw):
    """Close as nginx's lingering close does: under TLS 1.3 the client sends its request before it reads the
    server's alert, and closing with that request unread sends a reset that can overtake the alert, so the client
    would see a lost connection instead of the refusal."""
    try:
        raw.shutdown(socket.SHUT_WR)
        raw.settimeout(1)
        while raw.recv(65536):
            pass
    except OSError:
        pass  # the peer is gone: nothing left to drain
    finally:
        raw.close()


def handle(raw, addr, ctx, stats, upstream):
    """Serve one accepted TCP connection (in its own thread)."""
    stats.add("connections")
    # A failed wrap closes the socket it took over at once; a second descriptor keeps the connection for the
    # lingering close.
    spare = raw.dup()
    try:
        raw.settimeout(10)
        conn = ctx.wrap_socket(raw, server_side=True)
        conn.settimeout(None)
    except (OSError, ssl.SSLError) as e:
        log(f"handshake from {addr[0]}:{addr[1]} failed: {e}")
        linger_close(spare)
        return
    spare.close()
    stats.add("handshakes")
    try:
        relay(conn, upstream) if upstream else answer_http(conn)
    except (OSError, ValueError):
        pass  # peer went away, or sent a bad Content-Length: just drop the connection
    finally:
        conn.close()


def serve(args):
    # A parent that ignores or blocks SIGTERM (a test runner does) passes that on through exec: restore the
    # default, so the test's terminate() ends this server.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"])
    if args.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.client_ca)
    stats = Stats(args.stats)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(128)
    print(json.dumps({"port": listener.getsockname()[1]}), flush=True)
    while True:
        raw, addr = listener.accept()
        threading.Thread(target=handle, args=(raw, addr, ctx, stats, args.upstream),
                         daemon=True).start()


# ---------------------------------------------------------------- selftest

def start_server(log, *args):
    """Start `serve` as a subprocess logging to `log`; return (process, port)."""
    with open(log, "w") as f:
        proc = subprocess.Popen([sys.executable, __file__, "serve", *args],
                                stdout=subprocess.PIPE, stderr=f, text=True)
    line = proc.stdout.readline()
    if not line:
        raise AssertionError(f"serve {' '.join(args)} exited without printing its port")
    return proc, json.loads(line)["port"]


def get(port, ca, cert=None, requests=(("GET", "/", None),)):
    """Make requests on one HTTPS connection to 127.0.0.1; return [(status, body)]."""
    ctx = ssl.create_default_context(cafile=ca)
    if cert:
        ctx.load_cert_chain(*cert)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    try:
        results = []
        for method, path, body in requests:
            conn.request(method, path, body=body)
            response = conn.getresponse()
            results.append((response.status, response.read()))
        return results
    finally:
        conn.close()


def expect_failure(what, call, reason):
    """`call` must fail; with `reason`, as a verification error mentioning it."""
    try:
        call()
    except ssl.SSLCertVerificationError as e:
        if reason and reason not in e.verify_message:
            raise AssertionError(f"{what}: verification error {e.verify_message!r}, "
                                 f"wanted {reason!r}")
        return
    except (OSError, http.client.HTTPException) as e:
        if not reason:
            return
        raise AssertionError(f"{what}: failed with {e!r}, wanted verification error {reason!r}")
    raise AssertionError(f"{what}: succeeded but should have failed")


def read_stats(path):
    with open(path) as f:
        return json.load(f)


def echo(method, path, body):
    return json.dumps({"upstream": True, "method": method, "path": path, "body": body}).encode()


class Upstream(http.server.BaseHTTPRequestHandler):
    """Plain HTTP/1.1 upstream for proxy mode: echoes method, path and body."""
    protocol_version = "HTTP/1.1"

    def do_any(self):
        sent = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        body = echo(self.command, self.path, sent)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_any

    def log_message(self, *args):
        pass


def selftest():
    ok = [(200, b'{"ok":true}')]
    procs, logs = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            paths = make_certs(os.path.join(tmp, "certs"))
            ca, client = paths["ca.pem"], (paths["client.pem"], paths["client.key"])
            assert os.stat(paths["client.key"]).st_mode & 0o777 == 0o600, "client.key not 0600"

            def server(name, *extra):
                log = os.path.join(tmp, f"serve-{len(procs)}.log")
                proc, port = start_server(log, "--cert", paths[name + ".pem"],
                                          "--key", paths[name + ".key"], *extra)
                procs.append(proc)
                logs[port] = log
                return port

            stats = os.path.join(tmp, "plain.json")
            port = server("server", "--stats", stats)
            two = (("GET", "/a", None), ("POST", "/b", b'{"x":1}'))
            assert get(port, ca, requests=two) == ok * 2, "trusted server: wrong answers"
            assert read_stats(stats) == {"connections": 1, "handshakes": 1}, \
                f"keep-alive: {read_stats(stats)}"
            print("selftest: trusted server with ca.pem, two requests on one connection: ok")

            for name, reason in [("untrusted", "unable to get local issuer certificate"),
                                 ("wrong-name", "IP address mismatch"),
                                 ("expired", "certificate has expired")]:
                port = server(name)
                expect_failure(name, lambda: get(port, ca), reason)
                print(f"selftest: {name} refused ({reason}): ok")

            stats = os.path.join(tmp, "mtls.json")
            port = server("server", "--client-ca", ca, "--stats", stats)
            expect_failure("mTLS without a client certificate", lambda: get(port, ca), None)
            assert get(port, ca, client) == ok, "mTLS with client.pem: wrong answer"
            assert read_stats(stats) == {"connections": 2, "handshakes": 1}, \
                f"mTLS: {read_stats(stats)}"
            for _ in range(50):  # the failed handshake's thread logs concurrently
                with open(logs[port]) as f:
                    log = f.read().splitlines()
                if log:
                    break
                time.sleep(0.1)
            assert len(log) == 1 and "handshake from 127.0.0.1:" in log[0], f"mTLS log: {log}"
            print("selftest: mTLS refuses a client without certificate, accepts client.pem: ok")

            upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
            threading.Thread(target=upstream.serve_forever, daemon=True).start()
            stats = os.path.join(tmp, "proxy.json")
            port = server("server", "--upstream", f"127.0.0.1:{upstream.server_port}",
                          "--stats", stats)
            answers = get(port, ca, requests=two)
            want = [(200, echo(m, p, (b or b"").decode())) for m, p, b in two]
            assert answers == want, f"proxy: got {answers}"
            assert read_stats(stats) == {"connections": 1, "handshakes": 1}, \
                f"proxy keep-alive: {read_stats(stats)}"
            upstream.shutdown()
            print("selftest: proxy to plain HTTP upstream, two requests on one connection: ok")
        except (AssertionError, RuntimeError) as e:
            print(f"selftest: FAILED: {e}", file=sys.stderr)
            return 1
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait()
    print("selftest: OK")
    return 0


def main():
    parser = argparse.ArgumentParser(description="TLS fixtures for grafana-jit end-to-end tests.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("certs", help="generate test certificates").add_argument("dir")
    s = sub.add_parser("serve", help="run a TLS server or TLS-terminating proxy")
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--client-ca", help="require client certificates signed by this CA")
    s.add_argument("--upstream", metavar="HOST:PORT",
                   help="relay decrypted bytes to this plain-TCP address")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--stats", metavar="FILE", help='keep {"connections": N, "handshakes": M} here')
    sub.add_parser("selftest", help="check everything with Python's TLS client")
    args = parser.parse_args()
    if args.command == "certs":
        print(json.dumps(make_certs(args.dir), indent=2))
    elif args.command == "serve":
        serve(args)
    else:
        sys.exit(selftest())


if __name__ == "__main__":
    main()
