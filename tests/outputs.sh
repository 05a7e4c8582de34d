#!/usr/bin/env bash
# outputs: what a build writes, and that it never overwrites or half-writes.
#
#   bash tests/outputs.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# Each case runs in a small project of its own (sources/, styles/ copied
# from the repository, fonts/ linked) and compares the complete stderr with
# what it must be:
#   - two outputs with one path (slug, suffix, a style suffix equal to the
#     contact sheet's, one file given twice, an overview named like a page
#     proof) are an error naming both, from build and check, and nothing is
#     written, whatever -j
#   - all or nothing per leaflet: a folder in the way of a later output, or
#     a full disk (ulimit -f), leaves every previous file as it was and no
#     temporary file
#   - the kinds: print/, booklet/, proofs/, each turned off by a flag or a
#     style key; old page proofs of a leaflet that got shorter are removed
#   - more than 15 variants are all built; a style that extends a variant
#     is a variant too
#   - the "wrote" line of each variant
# Prints ok/FAIL per check and "N passed, M failed".
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
make_scratch
unset SOURCE_DATE_EPOCH CI

# new_project NAME: an empty project in $scratch/NAME; prints its path
new_project() {
    local p=$scratch/$1
    make_project "$p"
    cp "$repo/tests/bad/contacts.yaml" "$p/sources/contacts.yaml"
    echo "$p"
}

# leaflet FILE [KEY: VALUE...]: a short valid leaflet, with extra front matter lines
leaflet() {
    local file=$1
    shift
    {
        echo "---"
        echo "title: Een proef"
        echo "lang: nl-NL"
        echo "publisher: Testziekenhuis"
        echo "updated: 2024-01"
        echo "subject: Een korte proeffolder."
        echo "keywords: [proef]"
        local line
        for line in "$@"; do echo "$line"; done
        echo "---"
        echo "# Een proef"
        echo
        echo "Dit is een korte folder om de opdrachtregel te testen."
    } >"$file"
}

# expect NAME STATUS EXPECTED-STDERR-FILE ACTUAL-STATUS ACTUAL-STDERR-FILE
expect() {
    local name=$1 want=$2 expected=$3 got=$4 actual=$5
    if [ "$got" -ne "$want" ]; then
        fail "$name: exit $want" "exit $got; stderr:
$(cat "$actual")"
    elif ! diff -u "$expected" "$actual" >"$scratch/diff"; then
        fail "$name: stderr" "$(cat "$scratch/diff")"
    else
        pass "$name: exit $want and the exact stderr"
    fi
}

# snapshot DIR: every file below it with its checksum, hidden ones too
snapshot() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }

# --- collisions ------------------------------------------------------------

p=$(new_project clash)
leaflet "$p/sources/a.md" "slug: net"
leaflet "$p/sources/b.md" "slug: net"
cat >"$scratch/expected" <<'EOF'
sources/b.md:8:7: error: output/net.pdf would be written twice: for sources/a.md (slug 'net' at sources/a.md:8:7) in style 'house', and for sources/b.md (slug 'net' at sources/b.md:8:7) in style 'house'; give each its own slug or suffix
sources/b.md:8:7: error: output/net-grote-letter.pdf would be written twice: for sources/a.md (slug 'net' at sources/a.md:8:7) in style 'grote-letter' (suffix '-grote-letter' at styles/grote-letter.yaml:5:9), and for sources/b.md (slug 'net' at sources/b.md:8:7) in style 'grote-letter' (suffix '-grote-letter' at styles/grote-letter.yaml:5:9); give each its own slug or suffix
leafpress: nothing written: 2 outputs would be written twice
EOF
for j in 1 2; do
    status=0
    (cd "$p" && "$leafpress" build -j$j) >/dev/null 2>"$scratch/err" || status=$?
    expect "slug collision, build -j$j" 1 "$scratch/expected" $status "$scratch/err"
    if [ -e "$p/output" ] && [ -n "$(find "$p/output" -mindepth 1)" ]; then
        fail "slug collision, build -j$j: writes nothing" "$(find "$p/output")"
    else
        pass "slug collision, build -j$j: writes nothing"
    fi
