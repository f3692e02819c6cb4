"""Throughput and memory of `medaudit privacy` scan and deid on this machine.

Usage: python benchmarks/privacy_perf.py [--corpus data/privacy/dev.jsonl] [--sizes-mb 5,20]
       [--reader-mb 200]

1. Throughput: scan_text and deidentify_text over every document of the corpus, after a warm-up
   (jieba's dictionary load, ~3 s, is paid once per process and reported separately).
2. Memory while streaming: builds JSONL files of the given sizes from the corpus and runs
   `medaudit privacy scan --json` on each in a child process, reporting its peak RSS; then streams
   a `--reader-mb` file through the reader alone (JSON decoding, field extraction) the same way.
   Equal peaks for different sizes show that memory is bounded, not proportional to the file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def throughput(corpus: Path) -> list[str]:
    from medaudit.privacy import deidentify_text, scan_text
    from medaudit.privacy.evaluate import load_corpus

    docs = load_corpus(corpus)
    t0 = time.perf_counter()
    scan_text("患者张三于2023年3月5日入院。")
    warm = time.perf_counter() - t0
    nbytes = sum(len(d.text.encode("utf-8")) for d in docs)
    rows = [f"warm-up (imports, jieba dictionary): {warm:.1f} s", "",
            "| operation | documents | MB | seconds | documents/s | MB/s |",
            "|---|---|---|---|---|---|"]
    for name, fn in (("scan", lambda t: scan_text(t)),
                     ("deid tag", lambda t: deidentify_text(t, "tag")),
                     ("deid surrogate", lambda t: deidentify_text(t, "surrogate", seed=1))):
        t0 = time.perf_counter()
        for d in docs:
            fn(d.text)
        dt = time.perf_counter() - t0
        rows.append(f"| {name} | {len(docs)} | {nbytes / 1e6:.2f} | {dt:.2f} | "
                    f"{len(docs) / dt:.0f} | {nbytes / 1e6 / dt:.3f} |")
    return rows


def build_file(corpus: Path, size_mb: float, dest: Path) -> int:
    lines = [json.dumps({"id": json.loads(x)["id"], "text": json.loads(x)["text"]},
                        ensure_ascii=False) + "\n"
             for x in corpus.read_text(encoding="utf-8").splitlines() if x.strip()]
    target, written, n = int(size_mb * 1e6), 0, 0
    with dest.open("w", encoding="utf-8") as fh:
        while written < target:
            line = lines[n % len(lines)]
            fh.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    return n


# The child reports its own high-water mark: ru_maxrss from wait4 would include the parent's
# memory copied at fork (Linux keeps it across exec), VmHWM of the new image does not.
HWM = ("import atexit, sys\n"
       "def _hwm():\n"
       "    line = [x for x in open('/proc/self/status') if x.startswith('VmHWM')][0]\n"
       "    sys.stderr.write('HWM ' + line.split()[1] + '\\n')\n"
       "atexit.register(_hwm)\n")
CLI = HWM + "from medaudit.cli.app import main\nsys.argv = ['medaudit', *sys.argv[1:]]\nmain()\n"
READER = HWM + ("from medaudit.privacy.readers import iter_records\n"
                "n = sum(len(r.fields.get('text', '')) for r in iter_records(sys.argv[1]))\n")


def child_peak(code: str, args: list[str]) -> tuple[float, float]:
    """Run `python -c code args`, discard stdout; return (seconds, peak RSS MiB of the child)."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=False)
    if res.returncode not in (0, 1):
        raise SystemExit(f"{args} failed: {res.stderr[-500:]}")
    kib = [int(x.split()[1]) for x in res.stderr.splitlines() if x.startswith("HWM ")]
    return time.perf_counter() - t0, kib[-1] / 1024


def memory(corpus: Path, sizes: list[float], reader_mb: float) -> list[str]:
    rows = ["| run | file MB | records | seconds | peak RSS MiB |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            path = Path(tmp) / f"in_{mb}.jsonl"
            n = build_file(corpus, mb, path)
            secs, peak = child_peak(CLI, ["privacy", "scan", str(path), "--json"])
            rows.append(f"| medaudit privacy scan --json | {mb:g} | {n} | {secs:.0f} | "
                        f"{peak:.0f} |")
            path.unlink()
        if reader_mb:
            path = Path(tmp) / "big.jsonl"
            n = build_file(corpus, reader_mb, path)
            secs, peak = child_peak(READER, [str(path)])
            rows.append(f"| reader only (stream, decode, extract) | {reader_mb:g} | {n} | "
                        f"{secs:.0f} | {peak:.0f} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("data/privacy/dev.jsonl"))
    ap.add_argument("--sizes-mb", default="5,20")
    ap.add_argument("--reader-mb", type=float, default=200)
    args = ap.parse_args()
    out = [f"cpu cores: {os.cpu_count()}; python {sys.version.split()[0]}", ""]
    out += [*throughput(args.corpus), ""]
    sizes = [float(x) for x in args.sizes_mb.split(",") if x.strip()]
    out += memory(args.corpus, sizes, args.reader_mb)
    print("\n".join(out))


if __name__ == "__main__":
    main()
