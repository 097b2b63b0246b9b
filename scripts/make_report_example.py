"""Build the report example, sample_data/newham-2022.html, and its screenshot for the README,
docs/report-newham.png (when Chromium is installed).

The example is `casescore report sample_data/newham-2022.xlsx --by "Sentence type"`, made at the
time of the sample's last commit (SOURCE_DATE_EPOCH, as reproducible builds do), so running the
script again changes the file only when the report itself changes.

Run from anywhere:  python scripts/make_report_example.py [--no-screenshot]

The Chromium helpers below are also what tests/test_report_browser.py drives: headless, no sandbox
(containers), no network services, a fresh profile each run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path("sample_data") / "newham-2022.xlsx"
EXAMPLE = Path("sample_data") / "newham-2022.html"
SCREENSHOT = Path("docs") / "report-newham.png"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
         "--force-device-scale-factor=1", "--enable-logging=stderr", "--v=0"]


def chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH, or None."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def run_chromium(page: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Chromium on a local file with a fresh profile; stdout and stderr come back as text."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("Chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="casescore-chromium-") as profile:
        cmd = [exe, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def screenshot(page: Path, png: Path, width: int = 1100, height: int = 1900) -> subprocess.CompletedProcess:
    return run_chromium(page, f"--window-size={width},{height}", f"--screenshot={png.resolve()}")


def print_pdf(page: Path, pdf: Path) -> subprocess.CompletedProcess:
    return run_chromium(page, "--no-pdf-header-footer", f"--print-to-pdf={pdf.resolve()}")


def dump_dom(page: Path) -> subprocess.CompletedProcess:
    """The DOM as the browser built it (stdout)."""
    return run_chromium(page, "--dump-dom")


def console_messages(stderr: str) -> list[str]:
    """What the page wrote to the browser console, or that the browser reported about it (a refused
    load, a policy violation), from Chromium's log; the browser's own start-up noise is left out."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Content Security Policy" in line
            or "Refused to" in line]


def source_date(path: Path) -> str | None:
    """The time of the last commit that touched path, as a Unix time, or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct", "--", str(path)],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return out or None


def build_example() -> None:
    env = dict(os.environ)
    if "SOURCE_DATE_EPOCH" not in env and (when := source_date(SAMPLE)):
        env["SOURCE_DATE_EPOCH"] = when
    cmd = [sys.executable, "-m", "casescore", "report", str(SAMPLE), "--by", "Sentence type", "-o", str(EXAMPLE),
           "--force"]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)
    print(f"wrote {EXAMPLE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-screenshot", action="store_true", help="only build the HTML example")
    args = parser.parse_args()
    build_example()
    if args.no_screenshot:
        return
    if chromium() is None:
        print("Chromium not found: screenshot not made (Debian: apt-get install chromium)", file=sys.stderr)
        return
    (ROOT / SCREENSHOT).parent.mkdir(exist_ok=True)
    done = screenshot(ROOT / EXAMPLE, ROOT / SCREENSHOT)
    if done.returncode != 0 or not (ROOT / SCREENSHOT).exists():
        raise SystemExit(f"screenshot failed:\n{done.stderr[-2000:]}")
    print(f"wrote {SCREENSHOT}")


if __name__ == "__main__":
    main()
