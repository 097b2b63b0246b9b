"""Time whole casescore processes against the tools a data-minded analyst would use instead, in one run.

    python benchmarks/run.py [--sizes 33,10000,100000] [--csv-sizes 300000] [--export-sizes 1000000]
                             [--repeat 3] [--out benchmarks/results.md]

Generates synthetic markings (benchmarks/generate.py: every key question and prompt of the
probation framework, three attribute columns) once into benchmarks/data/ (git-ignored), then runs
each group of commands `--repeat` times, interleaved (a, b, c, a, b, c, ...) so that a busy moment
of the machine falls on all of them alike, and prints the median wall time and the peak memory
(max RSS) of each process. Every baseline prints its Yes/No/N/A totals, and casescore's JSON
totals are checked against them, so the tools are known to have done the same work.

Baselines (the benchmark's own optional dependencies: pip install -e '.[bench]'):
  polars       polars.read_excel / read_csv, then count Yes, No, N/A per question column
  fastexcel    fastexcel's sheet as Arrow, then the same counts with pyarrow.compute
  duckdb       read_csv, then the same counts in SQL (CSV and the long form)
  pandas       pandas.read_excel(engine="calamine") / read_csv(dtype=str), then the counts
"""

from __future__ import annotations

import argparse
import json
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
ATTRIBUTES = 4  # Case ID and three attributes come before the question columns

# Each baseline prints {"yes": N, "no": N, "na": N} over all question cells.
POLARS = """
import sys, json, polars as pl
path, kind = sys.argv[1], sys.argv[2]
if kind == "long":
    df = pl.read_csv(path, infer_schema=False)
    a = df["answer"]
else:
    df = pl.read_excel(path, infer_schema_length=0) if kind == "xlsx" else pl.read_csv(path, infer_schema=False)
    a = pl.concat([df[c] for c in df.columns[%d:]])
print(json.dumps({k: int((a == v).sum()) for k, v in (("yes", "Yes"), ("no", "No"), ("na", "N/A"))}))
""" % ATTRIBUTES
FASTEXCEL = """
import sys, json, fastexcel, pyarrow.compute as pc
sheet = fastexcel.read_excel(sys.argv[1]).load_sheet(0, dtypes="string").to_arrow()
cols = sheet.columns[%d:]
print(json.dumps({k: sum(pc.sum(pc.equal(c, v)).as_py() or 0 for c in cols)
                  for k, v in (("yes", "Yes"), ("no", "No"), ("na", "N/A"))}))
""" % ATTRIBUTES
DUCKDB = """
import sys, json, duckdb
path, kind = sys.argv[1], sys.argv[2]
con = duckdb.connect()
if kind == "long":
    rows = con.execute(f"select answer, count(*) from read_csv('{path}', all_varchar=true) group by answer").fetchall()
else:
    cols = [r[0] for r in con.execute(f"describe select * from read_csv('{path}', all_varchar=true)").fetchall()][%d:]
    unpivot = " union all ".join(f'select "{c}" as a from t' for c in cols)
    con.execute(f"create temp table t as select * from read_csv('{path}', all_varchar=true)")
    rows = con.execute(f"select a, count(*) from ({unpivot}) group by a").fetchall()
got = dict(rows)
print(json.dumps({k: got.get(v, 0) for k, v in (("yes", "Yes"), ("no", "No"), ("na", "N/A"))}))
""" % ATTRIBUTES
PANDAS = """
import sys, json, pandas as pd
path, kind = sys.argv[1], sys.argv[2]
df = pd.read_csv(path, dtype=str, keep_default_na=False) if kind == "csv" else \\
    pd.read_excel(path, engine="calamine", dtype=str, keep_default_na=False)
q = df.iloc[:, %d:]
print(json.dumps({k: int((q == v).sum().sum()) for k, v in (("yes", "Yes"), ("no", "No"), ("na", "N/A"))}))
""" % ATTRIBUTES


def _compile_casescore() -> None:
    """Byte-compile casescore first, as pip does when it installs a package: an editable install run
    with PYTHONDONTWRITEBYTECODE set (as some shells and CI images set it) would otherwise compile
    every changed module again in every timed process, and start-up would be timed wrong."""
    import casescore

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(casescore.__file__).parent)], check=True)


def run_once(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err.decode()[-2000:]}")
    return seconds, out.decode()


