#!/usr/bin/env python3
"""Fails when a documented test command would run no test.

A command that selects nothing passes silently, so a renamed test or a typo in
README.md or CONTRIBUTING.md goes unnoticed. This script finds every test
command in the documentation (fenced shell blocks and inline code: `go test`,
`scripts/test.sh`, `make <target>` of a test target) and every test target of
the GNUmakefile, resolves each to the `go test -run` pattern and packages it
ends up running (through `make -n` and scripts/test.sh's TESTS_RUN), and asks
`go test -list` (which builds the tests but runs none) whether it selects a
test. It also checks that every test named in the documentation exists, and
that `make testacc` runs every test of every package with acceptance tests
(tests that read TF_ACC or call resource.Test).

    scripts/check-test-commands.py [FILE...]   (default README.md CONTRIBUTING.md)
"""

import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKEFILE = "GNUmakefile"
ACC_TARGET = "testacc"

# go test flags that take a value as the next argument.
VALUE_FLAGS = {
    "run", "skip", "count", "timeout", "tags", "p", "parallel", "bench", "benchtime",
    "cpu", "shuffle", "coverprofile", "coverpkg", "covermode", "o", "exec", "list",
    "fuzz", "fuzztime", "ldflags", "gcflags", "mod", "outputdir",
}
TEST_NAME = re.compile(r"^(Test|Example|Fuzz)\w*$")
DOC_TEST_NAME = re.compile(r"\b(Test[A-Z]\w*)((?:/[\w.-]+)*)")
OPERATORS = {";", "&&", "||", "|", "&"}

failures = []


def fail(where, command, why):
    failures.append(f"{where}: `{command}`: {why}")


def run(args, env=None):
    merged = dict(os.environ)
    merged.update(env or {})
    return subprocess.run(args, cwd=ROOT, env=merged, capture_output=True, text=True)


def test_targets():
    """Targets of the GNUmakefile whose recipe runs go test or scripts/test.sh."""
    targets, current = [], None
    with open(os.path.join(ROOT, MAKEFILE)) as f:
        for line in f:
            m = re.match(r"^([A-Za-z][\w-]*)\s*:(?!=)", line)
            if m:
                current = m.group(1)
            elif line.startswith("\t") and current and is_test_command(line.strip()):
                if current not in targets:
                    targets.append(current)
            elif not line.startswith("\t"):
                current = None
    return targets


def is_test_command(text):
    return bool(re.search(r"\bgo test\b|scripts/test\.sh", text))


