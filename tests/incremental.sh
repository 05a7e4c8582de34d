#!/usr/bin/env bash
# incremental: a build rebuilds exactly the outputs whose inputs changed,
# and says so in its report; unchanged outputs keep their bytes and mtime.
#
#   bash tests/incremental.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# In a project of four small leaflets (two show contacts, one an image),
# with a style chain house <- mid <- leaf:
#   - a second build rebuilds nothing, and touches no file (mtimes kept)
#   - one contact's number changed: exactly the leaflet that shows it
#   - the style in the middle of the chain: its variant and the one below
#   - an image, a font added, SOURCE_DATE_EPOCH: exactly those outputs
#   - the word list Dutch hyphenation reads: another one, a word added
#   - an output deleted or edited by hand: rebuilt; --force: everything
#   - a corrupt, truncated, foreign or unreadable state file: a full
#     rebuild, no crash; a state file that is a folder: still builds
#   - status: exit 0 when all is current, 1 with what and why when not
#   - --depfile: make agrees with leafpress about what is current
#   - every report is valid against docs/report.schema.json; SARIF has
#     one result per diagnostic; GITHUB_ACTIONS=true gives ::error lines
# Prints ok/FAIL per check and "N passed, M failed".
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
check_report="python3 $repo/tests/check_report.py"
make_scratch --outside
unset SOURCE_DATE_EPOCH CI GITHUB_ACTIONS LEAFPRESS_WORDLIST_DIR

