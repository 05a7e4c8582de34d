#!/usr/bin/env bash
# Themes and variants compose: a leaflet in a department theme
# (tests/data/clinic: `theme: cardio`) gets every variant and every kind of
# output, each in the theme's colours, with its usual file names; large
# print keeps its rules whatever a theme says.
#
#   bash tests/themes.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# A copy of tests/data/clinic (sources/, styles/, themes/) is the project.
#   - files: SLUG, SLUG-grote-letter, SLUG-telefoonnummers, each with its
#     print PDF, booklet (not the contact sheet) and proofs; nothing named
#     after the theme
#   - colours: the cover band pixel of every screen PDF (pdftoppm) and of
#     every page-1 and overview proof (PNG decoded here) is the theme's
#     #8c1c2e; the print PDFs fill with the theme's CMYK (content stream,
#     qpdf); the booklets with its rgb. The same leaflet without a theme has
#     the house teal, so the checks can tell the two apart.
#   - rules: a theme that sets small text, italics and hyphenation: the
#     brochure takes them (9 pt body, an italic font), large print does not
#     (nothing under 16 pt by `pdf_probe sizes`, no italic font by pdffonts,
#     no soft hyphen), and each value the rules override is a warning at
#     the theme's file:line:col
#   - a theme that sets a variant's key (suffix, page.size, rules, output):
#     an error with a hint, at its position, and nothing written
#   - incremental: a changed theme rebuilds exactly the leaflets in it, and
#     the report, the state and --depfile name the theme file
# Prints ok/FAIL per check and "N passed, M failed".
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
clinic=tests/data/clinic

require_dirs "$clinic/themes"
require_tools "poppler-utils, qpdf, python3" pdftoppm pdffonts pdftotext qpdf python3
pdf_probe=$(test_tool "build the tests: cmake with poppler-glib" pdf_probe) || exit 2
make_scratch
unset CI GITHUB_ACTIONS
export SOURCE_DATE_EPOCH=1798761600 # 2027-01-01: after the leaflets' updated

# --- helpers -----------------------------------------------------------------------

# pixel PNG X Y: "#rrggbb" at (X, Y), each a share of the width and height.
cat >"$scratch/pixel.py" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        assert depth == 8 and ctype in (2, 6) and not interlace, 'only 8-bit RGB(A), not interlaced'
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), w * bpp
want = int(h * float(sys.argv[3]))
prev, i = bytearray(stride), 0
for y in range(want + 1):  # PNG filters need every row above
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
x = int(w * float(sys.argv[2]))
print('#%02x%02x%02x' % tuple(prev[x * bpp:x * bpp + 3]))
EOF
pixel() { python3 "$scratch/pixel.py" "$@"; }

# band PDF: the pixel in the cover band of page 1 (near the top, right of the texts)
band() {
    rm -f "$scratch/page-1.png" "$scratch/page-01.png"
    pdftoppm -r 30 -f 1 -l 1 -png "$1" "$scratch/page" 2>/dev/null || return 1
    pixel "$(ls "$scratch"/page-*1.png | head -1)" 0.8 0.05
}

# uncompressed PDF content, for the colour operators
content() { qpdf --qdf --object-streams=disable "$1" - 2>/dev/null; }

THEME_RGB='#8c1c2e'
THEME_RG='0.54902 0.109804 0.180392 rg' # #8c1c2e, as cairo writes it
THEME_K='0.1 0.95 0.7 0.4 k'            # cmyk: [10, 95, 70, 40]
HOUSE_RGB='#005a6e'

# --- the cardiology project --------------------------------------------------------
p=$scratch/clinic
mkdir -p "$p"
cp -R "$clinic/sources" "$clinic/styles" "$clinic/themes" "$p/"
status=0
(cd "$p" && "$leafpress" build -o out) >"$scratch/build.out" 2>"$scratch/build.err" || status=$?
if [ "$status" -eq 0 ] && [ ! -s "$scratch/build.err" ]; then
    pass "the two heart-clinic leaflets in theme cardio build, without a message"
else
    fail "the two heart-clinic leaflets in theme cardio build (exit $status)" "$(cat "$scratch/build.err")"
fi

missing=
for slug in hartkatheterisatie pacemaker; do
    for v in "$slug" "$slug-grote-letter" "$slug-telefoonnummers"; do
        want=("out/$v.pdf" "out/print/$v.pdf" "out/proofs/$v.png" "out/proofs/$v-01.png")
        [ "$v" = "$slug-telefoonnummers" ] || want+=("out/booklet/$v.pdf")
        for f in "${want[@]}"; do
            [ -f "$p/$f" ] || missing="$missing $f"
        done
    done
