"""`BENCH my_path_queries_growth` and `BENCH my_path_p95_ms` for "My path"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run() -> list[tuple[str, float]]:
    result = subprocess.run(
        [sys.executable, str(HERE / "_my_path.py")],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"# my_path: {data['queries_5']} queries at 5 modules, "
        f"{data['queries_50']} at 50; median {data['median_ms']:.1f} ms",
        file=sys.stderr,
    )
    return [
        ("my_path_queries_growth", data["queries_50"] - data["queries_5"]),
        ("my_path_p95_ms", data["p95_ms"]),
    ]
