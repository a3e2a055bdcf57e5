#!/usr/bin/env python3
"""Portico's page benchmark against a bare axum + askama + sqlx baseline, in one run.

    python3 bench/run.py --engine sqlite --scale 10000
    python3 bench/run.py --engine postgres --scale 1000000 --duration 15

For each configuration it (1) builds the release binary and the baseline example unless
--skip-build, (2) generates the data with `portico seed-demo --scale N` unless the database is
already there (SQLite: bench/data/sqlite-<N>.db; PostgreSQL: database bench_<N> on
--pg-url's server), (3) starts `portico serve` on it and times the start-up to /readyz, signs in
as the generated users, (4) drives each page with wrk over loopback in alternating rounds with
the baseline running the same queries (both servers up, one idle while the other is measured;
--rounds, 3 by default, the median round reported), sampling resident memory meanwhile, and (5)
writes a Markdown table to bench/results/<engine>-<N>.md. wrk comes from Debian (`apt-get install -y wrk`).
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import http.client

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.getheaders(), data


def wait_ready(port, proc, timeout=600):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode} before it was ready")
        try:
            status, _, _ = request(port, "GET", "/readyz")
            if status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.02)
    sys.exit("server not ready in time")


def cookies_of(headers, jar):
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            k, _, v = pair.partition("=")
            jar[k.strip()] = v.strip()


def cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def sign_in(port, email, password, tenant=None):
    """The session cookie of a password sign-in through the login form, with the brand chosen
    (partners and financiers serve several brands) when `tenant` is given."""
    jar = {}
    status, headers, body = request(port, "GET", "/login")
    cookies_of(headers, jar)
    form = {"_csrf": csrf_of(body), "email": email, "password": password, "next": "/"}
    status, headers, _ = post_form(port, "/login", jar, form)
    if status not in (302, 303):
        sys.exit(f"sign-in of {email} answered {status}")
    if tenant:
        _, headers, body = request(port, "GET", "/", {"Cookie": cookie_header(jar)})
        cookies_of(headers, jar)
        status, _, _ = post_form(port, "/context/brand", jar,
                                 {"_csrf": csrf_of(body), "tenant": tenant})
        if status not in (302, 303):
            sys.exit(f"choosing the brand for {email} answered {status}")
    return cookie_header(jar)


def csrf_of(page):
    csrf = re.search(rb'name="csrf-token" content="([^"]+)"', page)
    if not csrf:
        sys.exit("no CSRF token on the page")
    return csrf.group(1).decode()


def post_form(port, path, jar, form):
    status, headers, body = request(
        port, "POST", path,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(jar),
         "Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"},
        urllib.parse.urlencode(form))
    cookies_of(headers, jar)
    return status, headers, body


def api_token(port, client_id, secret):
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    status, _, body = request(
        port, "POST", "/oauth/token", {"Content-Type": "application/x-www-form-urlencoded"}, form
    )
    if status != 200:
        sys.exit(f"/oauth/token answered {status}: {body[:200]!r}")
    return json.loads(body)["access_token"]


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def wrk(port, path, header, args):
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
           "--latency", "--timeout", "10s"]
    if header:
        cmd += ["-H", header]
    url = f"http://127.0.0.1:{port}{path}"
    # A short warm-up fills caches and pools; only the second run counts.
    subprocess.run(cmd[:4] + ["-d2s"] + cmd[5:] + [url], capture_output=True, check=True)
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50": p50, "p99": p99, "bad": int(bad.group(1)) if bad else 0,
            "errors": errors.group(0) if errors else ""}


def median_round(rounds):
    """The round whose throughput ratio is the median, with the errors of every round."""
    ordered = sorted(rounds, key=lambda pair: pair[1]["rps"] / max(pair[0]["rps"], 1e-9))
    mine, theirs = (dict(x) for x in ordered[len(ordered) // 2])
    mine["bad"] = sum(p[0]["bad"] for p in rounds)
    theirs["bad"] = sum(p[1]["bad"] for p in rounds)
    mine["errors"] = "; ".join(sorted({p[0]["errors"] for p in rounds if p[0]["errors"]}))
    mine["ratios"] = [p[1]["rps"] / max(p[0]["rps"], 1e-9) for p in rounds]
    return mine, theirs


class MemorySampler(threading.Thread):
    """The highest resident set of a process, sampled every 50 ms while the load runs."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def sample(self):
        for line in open(f"/proc/{self.pid}/status"):
            if line.startswith("VmRSS:"):
                self.peak = max(self.peak, int(line.split()[1]))

    def run(self):
        while self.running:
            try:
                self.sample()
            except OSError:
                return
            time.sleep(0.05)


