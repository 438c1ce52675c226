#!/usr/bin/env bash
# Mutation testing (make mutate): each domain module is mutated with mutmut 3 and
# tested against its own test file only, so a module's tests must pin its behaviour.
# Kill the survivors that change behaviour; compare scores before and after a change.
#
#   usage: tests/mutation/run.sh CHECKOUT [MODULE ...]
#     CHECKOUT  a checkout of the project with its .venv already made
#               (python3 -m venv .venv && .venv/bin/pip install -e '.[test]')
#     MODULE    any of: codes gs1 keys verification (default: all four)
#
# Nothing in CHECKOUT is edited: the working tree (tracked + untracked, not ignored files)
# is copied to a scratch directory per module, a [mutmut] section is written into the
# scratch copy's setup.cfg, and mutmut runs there.  The only change to CHECKOUT is that
# mutmut is pip-installed into CHECKOUT/.venv if it is not there yet.
#
# Environment (all optional):
#   MUTATION_JOBS=2          parallel mutmut workers (--max-children)
#   MUTATION_TIME_LIMIT=1500 seconds per module before the run is interrupted (partial
#                            results are still reported, marked INTERRUPTED)
#   MUTATION_REPORT_DIR      where reports go (default: CHECKOUT/build/mutation)
#   MUTATION_WORK_DIR        scratch dir (default: a temporary folder)
#   MUTMUT_VERSION=3.8.1     version installed if mutmut is missing from the venv
#
# Output: a table on stdout, and in MUTATION_REPORT_DIR:
#   mutation-report-<checkout name>-<module>.txt   counts + every non-killed mutant
#                                                  (survived/timeout/suspicious with diffs)
#   mutation-summary-<checkout name>.tsv           one row per module
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
CHECKOUT=$(cd "$1" && pwd -P); shift
MODULES=("$@")
[ ${#MODULES[@]} -gt 0 ] || MODULES=(codes gs1 keys verification)

NAME=$(basename "$CHECKOUT")
JOBS=${MUTATION_JOBS:-2}
TIME_LIMIT=${MUTATION_TIME_LIMIT:-1500}
REPORT_DIR=${MUTATION_REPORT_DIR:-$CHECKOUT/build/mutation}
WORK_DIR=${MUTATION_WORK_DIR:-$(mktemp -d -t trace-mutation.XXXXXX)}
MUTMUT_VERSION=${MUTMUT_VERSION:-3.8.1}
VENV=$CHECKOUT/.venv
PY=$VENV/bin/python
MUTMUT=$VENV/bin/mutmut

[ -x "$PY" ] || { echo "no venv at $VENV (make it first)" >&2; exit 2; }
if [ ! -x "$MUTMUT" ]; then
    echo "installing mutmut==$MUTMUT_VERSION into $VENV" >&2
    "$VENV/bin/pip" install -q "mutmut==$MUTMUT_VERSION" >&2
fi
MUTMUT_VER=$("$PY" -c 'import importlib.metadata as m; print(m.version("mutmut"))')
COMMIT=$(git -C "$CHECKOUT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$CHECKOUT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (working tree has uncommitted changes)" || true)
mkdir -p "$REPORT_DIR" "$WORK_DIR"
SUMMARY=$REPORT_DIR/mutation-summary-$NAME.tsv
printf 'module\tkilled\tsurvived\ttimeout\tno_tests\tsuspicious\tother\ttotal\tscore\tscore_excl_no_tests\tstatus\n' > "$SUMMARY"

echo "checkout $CHECKOUT @ $COMMIT$DIRTY, mutmut $MUTMUT_VER, $JOBS workers"

for MOD in "${MODULES[@]}"; do
    SRC=trace/$MOD.py
    TESTS=tests/test_$MOD.py
    [ -f "$CHECKOUT/$SRC" ] && [ -f "$CHECKOUT/$TESTS" ] || { echo "missing $SRC or $TESTS" >&2; exit 2; }
    W=$WORK_DIR/$MOD
    rm -rf "$W"; mkdir -p "$W"
    # Copy the working tree (tracked + untracked, not ignored), without .git/.venv.
    (cd "$CHECKOUT" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) \
        | tar -xf - -C "$W"

    # Write the [mutmut] config into the scratch copy only.  source_paths is the whole
    # package (so every trace.* module is importable from mutants/), only_mutate picks
    # the one file.  addopts is emptied: no --doctest-modules, no -ra.
    # Every other top-level entry is copied into mutants/ too (templates/, static/, ...).
    "$PY" - "$W" "$SRC" "$TESTS" <<'PY'
import configparser, os, re, sys
w, src, tests = sys.argv[1:]
also = sorted(e for e in os.listdir(w)
              if os.path.isdir(os.path.join(w, e)) and e not in ("trace", "tests", "mutants"))
cfg = configparser.ConfigParser(interpolation=None)
cfg.optionxform = str
path = os.path.join(w, "setup.cfg")
cfg.read(path, encoding="utf-8")
if cfg.has_section("mutmut"):
    cfg.remove_section("mutmut")
cfg.add_section("mutmut")
m = cfg["mutmut"]
m["source_paths"] = "trace"
m["only_mutate"] = src
m["pytest_add_cli_args_test_selection"] = tests
m["pytest_add_cli_args"] = "\n-o\naddopts=-p no:cacheprovider"
if also:
    m["also_copy"] = "".join("\n" + e + "/" for e in also)
m["use_git_change_detection"] = "false"
with open(path, "w", encoding="utf-8") as f:
    cfg.write(f)
# A [tool.mutmut] table in pyproject.toml would take precedence over setup.cfg: drop it.
pp = os.path.join(w, "pyproject.toml")
if os.path.exists(pp):
    text = open(pp, encoding="utf-8").read()
    new = re.sub(r"(?ms)^\[tool\.mutmut[^\]]*\]\n.*?(?=^\[|\Z)", "", text)
    if new != text:
        open(pp, "w", encoding="utf-8").write(new)
PY

    echo "== $MOD: mutating $SRC against $TESTS (log: $W/mutmut-run.log)"
    START=$(date +%s)
    set +e
    (cd "$W" && timeout -s INT -k 120 "$TIME_LIMIT" "$MUTMUT" run --max-children "$JOBS" \
        > "$W/mutmut-run.log" 2>&1)
    RC=$?
    set -e
    ELAPSED=$(( $(date +%s) - START ))
    STATUS=ok
    if [ $RC -eq 124 ] || [ $RC -eq 137 ]; then STATUS=INTERRUPTED-after-${TIME_LIMIT}s
    elif [ $RC -ne 0 ]; then STATUS=mutmut-exit-$RC; fi
    if [ ! -f "$W/mutants/$SRC.meta" ]; then
        echo "   mutmut produced no results (exit $RC); tail of log:" >&2
        tail -c 3000 "$W/mutmut-run.log" | tr '\r' '\n' | tail -30 >&2
        printf '%s\t\t\t\t\t\t\t\t\t\t%s\n' "$MOD" "$STATUS" >> "$SUMMARY"
        continue
    fi

    REPORT=$REPORT_DIR/mutation-report-$NAME-$MOD.txt
    (cd "$W" && "$PY" - "$MOD" "$SRC" "$TESTS" "$REPORT" "$SUMMARY" "$STATUS" "$ELAPSED" \
        "$CHECKOUT" "$COMMIT$DIRTY" "$MUTMUT_VER" "$MUTMUT" <<'PY'
import json, subprocess, sys
from collections import Counter
(mod, src, tests, report, summary, status, elapsed, checkout, commit, ver, mutmut) = sys.argv[1:]

# mutmut's own results file: {"exit_code_by_key": {mutant: exit code}, ...}
meta = json.load(open(f"mutants/{src}.meta"))
codes = meta["exit_code_by_key"]
# Same mapping as mutmut.stats.status_by_exit_code (3.8.x).
from mutmut.stats import status_by_exit_code
st = {k: status_by_exit_code[v] for k, v in codes.items()}
c = Counter(st.values())
total = len(st)
killed, survived, timeout = c["killed"], c["survived"], c["timeout"]
no_tests, suspicious = c["no tests"], c["suspicious"]
other = total - killed - survived - timeout - no_tests - suspicious
score = killed / total if total else 0.0
covered = total - no_tests
score_cov = killed / covered if covered else 0.0

def diff(name):
    out = subprocess.run([mutmut, "show", name], capture_output=True, text=True).stdout
    return out.split("\n", 1)[1] if out.startswith("#") else out

def one_line(d):
    minus = [l[1:].strip() for l in d.splitlines() if l.startswith("-") and not l.startswith("---")]
    plus = [l[1:].strip() for l in d.splitlines() if l.startswith("+") and not l.startswith("+++")]
    return f"{' / '.join(minus)}  ->  {' / '.join(plus)}"

def func(name):  # trace.codes.x_decode_signature__mutmut_3 -> decode_signature; xǁCǁm -> C.m
    base = name.rsplit("__mutmut_", 1)[0].split(".")[-1]
    base = base[2:] if base.startswith("x_") else base
    return base.replace("xǁ", "").replace("ǁ", ".")

def order(name):
    base, n = name.rsplit("__mutmut_", 1)
    return base, int(n)

order_status = ["survived", "timeout", "suspicious", "segfault", "no tests", "not checked",
                "skipped", "check was interrupted by user", "caught by type check"]
with open(report, "w", encoding="utf-8") as f:
    f.write(f"Mutation report: {src} against {tests} only\n")
    f.write(f"checkout {checkout} @ {commit}; mutmut {ver}; run {status}, {elapsed}s\n")
    f.write(f"killed {killed}  survived {survived}  timeout {timeout}  no_tests {no_tests}  "
            f"suspicious {suspicious}  other {other}  total {total}\n")
    f.write(f"score killed/total = {score:.1%}; killed/(total - no_tests) = {score_cov:.1%}\n")
    f.write("('no tests' = mutant in a function the selected test file never calls)\n\n")
    f.write("== One line per non-killed mutant ==\n")
    names = sorted((n for n, s in st.items() if s != "killed"),
                   key=lambda n: (order_status.index(st[n]) if st[n] in order_status else 99, order(n)))
    diffs = {n: diff(n) for n in names}
    for n in names:
        f.write(f"{st[n]:9} {func(n)} [{n.rsplit('_', 1)[1]}]: {one_line(diffs[n])}\n")
    f.write("\n== Diffs ==\n")
    for n in names:
        if st[n] == "no tests":
            continue
        f.write(f"\n# {n}: {st[n]}\n{diffs[n]}")

with open(summary, "a") as f:
    f.write(f"{mod}\t{killed}\t{survived}\t{timeout}\t{no_tests}\t{suspicious}\t{other}\t{total}"
            f"\t{score:.3f}\t{score_cov:.3f}\t{status}\n")
print(f"   {mod:13} killed {killed}/{total}  survived {survived}  timeout {timeout}  "
      f"no_tests {no_tests}  suspicious {suspicious}  other {other}  "
      f"score {score:.1%} (killed/(total-no_tests) {score_cov:.1%})  [{status}, {elapsed}s]")
print(f"   report: {report}")
PY
    )
done

echo
echo "summary: $SUMMARY"
column -t -s $'\t' "$SUMMARY"
