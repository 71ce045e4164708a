#!/usr/bin/env python3
"""Plan and apply of N resources, side by side with a peer, in one run.

Three configurations per size: terraform_data (built into Terraform),
time_offset of hashicorp/terraform-provider-time (a plugin provider on the
same framework whose Read does nothing: the fair peer) and
labelstudio_local_import_storage against the stand-in. Every repetition runs
the configurations in turn (rotating which goes first), so machine load
affects all alike. Every provider process runs under GNU time, which records
its CPU time (user + system) and peak RSS: the provider's own cost, which a
busy machine changes far less than the wall time. The stand-in's CPU time
per command is read from /proc. Then the remote-server mode: the stand-in
over TLS with a fixed delay per response.

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


def wrapper_dir(work, name, real, usage_log):
    """A dev_overrides directory whose provider runs under GNU time, so the
    provider process's own CPU time and peak RSS are recorded (not
    Terraform's), one line per process."""
    d = os.path.join(work, "measured-" + name)
    os.makedirs(d, exist_ok=True)
    exe = os.path.join(d, "terraform-provider-" + name)
    with open(exe, "w") as f:
        f.write('#!/bin/sh\nexec /usr/bin/time -a -o "%s" -f "%%U %%S %%M" "%s" "$@"\n' % (usage_log, real))
    os.chmod(exe, 0o755)
    return d


def read_usage(usage_log):
    """CPU seconds summed over the processes a command started, and the
    largest peak RSS (KiB) among them; the log is emptied."""
    cpu, peak = 0.0, 0
    if os.path.exists(usage_log):
        with open(usage_log) as f:
            for line in f:
                fields = line.split()
                if len(fields) == 3:
                    cpu += float(fields[0]) + float(fields[1])
                    peak = max(peak, int(fields[2]))
        os.remove(usage_log)
    return cpu, peak


def process_cpu(pid):
    """CPU seconds (user + system) a running process has used, or None."""
    if not pid:
        return None
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    p.add_argument("--rss-runs", type=int, default=3, help="runs of their own when --rss-size is not among --sizes")
    p.add_argument("--standin-pid", type=int, help="the plain stand-in's PID, to report its CPU time")
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
    # Each provider logs to its own file: Terraform also starts the other
    # (required) provider briefly to read its schema.
    usage_logs = {"labelstudio": os.path.join(args.work, "usage-labelstudio.log"),
                  "time_offset": os.path.join(args.work, "usage-time.log")}
    measured_cli = os.path.join(args.work, "measured.tfrc")
    write_cli_config(measured_cli,
                     wrapper_dir(args.work, "labelstudio", os.path.join(args.bin, "terraform-provider-labelstudio"), usage_logs["labelstudio"]),
                     wrapper_dir(args.work, "time", os.path.join(args.time_bin, "terraform-provider-time"), usage_logs["time_offset"]))

    def measured(peer, d, argv, cli_config):
        """Runs terraform; records wall time, the provider's CPU and peak
        RSS, and (for labelstudio) the stand-in's CPU."""
        for log_path in usage_logs.values():
            read_usage(log_path)
        standin_before = process_cpu(args.standin_pid) if peer == "labelstudio" else None
        wall = runner.terraform(d, *argv, cli_config=cli_config)
        cpu, peak = read_usage(usage_logs[peer]) if peer in usage_logs else (None, None)
        standin_after = process_cpu(args.standin_pid) if standin_before is not None else None
        standin = standin_after - standin_before if standin_after is not None else None
        return wall, cpu, peak, standin
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
    times, cpu, standin, rss = {}, {}, {}, {}
    for rep in range(args.runs):
        for n in sizes:
            order = PEERS[rep % 3:] + PEERS[:rep % 3]
            for peer in order:
                d = dirs[peer, n]
                log("run %d/%d: %d %s" % (rep + 1, args.runs, n, peer))
                for op, argv in (("apply", ("apply", "-auto-approve")), ("plan", ("plan", "-detailed-exitcode"))):
                    wall, used, peak, standin_cpu = measured(peer, d, argv + ("-parallelism=%d" % args.parallelism,), measured_cli)
                    times.setdefault((op, peer, n), []).append(wall)
                    if used is not None:
                        cpu.setdefault((op, peer, n), []).append(used)
                        if n == args.rss_size:
                            rss.setdefault((op, peer), []).append(peak)
                    if standin_cpu is not None:
                        standin.setdefault((op, n), []).append(standin_cpu)
                runner.terraform(d, "destroy", "-auto-approve", "-parallelism=%d" % args.parallelism, cli_config=cli)

    # Peak RSS at --rss-size, in runs of their own when the timed runs did
    # not include that size.
    n = args.rss_size
    rss_runs = args.runs
    if not rss:
        rss_runs = args.rss_runs
        for rep in range(args.rss_runs):
            for peer in ("time_offset", "labelstudio") if rep % 2 == 0 else ("labelstudio", "time_offset"):
                d = os.path.join(args.work, "%s-%d" % (peer, n))
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, "main.tf"), "w") as f:
                    f.write(config(peer, n, args.project, args.docroot))
                log("rss %d/%d: %d %s" % (rep + 1, args.rss_runs, n, peer))
                for op, argv in (("apply", ("apply", "-auto-approve")), ("plan", ("plan", "-detailed-exitcode"))):
                    rss.setdefault((op, peer), []).append(measured(peer, d, argv, measured_cli)[2])
                runner.terraform(d, "destroy", "-auto-approve", cli_config=cli)

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
    out.append("CPU time of the provider process (user + system, summed over the provider processes Terraform starts "
               "for the command; GNU time), median (and minimum) of the same runs. It is the provider's own cost, and "
               "moves far less than the wall time when other work shares the machine. The stand-in's CPU time for the "
               "same commands is shown beside it: it runs on the same cores, and the peer has no server.")
    out.append("")
    out.append("| operation | resources | time_offset (peer) | labelstudio | labelstudio / peer | stand-in (labelstudio runs) |")
    out.append("|---|---|---|---|---|---|")
    for op in ("plan", "apply"):
        for n_cpu in sizes:
            ls, peer = cpu[op, "labelstudio", n_cpu], cpu[op, "time_offset", n_cpu]
            server = standin.get((op, n_cpu))
            out.append("| `terraform %s` | %d | %s | %s | %s | %s |" % (
                op, n_cpu, fmt_s(peer), fmt_s(ls),
                "%.2f" % (statistics.median(ls) / statistics.median(peer)) if statistics.median(peer) > 0 else "-",
                fmt_s(server) if server else "-"))
    out.append("")
    out.append("Peak RSS of the provider process (GNU time's maximum resident set size), median of %d runs with %d resources:" % (rss_runs, args.rss_size))
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
