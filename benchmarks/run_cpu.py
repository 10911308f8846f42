"""The complete CPU benchmark: writes ``benchmarks/results/bench-cpu.{json,md,png}``.

    python benchmarks/run_cpu.py            # several minutes; run on a quiet machine
    python benchmarks/run_cpu.py --smoke --out /tmp/smoke   # tiny models, seconds

Any ``python -m benchmarks.suite`` option may follow (``--threads 2``, ``--no-stream``,
``--models marian``, ``--data-dir DIR``).
See benchmarks/README.md for how to read the results.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.suite import main as bench_main

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    smoke = "--smoke" in args
    if smoke:
        args.remove("--smoke")
        if "--out" not in args:
            print("run_cpu.py: error: --smoke needs --out (it must not overwrite results/)",
                  file=sys.stderr)  # fmt: skip
            return 2
    elif "--out" not in args:
        args += ["--out", str(RESULTS)]
    return bench_main(["--tiny" if smoke else "--full", "--stem", "bench-cpu", *args])


if __name__ == "__main__":
    sys.exit(main())
