#!/usr/bin/env bash
# Side by side: safeguard-audit (Rust) vs the same audit in pandas (tools/compare/pandas_audit.py),
# on one synthetic 100,000-case log, each doing the full job: read the CSV, write
# findings-<as-of>.csv and an xlsx workbook.  Prints wall time, peak RSS, the ratio, and how many
# findings rows agree.  See tools/compare/README.md.
#
#   bash tools/compare/run.sh
#
# Settings (environment): CASES=100000 SEED=7 AS_OF=2026-11-23 RUNS=3 (hyperfine runs each)
#   WORK=/tmp/safeguard-compare (everything written goes here; nothing in the repository
#   except cargo's target/)   PYTHON=... (an interpreter that already has the requirements;
#   default: a venv in $WORK made from requirements.txt)   SKIP_REFERENCE=1 (skip the check
#   against tools/reference_audit.py, ~50 s)   SKIP_BUILD=1 (use the binary as built)
#   NO_HYPERFINE=1 (time one run of each with /usr/bin/time -v instead)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CASES="${CASES:-100000}"
SEED="${SEED:-7}"
AS_OF="${AS_OF:-2026-11-23}"
RUNS="${RUNS:-3}"
WORK="${WORK:-${TMPDIR:-/tmp}/safeguard-compare}"
BIN="$ROOT/target/release/safeguard-audit"
LOGDIR="$WORK/log"
LOG="$LOGDIR/synthetic-$CASES.csv"
OUT1="$WORK/out-rust"
OUT2="$WORK/out-pandas"
OUT3="$WORK/out-pandas-council"
mkdir -p "$WORK"

say() { printf '\n== %s\n' "$*"; }

# --- Python with pandas, numpy, XlsxWriter --------------------------------------------------
if [ -z "${PYTHON:-}" ]; then
    if [ ! -x "$WORK/venv/bin/python3" ]; then
        say "python venv ($WORK/venv) from tools/compare/requirements.txt"
        python3 -m venv "$WORK/venv"
    fi
    "$WORK/venv/bin/python3" -m pip install -q --disable-pip-version-check -r "$HERE/requirements.txt"
    PYTHON="$WORK/venv/bin/python3"
fi
"$PYTHON" -c 'import sys, pandas, numpy, xlsxwriter; print("python", sys.version.split()[0], "pandas", pandas.__version__, "numpy", numpy.__version__, "XlsxWriter", xlsxwriter.__version__)'

# --- (1) the release binary -------------------------------------------------------------------
if [ -z "${SKIP_BUILD:-}" ]; then
    say "(1) cargo build --release"
    cargo build --release
fi
"$BIN" --version || true

# --- (2) the same log for both -------------------------------------------------------------------
say "(2) synthetic log: $CASES cases, seed $SEED"
rm -rf "$LOGDIR"
if "$BIN" generate --help >/dev/null 2>&1; then
    "$BIN" generate --cases "$CASES" --seed "$SEED" --out "$LOGDIR" --format csv
    GENERATOR="safeguard-audit generate"
else
    echo "warning: this safeguard-audit has no 'generate' command; using tools/compare/gen_log.py" >&2
    "$PYTHON" "$HERE/gen_log.py" --cases "$CASES" --seed "$SEED" --out "$LOGDIR"
    GENERATOR="tools/compare/gen_log.py (interim)"
fi
ls -l "$LOG"

# --- (3) time both, each doing the full job ------------------------------------------------------
RUST_CMD="$BIN audit --log $LOG --as-of $AS_OF --out $OUT1"
PANDAS_CMD="$PYTHON tools/compare/pandas_audit.py $LOG --as-of $AS_OF --out $OUT2"
# For information, not the comparison: pandas without the workbook (safeguard-audit has no
# such switch: it always writes its workbook).
CSVONLY_CMD="$PYTHON tools/compare/pandas_audit.py $LOG --as-of $AS_OF --out $WORK/out-pandas-csv-only --no-xlsx"
rm -rf "$OUT1" "$OUT2" "$WORK/out-pandas-csv-only" "$WORK"/rss-*.txt "$WORK"/time-*.txt \
    "$WORK/pandas-stages.log" "$WORK/hyperfine.json"

HAVE_HYPERFINE=""
if [ -z "${NO_HYPERFINE:-}" ] && ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing hyperfine (Debian package)"
    apt-get install -y -qq hyperfine >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq hyperfine >/dev/null 2>&1; } \
        || echo "warning: could not install hyperfine; falling back to /usr/bin/time -v" >&2
