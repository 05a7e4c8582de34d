#!/usr/bin/env bash
# The cover end to end: the theme's logo (cover.logo) and the leaflet's
# photo (cover_image) are Figures with alt text on page 1, where the layout
# puts them (read back with `pdf_probe page1`, tests/pdf_probe.c: image
# positions in pt); the cover has no blank part (page 1 rendered with
# pdftoppm: no run of white rows taller than 8 % of the page, the lower
# third mostly not white), and in the print PDF the photo and the band run
# into the bleed. Also: the SVG
# text-size warning (exact stderr), the errors for a bad cover_image,
# cover_image_alt or cover.logo (exact), and `leafpress status` listing
# the leaflets due for review (exact stdout, exit status with and without
# --werror), all with SOURCE_DATE_EPOCH fixed at 2026-12-01.
#
#   bash tests/cover.sh LEAFPRESS [BUILDDIR]      (from the repository root)
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
fixtures=tests/data/cover
require_dirs "$fixtures" styles/ fonts/
require_tools "poppler-utils, python3" pdftoppm pdftotext python3
pdf_probe=$(test_tool "build the tests: cmake with poppler-glib" pdf_probe) || exit 2
make_scratch # a real path (no link in it), as the messages name it
export SOURCE_DATE_EPOCH=1796083200 # 2026-12-01

same() { # same NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3"))"; fi
}

