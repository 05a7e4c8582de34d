#include "impose.h"

#include <math.h>
#include <stdlib.h>

#include "textutil.h"

#define MM (72.0 / 25.4)

static const struct { const char *name; double w, h; } SHEETS[] = {
    {"A3", 297 * MM, 420 * MM}, {"A4", 210 * MM, 297 * MM}, {"A5", 148 * MM, 210 * MM},
    {"A6", 105 * MM, 148 * MM},
};

/* A5 is 148 mm wide, half of A4's 297: sheet sizes match within 1.5 mm */
static bool near(double a, double b) { return fabs(a - b) <= 1.5 * MM; }

const char *impose_sheet_name(double width, double height)
{
    for (size_t i = 0; i < sizeof SHEETS / sizeof *SHEETS; i++)
        if ((near(width, SHEETS[i].w) && near(height, SHEETS[i].h)) ||
            (near(width, SHEETS[i].h) && near(height, SHEETS[i].w)))
            return SHEETS[i].name;
    return NULL;
}

static impose_sheet *add_sheet(imposition *out, double w, double h)
{
    out->sheets = xrealloc(out->sheets, (out->count + 1) * sizeof *out->sheets);
    impose_sheet *s = &out->sheets[out->count++];
    *s = (impose_sheet){.width = w, .height = h};
    return s;
}

static void add_slot(impose_sheet *s, size_t page, double x, double y)
{
    s->slots[s->slot_count++] = (impose_slot){page, x, y};
}

bool impose_print(size_t pages, double page_width, double page_height, double inset,
                  imposition *out)
{
    *out = (imposition){.page_width = page_width, .page_height = page_height};
    for (size_t p = 0; p < pages; p++)
        add_slot(add_sheet(out, page_width + 2 * inset, page_height + 2 * inset), p, inset, inset);
    return pages > 0;
}

bool impose_booklet(size_t pages, double page_width, double page_height, imposition *out)
{
    *out = (imposition){.page_width = page_width, .page_height = page_height};
    if (pages == 0 || pages % 4 != 0)
        return false;
    /* The sheet is the next size up: its short side is the page's height
     * and its long side twice the page's width (A5 pages on A4). */
    double sheet_w = 0, sheet_h = 0;
    for (size_t i = 0; i < sizeof SHEETS / sizeof *SHEETS; i++)
        if (near(SHEETS[i].w, page_height) && near(SHEETS[i].h, 2 * page_width)) {
            sheet_w = SHEETS[i].h; /* landscape */
            sheet_h = SHEETS[i].w;
        }
    if (sheet_w == 0)
        return false;
    /* centred: A5 is 148 mm, half of A4's 297 leaves 0.5 mm a side */
    double x0 = (sheet_w - 2 * page_width) / 2, y0 = (sheet_h - page_height) / 2;
    for (size_t k = 0; k < pages / 4; k++) {
        /* front: last-unplaced on the left, first-unplaced on the right;
         * back (short-edge flip keeps it upright): the next two, mirrored */
        size_t low = 2 * k, high = pages - 1 - 2 * k;
        impose_sheet *front = add_sheet(out, sheet_w, sheet_h);
        add_slot(front, high, x0, y0);
        add_slot(front, low, x0 + page_width, y0);
        impose_sheet *back = add_sheet(out, sheet_w, sheet_h);
        add_slot(back, low + 1, x0, y0);
        add_slot(back, high - 1, x0 + page_width, y0);
    }
    return true;
}

bool impose_overview(size_t pages, double page_width, double page_height, double gap,
                     imposition *out)
{
    *out = (imposition){.page_width = page_width, .page_height = page_height};
    if (pages == 0)
        return false;
    if (pages == 1) { /* a sheet, not a booklet: the page alone */
        add_slot(add_sheet(out, page_width + 2 * gap, page_height + 2 * gap), 0, gap, gap);
        return true;
    }
    /* spreads as a bound booklet shows them: the cover alone (a right-hand
     * page), then 2-3, 4-5, ..., and the back cover alone (left-hand) */
    size_t spreads = 1 + pages / 2;
    /* as many spreads per line as keep the sheet at least 3:2 landscape */
    double spread_w = 2 * page_width + gap, line_h = page_height + gap;
    size_t per_line = 1;
    while (per_line < spreads &&
           per_line * spread_w + gap < 1.5 * (((spreads + per_line - 1) / per_line) * line_h + gap))
        per_line++;
    size_t lines = (spreads + per_line - 1) / per_line;
    double sheet_w = per_line * spread_w + gap, sheet_h = lines * line_h + gap;
    /* one entry per spread, each the whole sheet: they are drawn on one image */
    size_t p = 0;
    for (size_t k = 0; k < spreads && p < pages; k++) {
        double x = gap + (k % per_line) * spread_w, y = gap + (k / per_line) * line_h;
        impose_sheet *spread = add_sheet(out, sheet_w, sheet_h);
        if (p == 0) {
            add_slot(spread, p++, x + page_width, y);
        } else if (p + 1 == pages) {
            add_slot(spread, p++, x, y);
        } else {
            add_slot(spread, p, x, y);
            add_slot(spread, p + 1, x + page_width, y);
            p += 2;
        }
    }
    return true;
}

void impose_mirror(imposition *i)
{
    for (size_t k = 0; k < i->count; k++)
        for (size_t s = 0; s < i->sheets[k].slot_count; s++) {
            impose_slot *slot = &i->sheets[k].slots[s];
            slot->x = i->sheets[k].width - slot->x - i->page_width;
        }
}

void imposition_free(imposition *i)
{
    free(i->sheets);
    i->sheets = NULL;
    i->count = 0;
}
