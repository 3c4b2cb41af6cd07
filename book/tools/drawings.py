"""drawings.py - turn what strata printed into pictures (see pictures.py).

Each drawing takes the panels of a picture script and returns one
svg.Canvas. It reads only the commands it names below, from the output
of those commands, by their labels and column names rather than by
position, and checks what it reads: numbers that do not add up, or a
line it does not know, raise Unreadable, which fails the picture (and
`make test`) instead of drawing something false.

  rows     (01) `.constants` and `od -A d -t x1 FILE` of the whole file:
           page 0, the header, and the pages of fixed-size rows
  tree     (02 on) `.btree`, from 06 on `\btree TABLE`: the nodes as
           boxes (from 06 on with their pages), the children as arrows,
           the leaf chain; keys that moved or came since the panel
           before are marked, and keys the next panel has lost
  slotted  (03 on) `.page N`, one or more a panel: the page to scale,
           its header and slot directory, the cells, the holes and the
           gap, and each slot's arrow to its cell when there are few
  wal      (04 on) `od -A d -t x1 DB-wal` and `od -A d -t x1 DB`, and
           `ls` to show that a file is gone: the log's header and records
           to scale, grouped by transaction, and the file's pages, each
           tied to the log record whose image it equals
  pool     (05 on) `.pool`: the frames around a clock face, with their
           pages, states and reference bits, and the hand
  catalog  (06 on) `\pages`, `od -A d -t x1 -N 64 FILE` (the header),
           SELECTs of strata_tables and strata_columns, and of each
           table of one's own: the pages, the catalog's rows, and the
           arrows from each table's row to its root page and from its
           columns' rows to its table's row
  overflow (06 on) `\page N` of a leaf with one row that overflows and
           of every page of its chain: the leaf and the chain to scale,
           the row's cell enlarged, and the pointers from page to page
  plan     (07 on) `EXPLAIN SELECT ...`, then one SELECT per operator of
           its plan, top first (the first the EXPLAIN's own query): the
           plan as a tree of boxes, and beside each arrow up the rows that
           operator handed up, as the SELECT's "(N rows)" counts them
  sort     (07 on) `\sorts` after one sort: its runs, the merges the
           sorter's rule makes of them (checked against the merges, last
           merge and passes printed), and the last merge that gives the
           rows
"""
import math
import re

import svg
from svg import Canvas, COLORS, MUTED, RULE, INK, SMALL, TEXT


class Unreadable(Exception):
    pass


# --- reading outputs --------------------------------------------------------

def steps_of(panel, name):
    return [s for s in panel.steps if s.name() == name]


def one(panel, name):
    found = steps_of(panel, name)
    if len(found) != 1:
        raise Unreadable("panel %r has %d `%s` commands, wants one" % (
            panel.title, len(found), name))
    return found[0]


def lines_of(output):
    return [l.rstrip() for l in output.strip("\n").split("\n")
            if l.strip()]


def labelled(lines):
    """The "label: value" lines of LINES, as a dict."""
    out = {}
    for line in lines:
        if ":" in line:
            label, value = line.split(":", 1)
            out[label.strip().lower()] = value.strip()
    return out


def number(text, what):
    m = re.match(r"\s*(-?\d+)", text or "")
    if not m:
        raise Unreadable("%s: not a number: %r" % (what, text))
    return int(m.group(1))


def table(lines, what):
    """A table printed with a header of column names, as a list of
    dicts; the lines after the first that does not fit stop it."""
    if not lines:
        raise Unreadable("%s: no table" % what)
    names = lines[0].split()
    rows = []
    for line in lines[1:]:
        cells = line.split()
        if len(cells) != len(names) or not cells[0].isdigit():
            break
        rows.append(dict(zip(names, cells)))
    return names, rows


def od_bytes(step):
    """The bytes an `od -A d -t x1 FILE` printed, whole file."""
    words = step.command.split()
    if words[:4] != ["od", "-A", "d", "-t"] or words[4] != "x1" or \
            len(words) != 6:
        raise Unreadable("`%s`: a picture reads a whole file as "
                         "`od -A d -t x1 FILE`" % step.command)
    data = bytearray()
    last = None
    repeat = False
    for line in lines_of(step.output):
        if line == "*":
            repeat = True
            continue
        m = re.fullmatch(r"(\d+)((?: [0-9a-f]{2})*)", line)
        if not m:
            raise Unreadable("`%s` printed %r" % (step.command, line))
        offset = int(m.group(1))
        if repeat:
            while len(data) < offset and last:
                data += last
            repeat = False
        if offset != len(data):
            raise Unreadable("`%s`: offset %d after %d bytes" % (
                step.command, offset, len(data)))
        last = bytes.fromhex(m.group(2).replace(" ", ""))
        data += last
    return bytes(data)


def u16(data, at):
    return int.from_bytes(data[at:at + 2], "little")


def u32(data, at):
    return int.from_bytes(data[at:at + 4], "little")


def u64(data, at):
    return int.from_bytes(data[at:at + 8], "little")


def c_string(data, at, limit):
    end = data.find(b"\0", at, at + limit)
    if end < 0:
        raise Unreadable("no NUL within %d bytes at %d" % (limit, at))
    raw = data[at:end]
    if not all(32 <= b < 127 for b in raw):
        raise Unreadable("unprintable bytes at %d" % at)
    return raw.decode()


def panels_titled(panels, bodies):
    return [svg.titled(p.title, b) for p, b in zip(panels, bodies)]


# --- rows: chapter 01's file -------------------------------------------------

def draw_rows(panels, width=svg.WIDTH):
    out = []
    for panel in panels:
        constants = labelled(lines_of(one(panel, ".constants").output))
        row_size = number(constants.get("row_size"), "ROW_SIZE")
        page_size = number(constants.get("page_size"), "PAGE_SIZE")
        per_page = number(constants.get("rows_per_page"), "ROWS_PER_PAGE")
        if per_page != page_size // row_size:
            raise Unreadable("ROWS_PER_PAGE %d is not %d // %d" % (
                per_page, page_size, row_size))
        data = od_bytes(one(panel, "od"))
        out.append(svg.titled(panel.title, rows_file(
            data, row_size, page_size, per_page)))
    return svg.margin(svg.stack(out, 24))


