#!/usr/bin/env bash
# Images end to end: a PNG and an SVG in a leaflet become two tagged
# Figures with their alt texts; the PNG is embedded as an image, the SVG
# drawn as vectors; an image without alt text, or outside the project,
# fails the build with a clear error and writes nothing.
#
#   bash tests/images.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# A small project folder (styles/, fonts/, beelden/ with the fixtures from
# tests/data/images/) is made in a scratch folder under BUILDDIR, and
# leafpress runs inside it. Figures and their /Alt are read back with
# `pdf_probe figures` (tests/pdf_probe.c, poppler-glib; pdfinfo -struct does
# not print /Alt); images are counted with pdfimages -list.
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
fixtures=tests/data/images

require_dirs "$fixtures" styles/ fonts/
require_tools "poppler-utils" pdfimages pdfinfo
pdf_probe=$(test_tool "build the tests: cmake with poppler-glib" pdf_probe) || exit 2

make_scratch # the cases run inside it, so it must be absolute

check() { # check NAME COMMAND...: ok when COMMAND succeeds
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

# --- the project -------------------------------------------------------------------
project=$scratch/proj
mkdir -p "$project/beelden" "$project/sources" # sources/ + styles/: a project root
cp -R styles fonts "$project/"
cp "$fixtures/lever.png" "$fixtures/schema.svg" "$project/beelden/"
cp "$fixtures/lever.png" "$scratch/x.png" # a real PNG just outside the project

PNG_ALT='Doorsnede van de lever met één witte vlek'
SVG_ALT='Schema: de tumor stuurt uitzaaiingen naar de lever'

front_matter() {
    printf -- '---\ntitle: Beelden\nlang: nl-NL\npublisher: Testuitgever\nupdated: 2020-02\n'
    printf -- 'subject: Een folder met beelden.\nkeywords: [beelden]\n---\n'
}

{
    front_matter
    printf '# Beelden\n\nEen foto van de lever:\n\n![%s](beelden/lever.png)\n\n' "$PNG_ALT"
    printf 'En een schema:\n\n![%s](beelden/schema.svg)\n\nEinde.\n' "$SVG_ALT"
} >"$project/img.md"

# Lines 1-8 are front matter: "# Beelden" is line 9, the image line 11.
{ front_matter; printf '# Beelden\n\n![](beelden/lever.png)\n'; } >"$project/noalt.md"
{ front_matter; printf '# Beelden\n\n![Een vlek](../x.png)\n'; } >"$project/outside.md"

# --- a good build ------------------------------------------------------------------
status=0
(cd "$project" && "$leafpress" build -o out img.md) >"$scratch/build.out" 2>"$scratch/build.err" \
    || status=$?
if [ "$status" -eq 0 ] && [ -f "$project/out/img.pdf" ] && [ -f "$project/out/img-grote-letter.pdf" ]; then
    pass "build with a PNG and an SVG: exit 0, both variants written"
else
    fail "build with a PNG and an SVG: exit 0, both variants written" \
        "exit $status; $(cat "$scratch/build.err")"
fi
# (a sanitizer build may add its own report to stderr: look for diagnostics only)
if grep -qE ': (error|warning|note): ' "$scratch/build.err"; then
    fail "no diagnostics on a good build" "$(cat "$scratch/build.err")"
else
    pass "no diagnostics on a good build"
fi

expected_figures=$(printf '2\t%s\n2\t%s' "$PNG_ALT" "$SVG_ALT")
for pdf in img.pdf img-grote-letter.pdf; do
    path=$project/out/$pdf
    if [ ! -f "$path" ]; then
        fail "$pdf: exists"
        continue
    fi

    # the structure tree: two Figures, in reading order, with the exact alt texts
    structure=$(pdfinfo -struct "$path" 2>&1)
    count=$(printf '%s\n' "$structure" | grep -c '^ *Figure\b')
    if [ "$count" -eq 2 ]; then
        pass "$pdf: pdfinfo -struct shows 2 Figure elements"
    else
        fail "$pdf: pdfinfo -struct shows 2 Figure elements" "$count found:"$'\n'"$structure"
    fi
    actual=$("$pdf_probe" figures "$path" 2>&1)
    if [ "$actual" = "$expected_figures" ]; then
        pass "$pdf: the Figures carry the exact alt texts, on page 2"
    else
        fail "$pdf: the Figures carry the exact alt texts, on page 2" \
            "expected:"$'\n'"$expected_figures"$'\n'"got:"$'\n'"$actual"
    fi

    # the PNG is embedded as one 2000x1250 image on page 2; the SVG is vectors
    images=$(pdfimages -list "$path" 2>&1 | tail -n +3)
    rows=$(printf '%s\n' "$images" | grep -c .)
    read -r img_page _ img_type img_width img_height _ <<<"$images"
    if [ "$rows" -eq 1 ] && [ "$img_page" = 2 ] && [ "$img_type" = image ] &&
        [ "$img_width" = 2000 ] && [ "$img_height" = 1250 ]; then
        pass "$pdf: pdfimages -list shows the PNG (2000x1250) on page 2 and nothing else"
    else
        fail "$pdf: pdfimages -list shows the PNG (2000x1250) on page 2 and nothing else" "$images"
    fi
done

# --- builds that must fail -----------------------------------------------------------
# expect_failure CASE EXPECTED-LINE: exit 1, the exact line on stderr, no file written.
expect_failure() {
    local case=$1 expected=$2 out=out-$1 status=0
    (cd "$project" && "$leafpress" build -o "$out" "$case.md") >"$scratch/$case.out" \
        2>"$scratch/$case.err" || status=$?
    if [ "$status" -eq 1 ]; then
        pass "$case: exit 1"
    else
        fail "$case: exit 1" "exit $status"
    fi
    if grep -qxF -- "$expected" "$scratch/$case.err"; then
        pass "$case: prints the error"
    else
        fail "$case: prints the error" "expected: $expected"$'\n'"stderr: $(cat "$scratch/$case.err")"
    fi
    local written
    written=$(find "$project/$out" -type f 2>/dev/null)
    if [ -z "$written" ]; then
        pass "$case: writes nothing"
    else
        fail "$case: writes nothing" "$written"
    fi
}

expect_failure noalt "noalt.md:11:1: error: image 'beelden/lever.png' has no alt text; describe what it shows, like '![description](beelden/lever.png)'"
expect_failure outside "outside.md:11:1: error: image '../x.png' is outside the project"

finish_tests
