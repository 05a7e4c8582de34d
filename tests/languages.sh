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
# Arabic pages are mirrored: paragraphs aligned right, the running footer,
# list bullets and box rules on the other side, the margins swapped (bound
# on the right), and the booklet right-bound.
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
samples=tests/data/languages

require_dirs "$samples"
require_tools "poppler-utils, qpdf, python3" pdftotext pdfinfo pdffonts qpdf python3
make_scratch

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
# /ViewerPreferences /Direction: R2L for the right-bound leaflet only, so that
# a two-page view shows its spreads as the booklet binds them
direction_of() {
    qpdf --json --json-key=qpdf "$1" 2>/dev/null | python3 -c '
import json, sys
objs = json.load(sys.stdin)["qpdf"][1]
root = objs["trailer"]["value"]["/Root"].split()[0]
prefs = objs["obj:%s 0 R" % root]["value"].get("/ViewerPreferences", {})
if isinstance(prefs, str):
    prefs = objs["obj:" + prefs]["value"]
print(prefs.get("/Direction", "none"))'
}
for f in ar:/R2L ar-grote-letter:/R2L en:none tr:none; do
    name=${f%%:*} want=${f#*:}
    got=$(direction_of "$out/$name.pdf")
    if [ "$got" = "$want" ]; then
        pass "$name: /ViewerPreferences /Direction $want"
    else
        fail "$name: /ViewerPreferences /Direction is '$got', not '$want'"
    fi
done

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
# Reported, not failed (what poppler's pdftotext makes of them, not what the
# PDF holds; README "Languages"): Noto Naskh sets a lam-alef (لأ, لا) as two
# glyphs, the alef with no advance over the lam, and poppler takes the overlap
# for a new word; a colon between Arabic and Latin text lands on the wrong side.
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

# Arabic is right to left on mirrored, right-bound pages (house style: A5,
# inner margin 18 mm, outer 15 mm; page 2 has its binding on the left, 3
# on the right). Positions from poppler's text boxes and a 144 dpi
# rendering; each check prints PASS or FAIL with what it saw.
require_tools "poppler-utils" pdftoppm
while IFS=$'\t' read -r verdict name detail; do
    case $verdict in
    PASS) pass "$name" ;;
    FAIL) fail "$name" "$detail" ;;
    *) fail "ar: mirrored page checks ran" "$verdict $name $detail" ;;
    esac
done < <(python3 - "$out/ar.pdf" "$out/booklet/ar.pdf" "$scratch" <<'PY' 2>&1
import re, subprocess, sys
pdf, booklet, scratch = sys.argv[1:4]
MM = 72 / 25.4
W, H = 148 * MM, 210 * MM
INNER, OUTER = 18 * MM, 15 * MM
# right-bound: page 2 (a right-hand page) has its spine on the left
COLUMN = {2: (INNER, W - OUTER), 3: (OUTER, W - INNER)}

def report(ok, name, detail=""):
    print("%s\t%s\t%s" % ("PASS" if ok else "FAIL", name, detail if not ok else ""))

def lines_of(path, page):
    """poppler's text lines: (xMin, yMin, xMax, yMax, [(word, xMin, xMax)])"""
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox-layout", path, "-"],
                          capture_output=True, text=True).stdout
    out = []
    for m in re.finditer(r'<line xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">(.*?)</line>',
                         html, re.S):
        words = [(w, float(a), float(b)) for a, b, w in
                 re.findall(r'<word xMin="([-0-9.]+)" yMin="[-0-9.]+" xMax="([-0-9.]+)" yMax="[-0-9.]+">([^<]*)</word>', m.group(5))]
        out.append((float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)), words))
    return out

def text(line):
    return "".join(w for w, _, _ in line[4])

def near(a, b, tolerance=1.0):
    return abs(a - b) <= tolerance

p2, p3 = lines_of(pdf, 2), lines_of(pdf, 3)
body2 = [l for l in p2 if l[1] < H - 25 * MM]
# the first paragraph (two lines, the second short) ends at the right margin
first = sorted(body2, key=lambda l: l[1])[:2]
report(len(first) == 2 and all(near(l[2], COLUMN[2][1]) for l in first),
       "ar: paragraph lines end at the right margin (page 2, %.1f pt), the short last line too" % COLUMN[2][1],
       "right edges %s" % [round(l[2], 1) for l in first])
# the colophon on page 3 (mirrored margins: 18 mm on the right there)
colophon = [l for l in p3 if l[1] < H - 25 * MM and ("2026" in text(l) or "Amsterdam" in text(l))]
colophon = sorted(colophon, key=lambda l: l[1])[-2:]
report(len(colophon) == 2 and all(near(l[2], COLUMN[3][1]) for l in colophon),
       "ar: colophon aligned right, at the inner margin of page 3 (%.1f pt)" % COLUMN[3][1],
       "right edges %s" % [round(l[2], 1) for l in colophon])