def build(args):
    if args.skip_build:
        return
    subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--example", "bench_baseline"], cwd=ROOT,
                   check=True)


def database(args, data_dir):
    """The URL of the generated database; generates it when missing."""
    if args.engine == "sqlite":
        path = BENCH / "data" / f"sqlite-{args.scale}.db"
        url = f"sqlite://{path}"
        fresh = not path.exists()
    else:
        name = f"bench_{args.scale}"
        base = args.pg_url.rsplit("/", 1)[0]
        url = f"{base}/{name}"
        exists = subprocess.run(
            ["psql", args.pg_url, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True, text=True, check=True).stdout.strip() == "1"
        if not exists:
            subprocess.run(["psql", args.pg_url, "-qc", f"CREATE DATABASE {name}"], check=True)
        fresh = not exists
    users = data_dir / "scale-users.json"
    if fresh or not users.exists():
        env = dict(os.environ, DATABASE_URL=url, PORTICO_DATA_DIR=str(data_dir))
        subprocess.run([str(ROOT / "target/release/portico"), "seed-demo", "--scale",
                        str(args.scale), "--users-out", str(users)], env=env, check=True)
    return url, json.loads(users.read_text())


def tenant_of(users):
    """The largest brand, whose pages are measured."""
    return users.get("brand_tenant_id") or users["sample_order"]["tenant_id"]


def pages(users, cookies, token):
    """(name, portico path, portico header, baseline path) for each page measured."""
    t = tenant_of(users)
    partner = users["supplier"]["org_id"]
    q = urllib.parse.quote(users["trace_search"] or "none")
    order = users["sample_order"]["id"]
    supplier, ops, financier = (f"Cookie: {cookies[k]}" for k in ("supplier", "ops", "financier"))
    return [
        ("supplier inbox", "/orders?view=all", supplier, f"/inbox?tenant={t}&partner={partner}"),
        ("order page", f"/orders/{order}", supplier, f"/order?tenant={t}&id={order}"),
        ("ops dashboard", "/sla", ops, f"/dashboard?tenant={t}"),
        ("financier queue", "/financings", financier,
         f"/financier?tenant={t}&org={users['financier']['org_id']}"),
        ("trace search", f"/trace?q={q}", ops, f"/trace?tenant={t}&q={q}"),
        ("API order list", "/api/v1/orders", f"Authorization: Bearer {token}",
         f"/api/orders?tenant={t}&partner={partner}"),
    ]


def chosen(args, all_pages):
    """The pages --pages names (any that contains one of its names), or all of them."""
    wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
    return [p for p in all_pages if not wanted or any(w in p[0] for w in wanted)]


def start(cmd, env):
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--scale", type=int, default=10_000)
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    ap.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternating Portico/baseline rounds per page; the median is reported")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--pages", default="",
                    help="comma-separated page names to measure only (e.g. 'order page,trace'); "
                         "a partial run is printed, not written over the committed results")
    args = ap.parse_args()

    build(args)
    data_dir = BENCH / "data" / f"{args.engine}-{args.scale}"
    data_dir.mkdir(parents=True, exist_ok=True)
    url, users = database(args, data_dir)

    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, PORTICO_DATA_DIR=str(data_dir),
               PORTICO_LISTEN=f"127.0.0.1:{port}", PORTICO_API_RATE_PER_MINUTE="1000000000",
               RUST_LOG="warn")
    # A data set generated by an older build gets the newer migrations here, so the start-up
    # measured below is the server's own, not a one-time schema change.
    subprocess.run([str(ROOT / "target/release/portico"), "migrate"], env=env, check=True)
    portico = start([str(ROOT / "target/release/portico"), "serve"], env)
    bport = free_port()
    baseline = start([str(ROOT / "target/release/examples/bench_baseline"), url, str(bport)],
                     dict(os.environ))
    try:
        startup = wait_ready(port, portico)
        wait_ready(bport, baseline)
        idle_rss = MemorySampler(portico.pid)
        idle_rss.sample()
        tenant, pw = tenant_of(users), users["password"]
        cookies = {"ops": sign_in(port, users["brand_ops"]["email"], pw),
                   "supplier": sign_in(port, users["supplier"]["email"], pw, tenant),
                   "financier": sign_in(port, users["financier"]["email"], pw, tenant)}
        token = api_token(port, users["api_client"]["client_id"],
                          users["api_client"]["client_secret"])
        sampler, base_sampler = MemorySampler(portico.pid), MemorySampler(baseline.pid)
        sampler.start()
        base_sampler.start()
        # Each page is measured on Portico and at once on the baseline, so both figures of a
        # ratio come from the same minute of a machine whose speed drifts (a shared VM's did by
        # 40% within a session).
        # Each page runs in alternating rounds and the median round is reported: single runs
        # of the same build scattered by up to 30%.
        results, base = [], []
        for name, path, header, base_path in chosen(args, pages(users, cookies, token)):
            rounds = []
            for r in range(args.rounds):
                print(f"{name}, round {r + 1} of {args.rounds} ...", flush=True)
                rounds.append((wrk(port, path, header, args), wrk(bport, base_path, "", args)))
            mine, theirs = median_round(rounds)
            results.append(mine)
            base.append(theirs)
        for s in (sampler, base_sampler):
            s.running = False
            s.join()
    finally:
        for proc in (portico, baseline):
            proc.terminate()
            proc.wait()

    report(args, users, startup, idle_rss.peak, sampler.peak, base_sampler.peak, results, base)


