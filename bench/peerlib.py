"""Process and HTTP helpers shared by the side-by-side bench scripts
(bench/remote_write/compare_prometheus.py, bench/memory/compare_rss.py):
free loopback ports, a child process with its log that is stopped by PID,
bounded waits for an HTTP endpoint, /proc CPU time."""
import os
import signal
import socket
import subprocess
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cpu_seconds(pid):
    """utime + stime of pid in seconds; 0 once it is gone."""
    if not os.path.exists(f"/proc/{pid}/stat"):
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_http(url, seconds=60, proc=None, interval=0.2):
    """Polls url until it answers; fails fast (with its log) if proc exits."""
    end = time.time() + seconds
    while time.time() < end:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        try:
            get(url, 1)
            return
        except Exception:
            time.sleep(interval)
    raise RuntimeError(f"timeout waiting for {url}" + (f":\n{proc.tail()}" if proc else ""))


class Proc:
    """A child process with its log in the work dir; stop() ends exactly it."""

    def __init__(self, name, argv, work):
        self.name = name
        self.log_path = os.path.join(work, name + ".log")
        self.log = open(self.log_path, "w")
        self.p = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.p.pid

    def alive(self):
        return self.p.poll() is None

    def stop(self, timeout=30):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(10)
        if not self.log.closed:
            self.log.close()

    def text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def tail(self, n=20):
        return "".join(self.text().splitlines(True)[-n:])
