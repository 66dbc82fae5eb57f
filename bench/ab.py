#!/usr/bin/env python3
"""Interleaved start-up timing: runs each command once per round, round
after round, and prints each one's median wall time and its ratio to the
first command's. Interleaving spreads the shared machine's noise evenly
over the commands, which back-to-back hyperfine runs do not.

Usage: bench/ab.py ROUNDS 'CMD A' ';;' 'CMD B' ...   (output to /dev/null)

Compare binaries whose files entered the page cache the same way (all `cp`,
or all built by `go build`): on this VM that alone moves a Go binary's start
by up to 1 ms (see bench/logs.md, 4a)."""
import os
import shlex
import statistics
import sys
import time

rounds = int(sys.argv[1])
cmds = [shlex.split(c) for c in " ".join(sys.argv[2:]).split(";;")]
null = os.open(os.devnull, os.O_WRONLY)
redirect = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
times = [[] for _ in cmds]
for r in range(rounds + 5):  # the first 5 rounds warm up
    for i, c in enumerate(cmds):
        t = time.perf_counter_ns()
        pid = os.posix_spawnp(c[0], c, os.environ, file_actions=redirect)
        os.waitpid(pid, 0)
        if r >= 5:
            times[i].append((time.perf_counter_ns() - t) / 1e6)
base = statistics.median(times[0])
for i, c in enumerate(cmds):
    m = statistics.median(times[i])
    print("%8.3f ms  x%.2f  %s" % (m, m / base, " ".join(c)))
