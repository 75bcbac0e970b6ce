"""`BENCH feed_queries_growth`: queries of the hub's feed at 50 live posts minus at 5.

0 is right: the feed's cards must not cost a query each. When it is not 0, the
queries of the larger page that repeat are printed, to say which one grows.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LITERALS = re.compile(r"'[^']*'|\b\d+\b")


def run() -> list[tuple[str, float]]:
    result = subprocess.run(
        [sys.executable, str(HERE / "_hub_feed.py")],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    growth = data["queries_50"] - data["queries_5"]
    print(
        f"# hub feed: {data['queries_5']} queries at 5 posts, "
        f"{data['queries_50']} at 50",
        file=sys.stderr,
    )
    if growth:
        shapes = Counter(LITERALS.sub("?", sql) for sql in data["sql_50"])
        for sql, count in shapes.most_common():
            if count > 1:
                print(f"#   {count}x {sql[:400]}", file=sys.stderr)
    return [("feed_queries_growth", growth)]


if __name__ == "__main__":
    from bench.__main__ import run_alone

    sys.exit(run_alone(run))
