#!/usr/bin/env bash
# `leafpress check` with the plain-language figures and review dates, end to
# end on the seed leaflets, with a fixed SOURCE_DATE_EPOCH (2026-12-01):
# one readability note per leaflet with the figures the README lists, a
# review warning for the two leaflets last updated in 2017 and 2020 (none
# for the two of 2026-11), -q without the notes, warnings that do not fail
# check, and a broken readability.yaml that does, with file:line:col.
#
#   bash tests/authoring_check.sh LEAFPRESS [BUILDDIR]      (from the repository root)
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
if [ ! -f readability.yaml ]; then
    echo "authoring_check.sh: run from the repository root" >&2
    exit 2
fi
make_scratch

export SOURCE_DATE_EPOCH=1796083200 # 2026-12-01
if "$leafpress" check -j1 >"$scratch/out" 2>"$scratch/err"; then
    pass "check passes with warnings"
else
    fail "check passes with warnings" "$(cat "$scratch/err")"
fi

# The figures in README "Plain language" (with the shipped readability.yaml).
while IFS='|' read -r file figures; do
    if grep -qF "sources/${file%%:*}: readability: Flesch-Douma $figures" "$scratch/out"; then
        pass "figures of $file"
    else
        fail "figures of $file" "$(grep -F "sources/${file%%:*}" "$scratch/out")"
    fi
done <<'LIST'
behandeling-uitzaaiingen.md:13:1|54.1; 45 sentences, 371 words, 8.2 words a sentence; 9% over 15 words, 2% over 20; 9 long words
levermetastasen.md:12:1|45.2; 119 sentences, 1535 words, 12.9 words a sentence; 27% over 15 words, 14% over 20; 51 long words
net.md:13:1|58.3; 31 sentences, 328 words, 10.6 words a sentence; 13% over 15 words, 3% over 20; 8 long words
pto.md:10:1|48.7; 56 sentences, 762 words, 13.6 words a sentence; 36% over 15 words, 20% over 20; 22 long words
LIST

# Review dates: updated 2017-05 and 2020-02 are due, 2026-11 is not.
for expect in "sources/behandeling-uitzaaiingen.md:9:10: warning: 'updated' 2017-05 is more than 3 years ago" \
              "sources/net.md:9:10: warning: 'updated' 2020-02 is more than 3 years ago"; do
    if grep -qF "$expect" "$scratch/err"; then pass "review: ${expect%%:*}"; else fail "review: ${expect%%:*}" "$(cat "$scratch/err")"; fi
done
if grep -E "sources/(pto|levermetastasen).md.*(review|updated)" "$scratch/err" >/dev/null; then
    fail "no review warning for leaflets of 2026-11" "$(grep -E "(pto|levermetastasen).md.*updated" "$scratch/err")"
else
    pass "no review warning for leaflets of 2026-11"
fi
# A later "today": the 2026-11 leaflets are due from 2029-12-01 on.
if SOURCE_DATE_EPOCH=1890777600 "$leafpress" check -j1 -q sources/pto.md 2>&1 | \
        grep -qF "sources/pto.md:6:10: warning: 'updated' 2026-11 is more than 3 years ago (today is 2029-12-01)"; then
    pass "review: follows SOURCE_DATE_EPOCH"
else
    fail "review: follows SOURCE_DATE_EPOCH" "$(SOURCE_DATE_EPOCH=1890777600 "$leafpress" check -q sources/pto.md 2>&1)"
fi

# -q: problems only, so the warnings stay and the notes go.
"$leafpress" check -j1 -q >"$scratch/qout" 2>"$scratch/qerr"
if grep -q "readability: Flesch" "$scratch/qout" || ! grep -q "warning: readability" "$scratch/qerr"; then
    fail "-q: warnings, no notes" "$(cat "$scratch/qerr")"
else
    pass "-q: warnings, no notes"
fi

# A broken readability.yaml at the project root fails check, at its position.
project="$scratch/project"
mkdir -p "$project"
cp -r sources styles fonts "$project/"
printf 'min_score: 60\nmax_share_over_20: veel\n' >"$project/readability.yaml"
if (cd "$project" && "$leafpress" check -j1 -q sources/net.md) >"$scratch/bout" 2>"$scratch/berr"; then
    fail "broken readability.yaml fails check" "$(cat "$scratch/berr")"
elif grep -qF "readability.yaml:2:20: error: 'max_share_over_20' must be a number (a share such as 0.1 or 10%), not 'veel'" "$scratch/berr"; then
    pass "broken readability.yaml fails check"
else
    fail "broken readability.yaml fails check" "$(cat "$scratch/berr")"
fi
# Thresholds from the file: with min_score 40 and generous shares, net.md has
# only its long words and its review date left.
printf 'min_score: 40\nmax_share_over_15: 50%%\nmax_share_over_20: 0.5\nmax_long_words: 100\n' >"$project/readability.yaml"
(cd "$project" && "$leafpress" check -j1 -q sources/net.md) >"$scratch/tout" 2>"$scratch/terr"
if grep -q "readability" "$scratch/terr"; then
    fail "thresholds from readability.yaml" "$(cat "$scratch/terr")"
else
    pass "thresholds from readability.yaml"
fi

finish_tests
