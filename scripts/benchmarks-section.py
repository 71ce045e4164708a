#!/usr/bin/env python3
"""Replaces one generated section of BENCHMARKS.md, between its markers.

Usage: benchmarks-section.py NAME HEADING REPORT
Text outside the markers (the analysis) is left as it is; a missing section
is appended under HEADING.
"""
import pathlib
import re
import sys

name, heading, report = sys.argv[1:4]
path = pathlib.Path("BENCHMARKS.md")
text = path.read_text() if path.exists() else (
    "# Benchmarks\n\nProduced by `make bench` (scripts/bench.sh); rerun it to refresh the figures.\n")
start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
block = f"{start}\n{report}\n{end}"
if start in text:
    text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
else:
    text = text.rstrip("\n") + f"\n\n## {heading}\n\n" + block + "\n"
path.write_text(text)
