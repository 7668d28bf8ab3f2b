#!/usr/bin/env python3
"""Vigil end to end over real sockets, with processes killed mid-run.

Starts the simulated Genesys Cloud organisation (`vigil-service simulate-platform`, traps on) and N
`vigil-service serve` processes on loopback, all sharing one store (an SQLite file, or the PostgreSQL
database named by VIGIL_POSTGRES_URL). `vigil-service send` signs one event per recording and
delivers each 1-3 times to random processes; meanwhile one service process is `kill -9`ed every few
seconds and restarted. When every recording is settled, the run is checked from the simulator's
state and the database:

  * every violating recording has exactly one work item and exactly one annotation;
  * no clean recording has a work item or an annotation;
  * every recording was evaluated (its claim completed in the store) or dead-lettered with a reason;
  * replaying one signed request counted as duplicates, not as load;
  * the queue is empty (nothing lost, nothing stuck).

It prints a report (accepted deliveries/s over HTTP, recordings/s end to end, time-to-flag P50/P95,
kills) and writes it as JSON with --report. Exit status 0 only when every check holds.

Usage: multiprocess-e2e.py --binary PATH [--store sqlite|postgres] [--processes 3] [--recordings 2000]
                           [--kill-every 4] [--workers 4] [--timeout 600] [--report FILE]
"""

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

SECRET = "whsec_" + "dmlnaWwtZTJlLXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3"  # base64("vigil-e2e-webhook-secret-01234567")
CLIENT_ID = "sim-client-id"
CLIENT_SECRET = "sim-client-secret-0123456789"
KEY_PREFIX = "vigil.pipeline:recording:"