# blank PDF [X Y W H]: page 1 rendered at 20 dpi (only the area given, in
# pixels: a print page's trim box); prints the tallest run of (nearly)
# all-white rows and the white share of the lower third, in %.
blank() {
    local -a area=()
    [ $# -eq 5 ] && area=(-x "$2" -y "$3" -W "$4" -H "$5")
    pdftoppm -r 20 -f 1 -l 1 "${area[@]}" "$1" >"$scratch/page.ppm" 2>/dev/null
    python3 - "$scratch/page.ppm" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
fields, pos = [], 0
while len(fields) < 4:  # P6 width height maxval, white space between
    while data[pos:pos + 1].isspace():
        pos += 1
    start = pos
    while not data[pos:pos + 1].isspace():
        pos += 1
    fields.append(data[start:pos])
pos += 1
w, h = int(fields[1]), int(fields[2])
white = lambda i: min(data[i], data[i + 1], data[i + 2]) >= 245
run = best = 0
lower = lower_white = 0
for y in range(h):
    row = [white(pos + 3 * (y * w + x)) for x in range(w)]
    run = run + 1 if sum(row) >= 0.99 * w else 0
    best = max(best, run)
    if y >= 2 * h // 3:
        lower += w
        lower_white += sum(row)
print(round(100 * best / h), round(100 * lower_white / lower))
PY
}

# pixel PDF X Y: the colour of the point (x, y) in pt from the top left of page 1, as "r g b"
pixel() {
    pdftoppm -r 72 -f 1 -l 1 -x "$2" -y "$3" -W 1 -H 1 "$1" >"$scratch/pixel.ppm" 2>/dev/null
    python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(*d[-3:])' "$scratch/pixel.ppm"
}

# --- the project: the house styles with a logo, as a theme would set it ----------------
project=$scratch/proj
mkdir -p "$project/sources" "$project/beelden"
cp -R styles fonts "$project/"
cp "$fixtures/photo.jpg" "$fixtures/logo.png" "$fixtures/logo.svg" "$fixtures/label.svg" \
    "$project/beelden/"
printf '{}\n' >"$project/sources/contacts.yaml"
# after "band_height" in house.yaml's cover section (line 97 then): the logo
sed -i 's|^  band_height: 125mm.*|&\n  logo: beelden/logo.png|' "$project/styles/house.yaml"
logo_line=$(grep -n '^  logo:' "$project/styles/house.yaml" | cut -d: -f1)
PHOTO_ALT='Een landschap met twee heuvels onder de zon.'
leaflet() { # leaflet NAME [FRONT MATTER LINE...]
    local name=$1
    shift
    {
        printf -- '---\ntitle: Hartfalen\nsubtitle: Informatie voor patiënten\nlang: nl-NL\n'
        printf -- 'publisher: Hartkliniek Noord\nsubject: Wat hartfalen is en wat u eraan kunt doen.\n'
        for line in "$@"; do printf '%s\n' "$line"; done
        printf -- '---\n# Hartfalen\n\nBij hartfalen pompt het hart minder goed.\n'
    } >"$project/sources/$name.md"
}
leaflet foto 'updated: 2026-03' 'cover_image: ../beelden/photo.jpg' "cover_image_alt: $PHOTO_ALT"
leaflet zonder 'updated: 2026-03'
# the figure in the body of 'schema' is on line 14
leaflet schema 'updated: 2026-03' 'review_by: 2028-01'
printf '\n![Schema van het hart](../beelden/label.svg)\n' >>"$project/sources/schema.md"

status=0
(cd "$project" && "$leafpress" build -j1 -o out sources/foto.md sources/zonder.md sources/schema.md) \
    >"$scratch/build.out" 2>"$scratch/build.err" || status=$?
if [ "$status" -eq 0 ]; then pass "a build with a logo and a cover photo"; else fail "a build with a logo and a cover photo" "$(cat "$scratch/build.err")"; fi
out=$project/out

# The photo is 1500 x 1000 px: under 300 dpi at the cover's width (a warning per
# variant); the diagram's 12 pt label is 13.4 pt in large print, under its 16 pt.
expected="sources/foto.md:8:14: warning: cover_image '$project/beelden/photo.jpg' has 257 dpi at its printed size (148 x 58 mm); print needs 300 dpi
sources/foto.md:8:14: warning: cover_image '$project/beelden/photo.jpg' has 181 dpi at its printed size (210 x 85 mm); print needs 300 dpi
sources/schema.md:14:1: warning: image '$project/beelden/label.svg' has text of 13.4 pt at its printed size; this variant's smallest text is 16.0 pt: draw the image 1.19 times as large, or make its text larger"
same "the warnings of the build, exactly (the SVG text size only in large print)" "$(sort <<<"$expected")" "$(sort "$scratch/build.err")"

# --- page 1: the Figures and where they are -------------------------------------------
# A5 (419.5 x 595.3 pt): band 125 mm (354.3 pt); logo row 12 mm + 2 x 7.5 mm at the foot
# (from 518.7 pt); the logo 12 mm (34.0 pt) high, 4:1, at the inner margin (18 mm, 51.0 pt),
# 7.5 mm (21.3 pt) into its row. A4 (595.3 x 841.9): band 175 mm (496.1), row 12 + 2 x 12.5
# mm (from 737.0), logo at 25 mm (70.9), 12.5 mm (35.4) into its row.
check_cover() { # check_cover PDF BAND ROW_TOP LOGO_X PAD
    local pdf=$1 band=$2 row=$3 logo_x=$4 pad=$5
    "$pdf_probe" page1 "$pdf" >"$scratch/page1" 2>&1
    python3 - "$scratch/page1" "$band" "$row" "$logo_x" "$pad" "$PHOTO_ALT" <<'PY'
import sys
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
band, row, logo_x, pad = map(float, sys.argv[2:6])
alt = sys.argv[6]
w, h = map(float, lines[0][1].split())
figures = [l[1] for l in lines if l[0] == "figure"]
images = [tuple(map(float, l[1].split())) for l in lines if l[0] == "image"]
problems = []
if figures != [alt, "Hartkliniek Noord"]:
    problems.append("figures on page 1: %r" % figures)
photo = [i for i in images if i[1] < row and i[3] > band]
logo = [i for i in images if i[1] >= row - 0.5]
if len(images) != 2 or len(photo) != 1 or len(logo) != 1:
    problems.append("images: %r" % images)
else:
    x1, y1, x2, y2 = photo[0]
    # cropped to fill: it covers the whole width and the space from the band to the logo row
    if not (x1 <= 0.5 and x2 >= w - 0.5 and y1 <= band + 0.5 and y2 >= row - 0.5):
        problems.append("the photo %r does not cover 0..%.1f x %.1f..%.1f" % (photo[0], w, band, row))
    if abs((x2 - x1) / (y2 - y1) - 1.5) > 0.02:
        problems.append("the photo lost its 3:2 aspect ratio: %r" % (photo[0],))
    x1, y1, x2, y2 = logo[0]
    want = (logo_x, row + pad, logo_x + 4 * 34.0, row + pad + 34.0)
    if any(abs(a - b) > 1.0 for a, b in zip(logo[0], want)):
        problems.append("the logo is at %r, not %r" % (logo[0], want))
print("\n".join(problems))
PY
}
for v in "foto.pdf 354.3 518.7 51.0 21.3" "foto-grote-letter.pdf 496.1 737.0 70.9 35.4"; do
    set -- $v
    problems=$(check_cover "$out/$1" "$2" "$3" "$4" "$5")
    if [ -z "$problems" ]; then pass "$1: photo and logo are Figures with alt text, placed and sized as laid out"; else fail "$1: photo and logo placed" "$problems"; fi
done

# --- no dead space --------------------------------------------------------------------
# (the print page's trim box at 20 dpi: 11 mm in, 148 x 210 mm: 9, 9, 116, 165 px)
for v in foto.pdf foto-grote-letter.pdf zonder.pdf zonder-grote-letter.pdf \
         "print/foto.pdf 9 9 116 165" "print/zonder.pdf 9 9 116 165"; do
    set -- $v
    pdf=$1
    read -r run lower <<<"$(blank "$out/$@")"
    if [ "${run:-100}" -lt 8 ] && [ "${lower:-100}" -lt 50 ]; then
        pass "$pdf: no blank part on the cover (tallest white strip $run %, lower third $lower % white)"
    else
        fail "$pdf: no blank part on the cover" "tallest white strip ${run:-?} % of the page, lower third ${lower:-?} % white"
    fi
done
# without a photo the band runs down to the logo row, with the subject sentence in it
if pdftotext -f 1 -l 1 "$out/zonder.pdf" - | grep -qF 'Wat hartfalen is en wat u eraan kunt doen.'; then
    pass "without a photo the subject sentence is on the cover"
else
    fail "without a photo the subject sentence is on the cover" "$(pdftotext -f 1 -l 1 "$out/zonder.pdf" -)"
fi
same "without a photo the band reaches the logo row (A5, 2 pt above it: teal)" "0 90 110" "$(pixel "$out/zonder.pdf" 200 516)"
same "... and the logo row is white (2 pt below its top)" "255 255 255" "$(pixel "$out/zonder.pdf" 200 521)"

# --- print: what touches the trim edge runs into the bleed ------------------------------
# The print page is the trim page with 3 mm bleed and 8 mm for the marks around it: trim
# from 31.2 pt. The photo covers the bleed (from 22.7 pt) on the left and right.
"$pdf_probe" page1 "$out/print/foto.pdf" >"$scratch/print1"
if python3 - "$scratch/print1" <<'PY'
import sys
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
w, h = map(float, lines[0][1].split())
images = [tuple(map(float, l[1].split())) for l in lines if l[0] == "image"]
photo = max(images, key=lambda i: i[2] - i[0])
sys.exit(0 if photo[0] <= 22.7 + 0.5 and photo[2] >= w - 22.7 - 0.5 else 1)
PY
then pass "print: the cover photo runs into the bleed left and right"; else fail "print: the cover photo runs into the bleed left and right" "$(cat "$scratch/print1")"; fi
# 1.5 mm outside the trim edge, at the height of the photo and of the band
# (print/foto.pdf's trim box starts at 31.2 pt: the photo spans 385.5..549.9 pt there)
colour=$(pixel "$out/print/foto.pdf" 27 470)
case $colour in
"255 255 255" | "0 90 110") fail "print: the photo is in the left bleed" "found $colour" ;;
*) pass "print: the photo is in the left bleed ($colour)" ;;
esac
# print colours are CMYK: compare with the band inside the trim
same "print: the band is in the left bleed" "$(pixel "$out/print/foto.pdf" 60 231)" "$(pixel "$out/print/foto.pdf" 27 231)"