done
head -2 "$scratch/expected" >"$scratch/expected-check"
echo "leafpress: 0 of 2 leaflets failed" >/dev/null
status=0
(cd "$p" && "$leafpress" check) >/dev/null 2>"$scratch/err" || status=$?
expect "slug collision, check" 1 "$scratch/expected-check" $status "$scratch/err"

# a style whose suffix is the contact sheet's
p=$(new_project suffix)
leaflet "$p/sources/a.md" "contacts: [alarmnummer]" "contact_sheet: Telefoonnummers"
printf 'extends: house\nsuffix: "-telefoonnummers"\n' >"$p/styles/tel.yaml"
cat >"$scratch/expected" <<'EOF'
styles/tel.yaml:2:9: error: output/a-telefoonnummers.pdf would be written twice: for sources/a.md (slug 'a' from its file name), its contact sheet (suffix '-telefoonnummers'), and for sources/a.md (slug 'a' from its file name) in style 'tel' (suffix '-telefoonnummers' at styles/tel.yaml:2:9); give each its own slug or suffix
leafpress: nothing written: 1 output would be written twice
EOF
status=0
(cd "$p" && "$leafpress" build) >/dev/null 2>"$scratch/err" || status=$?
expect "a style suffix equal to the contact sheet's" 1 "$scratch/expected" $status "$scratch/err"

# two styles with one suffix
printf 'extends: house\nsuffix: "-x"\n' >"$p/styles/tel.yaml"
printf 'extends: house\nsuffix: "-x"\n' >"$p/styles/xx.yaml"
cat >"$scratch/expected" <<'EOF'
styles/xx.yaml:2:9: error: output/a-x.pdf would be written twice: for sources/a.md (slug 'a' from its file name) in style 'tel' (suffix '-x' at styles/tel.yaml:2:9), and for sources/a.md (slug 'a' from its file name) in style 'xx' (suffix '-x' at styles/xx.yaml:2:9); give each its own slug or suffix
leafpress: nothing written: 1 output would be written twice
EOF
status=0
(cd "$p" && "$leafpress" build) >/dev/null 2>"$scratch/err" || status=$?
expect "two styles with one suffix" 1 "$scratch/expected" $status "$scratch/err"
rm "$p/styles/tel.yaml" "$p/styles/xx.yaml"

# one file given twice
cat >"$scratch/expected" <<'EOF'
./sources/a.md: error: the same file as sources/a.md, given twice: its outputs would be written twice
leafpress: nothing written: 1 output would be written twice
EOF
status=0
(cd "$p" && "$leafpress" build sources/a.md ./sources/a.md) >/dev/null 2>"$scratch/err" || status=$?
expect "the same source given twice" 1 "$scratch/expected" $status "$scratch/err"

# an overview named like another leaflet's page proof
p=$(new_project overview)
leaflet "$p/sources/b.md"
leaflet "$p/sources/c.md" "slug: b-01"
cat >"$scratch/expected" <<'EOF'
sources/c.md:8:7: error: output/proofs/b-01.png would be written twice: as a page proof for sources/b.md (slug 'b' from its file name) in style 'house', and as the overview for sources/c.md (slug 'b-01' at sources/c.md:8:7) in style 'house'; give each its own slug or suffix
leafpress: nothing written: 1 output would be written twice
EOF
status=0
(cd "$p" && "$leafpress" build --no-print --no-booklet) >/dev/null 2>"$scratch/err" || status=$?
expect "an overview named like a page proof" 1 "$scratch/expected" $status "$scratch/err"
status=0
(cd "$p" && "$leafpress" build --no-proofs) >/dev/null 2>"$scratch/err" || status=$?
[ $status -eq 0 ] && pass "without proofs the same two leaflets build" \
    || fail "without proofs the same two leaflets build" "exit $status: $(cat "$scratch/err")"

# --- the kinds, the wrote line, stale proofs -------------------------------

