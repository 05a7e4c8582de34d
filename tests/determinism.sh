#!/usr/bin/env bash
# determinism: the same sources give the same outputs, byte for byte: the
# screen PDFs, and the print PDFs, booklets and PNG proofs beside them.
#
#   bash tests/determinism.sh /path/to/leafpress /path/to/builddir
#
# Run from the repository root (ctest does). Builds every leaflet into
# fresh temporary folders:
#   A, B  SOURCE_DATE_EPOCH unset, B a second later than A: identical
#         (dates come from each source's `updated`, never from the clock)
#   C, D  SOURCE_DATE_EPOCH=1700000000: identical to each other, and
#         different from A (the dates do come from SOURCE_DATE_EPOCH)
#   E     -j1 (one worker) against A (one per core): identical
# Prints one ok/FAIL line per check and "N passed, M failed"; exits non-zero
# when anything failed.
set -uo pipefail

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
make_scratch
trap 'exit 130' INT TERM

# build NAME [ENV...]: typesets every leaflet into $scratch/NAME
build() {
    local name=$1; shift
    local out="$scratch/$name"
    mkdir -p "$out"
    local -a envs=() args=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    [ "${1:-}" = "--" ] && shift
    args=("$@")
    if env "${envs[@]}" "$leafpress" build -q "${args[@]}" -o "$out" >"$scratch/$name.log" 2>&1; then
        pass "build $name (${envs[*]} ${args[*]}) exits 0"
    else
        fail "build $name (${envs[*]} ${args[*]}) exits $?; its output:"
        sed 's/^/     /' "$scratch/$name.log"
    fi
}

# every output of a folder (PDFs and PNGs, in subfolders too), one path a line, sorted
out_list() { (cd "$1" && find . -type f \( -name '*.pdf' -o -name '*.png' \) -printf '%P\n' | LC_ALL=C sort); }
# the PDFs only
pdf_list() { out_list "$1" | grep '\.pdf$'; }

# same NAME1 NAME2: same file list, every PDF byte for byte equal
same() {
    local a=$1 b=$2
    local la lb
    la=$(out_list "$scratch/$a")
    lb=$(out_list "$scratch/$b")
    if [ "$la" = "$lb" ]; then
        pass "$a and $b hold the same $(printf '%s\n' "$la" | grep -c .) outputs"
    else
        fail "$a and $b hold different outputs:"
        diff <(printf '%s\n' "$la") <(printf '%s\n' "$lb") | sed 's/^/     /'
    fi
    local differ=0 f
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        [ -f "$scratch/$b/$f" ] || continue
        if ! cmp -s "$scratch/$a/$f" "$scratch/$b/$f"; then
            differ=$((differ + 1))
            echo "     $f differs: $(cmp "$scratch/$a/$f" "$scratch/$b/$f" 2>&1 | head -1)"
        fi
    done <<<"$la"
    if [ "$differ" -eq 0 ]; then
        pass "$a and $b are byte-for-byte identical"
    else
        fail "$a and $b: $differ outputs differ (listed above)"
    fi
}

unset SOURCE_DATE_EPOCH

build A -u SOURCE_DATE_EPOCH
sleep 1
build B -u SOURCE_DATE_EPOCH
build C SOURCE_DATE_EPOCH=1700000000
sleep 1
build D SOURCE_DATE_EPOCH=1700000000
build E -u SOURCE_DATE_EPOCH -- -j1

count=$(pdf_list "$scratch/A" | grep -c .)
expected=0
for src in sources/*.md; do
    expected=$((expected + 2))
    grep -q '^contact_sheet:' "$src" && expected=$((expected + 1))
done
[ "$expected" -lt 9 ] && expected=9
if [ "$count" -ge "$expected" ]; then
    pass "A holds $count PDFs (at least $expected: house and grote-letter per source, plus contact sheets)"
else
    fail "A holds $count PDFs; expected at least $expected:"
    pdf_list "$scratch/A" | sed 's/^/     /'
fi

# every kind of output is there: print, booklet, proofs
for kind in print booklet proofs; do
    n=$(out_list "$scratch/A" | grep -c "^$kind/")
    if [ "$n" -gt 0 ]; then pass "A holds $n files in $kind/"; else fail "A holds nothing in $kind/"; fi
done

same A B
same C D
same A E

# SOURCE_DATE_EPOCH must change the dates, so every PDF differs from A
changed=0 unchanged=""
while IFS= read -r f; do
    if [ -z "$f" ] || [ ! -f "$scratch/C/$f" ]; then continue; fi
    if cmp -s "$scratch/A/$f" "$scratch/C/$f"; then
        unchanged="$unchanged $f"
    else
        changed=$((changed + 1))
    fi
done < <(pdf_list "$scratch/A")
if [ -z "$unchanged" ] && [ "$changed" -gt 0 ]; then
    pass "with SOURCE_DATE_EPOCH=1700000000 all $changed PDFs differ from the default build"
else
    fail "with SOURCE_DATE_EPOCH=1700000000 these PDFs are unchanged (dates ignore SOURCE_DATE_EPOCH?):${unchanged:- none built}"
fi

# the PDF with streams and object streams decompressed (qpdf), else as it is
plain() {
    if command -v qpdf >/dev/null 2>&1; then
        qpdf --stream-data=uncompress --object-streams=disable "$1" - 2>/dev/null || cat "$1"
    else
        cat "$1"
    fi
}

# ...and the date is the one asked for (2023-11-14T22:13:20Z)
missing_date=""
while IFS= read -r f; do
    [ -n "$f" ] || continue
    # grep -c reads everything: -q would close the pipe early, and pipefail
    # would count qpdf's SIGPIPE as a failure
    hits=$(plain "$scratch/C/$f" | LC_ALL=C grep -ac -e '2023-11-14T22:13:20' -e '20231114221320')
    if [ "${hits:-0}" -eq 0 ]; then
        missing_date="$missing_date $f"
    fi
done < <(pdf_list "$scratch/C")
if [ -z "$missing_date" ] && [ "$count" -gt 0 ]; then
    pass "with SOURCE_DATE_EPOCH=1700000000 every PDF carries the date 2023-11-14T22:13:20Z"
else
    fail "with SOURCE_DATE_EPOCH=1700000000 these PDFs lack the date 2023-11-14T22:13:20Z (or 20231114221320, as cairo writes it) in their metadata:${missing_date:- none built}"
fi

finish_tests
