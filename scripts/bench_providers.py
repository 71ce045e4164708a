#!/usr/bin/env python3
"""Plan and apply of N resources, side by side with a peer, in one run.

Local scaling: three configurations per size: terraform_data (built into
Terraform; only up to --baseline-max resources), time_offset of
hashicorp/terraform-provider-time (a plugin provider on the same framework
whose Read does nothing: the fair peer) and labelstudio_local_import_storage
against the stand-in. Every repetition runs the configurations of a size in
turn (rotating which goes first), so machine load affects all alike. Every
provider process runs under GNU time, which records its CPU time (user +
system) and peak RSS: the provider's own cost, which a busy machine changes
far less than the wall time. The stand-in's CPU time per command is read
from /proc.

Remote: in the same repetitions, 10 projects and N storages spread over
them against the stand-in over TLS with a fixed delay per response: the
apply that creates them and the plan that refreshes them, the requests each
costs counted at the stand-in, set against the peer's local figures of the
same run.

Between repetitions the state is removed and the benchmark's projects are
deleted through the API (with their storages), instead of a timed-out
`terraform destroy` whose state writes grow with the square of N.

Called by scripts/bench.sh, which builds the binaries and starts the
stand-ins; the result is Markdown on stdout.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
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
# The sizes whose local plan has the 0.85x target, in every run.
LOCAL_PLAN_TARGET_SIZES = (200, 1000)
LOCAL_PLAN_TARGET = 0.85
REMOTE_TARGET = 1.1
RSS_TARGET = 1.2
# "Per-resource cost flat": the provider's CPU per added resource at the
# largest size at most this much above that at 200.
FLAT_TARGET = 1.2


def config(peer, count, project, docroot):
    if peer == "terraform_data":
        body = 'resource "terraform_data" "r" {\n  count = %d\n  input = "storage ${count.index}"\n}\n' % count
    elif peer == "time_offset":
        body = ('resource "time_offset" "r" {\n  count       = %d\n  offset_days = 1\n'
                '  triggers    = { index = "storage ${count.index}" }\n}\n') % count
    else:
        body = ('resource "labelstudio_local_import_storage" "r" {\n  count   = %d\n  project = %d\n'
                '  title   = "storage ${count.index}"\n  path    = "%s/images"\n}\n') % (count, project, docroot)
    return REQUIRED + body


def remote_config(count, projects, url, ca, docroot):
    """N storages spread over PROJECTS projects, all in the configuration:
    PROJECTS groups of one kind and direction."""
    return REQUIRED + (
        'provider "labelstudio" {\n  url         = "%s"\n  ca_cert_pem = file("%s")\n}\n'
        'resource "labelstudio_project" "p" {\n  count = %d\n  title = "Benchmark ${count.index}"\n}\n'
        'resource "labelstudio_local_import_storage" "r" {\n  count   = %d\n'
        '  project = labelstudio_project.p[count.index %% %d].id\n'
        '  title   = "storage ${count.index}"\n  path    = "%s/images"\n}\n') % (
            url, ca, projects, count, projects, docroot)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Runner:
    def __init__(self):
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


def api(url, method, path, cafile=None, body=None):
    """One request to a stand-in (the token from LABEL_STUDIO_API_KEY; the
    /_dev/ hooks ignore it); the decoded JSON answer, or None."""
    ctx = ssl.create_default_context(cafile=cafile) if cafile else None
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Token " + os.environ["LABEL_STUDIO_API_KEY"],
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx) as res:
        data = res.read()
    return json.loads(data) if data else None


def state_ids(directory, resource_type):
    """The ids of a resource type's instances in a directory's state."""
    path = os.path.join(directory, "terraform.tfstate")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        state = json.load(f)
    return [inst["attributes"]["id"] for res in state.get("resources", []) if res["type"] == resource_type
            for inst in res["instances"]]


def remove_state(directory):
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            os.remove(path)


def med(values):
    return statistics.median(values)


def fmt_s(values):
    return "%.2f s (min %.2f)" % (med(values), min(values))


def fmt_ratio(a, b):
    return "%.2f" % (a / b) if b > 0 else "-"


def ratio_of(a, b):
    return a / b if b > 0 else float("inf")


def holds(ok):
    return "yes" if ok else "**no**"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--bin", required=True, help="directory with terraform-provider-labelstudio")
    p.add_argument("--time-bin", required=True, help="directory with terraform-provider-time")
    p.add_argument("--url", required=True)
    p.add_argument("--docroot", required=True)
    p.add_argument("--sizes", default="1,200,1000,3000")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--baseline-max", type=int, default=1000, help="largest size that runs terraform_data too")
    p.add_argument("--large-runs", type=int, help="runs of the sizes above 1000 (default: --runs); each takes minutes")
    p.add_argument("--standin-pid", type=int, help="the plain stand-in's PID, to report its CPU time")
    p.add_argument("--tls-url", help="the stand-in over TLS with a response delay")
    p.add_argument("--tls-ca", help="PEM file of the CA that signed the TLS stand-in's certificate")
    p.add_argument("--tls-delay-ms", type=float, default=50)
    p.add_argument("--remote-sizes", default="200,1000", help="storages in the remote runs; empty: none")
    p.add_argument("--remote-projects", type=int, default=10)
    p.add_argument("--parallelism", type=int, default=10)
    args = p.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    remote_sizes = [int(s) for s in args.remote_sizes.split(",") if s] if args.tls_url else []
    large_runs = args.runs if args.large_runs is None else min(args.large_runs, args.runs)
    runner = Runner()
    par = "-parallelism=%d" % args.parallelism

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

    def measured(peer, d, argv, pid=None):
        """Runs terraform; records wall time, the provider's CPU and peak
        RSS, and the CPU of the stand-in with PID."""
        for log_path in usage_logs.values():
            read_usage(log_path)
        server_before = process_cpu(pid)
        wall = runner.terraform(d, *argv, cli_config=measured_cli)
        used, peak = read_usage(usage_logs[peer]) if peer in usage_logs else (None, None)
        server_after = process_cpu(pid) if server_before is not None else None
        server = server_after - server_before if server_after is not None else None
        return wall, used, peak, server

    def peers_at(n):
        return [peer for peer in PEERS if peer != "terraform_data" or n <= args.baseline_max]

    # figures[(op, peer, n)] = {"wall": [...], "cpu": [...], "rss": [...], "server": [...]}, one entry per run.
    figures = {}

    def record(key, wall, used, peak, server):
        f = figures.setdefault(key, {"wall": [], "cpu": [], "rss": [], "server": []})
        f["wall"].append(wall)
        if used is not None:
            f["cpu"].append(used)
            f["rss"].append(peak)
        if server is not None:
            f["server"].append(server)

    remote = {}  # (op, n) -> {"wall": [], "requests": [], "routes": [], "handshakes": [], "conns": [], "cpu": []}
    tls = {"cafile": args.tls_ca}
    for rep in range(args.runs):
        for n in sizes:
            if n > 1000 and rep >= large_runs:
                continue
            order = peers_at(n)
            order = order[rep % len(order):] + order[:rep % len(order)]
            for peer in order:
                d = os.path.join(args.work, "%s-%d" % (peer, n))
                os.makedirs(d, exist_ok=True)
                project = None
                if peer == "labelstudio":
                    # A fresh project each run: its list holds this run's storages only.
                    project = api(args.url, "POST", "/api/projects/", body={"title": "Benchmark"})["id"]
                with open(os.path.join(d, "main.tf"), "w") as f:
                    f.write(config(peer, n, project, args.docroot))
                log("run %d/%d: %d %s" % (rep + 1, args.runs, n, peer))
                pid = args.standin_pid if peer == "labelstudio" else None
                record(("apply", peer, n), *measured(peer, d, ("apply", "-auto-approve", par), pid))
                record(("plan", peer, n), *measured(peer, d, ("plan", "-detailed-exitcode", par), pid))
                remove_state(d)
                if project is not None:
                    api(args.url, "DELETE", "/api/projects/%d/" % project)
        for n in remote_sizes:
            d = os.path.join(args.work, "remote-%d" % n)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "main.tf"), "w") as f:
                f.write(remote_config(n, args.remote_projects, args.tls_url, args.tls_ca, args.docroot))
            for op, argv in (("apply", ("apply", "-auto-approve", par)), ("plan", ("plan", "-detailed-exitcode", par))):
                log("run %d/%d: remote %s of %d storages in %d projects" % (rep + 1, args.runs, op, n, args.remote_projects))
                api(args.tls_url, "DELETE", "/_dev/requests", **tls)
                api(args.tls_url, "DELETE", "/_dev/connections", **tls)
                wall, used, _, _ = measured("labelstudio", d, argv)
                counts = api(args.tls_url, "GET", "/_dev/requests", **tls)["counts"]
                conns = api(args.tls_url, "GET", "/_dev/connections", **tls)
                r = remote.setdefault((op, n), {"wall": [], "cpu": [], "requests": [], "routes": None,
                                                "handshakes": [], "conns": []})
                r["wall"].append(wall)
                r["cpu"].append(used)
                r["requests"].append(sum(counts.values()))
                r["routes"] = " ".join("%s=%d" % (k.replace(" ", ":"), v) for k, v in sorted(counts.items()))
                r["handshakes"].append(conns["tls_handshakes"] - 1)  # less the counting request's own
                r["conns"].append(conns["connections"] - 1)
            for project in state_ids(d, "labelstudio_project"):
                api(args.tls_url, "DELETE", "/api/projects/%s/" % project, **tls)
            remove_state(d)

    out = []

    def fig(op, peer, n, what):
        return figures.get((op, peer, n), {}).get(what) or []

    def per_resource(op, peer, n, what):
        """Seconds per resource added above the smallest size (so the
        process's start and Terraform's fixed work are left out), or None."""
        base = sizes[0]
        if n == base:
            return None
        return (med(fig(op, peer, n, what)) - med(fig(op, peer, base, what))) / (n - base)

    def per_resource_pair(op, n, what):
        peer, ls = per_resource(op, "time_offset", n, what), per_resource(op, "labelstudio", n, what)
        return "-" if peer is None else "%.2f ms, %.2f ms" % (1000 * peer, 1000 * ls)

    out.append("### Scaling: plan and apply at %s resources" % ", ".join(str(n) for n in sizes))
    out.append("")
    out.append("Median (and minimum) of %d runs; each run takes the configurations of a size in turn, rotating which "
               "goes first. `apply` creates every resource in an empty state, `plan` refreshes them and finds no "
               "change. Terraform `-parallelism=%d`. terraform_data (no plugin at all) runs up to %d resources, "
               "for scale.%s" % (args.runs, args.parallelism, args.baseline_max,
                                 " Sizes above 1000 ran %d time%s only (minutes each)." % (large_runs, "" if large_runs == 1 else "s")
                                 if large_runs < args.runs and sizes[-1] > 1000 else ""))
    out.append("")
    out.append("Wall time:")
    out.append("")
    out.append("| operation | resources | terraform_data | time_offset (peer) | labelstudio_local_import_storage | labelstudio / peer | per added resource: peer, labelstudio |")
    out.append("|---|---|---|---|---|---|---|")
    for op in ("plan", "apply"):
        for n in sizes:
            ls, peer, base = fig(op, "labelstudio", n, "wall"), fig(op, "time_offset", n, "wall"), fig(op, "terraform_data", n, "wall")
            out.append("| `terraform %s` | %d | %s | %s | %s | %s | %s |" % (
                op, n, fmt_s(base) if base else "-", fmt_s(peer), fmt_s(ls), fmt_ratio(med(ls), med(peer)),
                per_resource_pair(op, n, "wall")))
    out.append("")
    out.append("CPU time of the provider process (user + system, summed over the provider processes Terraform starts "
               "for the command; GNU time), median (and minimum) of the same runs. It is the provider's own cost, and "
               "moves far less than the wall time when other work shares the machine. The stand-in's CPU time for the "
               "same commands is shown beside it: it runs on the same cores, and the peer has no server. The cost per "
               "added resource is the difference to the smallest size divided by the resources added (the process's "
               "start and Terraform's fixed work left out); \"per-resource cost flat\" is read as: the provider's CPU "
               "per added resource at the largest size at most %.1fx that at 200." % FLAT_TARGET)
    out.append("")
    out.append("| operation | resources | time_offset (peer) | labelstudio | labelstudio / peer | CPU per added resource: peer, labelstudio | stand-in (labelstudio runs) |")
    out.append("|---|---|---|---|---|---|---|")
    for op in ("plan", "apply"):
        for n in sizes:
            ls, peer, server = fig(op, "labelstudio", n, "cpu"), fig(op, "time_offset", n, "cpu"), fig(op, "labelstudio", n, "server")
            out.append("| `terraform %s` | %d | %s | %s | %s | %s | %s |" % (
                op, n, fmt_s(peer), fmt_s(ls), fmt_ratio(med(ls), med(peer)), per_resource_pair(op, n, "cpu"),
                fmt_s(server) if server else "-"))
    out.append("")
    out.append("Peak RSS of the provider process (GNU time's maximum resident set size; the largest of the provider "
               "processes of one command), median of the same runs:")
    out.append("")
    out.append("| operation | resources | time_offset (peer) | labelstudio | labelstudio / peer (target <= %.1f) | holds |" % RSS_TARGET)
    out.append("|---|---|---|---|---|---|")
    rss_ok = True
    for op in ("plan", "apply"):
        for n in sizes:
            peer_kib, ls_kib = med(fig(op, "time_offset", n, "rss")), med(fig(op, "labelstudio", n, "rss"))
            ok = ls_kib <= RSS_TARGET * peer_kib
            rss_ok = rss_ok and ok
            out.append("| `terraform %s` | %d | %.1f MiB | %.1f MiB | %.2f | %s |" % (
                op, n, peer_kib / 1024, ls_kib / 1024, ls_kib / peer_kib, holds(ok)))

    targets = []
    for n in LOCAL_PLAN_TARGET_SIZES:
        if n not in sizes:
            continue
        ls, peer = fig("plan", "labelstudio", n, "wall"), fig("plan", "time_offset", n, "wall")
        ratios = [a / b for a, b in zip(ls, peer)]
        targets.append("| local plan of %d storages / the peer's, in each run | %s | <= %.2f in every run | %s |" % (
            n, ", ".join("%.2f" % r for r in ratios), LOCAL_PLAN_TARGET, holds(all(r <= LOCAL_PLAN_TARGET for r in ratios))))
    targets.append("| peak RSS / the peer's, every size, plan and apply | see above | <= %.1f | %s |" % (RSS_TARGET, holds(rss_ok)))
    flat_sizes = [n for n in sizes if n >= 200 and n != sizes[0]]
    if len(flat_sizes) >= 2:
        for op in ("plan", "apply"):
            small, large = flat_sizes[0], flat_sizes[-1]
            growth = ratio_of(per_resource(op, "labelstudio", large, "cpu"), per_resource(op, "labelstudio", small, "cpu"))
            peer_growth = ratio_of(per_resource(op, "time_offset", large, "cpu"), per_resource(op, "time_offset", small, "cpu"))
            targets.append("| provider CPU per added resource, %s at %d / at %d | %.2f (the peer: %.2f) | <= %.1f | %s |" % (
                op, large, small, growth, peer_growth, FLAT_TARGET, holds(growth <= FLAT_TARGET)))

    if remote_sizes:
        out.append("")
        out.append("### Remote: %s storages in %d projects, %.0f ms away over TLS" % (
            " and ".join(str(n) for n in remote_sizes), args.remote_projects, args.tls_delay_ms))
        out.append("")
        out.append("The stand-in over TLS (a CA made by the benchmark, passed through `ca_cert_pem`) holding every "
                   "response back %.0f ms; the configuration has %d `labelstudio_project` and N storages spread over "
                   "them (%d groups of one kind and direction), parallelism %d; in the same runs as the tables above, "
                   "median (min) of %d. Requests and connections are counted at the stand-in. The apply's floor is "
                   "N x %.0f ms / %d plus the peer's local apply of N." % (
                       args.tls_delay_ms, args.remote_projects, args.remote_projects, args.parallelism, args.runs,
                       args.tls_delay_ms, args.parallelism))
        out.append("")
        out.append("| figure | storages | measured | against | ratio |")
        out.append("|---|---|---|---|---|")
        groups = args.remote_projects
        for n in remote_sizes:
            plan, apply = remote["plan", n], remote["apply", n]
            peer_plan = fig("plan", "time_offset", n, "wall")
            peer_apply = fig("apply", "time_offset", n, "wall")
            out.append("| `terraform plan` | %d | %s | the peer's local plan of %d: %s | %s |" % (
                n, fmt_s(plan["wall"]), n, "%.2f s" % med(peer_plan) if peer_plan else "not run",
                fmt_ratio(med(plan["wall"]), med(peer_plan)) if peer_plan else "-"))
            out.append("| provider CPU in that plan | %d | %s | | |" % (n, fmt_s(plan["cpu"])))
            out.append("| requests per plan | %d | %d (max %d): %s | | |" % (n, med(plan["requests"]), max(plan["requests"]), plan["routes"]))
            out.append("| TLS handshakes, TCP connections per plan | %d | %d, %d (max %d, %d) | | |" % (
                n, med(plan["handshakes"]), med(plan["conns"]), max(plan["handshakes"]), max(plan["conns"])))
            floor = n * args.tls_delay_ms / 1000 / args.parallelism + (med(peer_apply) if peer_apply else 0)
            out.append("| `terraform apply` (creates) | %d | %s | floor %s | %s |" % (
                n, fmt_s(apply["wall"]), "%.2f s" % floor if peer_apply else "not run (no peer apply of %d)" % n,
                fmt_ratio(med(apply["wall"]), floor) if peer_apply else "-"))
            out.append("| requests per apply | %d | %d: %s | | |" % (n, med(apply["requests"]), apply["routes"]))
            if n in sizes:
                if n == 1000:  # the size the target is set for
                    targets.append("| remote plan of %d / the peer's local plan of %d | %.2f | <= %.1f | %s |" % (
                        n, n, med(plan["wall"]) / med(peer_plan), REMOTE_TARGET, holds(med(plan["wall"]) <= REMOTE_TARGET * med(peer_plan))))
                targets.append("| remote apply of %d / its floor | %.2f | <= %.1f | %s |" % (
                    n, med(apply["wall"]) / floor, REMOTE_TARGET, holds(med(apply["wall"]) <= REMOTE_TARGET * floor)))
            limit = groups + args.remote_projects + 3
            targets.append("| requests per remote plan of %d | %d (max %d) | <= %d groups + %d projects + 3 = %d | %s |" % (
                n, med(plan["requests"]), max(plan["requests"]), groups, args.remote_projects, limit,
                holds(max(plan["requests"]) <= limit)))
            targets.append("| TLS handshakes per remote plan of %d | %d (max %d) | <= parallelism + 2 = %d | %s |" % (
                n, med(plan["handshakes"]), max(plan["handshakes"]), args.parallelism + 2,
                holds(max(plan["handshakes"]) <= args.parallelism + 2)))

    out.append("")
    out.append("### Targets in this run")
    out.append("")
    out.append("| target | measured | target | holds |")
    out.append("|---|---|---|---|")
    out.extend(targets)
    print("\n".join(out))


if __name__ == "__main__":
    main()