p=$(new_project kinds)
leaflet "$p/sources/a.md" "contacts: [alarmnummer]" "contact_sheet: Telefoonnummers"
status=0
(cd "$p" && "$leafpress" build -j1) >"$scratch/out" 2>"$scratch/err" || status=$?
list=$(cd "$p/output" && find . -type f ! -name .leafpress-state -printf '%P\n' | LC_ALL=C sort | tr '\n' ' ')
want="a-grote-letter.pdf a-telefoonnummers.pdf a.pdf booklet/a-grote-letter.pdf booklet/a.pdf print/a-grote-letter.pdf print/a-telefoonnummers.pdf print/a.pdf proofs/a-01.png proofs/a-02.png proofs/a-03.png proofs/a-04.png proofs/a-grote-letter-01.png proofs/a-grote-letter-02.png proofs/a-grote-letter-03.png proofs/a-grote-letter-04.png proofs/a-grote-letter.png proofs/a-telefoonnummers-01.png proofs/a-telefoonnummers.png proofs/a.png "
if [ $status -eq 0 ] && [ "$list" = "$want" ]; then
    pass "build writes screen, print, booklet and proofs per variant (no booklet for the contact sheet)"
else
    fail "build writes screen, print and proofs per variant" "exit $status; got: $list
want: $want
$(cat "$scratch/err")"
fi
if grep -Eq '^wrote output/a\.pdf \(2 pages, [0-9]+ KiB\), print \(4 pages\), booklet \(1 sheet\), 5 proofs$' "$scratch/out" &&
   grep -Eq '^wrote output/a-telefoonnummers\.pdf \(1 page, [0-9]+ KiB\), print \(1 page\), 2 proofs$' "$scratch/out" &&
   [ "$(wc -l <"$scratch/out")" -eq 3 ]; then
    pass "one wrote line per variant"
else
    fail "one wrote line per variant" "$(cat "$scratch/out")"
fi
file "$p/output/proofs/a-01.png" | grep -q 'PNG image data' && pass "a page proof is a PNG" \
    || fail "a page proof is a PNG" "$(file "$p/output/proofs/a-01.png")"

# an old page proof beyond the page count goes with the next build
touch "$p/output/proofs/a-07.png" "$p/output/proofs/a-grote-letter-05.png"
touch "$p/output/proofs/a-x-01.png" "$p/output/proofs/a-1.png"
(cd "$p" && "$leafpress" build -q) 2>"$scratch/err"
if [ ! -e "$p/output/proofs/a-07.png" ] && [ ! -e "$p/output/proofs/a-grote-letter-05.png" ] &&
   [ -e "$p/output/proofs/a-04.png" ] && [ -e "$p/output/proofs/a-x-01.png" ] &&
   [ -e "$p/output/proofs/a-1.png" ]; then
    pass "old page proofs past the last page are removed, nothing else"
else
    fail "old page proofs past the last page are removed" "$(ls "$p/output/proofs")"
fi

# --screen-only, and a style key
rm -rf "$p/output"
(cd "$p" && "$leafpress" build -q --screen-only) 2>"$scratch/err"
list=$(cd "$p/output" && find . -type f ! -name .leafpress-state -printf '%P\n' | LC_ALL=C sort | tr '\n' ' ')
[ "$list" = "a-grote-letter.pdf a-telefoonnummers.pdf a.pdf " ] && pass "--screen-only writes the screen PDFs only" \
    || fail "--screen-only writes the screen PDFs only" "$list"
rm -rf "$p/output"
printf 'output:\n  proofs: false\n  print: false\n' >>"$p/styles/grote-letter.yaml"
(cd "$p" && "$leafpress" build -q --no-print) 2>"$scratch/err"
list=$(cd "$p/output" && find . -type f ! -name .leafpress-state -printf '%P\n' | LC_ALL=C sort | tr '\n' ' ')
[ "$list" = "a-grote-letter.pdf a-telefoonnummers.pdf a.pdf booklet/a-grote-letter.pdf booklet/a.pdf proofs/a-01.png proofs/a-02.png proofs/a-03.png proofs/a-04.png proofs/a-telefoonnummers-01.png proofs/a-telefoonnummers.png proofs/a.png " ] \
    && pass "--no-print, and output.proofs: false in one style" \
    || fail "--no-print, and output.proofs: false in one style" "$list $(cat "$scratch/err")"