p=$scratch/project
mkdir -p "$p/sources/beelden" "$p/styles" "$p/fonts"
cp "$repo"/fonts/*.ttf "$p/fonts/"
cp "$repo/styles/house.yaml" "$p/styles/"
cat > "$p/styles/mid.yaml" <<'EOF'
extends: house
suffix: -mid
body:
  size: 11pt
EOF
cat > "$p/styles/leaf.yaml" <<'EOF'
extends: mid
suffix: -leaf
h2:
  size: 15pt
EOF
cat > "$p/sources/contacts.yaml" <<'EOF'
alpha:
  organisation: Kliniek A
  phones:
    - "020 111 11 11"
beta:
  organisation: Kliniek B
  phones:
    - "020 222 22 22"
gamma:
  organisation: Kliniek C
  phones:
    - "020 333 33 33"
EOF
leaflet() { # NAME BODY [EXTRA-FRONT-MATTER]
    printf -- '---\ntitle: Folder %s\nlang: nl-NL\npublisher: Testziekenhuis\nupdated: 2024-03\n%s---\n# Folder %s\n\n%s\n' \
        "$1" "${3:-}" "$1" "$2" > "$p/sources/$1.md"
}
leaflet een "Bel bij vragen de polikliniek." "contacts: [alpha]
"
leaflet twee "Bel [](contact:beta) voor een afspraak."
leaflet drie "Een folder zonder contacten, met een korte tekst over de behandeling."
python3 - "$p/sources/beelden/foto.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
w = h = 8
raw = b"".join(b"\0" + bytes([40, 120, 160]) * w for _ in range(h))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
leaflet vier "Zo ziet het eruit:

![Een blauw vlak](beelden/foto.png)"

cd "$p" || exit 2
n=0
# build [ARGS...]: a build with a report (R/report-N.json), its status in $rc
build() {
    n=$((n + 1))
    report=$scratch/report-$n.json
    "$leafpress" build -q --report "$report" "$@" >"$scratch/out" 2>"$scratch/err"
    rc=$?
}
# paths STATUS: the outputs of the last report with that status, sorted
paths() {
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('\n'.join(sorted(o['path'] for o in r['outputs'] if o['status']==sys.argv[2])))" "$report" "$1"
}
valid() {
    local why
    if why=$($check_report report "$report" 2>&1); then :; else fail "report $report is valid" "$why"; fi
}
mtimes() { find output -type f ! -name '.leafpress-state' -printf '%p %T@ %i\n' | sort; }
expect_built() { # NAME EXPECTED-PATHS (one per line; "" for none)
    local got
    got=$(paths built)
    if [ "$rc" = 0 ] && [ "$got" = "$2" ]; then
        pass "$1"
    else
        fail "$1" "exit $rc; built:
$got
expected:
$2
$(cat "$scratch/err")"
    fi
    valid
}
all_of() { # the outputs of leaflets matching a pattern in the last full report
    python3 -c "import json,sys,re; r=json.load(open(sys.argv[1])); print('\n'.join(sorted(o['path'] for o in r['outputs'] if re.search(sys.argv[2], o['path']))))" "$first" "$1"
}

# ---- a first build, then nothing to do -----------------------------------
build
first=$report
everything=$(paths built)
count=$(printf '%s\n' "$everything" | grep -c .)
if [ "$rc" = 0 ] && [ "$count" -ge 20 ] && [ -f output/.leafpress-state ]; then
    pass "first build: $count outputs built, a state file"
else
    fail "first build" "exit $rc, $count outputs; $(cat "$scratch/err")"
fi
valid
for kind in screen print booklet proof; do
    if python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not any(o['kind']==sys.argv[2] for o in r['outputs']))" "$report" "$kind"; then
        pass "the report lists $kind outputs"
    else
        fail "the report lists $kind outputs"
    fi
done
sleep 2.1 # past the racy window (2 s where times are whole seconds): then trusted by its stat data
before=$(mtimes)
build
expect_built "a second build rebuilds nothing" ""
if [ "$(paths unchanged | grep -c .)" = "$count" ]; then pass "... and lists all $count as unchanged"; else fail "... and lists all $count as unchanged"; fi
if [ "$(mtimes)" = "$before" ]; then pass "... and touches no file (mtime, inode)"; else fail "... and touches no file" "$(diff <(echo "$before") <(mtimes))"; fi
"$leafpress" status >"$scratch/status" 2>&1
if [ $? = 0 ] && grep -q "all $count outputs up to date" "$scratch/status"; then
    pass "status: exit 0, all up to date"
else
    fail "status: exit 0, all up to date" "$(cat "$scratch/status")"
fi

# ---- a no-op writes nothing -------------------------------------------------
state_before=$(stat -c '%y %i' output/.leafpress-state)
mkdir -p "$scratch/tmp"
TMPDIR=$scratch/tmp "$leafpress" build -q >"$scratch/out" 2>"$scratch/err"
rc=$?
if [ $rc = 0 ] && [ "$(stat -c '%y %i' output/.leafpress-state)" = "$state_before" ] &&
   [ -z "$(ls -A "$scratch/tmp")" ] && [ "$(mtimes)" = "$before" ]; then
    pass "a no-op build writes nothing: the state file as it was, no run folder"
else
    fail "a no-op build writes nothing" "exit $rc; state $state_before -> $(stat -c '%y %i' output/.leafpress-state); tmp: $(ls -A "$scratch/tmp"); $(cat "$scratch/err")"
fi

# ---- a file's stat data stand for its bytes only while they all match -----
# drie.md edited in place (same inode), the same size, its mtime put back
# (touch -r, as an editor or a checkout may): only its ctime tells
touch -r sources/drie.md "$scratch/drie.stamp"
python3 - sources/drie.md <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    text = f.read()
    at = text.index(b"korte tekst")
    f.seek(at)
    f.write(b"KORTE tekst")
PY
touch -r "$scratch/drie.stamp" sources/drie.md
build
expect_built "a source edited in place keeping its size and mtime: exactly drie's outputs" \
    "$(all_of '/drie(-[a-z]+)?(-[0-9]+)?\.(pdf|png)$')"

# ---- contacts: exactly the leaflets that show one ------------------------
sed -i 's/020 111 11 11/020 111 11 19/' sources/contacts.yaml
"$leafpress" status --report "$scratch/status.json" >"$scratch/status" 2>&1
src=$?
if [ $src = 1 ] && grep -q "output/een.pdf .*contact 'alpha' changed" "$scratch/status" && ! grep -q "twee" "$scratch/status"; then
    pass "status after a contact change: exit 1, names the leaflet and why"
else
    fail "status after a contact change" "exit $src; $(cat "$scratch/status")"
fi
report=$scratch/status.json
valid
if [ "$(paths out-of-date)" = "$(all_of '/een(-[a-z]+)?(-[0-9]+)?\.(pdf|png)$')" ]; then
    pass "status --report: exactly een's outputs out-of-date"
else
    fail "status --report: exactly een's outputs out-of-date" "$(paths out-of-date)"
fi
before=$(mtimes)
build
expect_built "contact alpha changed (front matter): exactly een's outputs" "$(all_of '/een(-[a-z]+)?(-[0-9]+)?\.(pdf|png)$')"
if [ "$(mtimes | grep -v '/een')" = "$(echo "$before" | grep -v '/een')" ]; then pass "... the other leaflets' files untouched"; else fail "... the other leaflets' files untouched"; fi
sed -i 's/020 222 22 22/020 222 22 29/' sources/contacts.yaml
build
expect_built "contact beta changed (a [](contact:beta) in the body): exactly twee's outputs" "$(all_of '/twee(-[a-z]+)?(-[0-9]+)?\.(pdf|png)$')"
sed -i 's/Kliniek C/Kliniek Gamma/' sources/contacts.yaml
build
expect_built "contact gamma changed, shown nowhere: nothing rebuilt" ""

# ---- styles: the middle of a chain --------------------------------------
sed -i 's/size: 11pt/size: 11.5pt/' styles/mid.yaml
build
expect_built "mid.yaml changed: the -mid and -leaf variants of every leaflet" "$(all_of '-(mid|leaf)(-[0-9]+)?\.(pdf|png)$')"
sed -i 's/size: 15pt/size: 15.5pt/' styles/leaf.yaml
build
expect_built "leaf.yaml changed: only the -leaf variants" "$(all_of '-leaf(-[0-9]+)?\.(pdf|png)$')"

# ---- an image, a font, the date -----------------------------------------
python3 -c "
import sys; import struct, zlib
w=h=8; raw=b''.join(b'\0'+bytes([200,60,60])*w for _ in range(h))
def chunk(k,x): return struct.pack('>I',len(x))+k+x+struct.pack('>I',zlib.crc32(k+x))
open('sources/beelden/foto.png','wb').write(b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',w,h,8,2,0,0,0))+chunk(b'IDAT',zlib.compress(raw))+chunk(b'IEND',b''))"
build
expect_built "the image changed: exactly vier's outputs" "$(all_of '/vier(-[a-z]+)?(-[0-9]+)?\.(pdf|png)$')"
cp fonts/DejaVuSans.ttf fonts/Extra-DejaVuSans.ttf
build
expect_built "a font added: everything" "$everything"
export SOURCE_DATE_EPOCH=1700000000
build
expect_built "SOURCE_DATE_EPOCH set: everything" "$everything"
build
expect_built "... and then nothing" ""
unset SOURCE_DATE_EPOCH
build
expect_built "SOURCE_DATE_EPOCH unset again: everything" "$everything"
# where a Dutch compound may break comes from the word list (wdutch)
mkdir "$scratch/dict" && cp /usr/share/dict/dutch "$scratch/dict/dutch"
export LEAFPRESS_WORDLIST_DIR=$scratch/dict
build
expect_built "another word list (a copy): everything (all four are Dutch)" "$everything"
echo "proefsamenstelling" >>"$scratch/dict/dutch"
build
expect_built "a word added to the word list: everything" "$everything"
build
expect_built "... and then nothing" ""
unset LEAFPRESS_WORDLIST_DIR
build
expect_built "the installed word list again: everything" "$everything"

# ---- outputs deleted or edited by hand ----------------------------------
rm output/drie.pdf
build
got=$(paths built)
if [ "$rc" = 0 ] && echo "$got" | grep -qx output/drie.pdf && [ -f output/drie.pdf ] && ! echo "$got" | grep -q -e een -e twee -e vier; then
    pass "a deleted output is rebuilt (its variant only)"
else
    fail "a deleted output is rebuilt" "$got"
fi
valid
printf 'x' | dd of=output/proofs/twee-01.png bs=1 seek=100 conv=notrunc status=none
build
got=$(paths built)
if [ "$rc" = 0 ] && echo "$got" | grep -qx output/proofs/twee.png && ! echo "$got" | grep -q -e een -e drie -e vier; then
    pass "a proof edited by hand (same size) is rebuilt"
else
    fail "a proof edited by hand is rebuilt" "$got"
fi
valid
touch output/proofs/drie-09.png
build
got=$(paths built)
if [ "$rc" = 0 ] && [ ! -e output/proofs/drie-09.png ] && echo "$got" | grep -qx output/proofs/drie.png &&
   ! echo "$got" | grep -q -e een -e twee -e vier; then
    pass "a stray page proof past the last page makes its variant out of date, and goes"
else
    fail "a stray page proof past the last page" "exit $rc; $got"
fi
valid
before=$(mtimes)
build --force
expect_built "--force: everything" "$everything"
if [ "$(mtimes)" = "$before" ]; then
    pass "... and, the bytes coming out the same, no file is rewritten (mtime, inode kept)"
else
    fail "... and no file is rewritten" "$(diff <(echo "$before") <(mtimes) | head -5)"
fi
if grep -q '"reason": "--force' "$report"; then pass "... with the reason --force"; else fail "... with the reason --force"; fi

# ---- a state file that cannot be trusted --------------------------------
state=output/.leafpress-state
good=$scratch/good-state
cp "$state" "$good"
damage() { # NAME COMMAND
    cp "$good" "$state"
    eval "$2"
    build
    expect_built "state $1: a full rebuild, no crash" "$everything"
}
damage "truncated" 'truncate -s $(( $(stat -c %s "$state") / 2 )) "$state"'
damage "with one digit changed" 'python3 -c "
import sys; p = sys.argv[1]; s = open(p).read(); i = s.index(\"fingerprint \") + 12
open(p, \"w\").write(s[:i] + (\"1\" if s[i] != \"1\" else \"2\") + s[i + 1:])" "$state"'
damage "empty" ': > "$state"'
damage "of random bytes" 'head -c 4096 /dev/urandom > "$state"'
damage "of another version" 'sed -i "1s/.*/leafpress-state 99/" "$state"'
damage "from another tool" 'printf "{\"version\": 1}\n" > "$state"'
damage "unreadable" 'chmod 000 "$state"; [ "$(id -u)" = 0 ] && : > "$state"'
chmod 644 "$state" 2>/dev/null
rm -f "$state"
mkdir "$state"
build
if [ "$rc" = 0 ] && [ "$(paths built)" = "$everything" ] && grep -q "cannot write the build state" "$scratch/err"; then
    pass "a folder where the state file goes: built, and a warning"