def measure_group(cmds: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float, str]]:
    """Each command `repeat` times, interleaved; median seconds, peak MB, and the last output."""
    times: dict[str, list[float]] = {k: [] for k in cmds}
    peaks: dict[str, float] = dict.fromkeys(cmds, 0.0)
    outputs: dict[str, str] = {}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            seconds, out = run_once(cmd)
            times[name].append(seconds)
            outputs[name] = out
    for name, cmd in cmds.items():  # peak memory: one more run each, measured alone with wait4
        peaks[name] = _alone_peak(cmd)
    return {k: (statistics.median(times[k]), peaks[k], outputs[k]) for k in cmds}


def _alone_peak(cmd: list[str]) -> float:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024


def totals_from_json(text: str) -> dict[str, int]:
    doc = json.loads(text)
    qs = [q for s in doc["standards"] for kq in s["key_questions"] for q in [kq, *kq["prompts"]]]
    return {"yes": sum(q["yes"] for q in qs), "no": sum(q["no"] for q in qs), "na": sum(q["na"] for q in qs)}


def ensure(path: Path, n: int) -> Path:
    DATA.mkdir(exist_ok=True)
    if not path.exists():
        print(f"generating {path.name} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(path), str(n)], check=True)
    return path


def have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, str]] = []

    def add(self, what: str, seconds: float, peak: float, note: str = "") -> None:
        self.rows.append((what, seconds, peak, note))
        print(f"{what:<58} {seconds:8.2f} s {peak:8.0f} MB  {note}", file=sys.stderr)

    def render(self, repeat: int) -> str:
        machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"{platform.system()}")
        lines = [f"Machine: {machine}. Median of {repeat} interleaved runs; peak = max RSS of the process.", "",
                 "| what | seconds | peak MB | note |", "|---|---:|---:|---|"]
        lines += [f"| {w} | {s:.2f} | {p:.0f} | {n} |" for w, s, p, n in self.rows]
        return "\n".join(lines) + "\n"


