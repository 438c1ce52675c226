"""Checks for benchmarks: each budget, ratio and result is checked, and a miss
makes the benchmark exit 1 after everything is printed::

    budgets = Budgets()
    budgets.check(elapsed < 6, f"100,000 codes in {elapsed:.2f} s (budget 6 s)")
    budgets.finish()
"""

from __future__ import annotations

import sys


class Budgets:
    """Collects checks; ``finish()`` exits 1 if any failed."""

    def __init__(self) -> None:
        self.missed: list[str] = []

    def check(self, ok: bool, what: str) -> None:
        print(f"  [{'ok' if ok else 'MISSED'}] {what}", flush=True)
        if not ok:
            self.missed.append(what)

    def finish(self) -> None:
        if self.missed:
            print(f"{len(self.missed)} check(s) missed:", *self.missed, sep="\n  ")
            sys.exit(1)
        print("all checks met")
