#!/usr/bin/env python3
"""Ratio of two programs' wall times on a noisy machine, taken per pair of adjacent runs.

    Benchmarks/pairs.py N "COMMAND A" "COMMAND B"

Runs A and B back to back N times (the order alternating, after one warm-up each), so that
both runs of a pair see the same host, and prints the median and quartiles of A/B over the
pairs, how many pairs are at or under 1.5, and each program's median and best time.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def run(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main():
    n, a, b = int(sys.argv[1]), shlex.split(sys.argv[2]), shlex.split(sys.argv[3])
    run(a)
    run(b)
    times_a, times_b, ratios = [], [], []
    for i in range(n):
        if i % 2:
            x, y = run(a), run(b)
        else:
            y, x = run(b), run(a)
        times_a.append(x)
        times_b.append(y)
        ratios.append(x / y)
    ratios.sort()
    quartile = lambda p: ratios[int(p * (n - 1))]
    print(
        f"load {os.getloadavg()[0]:.2f}; {n} pairs; A/B median {statistics.median(ratios):.3f}, "
        f"quartiles {quartile(0.25):.3f}-{quartile(0.75):.3f}, pairs at <= 1.5: {sum(r <= 1.5 for r in ratios)}/{n}; "
        f"A median {statistics.median(times_a):.4f} s, best {min(times_a):.4f} s; "
        f"B median {statistics.median(times_b):.4f} s, best {min(times_b):.4f} s"
    )


if __name__ == "__main__":
    main()