else
    fail "a folder where the state file goes" "exit $rc; $(cat "$scratch/err")"
fi
rmdir "$state"
build

# ---- depfile: make agrees ------------------------------------------------
if command -v make >/dev/null; then
    build --depfile "$scratch/deps.d"
    # the depfile brings the prerequisites; the recipe is the Makefile's
    printf 'include %s\noutput/een.pdf:\n\t%s build\n' "$scratch/deps.d" "$leafpress" > "$scratch/Makefile"
    if make -q -f "$scratch/Makefile" output/een.pdf 2>/dev/null; then
        pass "depfile: make thinks output/een.pdf is current"
    else
        fail "depfile: make thinks output/een.pdf is current" "$(head -5 "$scratch/deps.d")"
    fi
    sleep 1.1
    touch sources/een.md
    if ! make -q -f "$scratch/Makefile" output/een.pdf 2>/dev/null; then
        pass "depfile: ... and out of date after touching its source"
    else
        fail "depfile: ... and out of date after touching its source"
    fi
    if grep -q "^output/een.pdf:.*" "$scratch/deps.d" && grep -q "sources/contacts.yaml" "$scratch/deps.d" &&
       grep -q "styles/house.yaml" "$scratch/deps.d" && grep -q " sources/beelden/foto.png" "$scratch/deps.d"; then
        pass "depfile names the source, the registry, the style and the image"
    else
        fail "depfile names the source, the registry, the style and the image" "$(cat "$scratch/deps.d")"
    fi
