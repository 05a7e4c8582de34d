#!/usr/bin/env bash
# cli: the command line finds its project and says clearly what is wrong.
#
#   bash tests/cli.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# Each case compares the exit status and the complete stderr:
#   - run from a sub-folder, leafpress works at the project root; with no
#     project here or above it says so
#   - -o creates missing folders; -o naming a file, -o "", --styles naming
#     no folder, --contacts naming no file are usage errors (exit 2)
#   - `leafpress help`, `leafpress build --help` (every option listed)
#   - --werror makes a warning fail the leaflet, in build and check
#   - a named pipe in sources/ is skipped with a warning, never blocks
#   - SOURCE_DATE_EPOCH that is no whole number 0..end of 9999 is a usage error
# Prints ok/FAIL per check and "N passed, M failed".
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
# outside any project: /tmp rather than the build folder inside the repository
make_scratch --outside
unset SOURCE_DATE_EPOCH CI

p=$scratch/project
make_project "$p"
mkdir -p "$p/sources/deep/er" "$p/elsewhere"
cat >"$p/sources/a.md" <<'EOF'
---
title: Een proef
lang: nl-NL
publisher: Testziekenhuis
updated: 2024-01
subject: Een korte proeffolder.
keywords: [proef]
---
# Een proef

Dit is een korte folder om de opdrachtregel te testen.
EOF

# run NAME STATUS EXPECTED-STDERR DIR COMMAND...: runs COMMAND in DIR; checks
# the exit status and that stderr is exactly EXPECTED-STDERR
run() {
    local name=$1 want=$2 expected=$3 dir=$4
    shift 4
    local status=0
    (cd "$dir" && timeout 60 "$@") >"$scratch/out" 2>"$scratch/err" || status=$?
    if [ "$status" -ne "$want" ]; then
        fail "$name: exit $want" "exit $status; stderr:
$(cat "$scratch/err")"
    elif [ "$(cat "$scratch/err")" != "$expected" ]; then
        fail "$name: stderr" "$(diff <(printf '%s\n' "$expected") "$scratch/err")"
    else
        pass "$name: exit $want${expected:+, stderr as expected}"
    fi
}

# --- the project ------------------------------------------------------------

run "build from a sub-folder" 0 "" "$p/sources/deep/er" "$leafpress" build -q --screen-only
[ -f "$p/output/a.pdf" ] && [ ! -e "$p/sources/deep/er/output" ] \
    && pass "... writes to the project's output/" || fail "... writes to the project's output/"
run "a relative -o from a sub-folder, with missing parents" 0 "" "$p/sources/deep" \
    "$leafpress" build -q --screen-only -o new/folders ../a.md
[ -f "$p/sources/deep/new/folders/a.pdf" ] && pass "... goes where it was said, from there" \
    || fail "... goes where it was said" "$(find "$p" -name a.pdf)"
run "no project here or above" 2 \
    "leafpress: no leafpress project here or above (a folder with sources/ and styles/)" \
    "$scratch" "$leafpress" build
run "check outside a project" 2 \
    "leafpress: no leafpress project here or above (a folder with sources/ and styles/)" \
    "$scratch" "$leafpress" check

# --- usage errors -----------------------------------------------------------

touch "$p/a-file"
run "-o naming a file" 2 "leafpress: -o: 'a-file' is a file, not a folder" "$p" "$leafpress" build -o a-file
run "-o \"\"" 2 "leafpress: -o needs a folder name, not an empty string" "$p" "$leafpress" build -o ""
run "--styles naming no folder" 2 "leafpress: --styles: no folder 'sources/nope'" "$p/sources" \
    "$leafpress" check --styles nope
run "--contacts naming no file" 2 "leafpress: --contacts: no file 'nope.yaml'" "$p" \
    "$leafpress" build --contacts nope.yaml
run "an unknown command" 2 "leafpress: unknown command 'bild'; the commands are build, check, status and help" \
    "$p" "$leafpress" bild
