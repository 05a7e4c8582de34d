#!/usr/bin/env bash
# The English, Turkish and Arabic sample leaflets (tests/data/languages/)
# end to end: they build in every variant with no missing glyph, each PDF
# has /Lang from its front matter and the PDF/UA basics (tagged, pdfuaid and
# dc:language in the XMP, H1 and lists in the structure tree), its text and its generated wording (in
# its own language) extract back, Turkish letters (İ ı ş ğ) come back as
# written, Arabic is set in the bundled Noto Naskh Arabic and extracts in
# logical order, and `check` gives each language its figures.
#
#   bash tests/languages.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# Known gap, printed but not failed: Arabic paragraphs are aligned left, not
# right, and the page is not mirrored (footer, bullets, box rules); that is
# layout's to do.
set -u

leafpress=${1:?usage: bash tests/languages.sh LEAFPRESS [BUILDDIR]}
builddir=${2:-}
samples=tests/data/languages

if [ ! -d "$samples" ]; then
    echo "languages.sh: run from the repository root ($samples not found)" >&2
    exit 2
fi
for tool in pdftotext pdfinfo pdffonts qpdf python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "languages.sh: $tool not found (poppler-utils, qpdf, python3)" >&2
        exit 2
    fi
done
if [ -n "$builddir" ] && [ -d "$builddir" ]; then
    scratch=$(mktemp -d "$builddir/languages.XXXXXX")
else
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/leafpress-languages.XXXXXX")
fi
trap 'rm -rf "$scratch"' EXIT

passed=0
failed=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/     /'; failed=$((failed + 1)); }

out="$scratch/out"
# a review date in the future of this fixed "today", so check stays quiet about it
export SOURCE_DATE_EPOCH=1796083200 # 2026-12-01
if "$leafpress" build -o "$out" --contacts "$samples/contacts.yaml" "$samples"/*.md \
        >"$scratch/build.out" 2>"$scratch/build.err"; then
    pass "the three samples build"
else
    fail "the three samples build" "$(cat "$scratch/build.err")"
fi
if grep -q "no bundled font" "$scratch/build.err"; then
    fail "no missing glyph" "$(grep "no bundled font" "$scratch/build.err")"
else
    pass "no missing glyph"
fi

# /Lang of the document catalogue, read with qpdf.
lang_of() {
    local root
    root=$(qpdf --show-object=trailer "$1" 2>/dev/null | sed -n 's|.*/Root \([0-9]*\) 0 R.*|\1|p')
    qpdf --show-object="$root" "$1" 2>/dev/null | sed -n 's|.*/Lang (\([^)]*\)).*|\1|p'
}

# Text without the bidi controls pdftotext wraps right-to-left lines in.
text_of() {
    pdftotext "$1" - 2>/dev/null | python3 -c '
import sys
sys.stdout.write(sys.stdin.read().translate({c: None for c in range(0x202A, 0x202F)}))'
}

# has FILE PHRASE...: every phrase occurs in the text (one line of it)
has() {
    local file=$1 missing=""
    shift
    local text
    text=$(text_of "$file")
    for phrase in "$@"; do
        grep -qF -- "$phrase" <<<"$text" || missing+="'$phrase' "
    done
    [ -z "$missing" ] || { echo "$missing"; return 1; }
}

declare -A lang=([en]=en-GB [tr]=tr-TR [ar]=ar)
for l in en tr ar; do
    for variant in "" -grote-letter; do
        pdf="$out/$l$variant.pdf"
        name="$l$variant"
        if [ ! -s "$pdf" ] || ! pdfinfo "$pdf" >/dev/null 2>&1; then
            fail "$name: a readable PDF" "$pdf"
            continue
        fi
        got=$(lang_of "$pdf")
        if [ "$got" = "${lang[$l]}" ]; then pass "$name: /Lang $got"; else fail "$name: /Lang" "got '$got'"; fi
        # PDF/UA basics, as for the Dutch leaflets: tagged, XMP with pdfuaid and
        # dc:language, a structure tree that starts with the H1 and has a list
        info=$(pdfinfo "$pdf" 2>/dev/null)
        meta=$(pdfinfo -meta "$pdf" 2>/dev/null)
        struct=$(pdfinfo -struct "$pdf" 2>/dev/null)
        if grep -q "^Tagged: *yes" <<<"$info" && grep -q "pdfuaid:part>1<" <<<"$meta" &&
           grep -q "<rdf:li>${lang[$l]}</rdf:li>" <<<"$meta" &&
           [ "$(sed -n 2p <<<"$struct" | tr -d ' ')" = "H1(block)" ] && grep -q "LBody" <<<"$struct"; then
            pass "$name: tagged, PDF/UA XMP, dc:language, H1 and lists in the structure"
        else
            fail "$name: tagged, PDF/UA XMP, dc:language, H1 and lists in the structure" \
                "$(grep Tagged <<<"$info"; grep -o "pdfuaid:part>[^<]*\|<rdf:li>[a-zA-Z-]*</rdf:li>" <<<"$meta"; head -3 <<<"$struct")"
        fi
    done