# list bullets right of their item's text, the text indented from the right
bullets = [l for l in body2 if any(w == "\u2022" for w, _, _ in l[4])]
bad = []
for l in bullets:
    b = [w for w in l[4] if w[0] == "\u2022"][0]
    rest = [w for w in l[4] if w[0] != "\u2022"]
    if not rest or max(x1 for _, _, x1 in rest) > b[1] or b[2] > COLUMN[2][1] + 1:
        bad.append((round(b[1], 1), round(max((x1 for _, _, x1 in rest), default=0), 1)))
report(len(bullets) == 3 and not bad, "ar: the three list bullets right of their items' text",
       "%d bullets; (bullet left, text right) wrong: %s" % (len(bullets), bad))
# running footer: the page number on the outer edge, the title on the spine side
def footer(lines, page):
    return [l for l in lines if l[1] > H - 25 * MM]
f2 = footer(p2, 2)
f3 = footer(p3, 3)
def word_box(lines, word):
    for l in lines:
        for w in l[4]:
            if w[0] == word:
                return w
    return None
n2, n3 = word_box(f2, "2"), word_box(f3, "3")
report(n2 is not None and near(n2[2], COLUMN[2][1]) and n3 is not None and near(n3[1], COLUMN[3][0]),
       "ar: footer page number on the outer edge (page 2 right, page 3 left)",
       "page 2 number %s, page 3 number %s" % (n2, n3))
t2 = [l for l in f2 if word_box([l], "2") is None]
t3 = [l for l in f3 if word_box([l], "3") is None]
report(len(t2) == 1 and near(t2[0][0], COLUMN[2][0]) and len(t3) == 1 and near(t3[0][2], COLUMN[3][1]),
       "ar: footer title on the spine side (page 2 left, page 3 right)",
       "page 2 title lines %s, page 3 %s" % ([round(l[0], 1) for l in t2], [round(l[2], 1) for l in t3]))

# the tip box's side rule: rendered at 144 dpi, the box's first row of
# background colour has the rule's colour next to its right end, not its left
subprocess.run(["pdftoppm", "-r", "144", "-f", "2", "-l", "2", pdf, scratch + "/ar-page"], check=True)
import glob
ppm = open(glob.glob(scratch + "/ar-page*.ppm")[0], "rb").read()
m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
pw, ph = int(m.group(1)), int(m.group(2))
pix = ppm[m.end():]
def rgb(x, y):
    i = 3 * (y * pw + x)
    return tuple(pix[i:i + 3])
def close(c, want, tolerance):
    return all(abs(a - b) <= tolerance for a, b in zip(c, want))
BG, RULE = (0xe6, 0xf1, 0xf3), (0x00, 0x5a, 0x6e)
found = None
for y in range(ph):
    xs = [x for x in range(pw) if close(rgb(x, y), BG, 4)]
    if len(xs) > pw // 3:
        found = (y + 4, min(xs), max(xs)) # a few rows in: clear of the box's top edge
        break
if found:
    y, x0, x1 = found
    xs = [x for x in range(pw) if close(rgb(x, y), BG, 4)]
    x0, x1 = min(xs), max(xs)
    right = any(close(rgb(x, y), RULE, 40) for x in range(x1 + 1, min(pw, x1 + 8)))
    left = any(close(rgb(x, y), RULE, 40) for x in range(max(0, x0 - 8), x0))
    scale = 144 / 72
    report(right and not left and near((x1 + 1) / scale + 3, COLUMN[2][1], 1.5),
           "ar: the tip box's side rule on the right, at the right margin",
           "background %d..%d px at row %d; rule right %s, left %s" % (x0, x1, y, right, left))
else:
    report(False, "ar: the tip box's side rule on the right, at the right margin", "no tip box found")

# the booklet is right-bound: its first sheet has the cover on the left half
sheet = lines_of(booklet, 1)
cover = [l for l in sheet if "Amsterdam" not in text(l) and l[3] < H * 0.6]
sheet_w = 297 * MM
report(bool(cover) and all(l[2] < sheet_w / 2 for l in cover),
       "ar: booklet right-bound, the cover on the left half of the first sheet",
       "cover lines at x %s" % [(round(l[0]), round(l[2])) for l in cover])
PY
)
# The page content in the order it is written (the order the structure tree's
# marked content, and so a screen reader, follows), decoded with the fonts'
# ToUnicode CMaps and ActualText: Arabic paragraphs come back exactly as
# written, lam-alef words and mixed Arabic and Latin lines too (pdftotext's
# own reordering of the page is what the known gaps above are about).
while IFS=$'\t' read -r verdict name detail; do
    case $verdict in
    PASS) pass "$name" ;;
    FAIL) fail "$name" "$detail" ;;
    *) fail "ar: content order checks ran" "$verdict $name $detail" ;;
    esac