# A project whose style has no logo (the shipped house style): the band fills the
# whole cover and runs into the bleed on all four sides.
plain=$scratch/plain
mkdir -p "$plain/sources"
cp -R styles fonts "$plain/"
cp "$project/sources/zonder.md" "$project/sources/contacts.yaml" "$plain/sources/"
(cd "$plain" && "$leafpress" build -j1 -q --no-booklet --no-proofs -o out sources/zonder.md) \
    >/dev/null 2>"$scratch/plain.err"
read -r run lower <<<"$(blank "$plain/out/zonder.pdf")"
# (the last pixel row, a part of a pixel at 20 dpi, may render white)
if [ "${run:-100}" -le 1 ] && [ "${lower:-100}" -le 2 ]; then
    pass "without a logo the band fills the cover ($run % white rows, lower third $lower % white)"
else
    fail "without a logo the band fills the cover" "tallest white strip ${run:-?} %, lower third ${lower:-?} % white"
fi
"$pdf_probe" page1 "$plain/out/print/zonder.pdf" >"$scratch/plain1"
read -r pw ph <<<"$(sed -n 's/^page\t//p' "$scratch/plain1")"
bottom_bleed=$(python3 -c "print(round($ph - 27))")
same "print without a logo: the band runs into the bottom bleed" "$(pixel "$plain/out/print/zonder.pdf" 200 300)" "$(pixel "$plain/out/print/zonder.pdf" 200 "$bottom_bleed")"