fi

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then HAVE_HYPERFINE=1; fi
if [ -n "$HAVE_HYPERFINE" ] && [ -x /usr/bin/time ]; then
    say "(3) hyperfine, $RUNS runs each (peak RSS from /usr/bin/time around each run)"
    TIMER="hyperfine $(hyperfine --version | awk '{print $2}'), $RUNS runs each"
    hyperfine --runs "$RUNS" --export-json "$WORK/hyperfine.json" \
        -n safeguard-audit "/usr/bin/time -f %M -a -o $WORK/rss-rust.txt $RUST_CMD >/dev/null" \
        -n pandas "/usr/bin/time -f %M -a -o $WORK/rss-pandas.txt $PANDAS_CMD >/dev/null 2>>$WORK/pandas-stages.log" \
        -n pandas-csv-only "/usr/bin/time -f %M -a -o $WORK/rss-csvonly.txt $CSVONLY_CMD >/dev/null 2>&1"
    read -r RUST_WALL RUST_SD RUST_CPU PANDAS_WALL PANDAS_SD PANDAS_CPU CSVONLY_WALL CSVONLY_SD CSVONLY_CPU \
        < <(python3 - "$WORK/hyperfine.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
out = []
for name in ("safeguard-audit", "pandas", "pandas-csv-only"):
    x = r[name]
    out += [f'{x["mean"]:.2f}', f'{(x["stddev"] or 0):.2f}', f'{x["user"] + x["system"]:.2f}']
print(*out)
EOF
)
    RUST_RSS_KB=$(sort -n "$WORK/rss-rust.txt" | tail -1)
    PANDAS_RSS_KB=$(sort -n "$WORK/rss-pandas.txt" | tail -1)
    CSVONLY_RSS_KB=$(sort -n "$WORK/rss-csvonly.txt" | tail -1)