done
if [ -z "$missing" ]; then
    pass "every variant (brochure, large print, contact sheet) and kind (print, booklet, proofs) exists"
else
    fail "every variant and kind exists" "missing:$missing"
fi
extra=$(cd "$p/out" && find . -name '*cardio*' | sort)
if [ -z "$extra" ]; then
    pass "no output is named after the theme: themed leaflets keep their slug names"
else
    fail "no output is named after the theme" "$extra"
fi

for slug in hartkatheterisatie pacemaker; do
    for v in "$slug" "$slug-grote-letter" "$slug-telefoonnummers"; do
        got=$(band "$p/out/$v.pdf")
        if [ "$got" = "$THEME_RGB" ]; then
            pass "$v.pdf: the cover band is the theme's $THEME_RGB"
        else
            fail "$v.pdf: the cover band is the theme's $THEME_RGB" "pixel: $got"
        fi
        got=$(pixel "$p/out/proofs/$v-01.png" 0.8 0.05)
        if [ "$got" = "$THEME_RGB" ]; then
            pass "proofs/$v-01.png: the cover band is the theme's"
        else
            fail "proofs/$v-01.png: the cover band is the theme's" "pixel: $got"
        fi
        if content "$p/out/print/$v.pdf" | grep -aqF "$THEME_K"; then
            pass "print/$v.pdf fills with the theme's CMYK ($THEME_K)"
        else
            fail "print/$v.pdf fills with the theme's CMYK ($THEME_K)"
        fi
        if [ -f "$p/out/booklet/$v.pdf" ]; then
            if content "$p/out/booklet/$v.pdf" | grep -aqF "$THEME_RG"; then
                pass "booklet/$v.pdf fills with the theme's colour"
            else
                fail "booklet/$v.pdf fills with the theme's colour"
            fi
        fi
    done
    # the overview: the cover is the second page image from the left
    got=$(pixel "$p/out/proofs/$slug.png" 0.28 0.1)
    if [ "$got" = "$THEME_RGB" ]; then
        pass "proofs/$slug.png (overview): the cover band is the theme's"
    else
        fail "proofs/$slug.png (overview): the cover band is the theme's" "pixel: $got"
    fi
done

# the same leaflet without its theme: the house teal, and no theme colour
sed '/^theme: cardio$/d' "$p/sources/pacemaker.md" >"$p/sources/zonder.md"
status=0
(cd "$p" && "$leafpress" build -o plain --screen-only sources/zonder.md) >/dev/null \
    2>"$scratch/plain.err" || status=$?
got=$(band "$p/plain/zonder.pdf")
got_large=$(band "$p/plain/zonder-grote-letter.pdf")
if [ "$status" -eq 0 ] && [ "$got" = "$HOUSE_RGB" ] && [ "$got_large" = "$HOUSE_RGB" ] &&
   ! content "$p/plain/zonder.pdf" | grep -aqF "$THEME_RG"; then
    pass "without theme: the same leaflet is in the house teal (the checks tell the two apart)"
else
    fail "without theme: the house teal" "exit $status, band $got / $got_large; $(cat "$scratch/plain.err")"
fi
rm -f "$p/sources/zonder.md"

# --- large print's rules hold whatever a theme says ----------------------------------
cat >"$p/themes/klein.yaml" <<'EOF'
# a theme with small, italic, hyphenated text
body:
  size: 9pt
text:
  hyphenate: true
  emphasis: italic
h3:
  italic: true
cover_subtitle:
  italic: true
EOF
sed 's/^theme: cardio$/theme: klein/; s/^slug: .*//' "$p/sources/pacemaker.md" >"$p/sources/klein.md"
status=0
(cd "$p" && "$leafpress" build -o small --no-print --no-booklet --no-proofs sources/klein.md) \
    >/dev/null 2>"$scratch/klein.err" || status=$?
cat >"$scratch/klein.want" <<'EOF'
themes/klein.yaml:5:14: warning: text.hyphenate: true does not hold in variant 'grote-letter', whose rules (styles/grote-letter.yaml:13:14) say hyphenate: false; it uses false there
themes/klein.yaml:6:13: warning: text.emphasis: italic does not hold in variant 'grote-letter', whose rules (styles/grote-letter.yaml:12:12) say italics: false; it uses bold there
themes/klein.yaml:8:11: warning: h3.italic: true does not hold in variant 'grote-letter', whose rules (styles/grote-letter.yaml:12:12) say italics: false; it uses false there
themes/klein.yaml:10:11: warning: cover_subtitle.italic: true does not hold in variant 'grote-letter', whose rules (styles/grote-letter.yaml:12:12) say italics: false; it uses false there
EOF
if [ "$status" -eq 0 ] && diff "$scratch/klein.want" "$scratch/klein.err" >"$scratch/klein.diff"; then
    pass "each theme value large print's rules override is a warning at themes/klein.yaml:LINE:COL"