# A title and subtitle so long that the band leaves under 25 mm for the photo: a warning,
# and the band fills the space (no photo, no blank part)
long=$(printf 'Hartfalen en %.0s' $(seq 1 14))
leaflet lang 'updated: 2026-03' 'short_title: Hartfalen' 'cover_image: ../beelden/photo.jpg' \
    "cover_image_alt: $PHOTO_ALT"
sed -i "s/^title: .*/title: ${long% }/; s/^subtitle: .*/subtitle: ${long% }/; s/^# .*/# ${long% }/" \
    "$project/sources/lang.md"
(cd "$project" && "$leafpress" build -j1 -q --no-booklet --no-proofs -o out sources/lang.md) \
    >/dev/null 2>"$scratch/lang.err"
# (A5 keeps 33 mm for the photo, large print only 1 mm)
same "a cover photo with no room under a long title: a warning" \
"sources/lang.md:9:14: warning: cover_image '$project/beelden/photo.jpg' has 257 dpi at its printed size (148 x 33 mm); print needs 300 dpi
sources/lang.md:9:14: warning: the cover has no room for cover_image '../beelden/photo.jpg' (1 mm under the title; it needs 25): shorten the title or the subtitle" \
    "$(sort "$scratch/lang.err")"
"$pdf_probe" page1 "$out/lang-grote-letter.pdf" >"$scratch/lang1"
same "... and page 1 has only the logo as a Figure" "figure	Hartkliniek Noord" "$(grep '^figure' "$scratch/lang1")"
read -r run lower <<<"$(blank "$out/lang-grote-letter.pdf")"
if [ "${run:-100}" -lt 8 ]; then pass "... and no blank part ($run %)"; else fail "... and no blank part" "${run:-?} %"; fi
rm "$project/sources/lang.md"

