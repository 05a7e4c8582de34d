#!/usr/bin/env bash
# Figures a leaflet team has: a JPEG photo (embedded as it is, DCT), a width
# as a share of the text width or in mm, a *caption* paragraph, the 300 dpi
# warning for print, and bad attributes. Read back with pdfimages (encoding,
# pixel size, placed resolution) and pdftotext. The JPEG is made with
# BUILDDIR/tojpeg (tests/tojpeg.c).
#
#   bash tests/figures.sh LEAFPRESS BUILDDIR     (from the repository root)
set -u
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
tojpeg=$(test_tool "build the tests: cmake" tojpeg) || exit 2
make_scratch
export SOURCE_DATE_EPOCH=1767225600

project=$scratch/proj
mkdir -p "$project/sources/beelden" "$project/styles"
cp styles/*.yaml "$project/styles/"
# a 2400 x 1600 JPEG photo: 300 dpi and more at 60 % of the A5 text width
python3 - "$project/sources/beelden/foto.ppm" <<'PY'
import sys
w, h = 2400, 1600
with open(sys.argv[1], "wb") as f:
    f.write(b"P6 %d %d 255\n" % (w, h))
    row = bytes(v for x in range(w) for v in ((x * 7) % 256, 90, 160))
    f.write(row * h)
PY
# gdk-pixbuf writes the JPEG (the library leafpress decodes it with)
if ! "$tojpeg" "$project/sources/beelden/foto.ppm" "$project/sources/beelden/foto.jpg" 2>"$scratch/tojpeg.err"; then
    fail "make a JPEG" "$(cat "$scratch/tojpeg.err")"
    finish_tests
    exit 1
fi
rm "$project/sources/beelden/foto.ppm"
cp tests/data/images/lever.png "$project/sources/beelden/klein.png"
cp tests/data/logo.png "$project/sources/beelden/logo.png" # 1 x 1 px

front_matter() {
    printf -- '---\ntitle: Beelden\nlang: nl-NL\npublisher: Testuitgever\nupdated: 2025-02\n'
    printf -- 'subject: Een folder met foto'"'"'s.\nkeywords: [beelden]\n---\n'
}
CAPTION='De polikliniek Cardiologie op de tweede verdieping.'
{
    front_matter
    printf '# Beelden\n\nEen foto van de polikliniek:\n\n'
    printf '![De wachtkamer van de polikliniek](beelden/foto.jpg){width=60%%}\n\n*%s*\n\n' "$CAPTION"
    printf 'En een kleine afbeelding van 40 mm:\n\n![Een doorsnede van de lever](beelden/klein.png){width=40mm}\n\nEinde.\n'
} >"$project/sources/foto.md"

(cd "$project" && "$leafpress" build --no-booklet --no-proofs -o out sources/foto.md) \
    >"$scratch/out" 2>"$scratch/err"
status=$?
[ "$status" -eq 0 ] && pass "builds (exit 0)" || fail "builds (exit 0)" "$(cat "$scratch/err")"

# the 2000 px PNG at 40 mm is 1270 dpi: no warning; nothing else either
[ ! -s "$scratch/err" ] && pass "no warnings for images at 300 dpi and more" \
    || fail "no warnings for images at 300 dpi and more" "$(cat "$scratch/err")"

# pdfimages -list: page, num, type, width, height, color, comp, bpc, enc, interp, object, ID, x-ppi, y-ppi
check_images() {
    local pdf=$1 variant=$2 text_mm=$3
    local list
    list=$(pdfimages -list "$pdf" 2>&1 | tail -n +3)
    local jpeg png
    jpeg=$(printf '%s\n' "$list" | awk '$9 == "jpeg"')
    png=$(printf '%s\n' "$list" | awk '$9 != "jpeg"' | grep -v smask)
    if [ "$(printf '%s\n' "$jpeg" | grep -c .)" = 1 ] && [ "$(printf '%s\n' "$jpeg" | awk '{print $4"x"$5}')" = 2400x1600 ]; then
        pass "$variant: the photo is embedded as JPEG (DCT), 2400 x 1600"
    else
        fail "$variant: the photo is embedded as JPEG (DCT), 2400 x 1600" "$list"
    fi
    # placed width = pixels / x-ppi inches
    local placed
    placed=$(printf '%s\n' "$jpeg" | awk '{printf "%.1f", $4 / $13 * 25.4}')
    local want
    want=$(awk -v t="$text_mm" 'BEGIN{printf "%.1f", t * 0.6}')
    if awk -v a="$placed" -v b="$want" 'BEGIN{exit !(a - b < 0.6 && b - a < 0.6)}'; then
        pass "$variant: {width=60%} places the photo $placed mm wide (60 % of $text_mm mm)"
    else
        fail "$variant: {width=60%} places the photo $placed mm wide, not $want" "$list"
    fi
    placed=$(printf '%s\n' "$png" | awk 'NR==1{printf "%.1f", $4 / $13 * 25.4}')
    if awk -v a="$placed" 'BEGIN{exit !(a > 39.4 && a < 40.6)}'; then
        pass "$variant: {width=40mm} places the PNG 40 mm wide ($placed)"
    else
        fail "$variant: {width=40mm} places the PNG 40 mm wide" "$placed mm: $list"
    fi
}
# text width: A5 148 - 18 - 15 = 115 mm; A4 210 - 25 - 25 = 160 mm
check_images "$project/out/foto.pdf" house 115
check_images "$project/out/foto-grote-letter.pdf" grote-letter 160
check_images "$project/out/print/foto.pdf" print 115

# the caption follows the image in the text, and is not shown as *markup*
text=$(pdftotext "$project/out/foto.pdf" - | tr '\n' ' ')
if [[ $text == *"$CAPTION"* ]] && [[ $text != *"*De poli"* ]] &&
    [[ ${text%%"$CAPTION"*} == *"Een foto van de polikliniek:"* ]]; then
    pass "the caption is set below the photo"
else
    fail "the caption is set below the photo" "$text"
fi

# a photo too small for print: warned with its line and column, still built
{
    front_matter
    printf '# Beelden\n\n![Het logo](beelden/logo.png){width=50%%}\n'
} >"$project/sources/laag.md"
(cd "$project" && "$leafpress" build --screen-only -o out sources/laag.md) >/dev/null 2>"$scratch/err"
status=$?
# one pixel over 57.5 mm (80 mm in large print): 0 dpi, a warning per variant
if [ "$status" -eq 0 ] && grep -q "^sources/laag.md:11:1: warning: image '.*logo.png' has 0 dpi at its printed size (58 x 58 mm); print needs 300 dpi$" "$scratch/err"; then
    pass "a bitmap under 300 dpi at its printed size is a warning with its position"
else
    fail "a bitmap under 300 dpi at its printed size is a warning with its position" "exit $status; $(cat "$scratch/err")"
fi

# bad attributes: errors with their position, nothing written
{
    front_matter
    printf '# Beelden\n\n![Een foto](beelden/foto.jpg){width=160%%}\n\n![Een foto](beelden/foto.jpg){height=5cm}\n'
} >"$project/sources/fout.md"
(cd "$project" && "$leafpress" build -o fout sources/fout.md) >/dev/null 2>"$scratch/err"
status=$?
expected="sources/fout.md:11:30: error: image width '160%' must be a share from 1% to 100% of the text width, or a length in mm, like '60%' or '50mm'
sources/fout.md:13:30: error: unknown image attribute '{height=5cm}'; an image takes a width, like '{width=60%}' (of the text width) or '{width=50mm}'
leafpress: 1 of 1 leaflet failed"
if [ "$status" -eq 1 ] && [ "$(cat "$scratch/err")" = "$expected" ] && [ ! -e "$project/fout" ] ||
    { [ "$status" -eq 1 ] && [ "$(cat "$scratch/err")" = "$expected" ] && [ -z "$(ls -A "$project/fout")" ]; }; then
    pass "bad image attributes: exact errors, nothing written"
else
    fail "bad image attributes: exact errors, nothing written" "exit $status; $(cat "$scratch/err")"
fi

finish_tests