else
    fail "each overridden theme value is a warning at its position (exit $status)" "$(cat "$scratch/klein.diff")"
fi
read -r least mode < <("$pdf_probe" sizes "$p/small/klein.pdf")
if pdffonts "$p/small/klein.pdf" | grep -q Italic && [ "$mode" = "9.00" ]; then
    pass "the brochure takes the theme: body text at $mode pt, an italic font"
else
    fail "the brochure takes the theme" "body $mode pt; fonts: $(pdffonts "$p/small/klein.pdf" | tail -n +3 | awk '{print $1}' | tr '\n' ' ')"
fi
read -r least mode < <("$pdf_probe" sizes "$p/small/klein-grote-letter.pdf")
if awk -v s="$least" 'BEGIN { exit !(s >= 15.99) }'; then
    pass "large print in theme klein: nothing under 16 pt (smallest $least pt, body $mode pt)"
else
    fail "large print in theme klein: nothing under 16 pt" "smallest $least pt"
fi
italic=$(pdffonts "$p/small/klein-grote-letter.pdf" | tail -n +3 | grep -i 'italic\|oblique')
if [ -z "$italic" ] && [ "$(pdffonts "$p/small/klein-grote-letter.pdf" | tail -n +3 | wc -l)" -gt 0 ]; then
    pass "large print in theme klein: no italic font"
else
    fail "large print in theme klein: no italic font" "$italic"
fi
if ! pdftotext "$p/small/klein-grote-letter.pdf" - | grep -q $'\u00ad\|-$'; then
    pass "large print in theme klein: no hyphenated line end"
else
    fail "large print in theme klein: no hyphenated line end" \
        "$(pdftotext "$p/small/klein-grote-letter.pdf" - | grep $'\u00ad\|-$' | head -3)"
fi
rm -f "$p/sources/klein.md" "$p/themes/klein.yaml"

# --- a theme may not set what a variant is for ----------------------------------------
cat >"$p/themes/fout.yaml" <<'EOF'
suffix: -fout
page:
  size: A4
  margin_top: 20mm
rules:
  min_size: 8pt
output:
  booklet: false
h1:
  color: "#8c1c2e"
EOF
sed 's/^theme: cardio$/theme: fout/' "$p/sources/pacemaker.md" >"$p/sources/fout.md"
status=0
(cd "$p" && "$leafpress" build -o wrong sources/fout.md) >/dev/null 2>"$scratch/fout.err" || status=$?
cat >"$scratch/fout.want" <<'EOF'
themes/fout.yaml:1:1: error: 'suffix' belongs to a variant (a style in styles/), not to a theme: a leaflet in a theme keeps its file names (SLUG.pdf, SLUG-grote-letter.pdf); remove it
themes/fout.yaml:3:3: error: 'page.size' belongs to a variant (a style in styles/), not to a theme: the page format is what a variant is for (the brochure A5, large print A4); remove it, or make a variant in styles/
themes/fout.yaml:5:1: error: 'rules' belongs to a variant (a style in styles/), not to a theme: a variant's rules (large print: 16 pt and up, no italics, no hyphenation) hold whatever a theme says; remove them
themes/fout.yaml:7:1: error: 'output' belongs to a variant (a style in styles/), not to a theme: turn a kind of output off in the variant's style file, or with --no-print, --no-booklet or --no-proofs
sources/fout.md:16:8: error: theme 'fout' has errors in variant 'house' (reported above)
sources/fout.md:16:8: error: theme 'fout' has errors in variant 'grote-letter' (reported above)
leafpress: 1 of 1 leaflet failed
leafpress: nothing is built while a style or theme has errors: fix them, or move a file no leaflet uses out of its folder
EOF
if [ "$status" -eq 1 ] && diff "$scratch/fout.want" "$scratch/fout.err" >"$scratch/fout.diff" &&
   [ ! -e "$p/wrong/fout.pdf" ] && [ -z "$(find "$p/wrong" -type f ! -name .leafpress-state 2>/dev/null)" ]; then
    pass "a theme setting suffix, page.size, rules or output: an error with a hint each, nothing written"
else
    fail "a theme setting a variant's keys: errors with hints, nothing written (exit $status)" \
        "$(cat "$scratch/fout.diff"; find "$p/wrong" -type f 2>/dev/null)"
fi
rm -f "$p/sources/fout.md" "$p/themes/fout.yaml"

