#!/usr/bin/env bash
# The broken-input corpus: every mistake a user can make gets a clear error
# and never costs a good PDF.
#
#   bash tests/bad.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# For each tests/bad/CASE.md, `leafpress build` and `leafpress check` run
# into a fresh output folder that already holds a good CASE.pdf. Each must
# exit 1, print exactly tests/bad/CASE.expected on stderr (the whole of it:
# a missing, extra or doubled message fails), leave CASE.pdf byte for byte
# as it was, and add no file (no temporary file, no new PDF). Options per case:
#   tests/bad/contacts.yaml             the registry every case uses, unless
#   tests/bad/CASE.contacts.yaml        exists (broken registry cases)
#   tests/bad/styles-CASE/              used as --styles when it exists
#   tests/bad/CASE.status               the exit status when not 1: "0" for a
#                                       case with warnings only, which must not
#                                       fail; its `build` may then write PDFs
# SOURCE_DATE_EPOCH is fixed (2026-01-01), so "today" is the same in every run.
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
corpus=tests/bad

require_dirs "$corpus"

# Scratch space in the build tree when we have one, so nothing lands in the sources.
make_scratch
export SOURCE_DATE_EPOCH=1767225600

previous="$scratch/previous.pdf"
printf 'previous good pdf\n' >"$previous"

# run_case CASE MODE: runs one mode; prints the first reason it failed, if any.
run_case() {
    local case=$1 mode=$2
    local source="$corpus/$case.md" expected="$corpus/$case.expected"
    local out="$scratch/$case-$mode" err="$scratch/$case-$mode.stderr"
    local contacts="$corpus/contacts.yaml"
    [ -f "$corpus/$case.contacts.yaml" ] && contacts="$corpus/$case.contacts.yaml"
    local -a options=(-o "$out" --contacts "$contacts")
    [ -d "$corpus/styles-$case" ] && options+=(--styles "$corpus/styles-$case")

    mkdir "$out"
    cp "$previous" "$out/$case.pdf"

    local status=0
    "$leafpress" "$mode" "${options[@]}" "$source" >/dev/null 2>"$err" || status=$?

    local want=1
    [ -f "$corpus/$case.status" ] && want=$(cat "$corpus/$case.status")
    if [ "$status" -ne "$want" ]; then
        echo "$mode exited with $status, not $want"
        return
    fi
    if ! cmp -s "$expected" "$err"; then
        echo "$mode printed other messages than $expected:"
        diff "$expected" "$err" | sed 's/^/    /'
        return
    fi
    # a warnings-only case builds its leaflet; only `check` must write nothing
    if [ "$want" -eq 0 ] && [ "$mode" = build ]; then
        cmp -s "$previous" "$out/$case.pdf" && echo "build did not write $case.pdf for warnings only"
        return
    fi
    if ! cmp -s "$previous" "$out/$case.pdf"; then
        echo "$mode changed the existing $case.pdf"
        return
    fi
    local extra="" file
    for file in "$out"/* "$out"/.[!.]* "$out"/..?*; do
        [ -e "$file" ] || continue
        [ "$file" = "$out/$case.pdf" ] || extra+="${file##*/} "
    done
    if [ -n "$extra" ]; then
        echo "$mode left files in the output folder: $extra"
        return
    fi
}

shopt -s nullglob
for source in "$corpus"/*.md; do
    case=$(basename "$source" .md)
    why=""
    if [ ! -s "$corpus/$case.expected" ]; then
        why="no $corpus/$case.expected"
    else
        for mode in build check; do
            why=$(run_case "$case" "$mode")
            [ -n "$why" ] && break
        done
    fi
    if [ -z "$why" ]; then
        pass "$case"
    else
        fail "$case: $why"
        # what it did print, to see at a glance what changed
        [ -f "$scratch/$case-$mode.stderr" ] && sed 's/^/    /' "$scratch/$case-$mode.stderr" | head -n 12
    fi
done

finish_tests