def report(args, users, startup, idle_kb, peak_kb, base_kb, results, base):
    names = [p[0] for p in chosen(args, pages(users, {"ops": "", "supplier": "", "financier": ""}, ""))]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "?")
    lines = [
        f"# {args.engine}, {args.scale:,} orders",
        "",
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
        f"{os.cpu_count()} CPUs ({cpu}); wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s over loopback, after a 2 s warm-up; the load generator shares the "
        f"CPUs with the server. Each page ran {args.rounds} alternating rounds (Portico, then the "
        "baseline); the table shows the round with the median ratio, and the last column every "
        "round's ratio. Baseline: `bench/baseline.rs` (axum + askama + sqlx, the same "
        "`portico::db` queries, no sessions, auth, audit or middleware, the system allocator) "
        "on the same database.",
        "",
        "| page | Portico req/s | p50 ms | p99 ms | baseline req/s | baseline p50 | baseline p99"
        " | throughput ratio (baseline / Portico) | errors | every round's ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for name, r, b in zip(names, results, base):
        ratio = b["rps"] / r["rps"] if r["rps"] else float("inf")
        errs = ", ".join(x for x in [
            f"{r['bad']} non-2xx" if r["bad"] else "", r["errors"],
            f"baseline {b['bad']} non-2xx" if b["bad"] else ""] if x) or "none"
        lines.append(f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                     f"{b['rps']:.0f} | {b['p50']:.2f} | {b['p99']:.2f} | {ratio:.2f}x | {errs} | "
                     + ", ".join(f"{x:.2f}" for x in r.get("ratios", [ratio])) + " |")
    lines += [
        "",
        "| process | figure |",
        "| --- | ---: |",
        f"| Portico start-up to /readyz | {startup * 1000:.0f} ms |",
        f"| Portico resident memory after start | {idle_kb / 1024:.1f} MB |",
        f"| Portico peak resident memory under load | {peak_kb / 1024:.1f} MB |",
        f"| baseline peak resident memory under load | {base_kb / 1024:.1f} MB |",
        "",
    ]
    print("\n".join(lines))
    if args.pages:
        return
    out = BENCH / "results" / f"{args.engine}-{args.scale}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