run "an unknown option" 2 "leafpress: unknown option '--fast'
leafpress: \`leafpress help\` lists the commands and options" "$p" "$leafpress" build --fast
run "-j out of range" 2 "leafpress: --jobs takes a number from 1 to 64, not '0'" "$p" "$leafpress" build -j 0

for value in -1 1e9 abc 253402300800 10000000000000000 " 1"; do
    run "SOURCE_DATE_EPOCH='$value'" 2 \
        "leafpress: SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to 253402300799 (the end of the year 9999), not '$value'" \
        "$p" env SOURCE_DATE_EPOCH="$value" "$leafpress" check
done
run "SOURCE_DATE_EPOCH=253402300799 (the last second of 9999)" 0 "" "$p" \
    env SOURCE_DATE_EPOCH=253402300799 "$leafpress" build -q --screen-only -o epoch
if pdfinfo "$p/epoch/a.pdf" 2>/dev/null | grep -q 'CreationDate:.*9999'; then
    pass "... dates the PDF in 9999"
else
    fail "... dates the PDF in 9999" "$(pdfinfo "$p/epoch/a.pdf" 2>&1 | grep -i date)"
fi

# --- help -------------------------------------------------------------------

run "leafpress help" 0 "" "$p" "$leafpress" help
cp "$scratch/out" "$scratch/help"
run "leafpress --help" 0 "" "$p" "$leafpress" --help
cmp -s "$scratch/out" "$scratch/help" && pass "help = --help" || fail "help = --help"
run "leafpress build --help" 0 "" "$p" "$leafpress" build --help
missing=""
for option in --output --styles --contacts --fonts --jobs --werror --no-print --no-booklet \
              --no-proofs --screen-only --quiet --help --version; do
    grep -q -- "$option" "$scratch/out" || missing="$missing $option"
done
[ -z "$missing" ] && pass "build --help lists every option" || fail "build --help lacks:$missing"
grep -q 'output: {print: false, booklet: false, proofs: false}' "$scratch/out" \
    && pass "build --help names the style keys" || fail "build --help names the style keys"
run "leafpress help build" 0 "" "$p" "$leafpress" help build
run "leafpress check --help" 0 "" "$p" "$leafpress" check --help
grep -q -- 'where build would write' "$scratch/out" && pass "check --help says what -o is to check" \
    || fail "check --help says what -o is to check" "$(cat "$scratch/out")"

# --- --werror ---------------------------------------------------------------

sed 's/^# Een proef/# Iets anders/' "$p/sources/a.md" >"$p/elsewhere/w.md"
w="elsewhere/w.md:9:1: warning: the level-1 heading differs from the front matter title 'Een proef'"
run "a warning without --werror" 0 "$w" "$p" "$leafpress" build -q --screen-only -o out-w elsewhere/w.md
run "build --werror" 1 "$w
elsewhere/w.md: error: 1 warning, and --werror makes it an error; nothing of this leaflet was written
leafpress: 1 of 1 leaflet failed" "$p" "$leafpress" build -q --werror --screen-only -o out-w2 elsewhere/w.md
[ ! -e "$p/out-w2/w.pdf" ] && pass "... writes nothing" || fail "... writes nothing"
run "check --werror" 1 "$w
elsewhere/w.md: error: 1 warning, and --werror makes it an error; nothing of this leaflet was written
leafpress: 1 of 1 leaflet failed" "$p" "$leafpress" check --werror elsewhere/w.md
# without --werror, check's verdict counts the warning instead of saying "no problems"
(cd "$p" && "$leafpress" check elsewhere/w.md) >"$scratch/out" 2>/dev/null
[ "$(grep -v ': readability: ' "$scratch/out")" = "leafpress: 1 leaflet and the styles in styles: no errors, 1 warning" ] \
    && pass "check counts a warning in its verdict" || fail "check counts a warning in its verdict" "$(cat "$scratch/out")"

# --- only regular files -----------------------------------------------------

mkfifo "$p/sources/pipe.md"
mkdir "$p/sources/folder.md"
run "a named pipe and a folder in sources/" 0 "sources/folder.md: warning: a folder, not a leaflet: skipped
sources/pipe.md: warning: a named pipe, not a leaflet: skipped" "$p" "$leafpress" build -q --screen-only
run "... with --werror" 1 "sources/folder.md: warning: a folder, not a leaflet: skipped
sources/pipe.md: warning: a named pipe, not a leaflet: skipped
leafpress: 2 warnings, and --werror makes them errors" "$p" "$leafpress" check -q --werror
run "a named pipe given by name" 1 "sources/pipe.md: error: a named pipe, not a leaflet
leafpress: 1 of 2 leaflets failed" "$p" "$leafpress" build -q --screen-only sources/pipe.md sources/a.md
rm "$p/sources/pipe.md"
rmdir "$p/sources/folder.md"

# --- progress: on a terminal one updating line; piped or in CI, none ---------

if command -v script >/dev/null; then
    for i in 1 2 3 4 5 6; do cp "$p/sources/a.md" "$p/elsewhere/p$i.md"; done
    progress_run() { # progress_run TYPESCRIPT [ENV...]: a batch on a pseudo-terminal
        local ts=$1
        shift
        (cd "$p" && env "$@" script -qec "'$leafpress' build -j2 --screen-only -o out-p elsewhere/p1.md elsewhere/p2.md elsewhere/p3.md elsewhere/p4.md elsewhere/p5.md elsewhere/p6.md" "$ts") >/dev/null 2>&1
    }
    progress_run "$scratch/tty"
    if grep -aq $'\r\033\[Kleafpress: [1-6] of 6 leaflets built' "$scratch/tty" &&
       [ "$(grep -ao 'wrote out-p/[^ ]*' "$scratch/tty" | wc -l)" -eq 12 ]; then
        pass "on a terminal: a progress line, cleared for the wrote lines"
    else
        fail "on a terminal: a progress line" "$(cat -v "$scratch/tty" | head -20)"
    fi
    progress_run "$scratch/ci" CI=true
    if grep -aq 'leaflets built' "$scratch/ci"; then
        fail "with CI=true: no progress line" "$(cat -v "$scratch/ci" | head -5)"
    else
        pass "with CI=true: no progress line"
    fi
    (cd "$p" && "$leafpress" build -j2 --screen-only -o out-p elsewhere/p*.md) >"$scratch/piped" 2>&1
    grep -q 'leaflets built' "$scratch/piped" && fail "piped: no progress line" || pass "piped: no progress line"
fi

# --- check's own word --------------------------------------------------------

run "check" 0 "" "$p" "$leafpress" check
[ "$(grep -v ': readability: ' "$scratch/out")" = "leafpress: 1 leaflet and the styles in styles: no problems" ] \
    && pass "check says no problems" || fail "check says no problems" "$(cat "$scratch/out")"

finish_tests