# --- errors: file:line:col, exactly -----------------------------------------------------
errors() { # errors NAME EXPECTED: `check` on sources/NAME.md fails with exactly EXPECTED
    local name=$1 expected=$2 st=0
    (cd "$project" && "$leafpress" check -q "sources/$name.md") >/dev/null 2>"$scratch/err" || st=$?
    if [ "$st" -eq 1 ] && [ "$(grep -v '^leafpress:' "$scratch/err")" = "$expected" ]; then
        pass "error: $name"
    else
        fail "error: $name" "exit $st; $(diff <(printf '%s\n' "$expected") <(grep -v '^leafpress:' "$scratch/err"))"
    fi
}
leaflet noalt 'updated: 2026-03' 'cover_image: ../beelden/photo.jpg'
errors noalt "sources/noalt.md:8:14: error: 'cover_image' needs 'cover_image_alt': a sentence saying what the photo shows"
leaflet onlyalt 'updated: 2026-03' 'cover_image_alt: Een foto.'
errors onlyalt "sources/onlyalt.md:1:1: error: 'cover_image_alt' without 'cover_image'; name the photo, or remove the alt text"
leaflet missing 'updated: 2026-03' 'cover_image: geen.jpg' 'cover_image_alt: Een foto.'
errors missing "sources/missing.md:8:14: error: cover_image 'geen.jpg' not found"
cp "$fixtures/photo.jpg" "$scratch/buiten.jpg"
leaflet outside 'updated: 2026-03' 'cover_image: ../../buiten.jpg' 'cover_image_alt: Een foto.'
errors outside "sources/outside.md:8:14: error: cover_image '../../buiten.jpg' is outside the project"
sed -i 's|^  logo: beelden/logo.png|  logo: beelden/geen.png|' "$project/styles/house.yaml"
style_failed="sources/zonder.md: error: style 'house' has errors (reported above)
sources/zonder.md: error: style 'grote-letter' has errors (reported above)"
errors zonder "styles/house.yaml:$logo_line:9: error: cover.logo 'beelden/geen.png' not found (the path is relative to $project)
$style_failed"
sed -i 's|^  logo: beelden/geen.png|  logo: ../buiten.jpg|' "$project/styles/house.yaml"
errors zonder "styles/house.yaml:$logo_line:9: error: cover.logo '../buiten.jpg' is outside the project (the path is relative to $project)
$style_failed"
sed -i 's|^  logo: ../buiten.jpg|  logo: beelden/logo.svg|' "$project/styles/house.yaml"

# --- status: the leaflets due for review ------------------------------------------------
leaflet oud 'updated: 2019-01'
leaflet verlopen 'updated: 2024-01' 'review_by: 2026-06'
rm -f "$project"/sources/{noalt,onlyalt,missing,outside}.md
(cd "$project" && "$leafpress" build -j1 -q -o out) >/dev/null 2>&1
st=0
(cd "$project" && "$leafpress" status -o out) >"$scratch/status" 2>&1 || st=$?
expected="leafpress: all 40 outputs up to date
Due for review:
  sources/oud.md                               updated 2019-01, more than 3 years ago, and no review_by
  sources/verlopen.md                          review_by 2026-06 has passed, 154 days ago
leafpress: 2 of 5 leaflets due for review; review the text, then set 'updated' and 'review_by'"
same "status lists the leaflets due for review" "$expected" "$(cat "$scratch/status")"
same "status: due for review alone keeps exit status 0" 0 "$st"
st=0
(cd "$project" && "$leafpress" status --werror -o out) >/dev/null 2>&1 || st=$?
same "status --werror: a leaflet due for review makes it 1" 1 "$st"
st=0
(cd "$project" && "$leafpress" status -q -o out) >"$scratch/status" 2>&1 || st=$?
same "status -q: only the lines" "  sources/oud.md                               updated 2019-01, more than 3 years ago, and no review_by
  sources/verlopen.md                          review_by 2026-06 has passed, 154 days ago" "$(cat "$scratch/status")"

# --- incremental: the logo and the cover photo are inputs of what shows them -------------
printf '<!-- changed -->\n' >>"$project/beelden/photo.jpg"
(cd "$project" && "$leafpress" status -q -o out) >"$scratch/status" 2>&1
same "a changed cover photo makes exactly its leaflet's outputs out of date" \
    "$(cd "$project" && ls out/foto*.pdf out/print/foto*.pdf out/booklet/foto*.pdf out/proofs/foto*.png | grep -v -- '-[0-9][0-9].png' | sort)" \
    "$(sed -n 's/^  \(out\/[^ ]*\) .*beelden\/photo.jpg changed.*/\1/p' "$scratch/status" | sort)"
printf '<!-- changed -->\n' >>"$project/beelden/logo.svg"
(cd "$project" && "$leafpress" status -q -o out) >"$scratch/status" 2>&1
n=$(grep -c 'beelden/logo.svg changed' "$scratch/status")
same "a changed logo makes every output out of date (all 40 show it)" 40 "$n"

finish_tests