def rows_file(data, row_size, page_size, per_page):
    if len(data) < page_size or len(data) % page_size:
        raise Unreadable("a file of %d bytes is not whole pages" %
                         len(data))
    header = data[:page_size]
    magic = c_string(header, 0, 16)
    version, size_field, n_rows = u32(header, 16), u32(header, 20), \
        u32(header, 24)
    if size_field != page_size:
        raise Unreadable("the header's page size is %d, PAGE_SIZE %d" % (
            size_field, page_size))
    used = 28                       # the fields below
    if any(header[used:]):
        raise Unreadable("the header has bytes after its first %d; the "
                         "drawing knows only those" % used)
    n_pages = len(data) // page_size
    if n_pages - 1 != -(-n_rows // per_page):
        raise Unreadable("%d rows do not make %d pages of rows" % (
            n_rows, n_pages - 1))

    scale = 400 / page_size
    top = 20
    c = Canvas()
    # Page 0 and a zoom of its header.
    fields = [(16, "magic", '"%s\\0"' % magic), (4, "format version",
                                                 str(version)),
              (4, "page size", str(size_field)), (4, "rows", str(n_rows))]
    zx, zw, fh = 0, 160, 34
    p0x, col = 194, 66
    c.text(p0x + col / 2, top - 6, "page 0", SMALL, "middle", mono=False,
           bold=True)
    c.rect(p0x, top, col, page_size * scale, fill=COLORS["free"])
    c.rect(p0x, top, col, max(used * scale, 2.5), fill=INK, stroke=INK)
    c.text(p0x + col / 2, top + 200, "%d" % (page_size - used), SMALL,
           "middle", fill=MUTED)
    c.text(p0x + col / 2, top + 216, "zeros", SMALL, "middle",
           mono=False, fill=MUTED)
    y = top
    offset = 0
    for size, name, value in fields:
        c.rect(zx, y, zw, fh, fill=COLORS["header"])
        c.text(zx + 6, y + 14, "%d-%d  %s" % (offset, offset + size - 1,
                                              name), SMALL, mono=False,
               fill=MUTED)
        c.text(zx + 6, y + 29, value, SMALL, bold=True)
        y += fh
        offset += size
    c.text(zx, y + 16, "the first %d bytes, enlarged" % used, SMALL,
           mono=False, fill=MUTED)
    c.polyline([(zx + zw, top), (p0x, top)], stroke=MUTED, dash="3 2")
    c.polyline([(zx + zw, y), (p0x, top + max(used * scale, 2.5))],
               stroke=MUTED, dash="3 2")
    # The pages of rows, to scale, with their file offsets.
    x = p0x + col + 22
    width = 122
    for p in range(1, n_pages):
        base = p * page_size
        page = data[base:base + page_size]
        c.text(x + width / 2, top - 6, "page %d" % p, SMALL, "middle",
               mono=False, bold=True)
        c.rect(x, top, width, page_size * scale, fill=COLORS["free"])
        rows_here = min(per_page, n_rows - (p - 1) * per_page)
        for r in range(per_page):
            at = r * row_size
            y0 = top + at * scale
            h = row_size * scale
            if r < rows_here:
                row_id = u32(page, at)
                name = c_string(page, at + 4, row_size - 4)
                c.rect(x, y0, width, h, fill=COLORS["row" if r % 2 == 0
                                                    else "row2"])
                c.text(x + 6, y0 + h / 2 + 4.5, "%d %s" % (row_id, name),
                       SMALL)
            c.text(x + width + 4, y0 + 4.5, str(base + at), SMALL,
                   fill=MUTED)
        tail = page_size - per_page * row_size
        y0 = top + per_page * row_size * scale
        c.rect(x, y0, width, tail * scale, fill=COLORS["header"],
               dash="3 2")
        c.text(x + 6, y0 + tail * scale / 2 + 4.5, "%d unused" % tail,
               SMALL, mono=False)
        c.text(x + width + 4, y0 + 4.5, str(base + per_page * row_size),
               SMALL, fill=MUTED)
        c.text(x + width + 4, top + page_size * scale + 4.5,
               str(base + page_size), SMALL, fill=MUTED)
        c.text(x + width / 2, top + page_size * scale + 18,
               "%d rows of %d bytes" % (rows_here, row_size), SMALL,
               "middle", mono=False, fill=MUTED)
        x += width + 60
    c.width = x - 24
    c.height = top + page_size * scale + 24
    return c


# --- tree: the B+tree -------------------------------------------------------

class Node:
    def __init__(self, leaf, size, page=None):
        self.leaf = leaf
        self.size = size
        self.page = page        # its page number, when `.btree` says
        self.keys = []
        self.children = []
        self.x = self.y = self.w = self.h = 0


def read_tree(output):
    """The tree `.btree` (01-05) or `\\btree TABLE` (06 on) printed. From
    06 on, the first line names the root page, each node its page, and a
    leaf key the overflow chain of its row, if any."""
    lines = lines_of(output)
    head = re.fullmatch(r"Tree(?: \(root page (\d+)\))?:",
                        lines[0]) if lines else None
    if not head:
        raise Unreadable("`.btree` does not start with \"Tree:\"")
    pos = [1]

    def parse(indent):
        if pos[0] >= len(lines):
            raise Unreadable("`.btree` ends inside a node")
        line = lines[pos[0]]
        m = re.fullmatch(r"( *)- (leaf|internal)(?: (\d+))? \(size (\d+)\)",
                         line)
        if not m or len(m.group(1)) != indent:
            raise Unreadable("`.btree` line %r: wants a node at indent %d"
                             % (line, indent))
        pos[0] += 1
        node = Node(m.group(2) == "leaf", int(m.group(4)),
                    int(m.group(3)) if m.group(3) else None)
        inner = " " * (indent + 2)
        if node.leaf:
            for _ in range(node.size):
                m = re.fullmatch(re.escape(inner) + r"- (-?\d+)(?: \(\d+ "
                                 r"bytes, overflow from page \d+\))?",
                                 lines[pos[0]] if pos[0] < len(lines)
                                 else "")
                if not m:
                    raise Unreadable("leaf of size %d: line %r" % (
                        node.size, lines[pos[0]] if pos[0] < len(lines)
                        else "(end)"))
                node.keys.append(int(m.group(1)))
                pos[0] += 1
        else:
            node.children.append(parse(indent + 2))
            for _ in range(node.size):
                m = re.fullmatch(re.escape(inner) + r"- key (-?\d+)",
                                 lines[pos[0]] if pos[0] < len(lines)
                                 else "")
                if not m:
                    raise Unreadable("internal node of size %d: line %r" %
                                     (node.size, lines[pos[0]]
                                      if pos[0] < len(lines) else "(end)"))
                node.keys.append(int(m.group(1)))
                pos[0] += 1
                node.children.append(parse(indent + 2))
        if node.keys != sorted(node.keys):
            raise Unreadable("keys out of order: %s" % node.keys)
        return node

    root = parse(0)
    if pos[0] != len(lines):
        raise Unreadable("`.btree`: line %r after the tree" % lines[pos[0]])
    if head.group(1) and root.page != int(head.group(1)):
        raise Unreadable("`.btree`: the root page is %s, its node says %s"
                         % (head.group(1), root.page))
    return root


def leaves(node):
    if node.leaf:
        return [node]
    return [l for c in node.children for l in leaves(c)]


def internals(node):
    if node.leaf:
        return []
    return [node] + [n for c in node.children for n in internals(c)]


CELL_H, KEY_PAD, PTR_W, LEAF_GAP, LEVEL_GAP = 17, 12, 8, 20, 44


def key_width(keys):
    return max([svg.text_width(str(k), TEXT) for k in keys] + [16]) + \
        KEY_PAD


def depth(node):
    return 1 if node.leaf else 1 + depth(node.children[0])


def page_width(trees):
    """The width of the cell that names a node's page ("p12"), or 0 when
    `.btree` names no pages (before 06)."""
    pages = [n.page for t in trees for n in leaves(t) + internals(t)
             if n.page is not None]
    return max(svg.text_width("p%d" % n, SMALL) for n in pages) + 8 \
        if pages else 0


def layout_tree(root, kw, pw=0):
    """Places every node: leaves left to right, each parent centred over
    its children; with PW, a leaf's first cell and an internal node's
    left end name its page. Returns the canvas width and height."""
    x = [0.0]
    height = depth(root)
    tops = {}
    top = CELL_H if pw else 0
    leaf_w = max(kw, pw)
    leaf_h = max([len(l.keys) for l in leaves(root)] + [1]) * CELL_H + top

    def place(node, level):
        node.y = level * (CELL_H + 4 + LEVEL_GAP)
        if node.leaf:
            node.w, node.h = leaf_w, max(len(node.keys), 1) * CELL_H + top
            node.x = x[0]
            x[0] += leaf_w + LEAF_GAP
            return
        for child in node.children:
            place(child, level + 1)
        node.w = pw + len(node.keys) * kw + (len(node.keys) + 1) * PTR_W
        node.h = CELL_H + 4
        first, last = node.children[0], node.children[-1]
        node.x = (first.x + last.x + last.w) / 2 - node.w / 2
        tops[level] = min(tops.get(level, node.x), node.x)

    place(root, 0)
    shift = -min([0] + list(tops.values()))
    for n in internals(root) + leaves(root):
        n.x += shift
    right = max(n.x + n.w for n in internals(root) + leaves(root))
    return right, (height - 1) * (CELL_H + 4 + LEVEL_GAP) + leaf_h


def draw_tree_panel(root, kw, marked, doomed, pw=0):
    c = Canvas()
    c.width, c.height = layout_tree(root, kw, pw)
    top = CELL_H if pw else 0
    for node in internals(root):
        c.rect(node.x, node.y, node.w, node.h, fill=COLORS["internal"])
        if pw:
            c.rect(node.x, node.y, pw, node.h, fill=COLORS["header"])
            c.text(node.x + pw / 2, node.y + node.h - 6, "p%d" % node.page,
                   SMALL, "middle", fill=MUTED)
        for i, key in enumerate(node.keys):
            kx = node.x + pw + PTR_W + i * (kw + PTR_W)
            fill = COLORS["new"] if ("i", key) in marked else \
                COLORS["internal"]
            c.rect(kx, node.y, kw, node.h, fill=fill)
            c.text(kx + kw / 2, node.y + node.h - 6, str(key), TEXT,
                   "middle")
        for i, child in enumerate(node.children):
            px = node.x + pw + i * (kw + PTR_W) + PTR_W / 2
            c.circle(px, node.y + node.h / 2, 2)
            c.arrow([(px, node.y + node.h / 2),
                     (child.x + child.w / 2, child.y - 1)], width=1)
    chain = leaves(root)
    for i, leaf in enumerate(chain):
        c.rect(leaf.x, leaf.y, leaf.w, leaf.h, fill=COLORS["row"])
        if pw:
            c.rect(leaf.x, leaf.y, leaf.w, CELL_H, fill=COLORS["header"])
            c.text(leaf.x + leaf.w / 2, leaf.y + CELL_H - 4.5,
                   "p%d" % leaf.page, SMALL, "middle", fill=MUTED)
        for j, key in enumerate(leaf.keys):
            y = leaf.y + top + j * CELL_H
            fill = COLORS["gone"] if key in doomed else (
                COLORS["new"] if ("l", key) in marked else None)
            if fill:
                c.rect(leaf.x, y, leaf.w, CELL_H, fill=fill, stroke="none")
            if j or pw:
                c.line(leaf.x, y, leaf.x + leaf.w, y, stroke=RULE)
            c.text(leaf.x + leaf.w / 2, y + CELL_H - 4.5, str(key), TEXT,
                   "middle")
        c.rect(leaf.x, leaf.y, leaf.w, leaf.h)
        if i + 1 < len(chain):
            c.arrow([(leaf.x + leaf.w, leaf.y + CELL_H / 2),
                     (chain[i + 1].x - 1, leaf.y + CELL_H / 2)],
                    stroke=MUTED, head=5)
    return c


def places(root):
    """{("l" or "i", key): place} for every key of the tree: the node's
    page, or without page numbers its height and its place among the
    nodes of that height."""
    out = {}
    by_height = {}

    def walk(node):
        height = 0 if node.leaf else walk(node.children[0]) + 1
        for child in node.children[1:]:
            walk(child)
        index = by_height.setdefault(height, [0])
        for key in node.keys:
            out[("l" if node.leaf else "i", key)] = node.page \
                if node.page is not None else (height, index[0])
        index[0] += 1
        return height

    walk(root)
    return out


def tree_step(panel):
    """The panel's `.btree` (01-05) or `\\btree TABLE` (06 on)."""
    found = steps_of(panel, ".btree") + steps_of(panel, "\\btree")
    if len(found) != 1:
        raise Unreadable("panel %r has %d `.btree` commands, wants one" % (
            panel.title, len(found)))
    return found[0]


def draw_tree(panels, width=svg.WIDTH):
    trees = [read_tree(tree_step(p).output) for p in panels]
    kw = key_width([k for t in trees for n in leaves(t) + internals(t)
                    for k in n.keys])
    pw = page_width(trees)
    bodies = []
    used = set()
    for i, tree in enumerate(trees):
        marked = set()
        doomed = set()
        if i > 0:
            before = places(trees[i - 1])
            marked = {key for key, place in places(tree).items()
                      if before.get(key) != place}
        if i + 1 < len(trees):
            after = {k for l in leaves(trees[i + 1]) for k in l.keys}
            doomed = {k for l in leaves(tree) for k in l.keys
                      if k not in after}
        used |= {"new"} if marked else set()
        used |= {"gone"} if doomed else set()
        bodies.append(draw_tree_panel(tree, kw, marked, doomed, pw))
    out = [svg.flow(panels_titled(panels, bodies), width=width)]
    entries = [(COLORS["new"], INK, None, "moved or new since the panel "
                "before")] if "new" in used else []
    if "gone" in used:
        entries.append((COLORS["gone"], INK, None, "deleted next"))
    if entries:
        out.append(svg.legend(entries, width))
    return svg.margin(svg.stack(out, 18))


# --- slotted: chapter 03's pages ------------------------------------------

class Page:
    def __init__(self, step):
        lines = lines_of(step.output)
        m = re.fullmatch(r"Page (\d+): (\w+)(.*)", lines[0]) if lines \
            else None
        if not m:
            raise Unreadable("`%s` does not start with \"Page N: TYPE\"" %
                             step.command)
        self.number, self.kind = int(m.group(1)), m.group(2)
        self.root = "root" in m.group(3)
        start = next((i for i, l in enumerate(lines)
                      if l.split()[:1] == ["slot"]), None)
        if start is None:
            raise Unreadable("`%s`: no slot table" % step.command)
        fields = labelled(lines[1:start])
        self.n_cells = number(fields.get("cells"), "cells")
        self.area = number(fields.get("cell area start"), "cell area start")
        free = fields.get("free", "")
        gap = re.search(r"\bgap (\d+)", free)
        fragmented = re.search(r"\bfragmented (\d+)", free)
        if not gap or not fragmented:
            raise Unreadable("`%s`: free: %r, wants its gap and fragmented "
                             "bytes" % (step.command, free))
        self.free = number(free, "free")
        self.gap, self.fragmented = int(gap.group(1)), int(
            fragmented.group(1))
        names, rows = table(lines[start:], step.command)
        for need in ("offset", "size", "key"):
            if need not in names:
                raise Unreadable("`%s`: the slot table has no %r column" %
                                 (step.command, need))
        if start + 1 + len(rows) != len(lines):
            raise Unreadable("`%s`: line %r after the slots" % (
                step.command, lines[start + 1 + len(rows)]))
        self.cells = [(int(r["key"]), int(r["offset"]), int(r["size"]))
                      for r in rows]
        self.check(step.command)

    def check(self, what):
        cells = self.cells
        if len(cells) != self.n_cells:
            raise Unreadable("%s: %d slots for %d cells" % (
                what, len(cells), self.n_cells))
        if [k for k, _, _ in cells] != sorted(k for k, _, _ in cells):
            raise Unreadable("%s: slots out of key order" % what)
        self.size = self.area + sum(s for _, _, s in cells) + \
            self.fragmented
        self.header = self.area - self.gap - 2 * len(cells)
        spans = sorted((o, o + s) for _, o, s in cells)
        if self.header < 0 or self.free != self.gap + self.fragmented:
            raise Unreadable("%s: free %d, gap %d and fragmented %d do not "
                             "add up" % (what, self.free, self.gap,
                                         self.fragmented))
        for (a, b), (c, _) in zip(spans, spans[1:]):
            if c < b:
                raise Unreadable("%s: cells at %d and %d overlap" % (
                    what, a, c))
        if spans and (spans[0][0] != self.area or spans[-1][1] > self.size):
            raise Unreadable("%s: the cells are not within %d..%d" % (
                what, self.area, self.size))
        self.holes = []
        at = self.area
        for a, b in spans:
            if a > at:
                self.holes.append((at, a))
            at = b
        if at < self.size:
            self.holes.append((at, self.size))


SLOT_LIST_MAX = 16


def draw_page(page, scale, new_keys, listed):
    c = Canvas()
    title = "page %d: %s%s" % (page.number, page.kind,
                                ", root" if page.root else "")
    sw, sh = 40, 17
    col_x = sw + 44 if listed else 0
    col_w, top = 56, 22
    c.text(col_x, 14, title, SMALL, mono=False, bold=True)
    height = page.size * scale

    def y_of(offset):
        return top + offset * scale

    c.rect(col_x, top, col_w, height, fill=COLORS["free"])
    directory = page.header + 2 * page.n_cells
    c.rect(col_x, top, col_w, max(directory * scale, 2), fill=INK)
    for a, b in page.holes:
        c.rect(col_x, y_of(a), col_w, (b - a) * scale, fill=COLORS["hole"],
               stroke="none")
    thin = []                       # runs of cells too thin to label
    for n, (key, offset, size) in enumerate(sorted(page.cells,
                                                   key=lambda c: c[1])):
        h = size * scale
        fill = COLORS["new"] if key in new_keys else \
            COLORS["row" if n % 2 == 0 else "row2"]
        c.rect(col_x, y_of(offset), col_w, h, fill=fill,
               stroke=INK if h >= 12 else "none", width=0.6)
        if h >= 12:
            c.text(col_x + col_w / 2, y_of(offset) + h / 2 + 4.5, str(key),
                   SMALL, "middle")
        elif thin and thin[-1][-1][1] + thin[-1][-1][2] == offset:
            thin[-1].append((key, offset, size))
        else:
            thin.append([(key, offset, size)])
    for run in thin:
        top_y = y_of(run[0][1])
        c.rect(col_x, top_y, col_w, y_of(run[-1][1] + run[-1][2]) - top_y,
               stroke=INK, width=0.6)
    c.rect(col_x, top, col_w, height)
    # Labels to the right of the column.
    lx = col_x + col_w + 6
    labels = []
    if not listed and page.n_cells:
        labels.append((top, "%d slots" % page.n_cells))
    if page.gap * scale >= 2:
        labels.append(((y_of(directory) + y_of(page.area)) / 2,
                       "gap %d" % page.gap))
    for a, b in page.holes:
        labels.append(((y_of(a) + y_of(b)) / 2, "hole %d" % (b - a)))
    for run in thin:
        keys = sorted(k for k, _, _ in run)
        labels.append(((y_of(run[0][1]) + y_of(run[-1][1] + run[-1][2])) /
                       2, "keys %d-%d" % (keys[0], keys[-1])
                       if len(keys) > 1 else "key %d" % keys[0]))
    last = -100
    for y, text in sorted(labels):
        y = max(y + 4.5, last + SMALL + 1)
        c.text(lx, y, text, SMALL, mono=False, fill=MUTED)
        last = y
    right = lx + max([svg.text_width(t, SMALL, False) for _, t in labels] +
                     [0])
    # The slot directory, enlarged, with an arrow from each slot.
    if listed:
        c.rect(0, top, sw, sh, fill=COLORS["header"])
        c.text(sw / 2, top + sh - 4.5, "hdr", SMALL, "middle", mono=False)
        for i, (key, offset, size) in enumerate(page.cells):
            y = top + (i + 1) * sh
            c.rect(0, y, sw, sh, fill=COLORS["header"])
            c.text(sw / 2, y + sh - 4.5, str(offset), SMALL, "middle")
            c.arrow([(sw, y + sh / 2), (col_x - 1, y_of(offset) +
                                         min(size * scale, 10) / 2)],
                    stroke=svg.ACCENT, width=0.9, head=5)
        list_end = top + (page.n_cells + 1) * sh
        c.polyline([(sw, top), (col_x, top)], stroke=MUTED, dash="2 2")
        c.text(0, list_end + 14, "slots", SMALL, mono=False, fill=MUTED)
        c.text(0, list_end + 28, "enlarged", SMALL, mono=False, fill=MUTED)
    c.width = max(right, col_x + col_w,
                  col_x + svg.text_width(title, SMALL, False, bold=True))
    c.height = top + height + 4
    return c


def draw_slotted(panels, width=svg.WIDTH):
    pages = [[Page(s) for s in steps_of(p, ".page")] for p in panels]
    for panel, found in zip(panels, pages):
        if not found:
            raise Unreadable("panel %r has no `.page N`" % panel.title)
    sizes = {pg.size for found in pages for pg in found}
    headers = {pg.header for found in pages for pg in found}
    if len(sizes) != 1 or len(headers) != 1:
        raise Unreadable("pages of %s bytes with headers of %s bytes" % (
            sorted(sizes), sorted(headers)))
    scale = 420 / sizes.pop()
    # Each slot's arrow, when every page has few enough to follow.
    listed = all(0 < pg.n_cells <= SLOT_LIST_MAX for found in pages
                 for pg in found)
    bodies = []
    seen = set()
    any_new = False
    for i, found in enumerate(pages):
        keys = {k for pg in found for k, _, _ in pg.cells}
        new = keys - seen if i else set()
        any_new = any_new or bool(new)
        seen = keys
        bodies.append(svg.flow([draw_page(pg, scale, new, listed)
                                for pg in found], gap=20))
    legend = [(COLORS["row"], INK, None, "cell")]
    if any_new:
        legend.append((COLORS["new"], INK, None, "new since the panel "
                       "before"))
    if any(pg.holes for found in pages for pg in found):
        legend.append((COLORS["hole"], "none", None, "hole (fragmented)"))
    legend += [(COLORS["free"], INK, None, "gap"),
               (INK, INK, None, "header and slots")]
    return svg.margin(svg.stack([svg.flow(panels_titled(panels, bodies),
                                          width=width),
                                 svg.legend(legend, width)], 18))


# --- wal: the log against the file --------------------------------------

def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _crc_table():
    out = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        out.append(c)
    return out


CRC_TABLE = _crc_table()
LOG_HEADER, RECORD_HEADER = 40, 24
# A page's bytes without its checksum, which the pager seals when it
# writes the page into the file (the log's image has none).
USABLE = 4096 - 4
PAGE_RECORD, COMMIT_RECORD, CHECKPOINT_RECORD = 1, 2, 3
KINDS = {PAGE_RECORD: "page", COMMIT_RECORD: "commit",
         CHECKPOINT_RECORD: "checkpoint"}


class Record:
    def __init__(self, kind, at, size, number, txn, salt, payload):
        self.kind = kind        # "page", "commit" or "checkpoint"
        self.at, self.size = at, size
        self.number = number    # the page, or the pages in the database
        self.txn, self.salt = txn, salt
        self.payload = payload
        self.state = "live"     # "live", "uncommitted" or "stale"


def read_record(log, at, page_size):
    """The valid record at AT, whatever its salt, or None."""
    if at + RECORD_HEADER > len(log) or log[at] not in KINDS:
        return None
    if log[at + 1:at + 4] != b"\0\0\0":
        return None
    size = RECORD_HEADER + (0 if log[at] == COMMIT_RECORD else page_size)
    if at + size > len(log):
        return None
    body = log[at:at + 20] + log[at + RECORD_HEADER:at + size]
    if crc32c(body) != u32(log, at + 20):
        return None
    return Record(KINDS[log[at]], at, size,
                  u32(log, at + 4), u64(log, at + 8), u32(log, at + 16),
                  log[at + RECORD_HEADER:at + size])


class Log:
    def __init__(self, data, page_size):
        if len(data) < LOG_HEADER:
            raise Unreadable("a log of %d bytes has no header" % len(data))
        if data[:8] != b"StrataWL" or u32(data, 8) != 2:
            raise Unreadable("the log does not start with StrataWL, "
                             "version 2")
        if crc32c(data[:36]) != u32(data, 36) or u32(data, 12) != page_size:
            raise Unreadable("the log header's checksum or page size is "
                             "wrong")
        self.size = len(data)
        self.salt = u32(data, 16)
        self.records = []
        at = LOG_HEADER
        while True:
            r = read_record(data, at, page_size)
            if r is None or r.salt != self.salt:
                break
            self.records.append(r)
            at += r.size
        self.live_end = at
        last_commit = max([i for i, r in enumerate(self.records)
                           if r.kind == "commit"] + [-1])
        for r in self.records[last_commit + 1:]:
            if r.kind != "checkpoint":  # needs no commit: recovery ends it
                r.state = "uncommitted"
        # Older records left beyond the live ones, where a scan finds them.
        while at + RECORD_HEADER <= len(data):
            r = read_record(data, at, page_size)
            if r is None or r.salt == self.salt:
                at += 1
                continue
            r.state = "stale"
            self.records.append(r)
            at += r.size


TXN_FILLS = ["#cfe3f7", "#c9ead0", "#e4dcf3", "#ffe2b8", "#f7d3e4",
             "#d5eef0"]


def txn_fill(txn):
    return TXN_FILLS[(txn - 1) % len(TXN_FILLS)]


def draw_wal(panels, width=svg.WIDTH):
    page_size = 4096
    states = []
    for panel in panels:
        files = {}
        listed = None           # the names an `ls` printed
        for step in panel.steps:
            if step.name() == "od":
                files[step.command.split()[-1]] = od_bytes(step)
            elif step.name() == "ls":
                listed = (listed or set()) | set(step.output.split())
        logs = [n for n in files if n.endswith("-wal")]
        dbs = [n for n in files if not n.endswith("-wal")]
        if len(dbs) > 1 or len(logs) > 1:
            raise Unreadable("panel %r shows more than one database" %
                             panel.title)
        db = dbs[0] if dbs else None
        log_name = logs[0] if logs else (db + "-wal" if db else None)
        log = Log(files[log_name], page_size) if log_name in files \
            else None
        if log is None and (listed is None or log_name in listed):
            raise Unreadable("panel %r: no `od` of the log, and no `ls` "
                             "that shows it is gone" % panel.title)
        if db is None:
            raise Unreadable("panel %r: no `od` of the database file" %
                             panel.title)
        data = files[db]
        if len(data) % page_size:
            raise Unreadable("%s is %d bytes, not whole pages" % (
                db, len(data)))
        states.append((panel, db, log_name, log, data))

    biggest = max([s[3].size for s in states if s[3]] +
                  [len(s[4]) for s in states] + [1])
    label_w, bar_w = 64, svg.WIDTH - 64 - 12
    scale = bar_w / biggest
    images = {}                 # bytes of a page image -> its txn
    previous = b""              # the file in the panel before
    out = []
    for panel, db, log_name, log, data in states:
        c = Canvas(svg.WIDTH - 12, 0)
        y = 16
        c.text(0, y + 24, "log", SMALL, mono=False, bold=True)
        bar_h = 30
        if log is None:
            c.text(label_w, y + 24, "no log: %s is gone" % log_name, SMALL,
                   mono=False, fill=MUTED)
        else:
            c.text(0, y + 38, "salt", SMALL, fill=MUTED)
            c.text(0, y + 52, "%08x" % log.salt, SMALL, fill=MUTED)
            c.rect(label_w, y + 8, log.size * scale, bar_h,
                   fill=COLORS["stale"], stroke=RULE)
            c.rect(label_w, y + 8, max(LOG_HEADER * scale, 2), bar_h,
                   fill=INK)
            groups = {}
            for r in log.records:
                x = label_w + r.at * scale
                live = r.state == "live"
                if r.kind != "commit":
                    if live:
                        images[r.payload[:USABLE]] = r.txn
                    c.rect(x + 0.5, y + 8, r.size * scale - 1, bar_h,
                           fill=txn_fill(r.txn) if r.state != "stale"
                           else COLORS["stale"],
                           stroke=INK if live else MUTED,
                           dash=None if live else "3 2")
                    c.text(x + r.size * scale / 2, y + 27, "page %d" %
                           r.number if r.kind == "page" else "ckpt",
                           SMALL, "middle",
                           fill=INK if live else MUTED)
                else:
                    c.rect(x - 1, y + 4, 3.5, bar_h + 8,
                           fill=COLORS["commit"] if live else MUTED,
                           stroke="none")
                groups.setdefault((r.txn, r.state), []).append(r)
            for (txn, state), rs in sorted(groups.items(),
                                           key=lambda g: g[1][0].at):
                x0 = label_w + rs[0].at * scale
                x1 = label_w + (rs[-1].at + rs[-1].size) * scale
                c.polyline([(x0 + 2, y + 4), (x0 + 2, y), (x1 - 2, y),
                            (x1 - 2, y + 4)], stroke=INK if state == "live"
                           else MUTED)
                label = "txn %d%s" % (txn, {
                    "live": "", "stale": " (old)",
                    "uncommitted": " (no commit)"}[state])
                if svg.text_width(label, SMALL, False) < x1 - x0:
                    c.text((x0 + x1) / 2, y - 4, label, SMALL, "middle",
                           mono=False,
                           fill=INK if state == "live" else MUTED)
        fy = y + 8 + bar_h + 34
        c.text(0, fy + 19, "file", SMALL, mono=False, bold=True)
        if not data:
            c.text(label_w, fy + 19, "%s: 0 bytes" % db, SMALL, mono=False,
                   fill=MUTED)
        for p in range(len(data) // page_size):
            page = data[p * page_size:(p + 1) * page_size]
            x = label_w + p * page_size * scale
            txn = images.get(page[:USABLE])
            c.rect(x + 0.5, fy, page_size * scale - 1, bar_h,
                   fill=txn_fill(txn) if txn else COLORS["free"])
            c.text(x + page_size * scale / 2, fy + 13, "page %d" % p, SMALL,
                   "middle")
            before = previous[p * page_size:(p + 1) * page_size]
            c.text(x + page_size * scale / 2, fy + 26,
                   "= txn %d" % txn if txn else (
                       "zeros" if not any(page) else "as before"
                       if page == before else "not in log"), SMALL,
                   "middle", mono=False, fill=INK if txn else MUTED)
            match = [r for r in (log.records if log else [])
                     if r.kind != "commit" and
                     r.payload[:USABLE] == page[:USABLE]]
            if match:
                r = match[-1]
                c.line(label_w + (r.at + r.size / 2) * scale, y + 8 + bar_h,
                       x + page_size * scale / 2, fy, stroke=svg.ACCENT,
                       dash="3 2")
        c.height = fy + bar_h + 2
        out.append(svg.titled(panel.title, c))
        previous = data
    legend = svg.legend([(INK, INK, None, "log header"),
                         (COLORS["commit"], "none", None, "commit record"),
                         (COLORS["stale"], MUTED, "3 2", "older records"),
                         (COLORS["free"], INK, None, "ckpt: a checkpoint "
                          "record, page 0 as the checkpoint writes it"),
                         (COLORS["free"], svg.ACCENT, "3 2",
                          "same bytes as the record")])
    return svg.margin(svg.stack(out + [legend], 22))


# --- pool: the buffer pool's frames ------------------------------------------

class Pool:
    def __init__(self, output):
        lines = lines_of(output)
        m = re.fullmatch(r"buffer pool: (\d+) frames?, (\w+)",
                         lines[0]) if lines else None
        if not m:
            raise Unreadable("`.pool` does not start with \"buffer pool: "
                             "N frames, POLICY\"")
        self.n_frames, self.policy = int(m.group(1)), m.group(2)
        names, rows = table(lines[1:], ".pool")
        for need in ("frame", "page", "pins", "state"):
            if need not in names:
                raise Unreadable("`.pool` has no %r column" % need)
        self.frames = {int(r["frame"]): (int(r["page"]), int(r["pins"]),
                                         r["state"]) for r in rows}
        rest = lines[2 + len(rows):]
        empty = 0
        if rest and re.fullmatch(r"\d+ frames? empty", rest[0]):
            empty = int(rest.pop(0).split()[0])
        if len(self.frames) != len(rows) or \
                len(rows) + empty != self.n_frames or \
                any(f >= self.n_frames for f in self.frames):
            raise Unreadable("`.pool`: %d frames listed and %d empty of %d" %
                             (len(rows), empty, self.n_frames))
        for _, _, state in self.frames.values():
            if state not in ("clean", "committed", "changing"):
                raise Unreadable("`.pool`: a frame in state %r" % state)
        self.hand = None
        self.marks = set()          # referenced (clock)
        self.order = []             # least recent first (lru)
        policy = labelled(rest)
        if len(policy) != len(rest):
            raise Unreadable("`.pool`: line %r" % rest)
        if self.policy == "clock":
            m = re.fullmatch(r"hand at frame (\d+), referenced: (.*)",
                             policy.get("clock", ""))
            if not m:
                raise Unreadable("`.pool` has no \"clock: hand at frame "
                                 "N, referenced: ...\" line")
            self.hand = int(m.group(1))
            self.marks = self.frame_list(m.group(2))
        elif self.policy == "lru":
            m = re.fullmatch(r"least recent first: (.*)",
                             policy.get("lru", ""))
            if not m:
                raise Unreadable("`.pool` has no \"lru: least recent "
                                 "first: ...\" line")
            self.order = [f for f in self.frame_list(m.group(1), ordered=True)
                          if f in self.frames]
        else:
            raise Unreadable("`.pool`: no drawing for the policy %r" %
                             self.policy)

    def frame_list(self, text, ordered=False):
        if text == "none":
            return [] if ordered else set()
        frames = [int(w) for w in text.split()]
        if any(f >= self.n_frames for f in frames):
            raise Unreadable("`.pool`: frame numbers %r" % text)
        return frames if ordered else set(frames)


def draw_pool_panel(pool):
    c = Canvas()
    radius, bw, bh = 76, 46, 28
    cx = cy = radius + bh / 2 + 18
    for f in range(pool.n_frames):
        angle = 2 * math.pi * f / pool.n_frames - math.pi / 2
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        page, pins, state = pool.frames.get(f, (None, 0, "empty"))
        c.rect(x - bw / 2, y - bh / 2, bw, bh, fill=COLORS[state],
               dash="3 2" if state == "empty" else None, rx=3)
        if page is not None:
            c.text(x, y + 5, "p%d" % page, TEXT, "middle", bold=True)
        if pins:
            c.text(x, y + bh / 2 + 12, "pins %d" % pins, SMALL, "middle")
        if f in pool.marks:
            c.circle(x + bw / 2 - 6, y - bh / 2 + 6, 3.2)
        if pool.order and f in pool.order:
            c.text(x - bw / 2 + 3, y - bh / 2 + 10, str(
                pool.order.index(f) + 1), 9.5, fill=MUTED)
        # Just outside the box, in the direction of the frame.
        out = radius + abs(math.cos(angle)) * bw / 2 + \
            abs(math.sin(angle)) * bh / 2 + 9
        c.text(cx + out * math.cos(angle), cy + out * math.sin(angle) + 4,
               str(f), SMALL, "middle", fill=MUTED)
    if pool.hand is not None:
        angle = 2 * math.pi * pool.hand / pool.n_frames - math.pi / 2
        reach = radius - bh / 2 - 8
        c.circle(cx, cy, 3.5, fill=svg.ACCENT)
        c.arrow([(cx, cy), (cx + reach * math.cos(angle),
                            cy + reach * math.sin(angle))],
                stroke=svg.ACCENT, width=2.2, head=8)
    c.width = c.height = 2 * cx
    return c


def draw_pool(panels, width=svg.WIDTH):
    pools = [Pool(one(p, ".pool").output) for p in panels]
    bodies = [draw_pool_panel(p) for p in pools]
    states = {"empty"} | {state for p in pools
                          for _, _, state in p.frames.values()}
    legend = [(COLORS[s], INK, "3 2" if s == "empty" else None, s)
              for s in ("empty", "clean", "committed", "changing")
              if s in states]
    notes = ["pN: the page a frame holds; outside: the frame's number"]
    if any(p.policy == "clock" for p in pools):
        notes.append("dot: the reference bit is set; arrow: the clock "
                     "hand, the next frame it looks at")
    if any(p.policy == "lru" for p in pools):
        notes.append("small number: the order of use, 1 = least recent")
    note = Canvas()
    y = 0
    for text in notes:
        for line in svg.wrap(text, SMALL, width, mono=False):
            y += SMALL + 3
            note.text(0, y, line, SMALL, mono=False, fill=MUTED)
    note.width, note.height = min(width, svg.WIDTH), y
    return svg.margin(svg.stack([svg.flow(panels_titled(panels, bodies),
                                          width=width),
                                 svg.legend(legend, width), note], 12))


# --- catalog: 06's file describing itself -----------------------------------

def psql_rows(step):
    """The rows of a result printed as psql aligns it (a header, a line
    of dashes, the rows, "(N rows)"), as dicts by column name."""
    lines = [l for l in step.output.split("\n") if l.strip()]
    if len(lines) < 3 or not re.fullmatch(r"-+(\+-+)*", lines[1]):
        raise Unreadable("`%s` printed no table" % step.command)
    names = [n.strip() for n in lines[0].split("|")]
    rows = []
    for line in lines[2:]:
        m = re.fullmatch(r"\((\d+) rows?\)", line)
        if m:
            if int(m.group(1)) != len(rows):
                raise Unreadable("`%s`: %d rows, says %s" % (
                    step.command, len(rows), m.group(1)))
            return rows
        cells = [c.strip() for c in line.split("|")]
        if len(cells) != len(names):
            raise Unreadable("`%s`: row %r" % (step.command, line))
        rows.append(dict(zip(names, cells)))
    raise Unreadable("`%s`: no \"(N rows)\" line" % step.command)


def select_from(panel):
    """{table name: rows} of the panel's SELECTs, by the table each reads."""
    out = {}
    for step in panel.steps:
        m = re.match(r"select\b.*\bfrom\s+(\w+)", step.command, re.I)
        if m and not step.shell:
            out[m.group(1).lower()] = psql_rows(step)
    return out


def page_list(panel):
    """`\\pages`: [(page, type, table or None)], in page order."""
    lines = lines_of(one(panel, "\\pages").output)
    if not lines or lines[0].split()[:2] != ["page", "type"]:
        raise Unreadable("`\\pages` has no header line")
    out = []
    for line in lines[1:]:
        m = re.fullmatch(r"\s*(\d+)\s+(\w+)(?:\s+\d+\s+\d+)?(?:\s+(\S+))?",
                         line)
        if not m or int(m.group(1)) != len(out):
            raise Unreadable("`\\pages` line %r" % line)
        out.append((int(m.group(1)), m.group(2), m.group(3)))
    return out


def od_prefix(step):
    """The bytes `od -A d -t x1 [-N COUNT] FILE` printed, from byte 0."""
    words = step.command.split()
    if words[:5] != ["od", "-A", "d", "-t", "x1"]:
        raise Unreadable("`%s`: wants `od -A d -t x1 [-N COUNT] FILE`" %
                         step.command)
    if len(words) not in (6, 8) or (len(words) == 8 and
                                    words[5] != "-N"):
        raise Unreadable("`%s`: wants `od -A d -t x1 [-N COUNT] FILE`" %
                         step.command)

    class Whole:
        command = " ".join(words[:5] + words[-1:])
        output = step.output
    return od_bytes(Whole)


CATALOG_TABLES = ("strata_tables", "strata_columns")
LINE_H, PAD = 17, 5


def catalog_lines(page, table, tables, columns, rows, header, width):
    """The lines of text that the box of PAGE holds, each (cells, key,
    indent): the cells are set in columns; KEY names what an arrow starts
    or ends at ("table NAME" for a row of strata_tables, "columns NAME"
    for the first line of a table's columns)."""
    if page == 0:
        free = u32(header, 24)
        return [(["format %d, %d pages, schema cookie %d" % (
            u32(header, 16), u32(header, 44), u32(header, 40))], None, 0),
                (["free list: %s" % ("empty" if free == 0 else
                                     "%d pages, first %d" % (
                                         u32(header, 28), free))], None, 0)]
    if table == "strata_tables":
        return [([r.get("rowid", ""), r["name"],
                  "root_page %s" % r["root_page"]], "table " + r["name"], 0)
                for r in tables]
    if table == "strata_columns":
        out = []
        groups = []
        for r in columns:
            if not groups or groups[-1][0] != r["table_name"]:
                groups.append((r["table_name"], []))
            groups[-1][1].append(r)
        indent = svg.text_width("    ", SMALL)
        for name, group in groups:
            ids = [r.get("rowid", "") for r in group]
            where = "%s-%s " % (ids[0], ids[-1]) if ids[0] else ""
            text = "%s%s: %s" % (where, name,
                                 ", ".join(r["name"] for r in group))
            first = svg.wrap(text, SMALL, width)[0]
            rest = svg.wrap(text[len(first):], SMALL, width - indent)
            out.append(([first], "columns " + name, 0))
            out += [([line], None, indent) for line in rest]
        return out
    if rows is None:
        raise Unreadable("page %d holds %s, and no SELECT shows its rows" %
                         (page, table))
    return [([v if len(v) <= 20 else v[:17] + "..." for v in r.values()],
             None, 0) for r in rows] or [(["(no rows)"], None, 0)]


def columns_at(lines, gap=2):
    """The x of each column of LINES' cells (a line of one cell spans
    them all)."""
    widths = []
    for cells, _, _ in lines:
        if len(cells) > 1:
            for i, cell in enumerate(cells):
                if i == len(widths):
                    widths.append(0)
                widths[i] = max(widths[i], len(cell))
    xs, x = [], 0
    for w in widths:
        xs.append(x)
        x += svg.text_width("x" * (w + gap), SMALL)
    return xs or [0]


def draw_catalog(panels, width=svg.WIDTH):
    out = []
    for panel in panels:
        pages = page_list(panel)
        header = od_prefix(one(panel, "od"))
        if header[:16] != b"Strata database\0" or len(header) < 48:
            raise Unreadable("`od` of the header: no magic, or too short")
        if u32(header, 44) != len(pages):
            raise Unreadable("the header counts %d pages, `\\pages` %d" % (
                u32(header, 44), len(pages)))
        selects = select_from(panel)
        tables = selects.get("strata_tables")
        columns = selects.get("strata_columns")
        if tables is None or columns is None:
            raise Unreadable("panel %r: SELECTs of strata_tables and "
                             "strata_columns, please" % panel.title)
        root_of = {}
        for r in tables:
            root = number(r.get("root_page"), "root_page")
            if not 0 < root < len(pages) or pages[root][2] != r["name"]:
                raise Unreadable("%s's root_page %d is not a page of it in "
                                 "`\\pages`" % (r["name"], root))
            root_of[r["name"]] = root
        owned = [t for _, _, t in pages if t]
        for name in owned:
            if owned.count(name) != 1 or name not in root_of:
                raise Unreadable("table %s: the drawing shows tables of "
                                 "one page, listed in strata_tables" % name)
        described = {r["table_name"] for r in columns}
        if described != set(root_of):
            raise Unreadable("strata_columns describes %s, strata_tables "
                             "lists %s" % (sorted(described),
                                           sorted(root_of)))
        out.append(svg.titled(panel.title, catalog_panel(
            pages, header, tables, columns, selects, root_of)))
    notes = Canvas()
    notes.rect(0, 2, 16, 12, fill=COLORS["internal"])
    notes.text(22, 12.5, "the catalog", SMALL, mono=False)
    notes.rect(110, 2, 16, 12, fill=COLORS["row"])
    notes.text(132, 12.5, "a table of yours", SMALL, mono=False)
    notes.arrow([(250, 8), (276, 8)], stroke=svg.ACCENT, head=5)
    notes.text(282, 12.5, "root_page", SMALL, mono=False)
    notes.arrow([(356, 8), (382, 8)], stroke=MUTED, head=5, dash="3 2")
    notes.text(388, 12.5, "table_name", SMALL, mono=False)
    notes.width, notes.height = 460, 16
    return svg.margin(svg.stack(out + [notes], 16))


def catalog_panel(pages, header, tables, columns, selects, root_of):
    left, right = 34, 44            # gutters for the arrows
    box_w = svg.WIDTH - left - right
    text_w = box_w - 2 * PAD
    c = Canvas(svg.WIDTH, 0)
    y = 0
    anchors = {}                    # key -> y of its line's middle
    tops = {}                       # page -> y of its box's top
    for page, kind, table in pages:
        label = "the file header" if page == 0 else "%s: %s%s" % (
            table, kind, ", root" if root_of.get(table) == page else "")
        y += SMALL + 4
        c.text(left, y, "page %d" % page, SMALL, mono=False, bold=True)
        c.text(left + 52, y, label, SMALL, mono=False, fill=MUTED)
        y += 5
        lines = catalog_lines(page, table, tables, columns,
                              selects.get(table or ""), header, text_w)
        xs = columns_at(lines)
        h = len(lines) * LINE_H + 2 * PAD
        fill = COLORS["header"] if page == 0 else COLORS[
            "internal" if table in CATALOG_TABLES else "row"]
        c.rect(left, y, box_w, h, fill=fill)
        tops[page] = y
        for i, (cells, key, indent) in enumerate(lines):
            base = y + PAD + (i + 1) * LINE_H - 4.5
            for x, cell in zip(xs if len(cells) > 1 else [0], cells):
                c.text(left + PAD + indent + x, base, cell, SMALL)
            if key:
                anchors[key] = base - 4.5
        y += h + 10
    # root_page: from each row of strata_tables into the top of its page.
    x_right = left + box_w
    for k, r in enumerate(tables):
        lane = x_right + 10 + 10 * k
        y0 = anchors["table " + r["name"]]
        y1 = tops[root_of[r["name"]]]
        x1 = x_right - 14 - 12 * k
        c.circle(x_right - 3, y0, 2.2, fill=svg.ACCENT)
        c.arrow([(x_right - 3, y0), (lane, y0), (lane, y1 - 8 - 3 * k),
                 (x1, y1 - 8 - 3 * k), (x1, y1 + 1)], stroke=svg.ACCENT,
                head=5)
    # table_name: from each table's columns to its row of strata_tables.
    names = [r["name"] for r in tables]
    for k, name in enumerate(names):
        lane = left - 8 - 8 * k
        y0 = anchors["columns " + name]
        y1 = anchors["table " + name]
        c.arrow([(left, y0), (lane, y0), (lane, y1), (left - 1, y1)],
                stroke=MUTED, head=5, dash="3 2")
    c.height = y - 10
    return c


# --- overflow: a payload's chain of pages ------------------------------------

PAGE_BYTES, USABLE, SLOTTED_HEADER = 4096, 4092, 12
OVERFLOW_HEADER = 8
OVERFLOW_DATA = USABLE - OVERFLOW_HEADER


def varint_size(value):
    n = 1
    while value >= 0x80:
        value >>= 7
        n += 1
    return n


def zigzag(key):
    return (key << 1) ^ (key >> 63) if key < 0 else key << 1


class ChainPage:
    """`\\page N` of 06: a leaf with its cells, or an overflow page."""

    def __init__(self, step):
        lines = lines_of(step.output)
        m = re.fullmatch(r"Page (\d+): (\w+)(, root)?", lines[0]) \
            if lines else None
        if not m:
            raise Unreadable("`%s` does not start with \"Page N: TYPE\"" %
                             step.command)
        self.number, self.kind = int(m.group(1)), m.group(2)
        fields = labelled(lines[1:])
        self.cells = []
        if self.kind == "overflow":
            self.next = number(fields.get("next"), "next")
            return
        if self.kind != "leaf":
            raise Unreadable("`%s`: a %s page" % (step.command, self.kind))
        self.area = number(fields.get("cell area start"), "cell area start")
        start = next((i for i, l in enumerate(lines)
                      if l.split()[:1] == ["slot"]), None)
        if start is None or lines[start].split() != [
                "slot", "offset", "size", "key", "payload"]:
            raise Unreadable("`%s`: no slot table" % step.command)
        for line in lines[start + 1:]:
            m = re.fullmatch(r"\s*\d+\s+(\d+)\s+(\d+)\s+(-?\d+)\s+(\d+)"
                             r"(?: \(overflow from page (\d+)\))?", line)
            if not m:
                raise Unreadable("`%s`: slot line %r" % (step.command, line))
            offset, size, key, payload = (int(g) for g in m.groups()[:4])
            first = int(m.group(5)) if m.group(5) else None
            header = varint_size(zigzag(key)) + varint_size(payload)
            local = size - header - (4 if first else 0)
            if local < 0 or (first is None and local != payload) or \
                    offset < self.area or offset + size > USABLE:
                raise Unreadable("`%s`: the cell of key %d does not add up"
                                 % (step.command, key))
            self.cells.append((key, offset, size, payload, header, local,
                               first))
        if len(self.cells) != number(fields.get("cells"), "cells"):
            raise Unreadable("`%s`: the cells do not add up" % step.command)


def draw_overflow(panels, width=svg.WIDTH):
    out = []
    for panel in panels:
        pages = {}
        for step in steps_of(panel, "\\page"):
            page = ChainPage(step)
            pages[page.number] = page
        leaves = [pg for pg in pages.values() if pg.kind == "leaf"]
        if len(leaves) != 1:
            raise Unreadable("panel %r: wants one leaf" % panel.title)
        leaf = leaves[0]
        big = [cell for cell in leaf.cells if cell[6]]
        if len(big) != 1:
            raise Unreadable("panel %r: wants one cell that overflows" %
                             panel.title)
        key, _, _, payload, _, local, first = big[0]
        chain, at = [], first
        while at:
            if at not in pages or pages[at].kind != "overflow" or \
                    at in chain:
                raise Unreadable("overflow page %d: not shown, or not an "
                                 "overflow page, or a loop" % at)
            chain.append(at)
            at = pages[at].next
        if len(chain) != -(-(payload - local) // OVERFLOW_DATA):
            raise Unreadable("%d bytes after the cell's %d need %d pages, "
                             "the chain has %d" % (
                                 payload - local, local,
                                 -(-(payload - local) // OVERFLOW_DATA),
                                 len(chain)))
        out.append(svg.titled(panel.title,
                              chain_panel(leaf, big[0], chain)))
    legend = svg.legend([(INK, INK, None, "page header, slots"),
                         (COLORS["row"], INK, None, "cell"),
                         (COLORS["new"], INK, None, "the long row"),
                         (COLORS["free"], INK, None, "free")], width)
    return svg.margin(svg.stack(out + [legend], 16))


def chain_panel(leaf, cell, chain):
    key, offset, size, payload, header, local, first = cell
    label_w, bar_w, bar_h = 66, svg.WIDTH - 66 - 4, 26
    scale = bar_w / PAGE_BYTES
    c = Canvas(svg.WIDTH, 0)

    def x_of(byte):
        return label_w + byte * scale

    def page_label(y, number, kind):
        c.text(0, y + 12, "page %d" % number, SMALL, mono=False, bold=True)
        c.text(0, y + 26, kind, SMALL, mono=False, fill=MUTED)

    # The leaf, to scale.
    y = 0
    page_label(y, leaf.number, "leaf")
    c.rect(x_of(0), y, bar_w, bar_h, fill=COLORS["free"])
    directory = SLOTTED_HEADER + 2 * len(leaf.cells)
    c.rect(x_of(0), y, max(directory * scale, 2), bar_h, fill=INK)
    for k, o, sz, _, _, _, f in leaf.cells:
        c.rect(x_of(o), y, max(sz * scale, 1.5), bar_h,
               fill=COLORS["new" if f else "row"])
    c.rect(x_of(USABLE), y, 4 * scale, bar_h, fill=INK)
    gap = leaf.area - directory
    c.text(x_of(directory + gap / 2), y + 17, "free %d" % gap, SMALL,
           "middle", mono=False, fill=MUTED)
    # The long row's cell, enlarged.
    zy = y + bar_h + 30
    fields = [("key", str(key), 44), ("size", str(payload), 64),
              ("the first %d bytes" % local, "of the record", 0),
              ("next page", str(first), 76)]
    rest = bar_w - sum(w for _, _, w in fields)
    zx = x_of(0)
    spans = []
    for name, value, w in fields:
        w = w or rest
        c.rect(zx, zy, w, 36, fill=COLORS["new"])
        c.text(zx + 5, zy + 14, name, SMALL, mono=False, fill=MUTED)
        c.text(zx + 5, zy + 30, value, SMALL, bold=name != fields[2][0])
        spans.append((zx, w))
        zx += w
    c.polyline([(x_of(offset), y + bar_h), (x_of(0), zy)], stroke=MUTED,
               dash="3 2")
    c.polyline([(x_of(offset + size), y + bar_h), (x_of(0) + bar_w, zy)],
               stroke=MUTED, dash="3 2")
    c.text(0, zy + 14, "its cell,", SMALL, mono=False, fill=MUTED)
    c.text(0, zy + 28, "enlarged", SMALL, mono=False, fill=MUTED)
    c.text(x_of(0), zy + 36 + 15, "%d bytes: %d + %d + %d + 4" % (
        size, varint_size(zigzag(key)), header - varint_size(zigzag(key)),
        local), SMALL, mono=False, fill=MUTED)
    # The chain, to scale: a pointer into each page from the one before.
    from_x, from_y = spans[-1][0] + spans[-1][1] / 2, zy + 36
    y = zy + 36 + 40
    start = local
    for n, number_ in enumerate(chain):
        data = min(OVERFLOW_DATA, payload - start)
        page_label(y, number_, "overflow")
        c.rect(x_of(0), y, bar_w, bar_h, fill=COLORS["free"])
        c.rect(x_of(OVERFLOW_HEADER), y, data * scale, bar_h,
               fill=COLORS["new"])
        c.rect(x_of(0), y, max(OVERFLOW_HEADER * scale, 2), bar_h, fill=INK)
        c.rect(x_of(USABLE), y, 4 * scale, bar_h, fill=INK)
        c.text(x_of(OVERFLOW_HEADER) + 6, y + 17, "bytes %d-%d" % (
            start, start + data - 1), SMALL, mono=False)
        if data < OVERFLOW_DATA:
            c.text(x_of(OVERFLOW_HEADER + data + (OVERFLOW_DATA - data) / 2),
                   y + 17, "%d unused" % (OVERFLOW_DATA - data), SMALL,
                   "middle", mono=False, fill=MUTED)
        c.arrow([(from_x, from_y), (from_x, y - 10), (x_of(3), y - 10),
                 (x_of(3), y)], stroke=svg.ACCENT, head=5)
        nxt = chain[n + 1] if n + 1 < len(chain) else 0
        c.text(x_of(0) + 8, y + bar_h + 14, "next: %d" % nxt, SMALL,
               fill=MUTED)
        from_x, from_y = x_of(3), y + bar_h
        start += data
        y += bar_h + 30
    c.height = y - 30 + 16
    return c



# --- plan: a query's operators, and the rows each hands up ------------------

class PlanNode:
    def __init__(self, text, depth):
        self.text, self.depth = text, depth
        self.children = []
        self.rows = None            # what the query ending here returned
        self.x = self.y = self.w = self.h = 0
        self.lines = []


def row_count(step):
    """The row count in the "(N rows)" footer a SELECT printed."""
    for line in reversed(lines_of(step.output)):
        m = re.fullmatch(r"\((\d+) rows?\)", line.strip())
        if m:
            return int(m.group(1))
        if line.startswith("ERROR:"):
            break
    raise Unreadable("`%s` printed no \"(N rows)\": %r" % (
        step.command, step.output.strip()[-200:]))


def read_plan(step):
    """The tree an EXPLAIN printed: one operator a line, two blanks of
    indent per level, under a "QUERY PLAN" header."""
    lines = step.output.strip("\n").split("\n")
    if len(lines) < 3 or lines[0].strip() != "QUERY PLAN" or \
            set(lines[1].strip()) != {"-"}:
        raise Unreadable("`%s` does not print a QUERY PLAN" % step.command)
    body = lines[2:]
    if not body or not re.fullmatch(r"\(\d+ rows?\)", body[-1].strip()):
        raise Unreadable("`%s`: no row count after the plan" % step.command)
    nodes = []
    stack = []
    for line in body[:-1]:
        text = line.rstrip()
        indent = len(text) - len(text.lstrip(" ")) - 1
        if indent < 0 or indent % 2:
            raise Unreadable("plan line %r: odd indent" % line)
        node = PlanNode(text.strip(), indent // 2)
        if node.text.startswith("Subquery") and node.text.endswith(":"):
            raise Unreadable("the drawing knows no subqueries of "
                             "expressions: %r" % node.text)
        while stack and stack[-1].depth >= node.depth:
            stack.pop()
        if stack:
            if node.depth != stack[-1].depth + 1:
                raise Unreadable("plan line %r: indented too far" % line)
            stack[-1].children.append(node)
        elif nodes:
            raise Unreadable("the plan has two tops: %r" % line)
        if len(stack) and len(stack[-1].children) > 2:
            raise Unreadable("an operator with three children: %r" % line)
        stack.append(node)
        nodes.append(node)
    if not nodes:
        raise Unreadable("`%s`: an empty plan" % step.command)
    return nodes


PLAN_GAP, PLAN_PAD, PLAN_LINE = 40, 6, SMALL + 3


def plan_kind(node):
    if node.text.startswith("Scan") or node.text.startswith("One row"):
        return "row"
    if " join" in node.text or node.text.startswith("Nested loop"):
        return "internal"
    return "header"


def place_plan(node, x, width, y):
    """Gives NODE its box at (X, Y), WIDTH wide, and its children theirs
    below it, side by side; returns the bottom of the lowest box."""
    node.x, node.y, node.w = x, y, width
    node.lines = svg.wrap(node.text, SMALL, width - 2 * PLAN_PAD)
    node.h = len(node.lines) * PLAN_LINE + 2 * PLAN_PAD - 2
    bottom = y + node.h
    if node.children:
        n = len(node.children)
        w = (width - (n - 1) * 16) / n
        for i, child in enumerate(node.children):
            bottom = max(bottom, place_plan(child, x + i * (w + 16), w,
                                            y + node.h + PLAN_GAP))
    return bottom


def plan_rows_label(parent, child, i):
    """What the arrow from CHILD up to PARENT carries: the rows of the
    query ending at CHILD, and how often it runs below a nested loop."""
    rows = "%d row%s" % (child.rows, "" if child.rows == 1 else "s")
    outer = parent.children[0]
    if parent.text.startswith("Nested loop") and i == 1 and outer.rows != 1:
        return "%s, %d times" % (rows, outer.rows)
    return rows


def draw_plan(panels, width=svg.WIDTH):
    bodies = []
    for panel in panels:
        explain = one(panel, "explain")
        nodes = read_plan(explain)
        selects = steps_of(panel, "select")
        if len(selects) != len(nodes):
            raise Unreadable("panel %r: %d operators and %d SELECTs, one "
                             "for each" % (panel.title, len(nodes),
                                           len(selects)))
        query = explain.command.split(None, 1)[1]
        if selects[0].command != query:
            raise Unreadable("the first SELECT is not the EXPLAIN's query: "
                             "%r" % selects[0].command)
        for node, step in zip(nodes, selects):
            node.rows = row_count(step)
        c = Canvas()
        root = nodes[0]
        top = 30
        c.height = place_plan(root, 0, svg.WIDTH - 20, top) + 4
        c.width = svg.WIDTH - 20
        for node in nodes:
            c.rect(node.x, node.y, node.w, node.h,
                   fill=COLORS[plan_kind(node)], rx=3)
            for j, line in enumerate(node.lines):
                c.text(node.x + PLAN_PAD, node.y + PLAN_PAD + 10 +
                       j * PLAN_LINE, line, SMALL)
        # The rows each operator hands up, and the next() that asks.
        edges = [(root, None, 0)] + [(child, node, i) for node in nodes
                                     for i, child in enumerate(
                                         node.children)]
        for child, parent, i in edges:
            if parent is None:
                to_y = top - 26
                to_x = child.x + child.w / 2
                label = "%d row%s to the shell" % (
                    child.rows, "" if child.rows == 1 else "s")
            else:
                n = len(parent.children)
                to_x = parent.x + parent.w * (i + 0.5) / n
                to_y = parent.y + parent.h
                label = plan_rows_label(parent, child, i)
            from_x = child.x + child.w / 2
            from_y = child.y
            mid = (from_y + to_y) / 2
            c.arrow([(from_x + 6, from_y), (from_x + 6, mid),
                     (to_x + 6, mid), (to_x + 6, to_y + 1)],
                    stroke=INK, width=1.6, head=6)
            c.arrow([(to_x - 6, to_y), (to_x - 6, mid),
                     (from_x - 6, mid), (from_x - 6, from_y - 1)],
                    stroke=MUTED, width=1, head=5, dash="3 2")
            if parent is None:
                c.text(to_x - 14, mid + 4.5, "next()", SMALL, "end",
                       fill=MUTED)
            c.text(max(from_x, to_x) + 14, mid + 4.5, label, SMALL,
                   mono=False, bold=True)
        bodies.append(c)
    key = Canvas(svg.WIDTH, 0)
    y = 0
    for dash, color, text in ((None, INK, "rows, handed up: each count is "
                               "what the query ending at that operator "
                               "returns (its SELECT is in the script)"),
                              ("3 2", MUTED, "next(): the operator above "
                               "asks for one row at a time")):
        lines = svg.wrap(text, SMALL, svg.WIDTH - 30, mono=False)
        if dash:
            c_y = y + 2
            key.arrow([(8, c_y), (8, c_y + 12)], stroke=color, width=1,
                      head=5, dash=dash)
        else:
            key.arrow([(8, y + 14), (8, y + 1)], stroke=color, width=1.6,
                      head=6)
        for j, line in enumerate(lines):
            key.text(24, y + 11 + j * (SMALL + 3), line, SMALL, mono=False)
        y += len(lines) * (SMALL + 3) + 8
    key.height = y
    return svg.margin(svg.stack([svg.stack(panels_titled(panels, bodies),
                                           22), key], 14))


# --- sort: an external merge sort's runs and merges --------------------------

def commas(n):
    return "{:,}".format(n)


class SortShape:
    """The statistics of one sort as `\sorts` prints them."""

    def __init__(self, output):
        lines = lines_of(output)
        if not lines or not re.fullmatch(
                r"sorts in the last statement: 1", lines[0]):
            raise Unreadable("`\\sorts` does not show exactly one sort: "
                             "%r" % (lines[:1],))
        m = re.fullmatch(r"sort 1: (\d+) rows?, work_mem (\S+)",
                         lines[1] if len(lines) > 1 else "")
        if not m:
            raise Unreadable("`\\sorts`: %r" % (lines[1:2],))
        self.rows, self.budget = int(m.group(1)), m.group(2)
        rest = lines[2:]
        self.in_memory = rest[:1] == ["  sorted in memory: no run written"]
        fields = labelled(rest)
        self.memory = number(fields.get("memory held at most"),
                             "memory held at most")
        if self.in_memory:
            self.runs = self.fan_in = self.merges = self.last = 0
            self.passes = self.bytes = 0
            return
        m = re.fullmatch(r"(\d+), merged (\d+) at a time",
                         fields.get("runs written", ""))
        m2 = re.fullmatch(r"(\d+), and a last one of (\d+) runs? that "
                          r"gives the rows", fields.get("merges", ""))
        if not m or not m2:
            raise Unreadable("`\\sorts`: runs %r, merges %r" % (
                fields.get("runs written"), fields.get("merges")))
        self.runs, self.fan_in = int(m.group(1)), int(m.group(2))
        self.merges, self.last = int(m2.group(1)), int(m2.group(2))
        self.passes = number(fields.get("merge passes"), "merge passes")
        self.bytes = number(fields.get("bytes written to temporary files"),
                            "bytes written")


class SortRun:
    def __init__(self, level, rows, inputs=()):
        self.level, self.rows, self.inputs = level, rows, list(inputs)
        self.x = 0


def simulate_sort(shape):
    """The runs and merges of sort.c's rule: each run goes on a stack,
    and whenever the F runs on top are of one level they become one run
    of the next; at the end, while more than F are left, the neighbours
    with the fewest rows (rows stand for bytes: the rows have one size)
    are merged, as many as leave F. Returns (level-0 runs, every merged
    run, the runs of the last merge), checked against SHAPE."""
    f = shape.fan_in
    per = -(-shape.rows // shape.runs)
    firsts = [SortRun(0, per) for _ in range(shape.runs - 1)]
    firsts.append(SortRun(0, shape.rows - per * (shape.runs - 1)))
    merged = []
    stack = []

    def merge(at, k):
        run = SortRun(max(r.level for r in stack[at:at + k]) + 1,
                      sum(r.rows for r in stack[at:at + k]),
                      stack[at:at + k])
        stack[at:at + k] = [run]
        merged.append(run)

    for run in firsts:
        stack.append(run)
        while len(stack) >= f and stack[-f].level == stack[-1].level:
            merge(len(stack) - f, f)
    while len(stack) > f:
        k = min(len(stack) - f + 1, f)
        sums = [sum(r.rows for r in stack[i:i + k])
                for i in range(len(stack) - k + 1)]
        best = max(i for i, v in enumerate(sums) if v == min(sums))
        merge(best, k)
    passes = max(r.level for r in stack) + 1
    if (len(merged), len(stack), passes) != (shape.merges, shape.last,
                                             shape.passes):
        raise Unreadable("sort.c's rule gives %d merges, a last merge of "
                         "%d and %d passes; \\sorts printed %d, %d, %d" % (
                             len(merged), len(stack), passes, shape.merges,
                             shape.last, shape.passes))
    return firsts, merged, stack


def draw_sort_panel(shape, width):
    c = Canvas()
    c.width = width
    y = 14
    note = "%s rows in %s" % (commas(shape.rows), shape.budget)
    if shape.in_memory:
        c.text(0, y, note + ": sorted in memory, no file", SMALL,
               mono=False, fill=MUTED)
        c.rect(0, y + 10, width, 30, fill=COLORS["row"], rx=3)
        c.text(width / 2, y + 30, "all %s rows, %s bytes held" % (
            commas(shape.rows), commas(shape.memory)), SMALL, "middle")
        c.height = y + 42
        return c
    firsts, merged, last = simulate_sort(shape)
    text = "%s: %s runs of about %s rows%s; %s bytes written" % (
        note, commas(shape.runs), commas(firsts[0].rows),
        ", %d merge%s of %d runs into runs of about %s rows" % (
            len(merged), "" if len(merged) == 1 else "s", shape.fan_in,
            commas(merged[0].rows)) if merged else "",
        commas(shape.bytes))
    lines = svg.wrap(text, SMALL, width, mono=False)
    for j, line in enumerate(lines):
        c.text(0, y + j * (SMALL + 3), line, SMALL, mono=False, fill=MUTED)
    y += (len(lines) - 1) * (SMALL + 3)
    gap = 1.5 if len(firsts) > 40 else 3
    run_w = (width - gap * (len(firsts) - 1)) / len(firsts)
    levels = max([r.level for r in merged] + [0]) + 1
    row_h, level_gap = 16, 34
    top = y + 12

    def y_of(level):
        return top + level * (row_h + level_gap)

    for i, run in enumerate(firsts):
        run.x = i * (run_w + gap) + run_w / 2
    for run in merged:
        run.x = (run.inputs[0].x + run.inputs[-1].x) / 2
    for run in merged:
        for source in run.inputs:
            c.line(source.x, y_of(source.level) + row_h, run.x,
                   y_of(run.level), stroke=MUTED, width=0.6)
    heap_y = y_of(levels) + 8
    for source in last:
        c.line(source.x, y_of(source.level) + row_h, width / 2, heap_y,
               stroke=svg.ACCENT, width=0.8)
    for run in firsts:
        c.rect(run.x - run_w / 2, y_of(0), run_w, row_h, fill=COLORS["row"],
               width=0.6)
    for run in merged:
        w = max(run_w * 2.5, 14)
        c.rect(run.x - w / 2, y_of(run.level), w, row_h,
               fill=COLORS["row2"], width=0.8)
    box_w = 250
    c.rect(width / 2 - box_w / 2, heap_y, box_w, 24,
           fill=COLORS["new"], rx=3)
    c.text(width / 2, heap_y + 16.5, "the last merge: %d runs, a heap" %
           len(last), SMALL, "middle", mono=False)
    c.arrow([(width / 2, heap_y + 24), (width / 2, heap_y + 46)],
            stroke=INK, width=1.6)
    c.text(width / 2 + 8, heap_y + 42, "%s rows, in order" %
           commas(shape.rows), SMALL, mono=False, bold=True)
    c.height = heap_y + 48
    return c


def draw_sort(panels, width=svg.WIDTH):
    shapes = [SortShape(one(p, "\\sorts").output) for p in panels]
    bodies = [draw_sort_panel(s, svg.WIDTH - 8) for s in shapes]
    legend = svg.legend([(COLORS["row"], INK, None, "a run: sorted rows "
                          "written from memory"),
                         (COLORS["row2"], INK, None, "a run merged from "
                          "runs")])
    return svg.margin(svg.stack([svg.stack(panels_titled(panels, bodies),
                                           22), legend], 14))


DRAWINGS = {"rows": draw_rows, "tree": draw_tree, "slotted": draw_slotted,
            "wal": draw_wal, "pool": draw_pool, "catalog": draw_catalog,
            "overflow": draw_overflow, "plan": draw_plan, "sort": draw_sort}
