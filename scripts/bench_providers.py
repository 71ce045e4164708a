#!/usr/bin/env python3
"""Plan and apply of N resources, side by side with a peer, in one run.

Three configurations per size: terraform_data (built into Terraform),
time_offset of hashicorp/terraform-provider-time (a plugin provider on the
same framework whose Read does nothing: the fair peer) and
labelstudio_local_import_storage against the stand-in. Every repetition runs
the configurations in turn (rotating which goes first), so machine load
affects all alike. Then peak RSS of the provider processes, and the
remote-server mode: the stand-in over TLS with a fixed delay per response.

Called by scripts/bench.sh, which builds the binaries and starts the
stand-ins; the result is Markdown on stdout.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import ssl

CLI_CONFIG = """provider_installation {
  dev_overrides {
    "labelstudio-tf/labelstudio" = "%(labelstudio)s"
    "hashicorp/time"             = "%(time)s"
  }
  direct {}
}
"""

REQUIRED = """terraform {
  required_providers {
    labelstudio = { source = "labelstudio-tf/labelstudio" }
    time        = { source = "hashicorp/time" }
  }
}
"""

PEERS = ("terraform_data", "time_offset", "labelstudio")


def config(peer, count, project, docroot, provider_block=""):
    if peer == "terraform_data":
        body = 'resource "terraform_data" "r" {\n  count = %d\n  input = "storage ${count.index}"\n}\n' % count
    elif peer == "time_offset":
        body = ('resource "time_offset" "r" {\n  count       = %d\n  offset_days = 1\n'
                '  triggers    = { index = "storage ${count.index}" }\n}\n') % count
    else:
        body = ('%sresource "labelstudio_local_import_storage" "r" {\n  count   = %d\n  project = %d\n'
                '  title   = "storage ${count.index}"\n  path    = "%s/images"\n}\n') % (provider_block, count, project, docroot)
    return REQUIRED + body


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Runner:
    def __init__(self, args):
        self.args = args
        # The SDK's logs off for every provider: this provider switches them
        # off itself when Terraform would discard them; the peer is told to.
        self.env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_LOG_PROVIDER="OFF",
                        TF_LOG_SDK="OFF", TF_LOG_SDK_PROTO="OFF", TF_LOG_SDK_FRAMEWORK="OFF")

    def terraform(self, directory, *argv, cli_config, expect=(0,)):
        env = dict(self.env, TF_CLI_CONFIG_FILE=cli_config)
        started = time.perf_counter()
        proc = subprocess.run(["terraform", *argv, "-no-color", "-input=false"], cwd=directory, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        took = time.perf_counter() - started
        if proc.returncode not in expect:
            log(proc.stdout[-4000:])
            raise SystemExit("terraform %s in %s exited %d" % (" ".join(argv), directory, proc.returncode))
        return took


def write_cli_config(path, labelstudio_dir, time_dir):
    with open(path, "w") as f:
        f.write(CLI_CONFIG % {"labelstudio": labelstudio_dir, "time": time_dir})


def wrapper_dir(work, name, real, rss_log):
    """A dev_overrides directory whose provider runs under GNU time, so the
    provider process's own peak RSS is recorded (not Terraform's)."""
    d = os.path.join(work, "rss-" + name)
    os.makedirs(d, exist_ok=True)
    exe = os.path.join(d, "terraform-provider-" + name)
    with open(exe, "w") as f:
        f.write('#!/bin/sh\nexec /usr/bin/time -a -o "%s" -f "%%M" "%s" "$@"\n' % (rss_log, real))
    os.chmod(exe, 0o755)
    return d


def read_peak_kib(rss_log):
    peaks = []
    if os.path.exists(rss_log):
        with open(rss_log) as f:
            for line in f:
                line = line.strip()
                if line.isdigit():
                    peaks.append(int(line))
        os.remove(rss_log)
    return max(peaks) if peaks else 0


def dev_request(url, method, path, cafile=None):
    ctx = ssl.create_default_context(cafile=cafile) if cafile else None
    req = urllib.request.Request(url + path, method=method)
    with urllib.request.urlopen(req, context=ctx) as res:
        return json.load(res)


def fmt_s(values):
    return "%.2f s (min %.2f)" % (statistics.median(values), min(values))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--bin", required=True, help="directory with terraform-provider-labelstudio")
    p.add_argument("--time-bin", required=True, help="directory with terraform-provider-time")
    p.add_argument("--url", required=True)
    p.add_argument("--project", type=int, required=True)
    p.add_argument("--docroot", required=True)
    p.add_argument("--sizes", default="1,200,1000")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--rss-size", type=int, default=1000)
    p.add_argument("--rss-runs", type=int, default=3)
    p.add_argument("--tls-url", help="the stand-in over TLS with a response delay")
    p.add_argument("--tls-ca", help="PEM file of the CA that signed the TLS stand-in's certificate")
    p.add_argument("--tls-project", type=int)
    p.add_argument("--tls-delay-ms", type=float, default=50)
    p.add_argument("--tls-size", type=int, default=200)
    p.add_argument("--parallelism", type=int, default=10)
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runner = Runner(args)

    cli = os.path.join(args.work, "cli.tfrc")
    write_cli_config(cli, args.bin, args.time_bin)
    dirs = {}
    for n in sizes:
        for peer in PEERS:
            d = os.path.join(args.work, "%s-%d" % (peer, n))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "main.tf"), "w") as f:
                f.write(config(peer, n, args.project, args.docroot))
            dirs[peer, n] = d

    # Timing: apply (create from empty), plan (refresh, no changes), destroy
    # (not timed); the configurations of one size in turn, rotating.
    times = {}
    for rep in range(args.runs):
        for n in sizes:
            order = PEERS[rep % 3:] + PEERS[:rep % 3]
            for peer in order:
                d = dirs[peer, n]
                log("run %d/%d: %d %s" % (rep + 1, args.runs, n, peer))
                times.setdefault(("apply", peer, n), []).append(
                    runner.terraform(d, "apply", "-auto-approve", "-parallelism=%d" % args.parallelism, cli_config=cli))
                times.setdefault(("plan", peer, n), []).append(
                    runner.terraform(d, "plan", "-detailed-exitcode", "-parallelism=%d" % args.parallelism, cli_config=cli))
                runner.terraform(d, "destroy", "-auto-approve", "-parallelism=%d" % args.parallelism, cli_config=cli)

    # Peak RSS of the provider processes (runs of their own: the wrapper
    # would add its start-up to the timings).
    rss_log = os.path.join(args.work, "rss.log")
    rss_cli = os.path.join(args.work, "rss.tfrc")
    write_cli_config(rss_cli,
                     wrapper_dir(args.work, "labelstudio", os.path.join(args.bin, "terraform-provider-labelstudio"), rss_log),
                     wrapper_dir(args.work, "time", os.path.join(args.time_bin, "terraform-provider-time"), rss_log))
    rss = {}
    n = args.rss_size
    for rep in range(args.rss_runs):
        for peer in ("time_offset", "labelstudio") if rep % 2 == 0 else ("labelstudio", "time_offset"):
            d = dirs.get((peer, n))
            if d is None:
                d = os.path.join(args.work, "%s-%d" % (peer, n))
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, "main.tf"), "w") as f:
                    f.write(config(peer, n, args.project, args.docroot))
                dirs[peer, n] = d
            log("rss %d/%d: %d %s" % (rep + 1, args.rss_runs, n, peer))
            read_peak_kib(rss_log)
            runner.terraform(d, "apply", "-auto-approve", cli_config=rss_cli)
            rss.setdefault(("apply", peer), []).append(read_peak_kib(rss_log))
            runner.terraform(d, "plan", "-detailed-exitcode", cli_config=rss_cli)
            rss.setdefault(("plan", peer), []).append(read_peak_kib(rss_log))
            runner.terraform(d, "destroy", "-auto-approve", cli_config=rss_cli)
            read_peak_kib(rss_log)

    out = []
    out.append("Median (and minimum) of %d runs; each repetition runs the three configurations of a size in turn, "
               "rotating which goes first. `apply` creates every resource in an empty state, `plan` refreshes them "
               "and finds no change. Terraform `-parallelism=%d`." % (args.runs, args.parallelism))
    out.append("")
    out.append("| operation | resources | terraform_data | time_offset (peer) | labelstudio_local_import_storage | labelstudio / peer (target <= 0.85 at 200 and 1000) |")
    out.append("|---|---|---|---|---|---|")
    for op in ("plan", "apply"):
        for n in sizes:
            ls, peer = times[op, "labelstudio", n], times[op, "time_offset", n]
            ratio = statistics.median(ls) / statistics.median(peer)
            out.append("| `terraform %s` | %d | %s | %s | %s | %.2f |" % (
                op, n, fmt_s(times[op, "terraform_data", n]), fmt_s(peer), fmt_s(ls), ratio))
    out.append("")
    out.append("Peak RSS of the provider process (GNU time's maximum resident set size), median of %d runs with %d resources:" % (args.rss_runs, n))
    out.append("")
    out.append("| operation | time_offset (peer) | labelstudio | labelstudio / peer (target <= 1.2) |")
    out.append("|---|---|---|---|")
    for op in ("plan", "apply"):
        peer_kib, ls_kib = statistics.median(rss[op, "time_offset"]), statistics.median(rss[op, "labelstudio"])
        out.append("| `terraform %s` | %.1f MiB | %.1f MiB | %.2f |" % (op, peer_kib / 1024, ls_kib / 1024, ls_kib / peer_kib))

    if args.tls_url:
        n = args.tls_size
        d = os.path.join(args.work, "tls-%d" % n)
        os.makedirs(d, exist_ok=True)
        provider_block = 'provider "labelstudio" {\n  url         = "%s"\n  ca_cert_pem = file("%s")\n}\n' % (args.tls_url, args.tls_ca)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(config("labelstudio", n, args.tls_project, args.docroot, provider_block))
        log("remote mode: applying %d storages" % n)
        runner.terraform(d, "apply", "-auto-approve", "-parallelism=%d" % args.parallelism, cli_config=cli)
        plans, handshakes, conns = [], [], []
        for rep in range(args.runs):
            log("remote mode: plan %d/%d" % (rep + 1, args.runs))
            dev_request(args.tls_url, "DELETE", "/_dev/connections", args.tls_ca)
            plans.append(runner.terraform(d, "plan", "-detailed-exitcode", "-parallelism=%d" % args.parallelism, cli_config=cli))
            counts = dev_request(args.tls_url, "GET", "/_dev/connections", args.tls_ca)
            handshakes.append(counts["tls_handshakes"] - 1)  # less the counting request's own
            conns.append(counts["connections"] - 1)
        runner.terraform(d, "destroy", "-auto-approve", "-parallelism=%d" % args.parallelism, cli_config=cli)
        peer_plan = statistics.median(times["plan", "time_offset", n]) if ("plan", "time_offset", n) in times else 0
        floor = n * args.tls_delay_ms / 1000 / args.parallelism + peer_plan
        out.append("")
        out.append("Against a remote server: the stand-in over TLS (a CA made by the benchmark, passed through "
                   "`ca_cert_pem`) holding every response back %.0f ms; plan of %d storages at parallelism %d, "
                   "median (min) of %d runs. The floor is %d x %.0f ms / %d plus the peer's plan time above." % (
                       args.tls_delay_ms, n, args.parallelism, args.runs, n, args.tls_delay_ms, args.parallelism))
        out.append("")
        out.append("| figure | measured | target |")
        out.append("|---|---|---|")
        out.append("| `terraform plan` | %s | floor %.2f s; ratio %.2f (target <= 1.2) |" % (
            fmt_s(plans), floor, statistics.median(plans) / floor))
        out.append("| TLS handshakes per plan (counted at the stand-in) | %d (max %d) | <= %d (parallelism + 2) |" % (
            statistics.median(handshakes), max(handshakes), args.parallelism + 2))
        out.append("| TCP connections per plan | %d (max %d) | |" % (statistics.median(conns), max(conns)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
