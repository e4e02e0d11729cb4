#!/usr/bin/env python3
"""Measure bnotify: start-up, one send, a 20-endpoint fan-out against a slow receiver,
peak memory, binary size, curl sending the same POST as the floor, and the config
loader: `config check` of 2,500 vs 10,000 endpoints (linear?), 100,000 levels of
nesting and a billion-laughs file (refused at once?).

Usage: scripts/bench.py [path/to/bnotify]   (scripts/bench.sh builds release first)
Standard library only; everything runs on 127.0.0.1.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "release", "bnotify"))


def start_receiver(delay=0.0):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "receiver.py"), "--delay", str(delay)],
                         stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline())
    return p, port


def timed(cmd, runs, env=None):
    """Median and min wall time (ms) of `runs` runs of cmd; each must exit 0."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append((time.perf_counter() - t) * 1000)
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.decode()}")
    return statistics.median(times), min(times)


def timed_refusal(cmd, runs, env=None):
    """Median wall time (ms) of `runs` runs of cmd, each of which must exit 2 (refused)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append((time.perf_counter() - t) * 1000)
        if r.returncode != 2:
            sys.exit(f"{' '.join(cmd)} exited {r.returncode}, not 2: {r.stderr.decode()[:300]}")
    return statistics.median(times), r.stderr.decode().splitlines()[0][:110]


def config_cases(d, port, env):
    """The config loader at size: linear in endpoints, hostile files refused at once."""
    check = lambda path: [BIN, "--config", path, "-q", "config", "check"]
    small = write_config(d, port, 2500)
    big = write_config(d, port, 10000)
    s_med, _ = timed(check(small), 5, env)
    b_med, _ = timed(check(big), 5, env)
    print(f"config check 2,500 endpoints:  median {s_med:6.1f} ms")
    print(f"config check 10,000 endpoints: median {b_med:6.1f} ms   ratio {b_med / s_med:.2f}x"
          "   target <= 5x and < 500 ms")
    deep = os.path.join(d, "deep.yaml")
    with open(deep, "w") as f:
        f.write("endpoints: " + "[" * 100000 + "]" * 100000 + "\n")
    med, first = timed_refusal(check(deep), 3, env)
    print(f"100,000 levels of nesting:     median {med:6.1f} ms   target < 100 ms  ({first})")
    lol = os.path.join(d, "lol.yaml")
    with open(lol, "w") as f:
        f.write('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n')
        for p, n in zip("abcdefgh", "bcdefghi"):
            f.write(f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]\n")
        f.write("endpoints: []\n")
    med, first = timed_refusal(check(lol), 3, env)
    print(f"billion laughs:                median {med:6.1f} ms   target < 100 ms  ({first})")


def peak_rss_mb(cmd, env=None):
    """Peak resident memory (MB) of one run of cmd, measured by GNU time.

    (Python's own wait4 would report at least Python's size: a child's maximum RSS
    includes what it had before exec.)"""
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    if not gnu_time:
        return None
    r = subprocess.run([gnu_time, "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, env=env)
    try:
        return int(r.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return None


def show_mem(label, mb, target=""):
    shown = f"{mb:6.1f} MB" if mb is not None else "   n/a (apt-get install time)"
    print(f"{label:<31}{shown}{target}")


def write_config(d, port, n):
    path = os.path.join(d, f"config-{n}.yaml")
    with open(path, "w") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write("endpoints:\n")
        for i in range(n):
            f.write(f"  - {{name: ep{i}, type: webhook, url: \"http://127.0.0.1:{port}/ep{i}\", retries: 0}}\n")
    return path


def main():
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} not found: run scripts/bench.sh (it builds the release binary)")
    env = dict(os.environ, NO_COLOR="1")
    d = tempfile.mkdtemp(prefix="bnotify-bench-")
    env["XDG_STATE_HOME"] = d
    fast, fast_port = start_receiver(0)
    slow, slow_port = start_receiver(0.5)
    try:
        print(f"binary: {BIN} ({os.path.getsize(BIN) / 1024 / 1024:.2f} MiB)")
        med, best = timed([BIN, "--version"], 200, env)
        print(f"start-up (--version):          median {med:6.2f} ms  min {best:6.2f} ms   target < 3 ms")
        one = write_config(d, fast_port, 1)
        send = [BIN, "--config", one, "-q", "send", "--event", "backup_failure", "--job", "bench"]
        med, best = timed(send, 100, env)
        print(f"one send, local webhook:       median {med:6.2f} ms  min {best:6.2f} ms   target < 15 ms")
        if shutil.which("curl"):
            curl = ["curl", "-s", "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: application/json",
                    "--data", '{"event":"backup_failure","task":"bench"}', f"http://127.0.0.1:{fast_port}/curl"]
            cmed, cbest = timed(curl, 100, env)
            print(f"curl, same POST (the floor):   median {cmed:6.2f} ms  min {cbest:6.2f} ms   ratio {med / cmed:.2f}x")
        fan = write_config(d, slow_port, 20)
        fan_cmd = [BIN, "--config", fan, "-q", "send", "--event", "backup_failure", "--job", "bench"]
        med, best = timed(fan_cmd, 5, env)
        print(f"20 endpoints x 500 ms:         median {med:6.1f} ms  min {best:6.1f} ms   target < 700 ms")
        show_mem("peak memory, 20-endpoint send:", peak_rss_mb(fan_cmd, env), "                    target < 15 MB")
        show_mem("peak memory, one send:", peak_rss_mb(send, env))
        show_mem("peak memory, --version:", peak_rss_mb([BIN, "--version"], env))
        scale_cases(d, fast_port, env)
        config_cases(d, fast_port, env)
    finally:
        for p in (fast, slow):
            p.terminate()
            p.wait()
        shutil.rmtree(d, ignore_errors=True)


def write_webhooks(d, port, n, name):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("defaults: {retries: 0, timeout: 60s}\nendpoints:\n")
        for i in range(n):
            f.write(f"  - {{name: ep{i}, type: webhook, url: \"http://127.0.0.1:{port}/s{i}\"}}\n")
    return path


def once_ms(cmd, env, stdin=None):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, stdin=stdin)
    return (time.perf_counter() - t) * 1000, r.returncode


def scale_cases(d, port, env):
    """The scale cases of the "bounded" work: memory must not grow with the number of
    endpoints, the size of a log or of a payload."""
    print("-- scale")
    log = os.path.join(d, "big.log")
    with open(log, "wb") as f:
        f.write(b"L" * (11 * 1024 * 1024))
    for n in (1, 30):
        cfg = write_webhooks(d, port, n, f"att-{n}.yaml")
        mb = peak_rss_mb([BIN, "--config", cfg, "-q", "send", "--event", "backup_failure", "--attach", log], env)
        show_mem(f"11 MiB log to {n:>2} webhooks:", mb, "   target <= 1.5x one, <= 64 MiB")
    huge = os.path.join(d, "huge.log")
    with open(huge, "wb") as f:
        f.truncate(3 * 1024 * 1024 * 1024)
    one = write_webhooks(d, port, 1, "one.yaml")
    mb = peak_rss_mb([BIN, "--config", one, "-q", "send", "--event", "backup_failure", "--attach", huge], env)
    show_mem("3 GiB log, one webhook:", mb, "                   target <= 64 MiB")
    os.remove(huge)
    payload = os.path.join(d, "big.json")
    with open(payload, "wb") as f:
        f.write(b'{"message": "' + b"m" * (100 * 1024 * 1024) + b'"}')
    mb = peak_rss_mb([BIN, "--config", one, "send", "--event", "backup_failure", "--payload", payload], env)
    show_mem("100 MB payload (refused):", mb, "                 target <= 64 MiB")
    os.remove(payload)
    cfg = write_webhooks(d, port, 1000, "k.yaml")
    ms, code = once_ms([BIN, "--config", cfg, "-q", "send", "--event", "backup_failure"], env)
    print(f"1,000 endpoints, one send:     {ms:8.1f} ms (exit {code})")
    mb = peak_rss_mb([BIN, "--config", cfg, "-q", "send", "--event", "backup_failure"], env)
    show_mem("peak memory, 1,000 endpoints:", mb)
    if shutil.which("curl"):
        urls = []
        for i in range(1000):
            urls += ["-o", "/dev/null", "-X", "POST", "-H", "Content-Type: application/json",
                     "--data", '{"event":"backup_failure"}', f"http://127.0.0.1:{port}/c{i}"]
        ms, code = once_ms(["curl", "-s", "--parallel", "--parallel-max", "32"] + urls, env)
        print(f"curl --parallel, 1,000 POSTs:  {ms:8.1f} ms (exit {code})")


if __name__ == "__main__":
    main()