done < <(python3 - "$out/ar.pdf" <<'PY' 2>&1
import base64, json, re, subprocess, sys
def literal(body):
    """A PDF literal string's bytes."""
    out, i = bytearray(), 0
    escapes = {"n": 10, "r": 13, "t": 9, "b": 8, "f": 12}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            if m:
                out.append(int(m.group(0), 8) & 0xFF)
                i += 1 + len(m.group(0))
                continue
            out.append(escapes.get(body[i + 1], ord(body[i + 1])))
            i += 2
            continue
        out.append(ord(c))
        i += 1
    return bytes(out)

def content_text(pdf, page_no):
    """The text of a page in content-stream order (what structure readers
    follow), decoded with the fonts' ToUnicode and ActualText."""
    j = json.loads(subprocess.run(["qpdf", "--json", "--json-stream-data=inline",
                                   "--decode-level=generalized", pdf],
                                  capture_output=True, text=True, check=True).stdout)
    objs = j["qpdf"][1]
    def obj(ref):
        return objs["obj:" + ref] if isinstance(ref, str) and ref.endswith(" R") else {"value": ref}
    def val(ref):
        return obj(ref)["value"] if "value" in obj(ref) else obj(ref)["stream"]["dict"]
    def data(ref):
        return base64.b64decode(obj(ref)["stream"]["data"])
    page = j["pages"][page_no - 1]
    pdict = val(page["object"])
    fonts = {}
    for name, ref in val(val(pdict["/Resources"])["/Font"]).items():
        font = val(ref)
        cmap, width = {}, 2 if font["/Subtype"] == "/Type0" else 1
        text = data(font["/ToUnicode"]).decode("latin-1")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
            for a, b in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                cmap[int(a, 16)] = bytes.fromhex(b).decode("utf-16-be")
        for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
            for a, b, c in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                for k in range(int(a, 16), int(b, 16) + 1):
                    cmap[k] = chr(int(c, 16) + k - int(a, 16))
        fonts[name] = (cmap, width)
    stream = b"".join(data(r) for r in page["contents"]).decode("latin-1")
    out, font, actual, operands = [], None, None, []
    for tok in re.finditer(r"<<|>>|<[0-9a-fA-F\s]*>|\((?:\\.|[^\\)])*\)|/[^\s/\[\]<>()]+|\[|\]|[-+.0-9]+|[A-Za-z'\"*]+", stream):
        t = tok.group(0)
        if t in ("Tj", "TJ", "'", '"'):
            if actual is None and font in fonts:
                cmap, width = fonts[font]
                for s in operands:
                    if s.startswith("<") and not s.startswith("<<"):
                        raw = bytes.fromhex(re.sub(r"\s", "", s[1:-1]))
                    elif s.startswith("("):
                        raw = literal(s[1:-1])
                    else:
                        continue
                    out.extend(cmap.get(int.from_bytes(raw[i:i + width], "big"), "")
                               for i in range(0, len(raw), width))
            operands = []
        elif t == "Tf":
            font = next((o for o in reversed(operands) if o.startswith("/")), font)
            operands = []
        elif t == "BDC":
            m = re.search(r"/ActualText\s*<([0-9a-fA-F]*)>", " ".join(operands))
            if m:
                actual = bytes.fromhex(m.group(1))[2:].decode("utf-16-be")
                out.append(actual)
            operands = []
        elif t == "EMC":
            actual = None
            operands = []
        elif re.fullmatch(r"[A-Za-z'\"*]+", t) and t not in ("R",):
            operands = []
        else:
            operands.append(t)
    return "".join(out)

pdf = sys.argv[1]
expect = {
    2: ["ستزور قريبًا العيادة الخارجية في مستشفانا. نشرح لك في هذه النشرة كيف تستعد لهذه الزيارة.",
        "أحضر معك الأشياء التالية:",
        "بالأدوية التي تتناولها، ومنها الأدوية التي تشتريها بنفسك",
        "على الأقل. اتصل بخط المواعيد على الرقم 020 444 44 44.",
        "ألم لا يحتمل الانتظار.",
        "بيانات الاتصال"],
    3: ["الناشر: Amsterdam UMC", "Amsterdam UMC, العيادة الخارجية"],
}
for page, phrases in expect.items():
    text = content_text(pdf, page).replace("\u00a0", " ") # phone numbers hold no-break spaces
    missing = [ph for ph in phrases if ph not in text]
    print("%s\tar: page %d content in reading order (lam-alef, marks, Arabic with digits and Latin)\t%s"
          % ("FAIL" if missing else "PASS", page,
             "missing %s in: %s" % (missing, text[:600]) if missing else ""))
PY
)

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

finish_tests