def split_simple_commands(text):
    """Simple commands (lists of words) of a shell line, split at ; && || | &."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands, words = [], []
    try:
        for token in lexer:
            if token in OPERATORS:
                commands.append(words)
                words = []
            else:
                words.append(token)
    except ValueError:
        return []
    commands.append(words)
    return [c for c in commands if c]


def resolve(words, env, where, command, depth=0):
    """(run pattern, packages) pairs that the simple command runs go test with."""
    env = dict(env)
    while words and re.match(r"^[A-Za-z_]\w*=", words[0]):
        name, value = words[0].split("=", 1)
        env[name] = value
        words = words[1:]
    if not words or depth > 5:
        return []
    if words[0] == "go" and words[1:2] == ["test"]:
        pattern, packages, args = "", [], words[2:]
        i = 0
        while i < len(args):
            arg = args[i]
            if arg.startswith("-"):
                name, has_value, value = arg.lstrip("-").partition("=")
                if not has_value and name in VALUE_FLAGS:
                    i += 1
                    value = args[i] if i < len(args) else ""
                if name == "run":
                    pattern = value
            else:
                packages.append(arg)
            i += 1
        return [(pattern, packages or ["."])]
    if words[0] in ("bash", "sh") and len(words) > 1:
        words = words[1:]
    if words[0] in ("scripts/test.sh", "./scripts/test.sh"):
        return [(env.get("TESTS_RUN", ""), words[1:] or ["./..."])]
    if words[0] == "make":
        targets = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        make_vars = dict(w.split("=", 1) for w in words[1:] if "=" in w and not w.startswith("-"))
        if not any(t in TEST_TARGETS for t in targets):
            return []
        out = run(["make", "-n", "--no-print-directory", *words[1:]], env)
        if out.returncode != 0:
            fail(where, command, f"make -n failed: {out.stderr.strip()}")
            return []
        env.update(make_vars)  # command-line variables reach the recipes' environment
        resolved = []
        for line in out.stdout.splitlines():
            for simple in split_simple_commands(line):
                resolved += resolve(simple, env, where, command, depth + 1)
        if not resolved:
            fail(where, command, "runs no go test")
        return resolved
    return []


def split_unbracketed(pattern, sep):
    """Splits pattern at sep outside brackets and parentheses, as go test splits -run at '/'."""
    parts, depth, current, i = [], 0, "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            current += pattern[i:i + 2]
            i += 2
            continue
        if c in "[(":
            depth += 1
        elif c in "])" and depth > 0:
            depth -= 1
        if c == sep and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += c
        i += 1
    parts.append(current)
    return parts


LIST_CACHE = {}


def listed(pattern, packages, where, command):
    """Top-level tests `go test -list pattern packages` names, or None when it fails."""
    key = (pattern, tuple(packages))
    if key not in LIST_CACHE:
        out = run(["go", "test", "-list", pattern or ".", *packages])
        if out.returncode != 0:
            fail(where, command, f"go test -list failed:\n{out.stdout}{out.stderr}")
            LIST_CACHE[key] = None
        else:
            LIST_CACHE[key] = [l for l in out.stdout.splitlines() if TEST_NAME.match(l)]
    return LIST_CACHE[key]


def check_selects(pattern, packages, where, command):
    # go test -list sees top-level tests only: subtests exist only while their
    # test runs, so the part of -run after the first '/' is not checked.
    top = split_unbracketed(pattern, "/")[0]
    for alternative in split_unbracketed(top, "|"):
        names = listed(alternative, packages, where, command)
        if names is not None and not names:
            fail(where, command, f"selects no test: no test in {' '.join(packages)} matches '{alternative}'")


def doc_commands(path):
    """(line number, command text, env from export lines) of the test commands in a Markdown file."""
    found, fenced, env = [], False, {}
    with open(os.path.join(ROOT, path)) as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if stripped.startswith("```"):
                fenced, env = not fenced, {}
                continue
            if fenced:
                if stripped.startswith("export "):
                    for name, value in re.findall(r"(\w+)=('[^']*'|\"[^\"]*\"|\S*)", stripped):
                        env[name] = value.strip("'\"")
                texts = [stripped]
            else:
                texts = re.findall(r"`([^`]+)`", line)
            for text in texts:
                if is_test_command(text) or re.search(r"\bmake\s", text):
                    found.append((number, text, dict(env)))
    return found


def documented_test_names(path):
    names = []
    with open(os.path.join(ROOT, path)) as f:
        for number, line in enumerate(f, 1):
            for span in re.findall(r"`([^`]+)`", line):
                for name, sub in DOC_TEST_NAME.findall(span):
                    names.append((number, name, sub))
    return names


def check_acceptance_coverage():
    """make testacc must run every test of each package that has acceptance tests."""
    where = f"{MAKEFILE} ({ACC_TARGET})"
    command = f"make {ACC_TARGET}"
    resolved = resolve(["make", ACC_TARGET], {}, where, command)
    out = run(["go", "list", "-f", "{{.ImportPath}} {{.Dir}} {{join .TestGoFiles \" \"}} {{join .XTestGoFiles \" \"}}", "./..."])
    acc_packages = []
    for line in out.stdout.splitlines():
        path, directory, *files = line.split()
        for name in files:
            with open(os.path.join(directory, name)) as f:
                if re.search(r'"TF_ACC"|resource\.(Parallel)?Test\(', f.read()):
                    acc_packages.append(path)
                    break
    for package in acc_packages:
        every = listed("", [package], where, command) or []
        covered = set()
        for pattern, packages in resolved:
            listed_packages = run(["go", "list", *packages]).stdout.split()
            if package in listed_packages:
                top = split_unbracketed(pattern, "/")[0]
                covered |= set(listed(top, [package], where, command) or [])
                if len(split_unbracketed(pattern, "/")) > 1:
                    covered -= set(every)  # a subtest filter runs only part of each test
        missed = sorted(set(every) - covered)
        if missed:
            shown = ", ".join(missed[:8]) + (f" and {len(missed) - 8} more" if len(missed) > 8 else "")
            fail(where, command, f"skips {len(missed)} tests of {package}, which has acceptance tests: {shown}")


def main():
    global TEST_TARGETS
    TEST_TARGETS = test_targets()
    docs = sys.argv[1:] or ["README.md", "CONTRIBUTING.md"]
    commands = [(MAKEFILE, 0, f"make {t}", {}) for t in TEST_TARGETS]
    for doc in docs:
        commands += [(doc, n, text, env) for n, text, env in doc_commands(doc)]
    checked = 0
    for source, number, text, env in commands:
        where = f"{source}:{number}" if number else f"{source} (target {text.split()[1]})"
        for simple in split_simple_commands(text):
            for pattern, packages in resolve(simple, env, where, text):
                print(f"{where}: `{text}` -> go test -list '{pattern or '.'}' {' '.join(packages)}")
                check_selects(pattern, packages, where, text)
                checked += 1
    every = set(listed("", ["./..."], "go test -list . ./...", "") or [])
    for doc in docs:
        for number, name, sub in documented_test_names(doc):
            if name not in every:
                fail(f"{doc}:{number}", name + sub, "no such test in ./...")
    check_acceptance_coverage()
    if failures:
        print("Documented test commands that run nothing (fix the command or the test name):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        sys.exit(1)
    print(f"{checked} documented test commands each select at least one test; every named test exists; "
          f"make {ACC_TARGET} runs every test of the packages with acceptance tests.")


if __name__ == "__main__":
    main()