done

# Body text and generated wording in each language.
check_text() {
    local name=$1 pdf=$2
    shift 2
    local why
    if why=$(has "$pdf" "$@"); then pass "$name"; else fail "$name" "missing: $why"; fi
}
check_text "en: body text" "$out/en.pdf" "Your first visit to the" "outpatient clinic" \
    "Bring these things with you:" "your health insurance card" "Write down your questions"
check_text "en: generated wording" "$out/en.pdf" "Contact details" "About this leaflet" \
    "Last updated: September 2026" "Published by: Amsterdam UMC"
check_text "tr: body text, İ ı ş ğ as written" "$out/tr.pdf" "Polikliniğe ilk ziyaretiniz" \
    "İngilizceyi anlamakta zorlanıyor musunuz?" "sağlık sigortası kartınız" \
    "şikâyetleriniz" "Sorularınızı yazın"
check_text "tr: generated wording" "$out/tr.pdf" "İletişim bilgileri" "Bu broşür hakkında" \
    "Son güncelleme: Eylül 2026" "Yayımlayan: Amsterdam UMC"
# Arabic: phrases that must come back in logical (reading) order, one line
# each: right-to-left words with no lam-alef ligature (see below).
check_text "ar: body text in logical order" "$out/ar.pdf" "قبل الموعد" "بطاقة التأمين الصحي" \
    "جواز السفر أو بطاقة الهوية" "أثناء الزيارة" "الترجمة مجانية" "اكتب أسئلتك"
check_text "ar: generated wording" "$out/ar.pdf" "عن هذه النشرة" "آخر تحديث" "سبتمبر 2026" \
    "الناشر"
# Reported, not failed (what pdftotext makes of them, not what the PDF holds):
# words with the lam-alef ligature (لأ, لا) come back split or reordered, and
# a colon between Arabic and Latin text lands on the wrong side.
for phrase in "الأشياء التالية" "بيانات الاتصال" "الناشر: Amsterdam UMC"; do
    has "$out/ar.pdf" "$phrase" >/dev/null || echo "note known gap: ar: pdftotext does not give back '$phrase'"
done

fonts=$(pdffonts "$out/ar.pdf" 2>/dev/null)
if grep -q "NotoNaskhArabic-Regular" <<<"$fonts" && ! grep -q "DejaVuSans " <<<"$fonts"; then
    pass "ar: set in Noto Naskh Arabic (not DejaVu Sans)"
else
    fail "ar: set in Noto Naskh Arabic (not DejaVu Sans)" "$fonts"
fi
fonts=$(pdffonts "$out/tr.pdf" 2>/dev/null)
if grep -q "AtkinsonHyperlegibleNext-Regular" <<<"$fonts" && ! grep -q "DejaVu\|Noto" <<<"$fonts"; then
    pass "tr: all in Atkinson Hyperlegible Next"
else
    fail "tr: all in Atkinson Hyperlegible Next" "$fonts"
fi

# No patterns for Turkish and Arabic: no hyphenation at all, never a wrong one.
for l in tr ar; do
    if text_of "$out/$l.pdf" | grep -q $'\u00ad'; then
        fail "$l: not hyphenated" "$(text_of "$out/$l.pdf" | grep $'\u00ad')"
    else
        pass "$l: not hyphenated"
    fi
done

# Known gap: Arabic lines start at the left margin (aligned left, not right).
python3 - "$out/ar.pdf" <<'PY' || true
import subprocess, sys, re
html = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox", sys.argv[1], "-"],
                      capture_output=True, text=True).stdout
# right edge of every word on the page; a right-aligned page has most line ends at one x
xs = [float(m) for m in re.findall(r'xMax="([0-9.]+)"', html)]
print("note known gap: ar: Arabic paragraphs are aligned left and the page is not mirrored "
      "(layout); widest word right edge %.0f pt" % (max(xs) if xs else 0))
PY

# check: figures per language, no review warning (review_by 2028-09).
if "$leafpress" check --contacts "$samples/contacts.yaml" "$samples"/*.md \
        >"$scratch/check.out" 2>"$scratch/check.err"; then
    pass "check passes"
else
    fail "check passes" "$(cat "$scratch/check.err")"
fi
for expect in "en.md: readability: Flesch reading ease" \
              "tr.md: readability: Ateşman" \
              "ar.md: readability: no score for this language"; do
    if grep -qF "$expect" "$scratch/check.out"; then pass "check: $expect"; else fail "check: $expect" "$(cat "$scratch/check.out")"; fi
done
if grep -q "review" "$scratch/check.err"; then
    fail "check: no review warning before review_by" "$(grep review "$scratch/check.err")"
else
    pass "check: no review warning before review_by"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
