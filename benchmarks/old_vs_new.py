"""Time an older casescore against this one on the same files, interleaved, in one run.

    git worktree add /tmp/old 1e908c7          # the commit to compare with
    python benchmarks/old_vs_new.py /tmp/old/src sample_data/newham-2022.xlsx benchmarks/data/marking-100000.xlsx

The older code runs through PYTHONPATH with this project's interpreter, so only the code differs.
Prints the median seconds of three runs each and the peak memory (max RSS) of each side.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    old_src, files = sys.argv[1], sys.argv[2:]
    sides = {"old": dict(os.environ, PYTHONPATH=old_src), "new": dict(os.environ)}
    for path in files:
        times: dict[str, list[float]] = {k: [] for k in sides}
        peaks = dict.fromkeys(sides, 0.0)
        for _ in range(3):
            for name, env in sides.items():
                seconds, peak = run([sys.executable, "-m", "casescore", "rate", path, "--format", "json"], env)
                times[name].append(seconds)
                peaks[name] = max(peaks[name], peak)
        print(path, {k: f"{statistics.median(v):.2f} s, {peaks[k]:.0f} MB" for k, v in times.items()})


if __name__ == "__main__":
    main()