def compare(table: Table, title: str, ours: list[str], baselines: dict[str, list[str]], repeat: int,
            target: float | None = None, memory: float | None = None) -> None:
    """casescore against each baseline in one interleaved group; totals must agree."""
    results = measure_group({"casescore": ours, **baselines}, repeat)
    seconds, peak, out = results.pop("casescore")
    mine = totals_from_json(out)
    fastest = min(results.items(), key=lambda kv: kv[1][0]) if results else None
    note = ""
    if fastest:
        ratio = seconds / fastest[1][0]
        goal = f"; target within {target}x" + (f", < {memory:.0f} MB" if memory else "") if target else ""
        met = "" if not target else (" (met)" if ratio <= target and (not memory or peak < memory) else " (NOT met)")
        note = f"{ratio:.2f}x the fastest ({fastest[0]}){goal}{met}"
    table.add(title, seconds, peak, note)
    for name, (s, p, text) in results.items():
        if not text.strip():
            table.add(f"  {name}", s, p, "FAILED: printed no totals (is it installed? pip install -e '.[bench]')")
            continue
        agrees = json.loads(text.strip().splitlines()[-1]) == mine
        table.add(f"  {name}", s, p, "same totals" if agrees else f"TOTALS DIFFER: {text.strip()} vs {mine}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="33,10000,100000")
    parser.add_argument("--csv-sizes", default="300000", help="extra sizes run for CSV only")
    parser.add_argument("--export-sizes", default="", help="export sizes to time and read back, e.g. 1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    _compile_casescore()
    table = Table()

    small = measure_group({"help": [*CASESCORE, "--help"], "pandas": [sys.executable, "-c", "import pandas"],
                           "newham": [*CASESCORE, "rate", str(SAMPLE), "--format", "json"]}, args.repeat)
    table.add("casescore --help", *small["help"][:2], "target < 0.1 s")
    table.add("python -c 'import pandas'", *small["pandas"][:2])
    table.add("rate Newham sample (33 cases, xlsx)", *small["newham"][:2],
              f"{small['newham'][0] / small['pandas'][0]:.2f}x import pandas; target at most 0.75x")

    sample_caseload(table, args.repeat)
    for n in [int(s) for s in args.sizes.split(",") if s]:
        inline = ensure(DATA / f"marking-{n}.xlsx", n)
        shared = ensure(DATA / f"shared-{n}.xlsx", n)
        csv = ensure(DATA / f"marking-{n}.csv", n)
        long = ensure(DATA / f"long-{n}.csv", n)
        rate = [*CASESCORE, "rate", "--format", "json", "--prompts"]
        big = n >= 100_000
        compare(table, f"rate {n:,} cases, xlsx as Excel saves it (shared strings)", [*rate, str(shared)],
                _baselines(shared, "xlsx"), args.repeat, 1.2 if big else None, 1024 if big else None)
        compare(table, f"rate {n:,} cases, xlsx as openpyxl writes it (inline strings)", [*rate, str(inline)],
                _baselines(inline, "xlsx"), args.repeat, 1.2 if big else None, 1024 if big else None)
        compare(table, f"rate {n:,} cases, csv", [*rate, str(csv)], _baselines(csv, "csv"), args.repeat,
                1.3 if big else None, 600 if big else None)
        compare(table, f"rate {n:,} cases, long form ({n * 78:,} answer rows)", [*rate, str(long)],
                _baselines(long, "long"), args.repeat, 1.5 if big else None, 1024 if big else None)
        by = measure_group({"plain": [*rate, str(csv)],
                            "by": [*rate, str(csv), "--by", "Sentence type", "--by", "Gender"]}, args.repeat)
        table.add(f"rate {n:,} cases, csv, --by two attributes", *by["by"][:2],
                  f"{by['by'][0] / by['plain'][0]:.2f}x plain rate")
        out = DATA / "export.xlsx"
        exp = measure_group({"export": [*CASESCORE, "export", str(csv), "-o", str(out), "--force"]}, args.repeat)
        table.add(f"export {n:,} cases (csv in, xlsx out)", *exp["export"][:2])
        page = [*CASESCORE, "report", str(shared), "--by", "Sentence type", "-o", str(DATA / "report.html"), "--force"]
        rep = measure_group({"report": page}, args.repeat)
        table.add(f"report {n:,} cases (xlsx in, html out, --by one attribute)", *rep["report"][:2],
                  "target < 10 s" if big else "")
    for n in [int(s) for s in args.csv_sizes.split(",") if s]:
        csv = ensure(DATA / f"marking-{n}.csv", n)
        compare(table, f"rate {n:,} cases, csv", [*CASESCORE, "rate", "--format", "json", "--prompts", str(csv)],
                _baselines(csv, "csv"), args.repeat, 1.3, None)
    for n in [int(s) for s in args.export_sizes.split(",") if s]:
        csv = ensure(DATA / f"marking-{n}.csv", n)
        out = DATA / f"export-{n}.xlsx"
        exp = measure_group({"export": [*CASESCORE, "export", str(csv), "-o", str(out), "--force"]}, 1)
        table.add(f"export {n:,} cases (csv in, xlsx out)", *exp["export"][:2])
        back = measure_group({"read": [*CASESCORE, "rate", "--format", "json", "--prompts", str(out)],
                              "csv": [*CASESCORE, "rate", "--format", "json", "--prompts", str(csv)]}, 1)
        same = totals_from_json(back["read"][2]) == totals_from_json(back["csv"][2])
        table.add(f"  rate that export ({n:,} cases, xlsx)", *back["read"][:2],
                  "same totals as the CSV" if same else "TOTALS DIFFER from the CSV")
    text = table.render(args.repeat)
    print(text)
    if args.out:
        args.out.write_text(text)


def sample_caseload(table: Table, repeat: int, n: int = 250_000) -> None:
    """casescore sample on an invented national caseload, with every option the inspectorate's draw uses."""
    path = DATA / f"caseload-{n}.csv"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(HERE.parent / "scripts" / "make_caseload_sample.py"), str(path), str(n)],
                       check=True)
    cmd = [*CASESCORE, "sample", str(path), "--size", "1000", "--stratify", "Sentence type", "--stratify", "Gender",
           "--stratify", "Risk of serious harm", "--within", "Team", "--within", "Officer", "--max-per", "Officer=6",
           "--reserve", "20%", "--started", "2021-09-01..2022-02-28", "--exclude", "Sensitive=Yes",
           "--person-key", "PNC", "--person-key", "First name+Surname+Date of birth", "--seed", "1",
           "--format", "json", "-o", str(DATA / "sample.xlsx"), "--force"]
    got = measure_group({"sample": cmd}, repeat)["sample"]
    table.add(f"sample {n:,} cases (csv; window, duplicates, 24 strata, 8,000 officers, limit 6, reserves, "
              "workbook)", got[0], got[1], "target < 5 s, < 1 GB")


def _baselines(path: Path, kind: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if have("polars"):
        out["polars"] = [sys.executable, "-c", POLARS, str(path), kind]
    if kind == "xlsx" and have("fastexcel"):
        out["fastexcel"] = [sys.executable, "-c", FASTEXCEL, str(path)]
    if kind in ("csv", "long") and have("duckdb"):
        out["duckdb"] = [sys.executable, "-c", DUCKDB, str(path), kind]
    if kind in ("csv", "xlsx"):
        out["pandas"] = [sys.executable, "-c", PANDAS, str(path), kind]
    return out


if __name__ == "__main__":
    main()
