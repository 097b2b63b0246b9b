"""Time whole casescore processes against naive pandas baselines, in the same run.

    python benchmarks/run.py [--sizes 33,10000,100000] [--repeat 3] [--out benchmarks/results.md]

Generates synthetic markings (benchmarks/generate.py: every key question and prompt of the
probation framework, three attribute columns) once into benchmarks/data/ (git-ignored), then
runs each command `--repeat` times and prints the median wall time and the peak memory (max RSS)
of each process. Baselines:
  naive-openpyxl   pandas.read_excel(engine="openpyxl"), then (df == "Yes").sum() / df.isin(["Yes","No"]).sum()
  pandas-calamine  the same with engine="calamine"
  naive-csv        pandas.read_csv, then the same
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SAMPLE = HERE.parent / "sample_data" / "newham-2022.xlsx"
CASESCORE = [sys.executable, "-m", "casescore"]
BASELINE = """
import sys, pandas as pd
path, kind = sys.argv[1], sys.argv[2]
if kind == "csv":
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
else:
    df = pd.read_excel(path, engine=kind, dtype=str, keep_default_na=False)
result = (df == "Yes").sum() / df.isin(["Yes", "No"]).sum()
print(len(df), len(result))
"""


def measure(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median seconds and peak MB of a command, each run its own process."""
    times, peaks = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: a rating warning-free validation result
            raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return statistics.median(times), max(peaks)


def ensure_data(n: int) -> dict[str, Path]:
    DATA.mkdir(exist_ok=True)
    files = {"csv": DATA / f"marking-{n}.csv", "xlsx": DATA / f"marking-{n}.xlsx", "long": DATA / f"long-{n}.csv"}
    for kind, path in files.items():
        if not path.exists():
            print(f"generating {path.name} ...", file=sys.stderr)
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(path), str(n)], check=True)
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="33,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow-repeat", type=int, default=1, help="repeats of the naive openpyxl baseline on big files")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows: list[tuple[str, str, float, float, str]] = []

    def row(what: str, cmd: list[str], note: str = "", repeat: int | None = None) -> float:
        seconds, peak = measure(cmd, repeat or args.repeat)
        rows.append((what, " ".join(c if " " not in c else f'"{c}"' for c in cmd[2:]) if cmd[:2] == CASESCORE[:2] else "baseline",
                     seconds, peak, note))
        print(f"{what:<48} {seconds:8.2f} s {peak:8.0f} MB  {note}", file=sys.stderr)
        return seconds

    row("casescore --help", [*CASESCORE, "--help"])
    row("casescore frameworks", [*CASESCORE, "frameworks"])
    ours = row("rate Newham sample (33 cases, xlsx)", [*CASESCORE, "rate", str(SAMPLE), "--format", "json"])
    base = row("  baseline naive-openpyxl, same file", [sys.executable, "-c", BASELINE, str(SAMPLE), "openpyxl"])
    rows[-1] = (*rows[-1][:4], f"casescore is {base / ours:.2f}x the baseline's speed")
    for n in [int(s) for s in args.sizes.split(",")]:
        files = ensure_data(n)
        xlsx = row(f"rate {n:,} cases, xlsx", [*CASESCORE, "rate", str(files["xlsx"]), "--format", "json"])
        slow = args.slow_repeat if n >= 10000 else args.repeat
        naive = row(f"  baseline naive-openpyxl", [sys.executable, "-c", BASELINE, str(files["xlsx"]), "openpyxl"],
                    repeat=slow)
        rows[-1] = (*rows[-1][:4], f"casescore {naive / xlsx:.1f}x faster")
        calamine = row(f"  baseline pandas-calamine", [sys.executable, "-c", BASELINE, str(files["xlsx"]), "calamine"])
        rows[-1] = (*rows[-1][:4], f"casescore {calamine / xlsx:.2f}x faster")
        csv = row(f"rate {n:,} cases, csv", [*CASESCORE, "rate", str(files["csv"]), "--format", "json"])
        read_csv = row(f"  baseline naive-csv", [sys.executable, "-c", BASELINE, str(files["csv"]), "csv"])
        rows[-1] = (*rows[-1][:4], f"casescore takes {csv / read_csv:.2f}x the baseline's time")
        row(f"rate {n:,} cases, long-form csv ({n * 82:,} answer rows)",
            [*CASESCORE, "rate", str(files["long"]), "--format", "json"])
        out = DATA / "export.xlsx"
        row(f"export {n:,} cases (csv in, xlsx out)",
            [*CASESCORE, "export", str(files["csv"]), "--workbook", str(out), "--force"])
        by = row(f"rate {n:,} cases, csv, --by two attributes",
                 [*CASESCORE, "rate", str(files["csv"]), "--format", "json", "--by", "Sentence type", "--by", "Gender"])
        rows[-1] = (*rows[-1][:4], f"{by / csv:.2f}x plain rate")
    table = render(rows, args.repeat)
    print(table)
    if args.out:
        args.out.write_text(table)


def render(rows, repeat: int) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    lines = [f"Machine: {machine}. Median of {repeat} runs (naive openpyxl on 10,000+ cases: fewer, see --slow-repeat); "
             "peak = max RSS of the process.", "",
             "| what | seconds | peak MB | note |", "|---|---:|---:|---|"]
    lines += [f"| {what} | {seconds:.2f} | {peak:.0f} | {note} |" for what, _, seconds, peak, note in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