elif [ -x /usr/bin/time ]; then
    say "(3) /usr/bin/time -v, one run each (no hyperfine)"
    TIMER="/usr/bin/time -v, 1 run each"
    RUNS=1
    /usr/bin/time -v -o "$WORK/time-rust.txt" $RUST_CMD >/dev/null
    /usr/bin/time -v -o "$WORK/time-pandas.txt" $PANDAS_CMD >/dev/null 2>>"$WORK/pandas-stages.log"
    /usr/bin/time -v -o "$WORK/time-csvonly.txt" $CSVONLY_CMD >/dev/null 2>&1
    secs() {  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:08.31" -> seconds
        awk -F': ' '/Elapsed/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s}' "$1"
    }
    cpu() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$1"; }
    RUST_WALL=$(secs "$WORK/time-rust.txt"); RUST_SD=0; RUST_CPU=$(cpu "$WORK/time-rust.txt")
    PANDAS_WALL=$(secs "$WORK/time-pandas.txt"); PANDAS_SD=0; PANDAS_CPU=$(cpu "$WORK/time-pandas.txt")
    RUST_RSS_KB=$(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time-rust.txt")
    PANDAS_RSS_KB=$(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time-pandas.txt")
    CSVONLY_WALL=$(secs "$WORK/time-csvonly.txt"); CSVONLY_SD=0; CSVONLY_CPU=$(cpu "$WORK/time-csvonly.txt")
    CSVONLY_RSS_KB=$(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time-csvonly.txt")
else
    echo "error: neither hyperfine nor /usr/bin/time (Debian package 'time') is installed" >&2
    exit 1
fi

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

# --- (4) figures ------------------------------------------------------------------------------------
say "(4) results: $CASES cases, as of $AS_OF, $(nproc) cores, $TIMER"
python3 - "$RUST_WALL" "$RUST_SD" "$RUST_CPU" "$RUST_RSS_KB" "$PANDAS_WALL" "$PANDAS_SD" "$PANDAS_CPU" \
    "$PANDAS_RSS_KB" "$CSVONLY_WALL" "$CSVONLY_SD" "$CSVONLY_CPU" "$CSVONLY_RSS_KB" <<'EOF'
import sys
rw, rsd, rc, rr, pw, psd, pc, pr, cw, csd, cc, cr = map(float, sys.argv[1:])
print(f"{'':36s}{'wall (mean ± sd)':>20s}{'CPU user+sys':>15s}{'peak RSS':>12s}")
for name, w, sd, c, r in (("safeguard-audit audit (csv + xlsx)", rw, rsd, rc, rr),
                          ("pandas_audit.py (csv + xlsx)", pw, psd, pc, pr),
                          ("pandas_audit.py --no-xlsx (info)", cw, csd, cc, cr)):
    print(f"{name:36s}{f'{w:.2f} s ± {sd:.2f}':>20s}{f'{c:.2f} s':>15s}{f'{r / 1024:.0f} MiB':>12s}")
print(f"ratio pandas / safeguard-audit (full job): wall {pw / rw:.1f}x, peak RSS {pr / rr:.1f}x")
EOF
echo "pandas stages (last run): $(tail -1 "$WORK/pandas-stages.log")"
echo "load average before / after timing: $LOAD_BEFORE / $LOAD_AFTER (other work on the machine skews the figures)"
ls -l "$OUT1" "$OUT2"

# --- (5) do they agree? ---------------------------------------------------------------------------
F="findings-$AS_OF.csv"
agree() {  # sorted rows (header dropped) of two findings files: common / only in 1 / only in 2
    LC_ALL=C sort <(tail -n +2 "$1") > "$WORK/a.sorted"
    LC_ALL=C sort <(tail -n +2 "$2") > "$WORK/b.sorted"
    echo "rows: $3 $(wc -l < "$WORK/a.sorted"), $4 $(wc -l < "$WORK/b.sorted");" \
         "agree $(LC_ALL=C comm -12 "$WORK/a.sorted" "$WORK/b.sorted" | wc -l);" \
         "only in $3 $(LC_ALL=C comm -23 "$WORK/a.sorted" "$WORK/b.sorted" | wc -l);" \
         "only in $4 $(LC_ALL=C comm -13 "$WORK/a.sorted" "$WORK/b.sorted" | wc -l)"
}
# safeguard-audit words its notes from rules/baseline.toml, pandas (like the reference) in the
# reference's words: the Rust comparisons take the note by kind (diff_findings.py --note-kind).
say "(5) findings, safeguard-audit vs pandas (reference interpretations), notes by kind"
python3 "$HERE/diff_findings.py" "$OUT1/$F" "$OUT2/$F" --names safeguard-audit pandas --note-kind > "$WORK/diff-pandas.txt"
head -3 "$WORK/diff-pandas.txt"
echo "-- where they differ:"
tail -n +4 "$WORK/diff-pandas.txt" | head -25 || true
echo "(all of it: $WORK/diff-pandas.txt)"

say "(5b) the same with pandas_audit.py --council-words (reads the log as safeguard-audit does)"
rm -rf "$OUT3"
"$PYTHON" tools/compare/pandas_audit.py "$LOG" --as-of "$AS_OF" --out "$OUT3" --council-words --no-xlsx 2>/dev/null >/dev/null
python3 "$HERE/diff_findings.py" "$OUT1/$F" "$OUT3/$F" --names safeguard-audit pandas-council --note-kind > "$WORK/diff-pandas-council.txt"
cat "$WORK/diff-pandas-council.txt"

if [ -z "${SKIP_REFERENCE:-}" ]; then
    say "(5c) pandas vs tools/reference_audit.py (plain Python, the fixtures' author) on the same log"
    python3 tools/reference_audit.py "$LOG" --as-of "$AS_OF" > "$WORK/reference-$F"
    if cmp -s "$WORK/reference-$F" "$OUT2/$F"; then
        echo "identical, byte for byte ($(($(wc -l < "$OUT2/$F") - 1)) rows)"
    else
        agree "$WORK/reference-$F" "$OUT2/$F" reference pandas
    fi
fi

say "fixture: fixtures/example/incident-log.csv as of 2026-11-23"
"$PYTHON" tools/compare/pandas_audit.py fixtures/example/incident-log.csv --as-of 2026-11-23 \
    --out "$WORK/out-example" --no-xlsx 2>/dev/null >/dev/null
if cmp -s "$WORK/out-example/findings-2026-11-23.csv" fixtures/example/expected-findings-2026-11-23.csv; then
    echo "pandas == expected-findings-2026-11-23.csv, byte for byte"
else
    agree fixtures/example/expected-findings-2026-11-23.csv "$WORK/out-example/findings-2026-11-23.csv" expected pandas
fi
echo
echo "log from $GENERATOR; outputs in $WORK"