# --- all or nothing ---------------------------------------------------------

p=$(new_project atomic)
leaflet "$p/sources/a.md"
(cd "$p" && "$leafpress" build -q) 2>"$scratch/err"
sed -i 's/korte folder/korte, nieuwe folder/' "$p/sources/a.md"
mv "$p/output/print/a-grote-letter.pdf" "$p/output/print/saved.pdf"
mkdir "$p/output/print/a-grote-letter.pdf"
before=$(snapshot "$p/output")
cat >"$scratch/expected" <<'EOF'
output/print/a-grote-letter.pdf: error: a folder is in the way of this output; nothing of this leaflet was written
leafpress: 1 of 1 leaflet failed
EOF
status=0
(cd "$p" && "$leafpress" build) >/dev/null 2>"$scratch/err" || status=$?
expect "a folder in the way of a later variant's print PDF" 1 "$scratch/expected" $status "$scratch/err"
[ "$before" = "$(snapshot "$p/output")" ] && pass "... leaves every file as it was, no temporary" \
    || fail "... leaves every file as it was" "$(diff <(echo "$before") <(snapshot "$p/output"))"
rmdir "$p/output/print/a-grote-letter.pdf"
mv "$p/output/print/saved.pdf" "$p/output/print/a-grote-letter.pdf"

# a full disk: the largest file it may write is smaller than a proof
before=$(snapshot "$p/output")
status=0
(cd "$p" && ulimit -f 40 && "$leafpress" build -j1) >/dev/null 2>"$scratch/err" || status=$?
if [ $status -eq 1 ] && grep -q ': error: cannot write: File too large; nothing of this leaflet was written$' "$scratch/err"; then
    pass "a full disk (ulimit -f): exit 1, says so"
else
    fail "a full disk (ulimit -f): exit 1, says so" "exit $status: $(cat "$scratch/err")"
fi
[ "$before" = "$(snapshot "$p/output")" ] && pass "... leaves every file as it was, no temporary" \
    || fail "... leaves every file as it was" "$(diff <(echo "$before") <(snapshot "$p/output"))"

# --- variants -----------------------------------------------------------------

p=$(new_project variants)
leaflet "$p/sources/a.md"
for i in $(seq 1 17); do
    printf 'extends: house\nsuffix: "-v%02d"\n' "$i" >"$p/styles/v$i.yaml"
done
printf 'extends: grote-letter\nsuffix: "-extra-groot"\nbody:\n  size: 20pt\n' >"$p/styles/extra-groot.yaml"
status=0
(cd "$p" && "$leafpress" build --screen-only) >"$scratch/out" 2>"$scratch/err" || status=$?
n=$(find "$p/output" -name '*.pdf' | wc -l)
if [ $status -eq 0 ] && [ "$n" -eq 20 ] && [ -f "$p/output/a-extra-groot.pdf" ] && [ -f "$p/output/a-v17.pdf" ]; then
    pass "19 styles extend house (one through grote-letter): all 20 variants built"
else
    fail "all 20 variants built" "exit $status, $n PDFs: $(cat "$scratch/err")"
fi
for i in $(seq 18 70); do
    printf 'extends: house\nsuffix: "-v%02d"\n' "$i" >"$p/styles/v$i.yaml"
done
cat >"$scratch/expected" <<'EOF'
sources/a.md: error: style 'house' has more than 63 variants (styles that extend it, directly or through another); a leaflet has at most 64 styles
leafpress: 1 of 1 leaflet failed
EOF
status=0
(cd "$p" && "$leafpress" build --screen-only) >/dev/null 2>"$scratch/err" || status=$?
expect "more variants than the limit" 1 "$scratch/expected" $status "$scratch/err"

finish_tests
