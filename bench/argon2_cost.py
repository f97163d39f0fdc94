"""Prints the time of one password check with the configured Argon2 parameters on this machine.

Run: .venv/bin/python bench/argon2_cost.py
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import check_password, get_hasher, make_password  # noqa: E402

ROUNDS = 20


def main() -> None:
    hasher = get_hasher()
    encoded = make_password("kinerja-demo-benchmark")
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        assert check_password("kinerja-demo-benchmark", encoded)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"hasher: {hasher.algorithm} time_cost={hasher.time_cost} memory_cost={hasher.memory_cost} KiB "
        f"parallelism={hasher.parallelism}"
    )
    print(
        f"check_password over {ROUNDS} rounds: median {statistics.median(times):.0f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.0f} ms, max {times[-1]:.0f} ms (budget 250 ms)"
    )
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
