#!/usr/bin/env python3
"""Memory of `grafana-jit run --listen` under two floods, and whether /healthz still answers meanwhile.

Usage (from the repository root):
    python3 Tests/OperationsLoad/listener_rss.py BINARY [--idle 512] [--bodies 60]

Starts `BINARY simulate` (the example fixture) and `BINARY run --listen` against it on free loopback ports, then,
each against a fresh controller:
  idle:   opens --idle connections that send nothing, holds them 3 s, probes /healthz;
  bodies: opens --bodies connections that each announce a 4 MiB body (Content-Length) and send all of it, then
          probes /healthz.
Prints VmRSS (current) and VmHWM (peak) of the controller from /proc/PID/status, in MB, before and after.
Needs Linux and Python 3 only.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

BODY = 4 * 1024 * 1024
POLICY = """apiVersion: grafana-jit.io/v1alpha1
kind: AccessPolicy
metadata: {name: open}
spec:
  subjects: {users: ["*@example.com"]}
  dataSources: [{name: "*"}]
  permissions: [Admin]
  maxDuration: 1d
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return "VmRSS %.1f MB, VmHWM %.1f MB" % (fields["VmRSS"], fields["VmHWM"])


def probe(port, timeout=2.0):
    """/healthz status and seconds taken, or the error."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = s.recv(4096).decode("latin-1")
        if not reply:
            return "closed without an answer after %.2f s" % (time.monotonic() - started)
        return "%s after %.2f s" % (reply.split("\r\n", 1)[0], time.monotonic() - started)
    except OSError as error:
        return "%s after %.2f s" % (error.__class__.__name__, time.monotonic() - started)


def wait_healthy(port, deadline=20):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if "200 OK" in probe(port, 1):
            return
        time.sleep(0.1)
    sys.exit("controller did not answer /healthz")


def start_controller(binary, sim_port, folder):
    grants, state = os.path.join(folder, "repo"), os.path.join(folder, "state")
    os.makedirs(os.path.join(grants, "policies"), exist_ok=True)
    with open(os.path.join(grants, "policies", "policy.yaml"), "w") as f:
        f.write(POLICY)
    port = free_port()
    env = dict(os.environ, GRAFANA_TOKEN="glsa_simulator_controller_token")
    process = subprocess.Popen(
        [binary, "run", "--grants", grants, "--state", state, "--grafana-url", "http://127.0.0.1:%d" % sim_port,
         "--listen", "127.0.0.1:%d" % port, "--resync", "10m", "--discover-interval", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_healthy(port)
    time.sleep(1)
    return process, port


def idle_flood(port, count):
    sockets = []
    for _ in range(count):
        try:
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        except OSError:
            break
    time.sleep(3)
    return sockets


def body_flood(port, count):
    def send(results):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % BODY)
                s.sendall(b"x" * BODY)
                results.append("sent")
        except OSError as error:
            results.append(error.__class__.__name__)

    results = []
    threads = [threading.Thread(target=send, args=(results,)) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, results


def main():
    binary = os.path.abspath(sys.argv[1])
    idle = int(sys.argv[sys.argv.index("--idle") + 1]) if "--idle" in sys.argv else 512
    bodies = int(sys.argv[sys.argv.index("--bodies") + 1]) if "--bodies" in sys.argv else 60
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sim_port = free_port()
    simulator = subprocess.Popen(
        [binary, "simulate", "--fixture", os.path.join(root, "examples", "grafana-fixture.yaml"),
         "--listen", "127.0.0.1:%d" % sim_port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        with tempfile.TemporaryDirectory() as folder:
            process, port = start_controller(binary, sim_port, folder)
            print("idle: at rest: %s" % memory(process.pid))
            sockets = idle_flood(port, idle)
            print("idle: %d connections open: %s; /healthz: %s" % (len(sockets), memory(process.pid), probe(port)))
            for s in sockets:
                s.close()
            process.terminate()
            process.wait()
        with tempfile.TemporaryDirectory() as folder:
            process, port = start_controller(binary, sim_port, folder)
            print("bodies: at rest: %s" % memory(process.pid))
            threads, results = body_flood(port, bodies)
            time.sleep(2)
            print("bodies: %d senders, 2 s in: %s; /healthz: %s" % (bodies, memory(process.pid), probe(port)))
            for thread in threads:
                thread.join()
            sent = results.count("sent")
            print("bodies: all done (%d sent whole, %d cut off): %s" % (sent, len(results) - sent, memory(process.pid)))
            process.terminate()
            process.wait()
    finally:
        simulator.terminate()
        simulator.wait()


if __name__ == "__main__":
    main()
