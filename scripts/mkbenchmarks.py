#!/usr/bin/env python3
"""Builds BENCHMARKS.md from the summary below and bench/*.md (each
benchmark's own write-up, kept beside its script)."""
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
summary = (root / "bench" / "SUMMARY.md").read_text()
parts = [summary.rstrip() + "\n"]
for name in ["jobs", "logs", "db", "overview", "ssh", "svc", "history", "brake", "forecast"]:
    text = (root / "bench" / f"{name}.md").read_text()
    # Demote headings one level so each write-up is a section here.
    lines, fenced = [], False
    for l in text.splitlines():
        if l.startswith("```"):
            fenced = not fenced
        lines.append("#" + l if l.startswith("#") and not fenced else l)
    parts.append("\n".join(lines).rstrip() + "\n")
(root / "BENCHMARKS.md").write_text("\n---\n\n".join(parts))