def log(message):
    print(f"[e2e {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def wait_until(predicate, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:
            pass
        time.sleep(interval)
    raise SystemExit(f"e2e: timed out after {timeout} s waiting for {what}")


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except Exception:
        return False


class Store:
    """Reads what the service processes left in the shared store."""

    def __init__(self, kind, workdir):
        self.kind = kind
        if kind == "sqlite":
            self.path = os.path.join(workdir, "vigil.sqlite")
            self.url = "sqlite:" + self.path
        else:
            self.url = os.environ.get("VIGIL_POSTGRES_URL")
            if not self.url:
                raise SystemExit("e2e: --store postgres needs VIGIL_POSTGRES_URL (run under Scripts/with-postgres.sh)")
            # A fresh database per run, so earlier runs cannot satisfy the checks.
            base, _, _ = self.url.rpartition("/")
            name = f"vigil_e2e_{os.getpid()}"
            self.psql_admin(f"DROP DATABASE IF EXISTS {name}")
            self.psql_admin(f"CREATE DATABASE {name}")
            self.url = f"{base}/{name}"

    def psql_admin(self, sql):
        subprocess.run(["psql", self.url_admin(), "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True,
                       stdout=subprocess.DEVNULL)

    def url_admin(self):
        return os.environ["VIGIL_POSTGRES_URL"]

    def rows(self, sql):
        if self.kind == "sqlite":
            if not os.path.exists(self.path):
                return []
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            try:
                return [tuple(r) for r in connection.execute(sql).fetchall()]
            finally:
                connection.close()
        out = subprocess.run(["psql", self.url, "-v", "ON_ERROR_STOP=1", "-qAtF", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def pending_jobs(self):
        return int(self.rows("SELECT count(*) FROM vigil_jobs")[0][0])

    def completed_recordings(self):
        rows = self.rows(f"SELECT key, outcome FROM vigil_idempotency WHERE key LIKE '{KEY_PREFIX}%' "
                         "AND status = 'completed'")
        return {key[len(KEY_PREFIX):]: outcome for key, outcome in rows}

    def dead_letters(self):
        letters = {}
        for rid, letter in self.rows("SELECT recording_id, letter FROM vigil_remediation_dead_letters"):
            decoded = json.loads(letter)
            letters[rid] = (decoded.get("errorCode"), decoded.get("reason"))
        return letters

    def queue_dead_letters(self):
        return int(self.rows("SELECT count(*) FROM vigil_dead_letters")[0][0])


class Cluster:
    def __init__(self, args, store, workdir, sim_port):
        self.args = args
        self.store = store
        self.workdir = workdir
        self.sim_port = sim_port
        self.ports = [free_port() for _ in range(args.processes)]
        self.procs = [None] * args.processes
        self.kills = 0
        self.restarts = 0

    def env(self, index):
        env = dict(os.environ)
        env.update({
            "VIGIL_HTTP_HOST": "127.0.0.1",
            "VIGIL_HTTP_PORT": str(self.ports[index]),
            "VIGIL_STORE": self.store.url,
            "VIGIL_GENESYS_API_BASE": f"http://127.0.0.1:{self.sim_port}",
            "VIGIL_GENESYS_CLIENT_ID": CLIENT_ID,
            "VIGIL_GENESYS_CLIENT_SECRET": CLIENT_SECRET,
            "VIGIL_WEBHOOK_SECRETS": SECRET,
            "VIGIL_WORKERS": str(self.args.workers),
            "VIGIL_WORKTYPE_ID": "e2e-worktype",
            "VIGIL_REVIEW_QUEUE_ID": "e2e-review-queue",
            "VIGIL_LOG_LEVEL": "warning",
            "VIGIL_TOKEN_KEY": "dmlnaWwtZTJlLXRva2VuLWtleS0wMTIzNDU2Nzg5",
            # A killed process's jobs are taken over once their lease ends: keep it short here.
            "VIGIL_JOB_LEASE_SECONDS": str(self.args.lease),
        })
        return env

    def start(self, index):
        logfile = open(os.path.join(self.workdir, f"service-{index}.log"), "ab")
        self.procs[index] = subprocess.Popen([self.args.binary, "serve", "--role", self.args.role], env=self.env(index),
                                             stdout=logfile, stderr=subprocess.STDOUT)
        logfile.close()

    def start_all(self):
        for i in range(self.args.processes):
            self.start(i)
        for port in self.ports:
            wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/readyz"), 120, f"service on port {port}")

    def kill_one(self, rng):
        index = rng.randrange(len(self.procs))
        proc = self.procs[index]
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            self.kills += 1
        time.sleep(0.3)
        self.start(index)
        self.restarts += 1

    def check_alive(self):
        for i, proc in enumerate(self.procs):
            if proc and proc.poll() is not None:
                log(f"service {i} exited with {proc.returncode}; restarting (see service-{i}.log)")
                self.start(i)
                self.restarts += 1

    def stop_all(self):
        for proc in self.procs:
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            if proc:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the vigil-service executable")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--recordings", type=int, default=2000)
    parser.add_argument("--violating-every", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--kill-every", type=float, default=4.0, help="seconds between kill -9s; 0 for none")
    parser.add_argument("--role", default="all", help="all (default) or ingest (measures ingest alone)")
    parser.add_argument("--faults", default="traps", choices=["traps", "none"])
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--lease", type=int, default=15, help="VIGIL_JOB_LEASE_SECONDS for the services")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--report", help="write the report as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    workdir = tempfile.mkdtemp(prefix="vigil-e2e-")
    store = Store(args.store, workdir)
    sim_port = free_port()
    log(f"work directory {workdir}; store {args.store}; {args.processes} processes; {args.recordings} recordings")

    sim_log = open(os.path.join(workdir, "platform.log"), "ab")
    sim = subprocess.Popen([args.binary, "simulate-platform", "--port", str(sim_port), "--seed", str(args.seed),
                            "--faults", args.faults], stdout=sim_log, stderr=subprocess.STDOUT)
    cluster = Cluster(args, store, workdir, sim_port)
    failures = []
    report = {"store": args.store, "processes": args.processes, "recordings": args.recordings,
              "workersPerProcess": args.workers, "role": args.role}
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{sim_port}/_sim/state"), 60, "the simulated platform")
        cluster.start_all()
        urls = ",".join(f"http://127.0.0.1:{p}/webhooks/genesys" for p in cluster.ports)
        sent_path = os.path.join(workdir, "sent.json")
        send_log = open(os.path.join(workdir, "send.log"), "ab")
        started = time.time()
        sender = subprocess.Popen([args.binary, "send", "--url", urls, "--platform", f"http://127.0.0.1:{sim_port}",
                                   "--recordings", str(args.recordings), "--violating-every", str(args.violating_every),
                                   "--max-deliveries", "3", "--concurrency", str(args.concurrency), "--secret", SECRET,
                                   "--replay", "25", "--out", sent_path], stdout=send_log, stderr=subprocess.STDOUT)
        next_kill = time.monotonic() + args.kill_every if args.kill_every > 0 else float("inf")
        deadline = time.monotonic() + args.timeout
        while sender.poll() is None:
            if time.monotonic() > deadline:
                sender.kill()
                raise SystemExit("e2e: the load generator did not finish in time")
            if time.monotonic() >= next_kill:
                cluster.kill_one(rng)
                next_kill = time.monotonic() + args.kill_every
            cluster.check_alive()
            time.sleep(0.1)
        if sender.returncode != 0:
            raise SystemExit(f"e2e: vigil-service send failed ({sender.returncode}); see {workdir}/send.log")
        with open(sent_path) as f:
            sent = json.load(f)
        totals = sent["totals"]
        report["ingest"] = totals
        report["replay"] = sent.get("replay")
        log(f"sent: {totals}")

        recordings = sent["recordings"]
        ids = {r["recordingId"] for r in recordings}
        if args.role == "ingest":
            report["acceptedDeliveriesPerSecond"] = totals.get("acceptedPerSecond")
            report["deliveriesPerSecond"] = totals.get("deliveriesPerSecond")
            return finish(report, failures, args)

        # Keep killing while the workers drain the queue, then wait until every recording is settled.
        def settled():
            done = store.completed_recordings()
            dead = store.dead_letters()
            return all(rid in done or rid in dead for rid in ids) and store.pending_jobs() == 0

        while not settled():
            if time.monotonic() > deadline:
                break
            if time.monotonic() >= next_kill:
                cluster.kill_one(rng)
                next_kill = time.monotonic() + args.kill_every
            cluster.check_alive()
            time.sleep(0.5)
        finished = time.time()
        cluster.stop_all()

        state = get_json(f"http://127.0.0.1:{sim_port}/_sim/state")
        per_recording = state["recordings"]
        done = store.completed_recordings()
        dead = store.dead_letters()
        flagged_ms = []
        sent_at = {r["recordingId"]: r["firstSentAtMs"] for r in recordings}
        for r in recordings:
            rid = r["recordingId"]
            seen = per_recording.get(rid, {})
            work_items, annotations = seen.get("workItems", 0), seen.get("annotations", 0)
            if rid in dead:
                code, reason = dead[rid]
                if not code or not reason:
                    failures.append(f"{rid}: dead-lettered without a reason")
            elif rid not in done:
                failures.append(f"{rid}: neither evaluated nor dead-lettered")
            if r["violating"]:
                if rid in dead:
                    continue
                if work_items != 1 or annotations != 1:
                    failures.append(f"{rid} (violating): {work_items} work items, {annotations} annotations; expected 1 and 1")
                elif seen.get("firstWorkItemAtMs"):
                    flagged_ms.append(seen["firstWorkItemAtMs"] - sent_at[rid])
            elif work_items or annotations:
                failures.append(f"{rid} (clean): {work_items} work items, {annotations} annotations; expected none")
        pending = store.pending_jobs()
        if pending:
            failures.append(f"{pending} jobs still in the queue")
        replay = sent.get("replay") or {}
        if not replay.get("requests") or replay.get("duplicates") != replay.get("requests"):
            failures.append(f"replay: {replay.get('requests')} re-sent, {replay.get('duplicates')} answered as duplicates")
        if totals.get("failed", 0) or any(int(n) for n in totals.get("rejected", {}).values()):
            failures.append(f"deliveries failed ({totals.get('failed')}) or were rejected ({totals.get('rejected')})")

        violating = sum(1 for r in recordings if r["violating"])
        report.update({
            "kills": cluster.kills,
            "restarts": cluster.restarts,
            "violating": violating,
            "flagged": len(flagged_ms),
            "evaluated": sum(1 for rid in ids if rid in done),
            "deadLettered": sum(1 for rid in ids if rid in dead),
            "queueDeadLetters": store.queue_dead_letters(),
            "acceptedDeliveriesPerSecond": totals.get("acceptedPerSecond"),
            "deliveriesPerSecond": totals.get("deliveriesPerSecond"),
            "endToEndSeconds": round(finished - started, 2),
            "recordingsPerSecond": round(len(ids) / max(finished - started, 1e-9), 1),
            "timeToFlagMs": {"p50": percentile(flagged_ms, 50), "p95": percentile(flagged_ms, 95),
                             "max": max(flagged_ms) if flagged_ms else None,
                             "mean": round(statistics.mean(flagged_ms)) if flagged_ms else None},
            "platform": state.get("totals", {}),
            "failures": failures[:50],
            "failureCount": len(failures),
        })
        return finish(report, failures, args)
    finally:
        cluster.stop_all()
        sim.send_signal(signal.SIGTERM)
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.kill()
        if store.kind == "postgres":
            try:
                store.psql_admin(f"DROP DATABASE IF EXISTS {store.url.rpartition('/')[2]} WITH (FORCE)")
            except Exception:
                pass
        if not args.keep and not failures:
            subprocess.run(["rm", "-rf", workdir])
        else:
            log(f"logs kept in {workdir}")


def finish(report, failures, args):
    text = json.dumps(report, indent=2, sort_keys=True)
    print(text)
    if args.report:
        with open(args.report, "w") as f:
            f.write(text + "\n")
    if failures:
        log(f"FAILED: {len(failures)} checks; first: {failures[:5]}")
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