fi

# ---- diagnostics: SARIF and GitHub --------------------------------------
printf -- '---\ntitle: Kapot\nlang: nl-NL\npublisher: P\nupdated: 2024-13\ncolour: rood\n---\n# Kapot\n\nBel [](contact:onbekend).\n' > sources/kapot.md
"$leafpress" check --diagnostics-format=sarif >"$scratch/check.sarif" 2>"$scratch/check.err"
src=$?
lines=$(grep -c ': error: \|: warning: \|: note: ' "$scratch/check.err")
if why=$($check_report sarif "$scratch/check.sarif" "$lines" 2>&1) && [ $src = 1 ] && [ "$lines" -ge 2 ]; then
    pass "SARIF: valid, one result per diagnostic ($lines), exit 1"
else
    fail "SARIF: valid, one result per diagnostic" "exit $src, $lines lines: $why"
fi
GITHUB_ACTIONS=true "$leafpress" build -q --report "$scratch/gh.json" >"$scratch/gh.out" 2>"$scratch/gh.err"
src=$?
if [ $src = 1 ] && grep -q '^::error file=sources/kapot.md,line=5,col=[0-9]*,title=leafpress::sources/kapot.md:5:' "$scratch/gh.out" &&
   ! grep -q 'kapot.md:5:.*error' "$scratch/gh.err"; then
    pass "GITHUB_ACTIONS=true: ::error file=,line=,col= workflow commands on stdout (not the plain lines), exit 1"
else
    fail "GITHUB_ACTIONS=true: workflow commands" "exit $src; $(head -5 "$scratch/gh.out" "$scratch/gh.err")"
fi
report=$scratch/gh.json
valid
if python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
k=[o for o in r['outputs'] if o['source']=='sources/kapot.md']
d=[x for x in r['diagnostics'] if x['file']=='sources/kapot.md' and x['line'] and x['column']]
sys.exit(not (r['totals']['leaflets_failed']==1 and d and all(x['source']=='sources/kapot.md' for x in d)))" "$report"; then
    pass "the report has the failed leaflet's diagnostics with file, line and column"
else
    fail "the report has the failed leaflet's diagnostics" "$(head -c 2000 "$report")"
fi
rm sources/kapot.md

finish_tests