# --- incremental: the theme is an input of every output in it ------------------------
# a leaflet without a theme beside them: new, so built; never rebuilt for the theme
sed '/^theme: cardio$/d' "$p/sources/pacemaker.md" >"$p/sources/algemeen.md"
status=0
(cd "$p" && "$leafpress" build -o out --report "$scratch/r1.json" --depfile "$scratch/deps.mk") \
    >/dev/null 2>"$scratch/inc1.err" || status=$?
built=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(' '.join(sorted(o['path'] for o in r['outputs'] if o['status']=='built')))" "$scratch/r1.json" 2>/dev/null)
# algemeen.md is new (built); the themed leaflets are current
case " $built " in
    *hartkatheterisatie*|*pacemaker*) fail "a second build keeps the themed leaflets" "$built" ;;
    *) pass "a second build keeps the themed leaflets (built only: ${built:-nothing})" ;;
esac
# deps TARGET: the prerequisites of TARGET's rule in the depfile, one a line
deps() {
    python3 - "$scratch/deps.mk" "$1" <<'PY'
import sys
rules = open(sys.argv[1]).read().replace('\\\n', ' ').splitlines()
for rule in rules:
    targets, _, prerequisites = rule.partition(':')
    if sys.argv[2] in targets.split():
        print('\n'.join(prerequisites.split()))
PY
}
if deps out/pacemaker-grote-letter.pdf | grep -qx 'themes/cardio.yaml' &&
   deps out/print/hartkatheterisatie-telefoonnummers.pdf | grep -qx 'themes/cardio.yaml' &&
   deps out/algemeen.pdf | grep -qx 'styles/house.yaml' &&
   ! deps out/algemeen.pdf | grep -q '^themes/'; then
    pass "--depfile: themes/cardio.yaml is a prerequisite of the themed outputs, not of the others"
else
    fail "--depfile lists the theme" "$(grep -n 'cardio\|^out/pacemaker-grote' "$scratch/deps.mk" | head -5)"
fi
if grep -q 'themes/cardio.yaml' "$p/out/.leafpress-state"; then
    pass "the state file records themes/cardio.yaml among the inputs"
else
    fail "the state file records themes/cardio.yaml among the inputs"
fi
sed -i 's/"#f6dfe3"/"#f7e0e4"/' "$p/themes/cardio.yaml"
status=0
(cd "$p" && "$leafpress" status -o out) >"$scratch/status.out" 2>&1 || status=$?
if [ "$status" -eq 1 ] && grep -q 'themes/cardio.yaml changed' "$scratch/status.out"; then
    pass "status after a theme change: out of date, because themes/cardio.yaml changed"
else
    fail "status after a theme change names the theme (exit $status)" "$(head -5 "$scratch/status.out")"
fi
status=0
(cd "$p" && "$leafpress" build -o out --report "$scratch/r2.json") >/dev/null 2>"$scratch/inc2.err" \
    || status=$?
python3 - "$scratch/r2.json" >"$scratch/r2.check" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
built = sorted(o['path'] for o in r['outputs'] if o['status'] == 'built')
themed = [o for o in r['outputs'] if 'pacemaker' in o['path'] or 'hartkatheterisatie' in o['path']]
problems = []
if any('algemeen' in p for p in built):
    problems.append('algemeen rebuilt: %s' % built)
if not themed or any(o['status'] != 'built' for o in themed):
    problems.append('not every themed output rebuilt: %s' % [(o['path'], o['status']) for o in themed if o['status'] != 'built'])
if any('themes/cardio.yaml' not in (o.get('reason') or '') for o in themed):
    problems.append('reasons: %s' % sorted(set(o.get('reason') for o in themed)))
if any(o.get('theme') != 'themes/cardio.yaml' for o in themed):
    problems.append('"theme" of the themed outputs: %s' % sorted(set(str(o.get('theme')) for o in themed)))
if any(o.get('theme') is not None for o in r['outputs'] if 'algemeen' in o['path']):
    problems.append('"theme" of algemeen is not null')
if problems:
    print('\n'.join(problems))
PY
if [ "$status" -eq 0 ] && [ ! -s "$scratch/r2.check" ]; then
    pass "a changed theme rebuilds every output of its leaflets (all variants), and only those; the report says why and names the theme"
else
    fail "a changed theme rebuilds exactly its leaflets (exit $status)" "$(cat "$scratch/r2.check" "$scratch/inc2.err")"
fi

if python3 tests/check_report.py report "$scratch/r2.json" >"$scratch/schema.out" 2>&1; then
    pass "the report (with \"theme\") is valid against docs/report.schema.json"
else
    fail "the report is valid against docs/report.schema.json" "$(cat "$scratch/schema.out")"
fi

finish_tests
