"""Run every benchmark module in ``bench/`` and print its ``BENCH`` lines."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback

import bench


def format_line(name: str, value: float) -> str:
    return f"BENCH {name} {value:.3f}"


def run_alone(run) -> int:
    """``python -m bench.<module>``: one module's lines, as ``make bench`` prints."""
    try:
        for name, value in run():
            print(format_line(name, value), flush=True)
    except KeyboardInterrupt:
        print("# interrupted", file=sys.stderr)
        return 130
    return 0


def main() -> int:
    failed = []
    modules = sorted(
        info.name
        for info in pkgutil.iter_modules(bench.__path__)
        if not info.name.startswith("_")
    )
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if run is None:
            continue
        print(f"# bench.{name}", file=sys.stderr, flush=True)
        try:
            results = run()
        except KeyboardInterrupt:
            print("# interrupted", file=sys.stderr)
            return 130
        except Exception:  # noqa: BLE001 - report and go on with the other modules
            traceback.print_exc()
            failed.append(name)
            continue
        for metric, value in results:
            print(format_line(metric, value), flush=True)
    if failed:
        print(f"# failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
