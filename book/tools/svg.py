"""svg.py - a few shapes and a layout, written out as SVG text.

The book's pictures (pictures.py) and plots (scripts/hit_ratio.py) are
drawn with these. An SVG made here scales with its container: it has a
viewBox and no fixed size, so the stylesheet can set width: 100%, and a
max-width that keeps it near its drawn size on a wide screen. Text
sizes are chosen for that: the smallest, SMALL, is still about 10
pixels on a phone 390 pixels wide (a column of 350), when a picture is
at most WIDTH units wide. A picture of several panels side by side is
also laid out NARROW, one under the other, for the stylesheet to show
on a phone instead.

Nothing here uses ids (an SVG inline in a page shares the page's ids),
so arrowheads are drawn as triangles, not markers.
"""
import html
import math

WIDTH = 460                       # the widest a picture may be, in units
NARROW = 250                      # the same, laid out again for a phone
TITLE, TEXT, SMALL = 15, 14, 13   # font sizes
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
SANS = "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"

INK = "#1d1d1f"
MUTED = "#6e6e73"
RULE = "#b8b8c0"
ACCENT = "#0b5cad"
COLORS = {                        # fills, by what a box holds
    "header": "#d9d9de",
    "row": "#cfe3f7",
    "row2": "#b3d1ef",
    "new": "#ffd479",
    "gone": "#f4c7c3",
    "free": "#ffffff",
    "hole": "#f9d9d5",
    "internal": "#e4dcf3",
    "stale": "#ececef",
    "commit": "#2e933c",
    "clean": "#cfe3f7",
    "committed": "#ffd479",
    "changing": "#f4a09a",
    "empty": "#ffffff",
}


def text_width(text, size, mono=True, bold=False):
    """About how wide TEXT is at SIZE: exact for the monospaced font,
    generous for the other."""
    return len(text) * size * (0.6 if mono else 0.64 if bold else 0.58)


def esc(text):
    return html.escape(str(text), quote=True)


class Canvas:
    """Shapes in the order they are drawn; later ones are on top."""

    def __init__(self, width=0, height=0):
        self.width = width
        self.height = height
        self.items = []

    def rect(self, x, y, w, h, fill="none", stroke=INK, width=1, dash=None,
             rx=0):
        self.items.append(
            '<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" '
            'stroke="%s" stroke-width="%s"%s%s/>' % (
                x, y, w, h, fill, stroke, width,
                ' stroke-dasharray="%s"' % dash if dash else "",
                ' rx="%s"' % rx if rx else ""))

    def line(self, x1, y1, x2, y2, stroke=INK, width=1, dash=None):
        self.items.append(
            '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" '
            'stroke-width="%s"%s/>' % (x1, y1, x2, y2, stroke, width,
                                       ' stroke-dasharray="%s"' % dash
                                       if dash else ""))

    def polyline(self, points, stroke=INK, width=1, dash=None, fill="none"):
        self.items.append(
            '<polyline points="%s" fill="%s" stroke="%s" stroke-width="%s"'
            '%s stroke-linejoin="round"/>' % (
                " ".join("%.1f,%.1f" % p for p in points), fill, stroke,
                width, ' stroke-dasharray="%s"' % dash if dash else ""))

    def circle(self, x, y, r, fill=INK, stroke="none", width=1):
        self.items.append('<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" '
                          'stroke="%s" stroke-width="%s"/>' % (
                              x, y, r, fill, stroke, width))

    def arrow(self, points, stroke=INK, width=1.2, head=6, dash=None):
        """A line through POINTS with a head at the last one."""
        self.polyline(points, stroke, width, dash)
        (x1, y1), (x2, y2) = points[-2], points[-1]
        angle = math.atan2(y2 - y1, x2 - x1)
        left = (x2 - head * math.cos(angle - 0.42),
                y2 - head * math.sin(angle - 0.42))
        right = (x2 - head * math.cos(angle + 0.42),
                 y2 - head * math.sin(angle + 0.42))
        self.items.append('<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" '
                          'fill="%s"/>' % (x2, y2, *left, *right, stroke))

    def text(self, x, y, text, size=TEXT, anchor="start", mono=True,
             fill=INK, bold=False, italic=False):
        """TEXT with its baseline at Y."""
        self.items.append(
            '<text x="%.1f" y="%.1f" font-size="%s"%s%s%s%s%s>%s</text>' % (
                x, y, size,
                ' text-anchor="%s"' % anchor if anchor != "start" else "",
                ' font-family="%s"' % SANS if not mono else "",
                ' fill="%s"' % fill if fill != INK else "",
                ' font-weight="bold"' if bold else "",
                ' font-style="italic"' if italic else "", esc(text)))

    def place(self, other, dx, dy):
        """Draws the canvas OTHER here, moved by (DX, DY)."""
        self.items.append('<g transform="translate(%.1f %.1f)">' % (dx, dy))
        self.items.extend(other.items)
        self.items.append("</g>")

    def svg(self, label, scale=1.2, cls=None):
        """The whole picture as one <svg> element without blank lines
        (so that Markdown keeps it as one block of HTML)."""
        return "\n".join(
            ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" '
             'style="max-width: %dpx"%s role="img" aria-label="%s" '
             'font-family="%s" font-size="%s" fill="%s">' % (
                 math.ceil(self.width), math.ceil(self.height),
                 math.ceil(self.width * scale),
                 ' class="%s"' % cls if cls else "", esc(label), MONO, TEXT,
                 INK),
             '<title>%s</title>' % esc(label),
             '<rect width="100%" height="100%" fill="white"/>']
            + self.items + ["</svg>"])


def flow(panels, gap=24, width=WIDTH):
    """Lays out PANELS (canvases) left to right, in rows no wider than
    WIDTH, each row as high as its highest panel. Returns one canvas."""
    out = Canvas()
    x = y = row_height = 0
    for panel in panels:
        if x > 0 and x + panel.width > width:
            x, y = 0, y + row_height + gap
            row_height = 0
        out.place(panel, x, y)
        out.width = max(out.width, x + panel.width)
        row_height = max(row_height, panel.height)
        x += panel.width + gap
    out.height = y + row_height
    return out


def titled(title, body, note=None):
    """BODY under a bold TITLE (and an optional NOTE below it), as one
    canvas; TITLE is wrapped to BODY's width, or to WIDTH."""
    out = Canvas()
    limit = max(body.width, 200)
    y = 0
    for line in wrap(title, TITLE, limit, mono=False, bold=True):
        y += TITLE + 3
        out.text(0, y, line, TITLE, mono=False, bold=True)
    if note:
        for line in wrap(note, SMALL, limit, mono=False):
            y += SMALL + 3
            out.text(0, y, line, SMALL, mono=False, fill=MUTED)
    y += 8
    out.place(body, 0, y)
    out.width = max(body.width, max(
        (text_width(l, TITLE, False, True)
         for l in wrap(title, TITLE, limit, False, True)), default=0))
    out.height = y + body.height
    return out


def wrap(text, size, limit, mono=True, bold=False):
    """TEXT cut into lines no wider than LIMIT at SIZE."""
    lines, line = [], ""
    for word in text.split():
        candidate = (line + " " + word).strip()
        if line and text_width(candidate, size, mono, bold) > limit:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def margin(canvas, pad=4):
    """CANVAS with PAD units of white around it."""
    out = Canvas(canvas.width + 2 * pad, canvas.height + 2 * pad)
    out.place(canvas, pad, pad)
    return out


def legend(entries, width=WIDTH):
    """A row of (fill, stroke, dash, label) swatches, wrapped to WIDTH."""
    out = Canvas()
    x = y = 0
    for fill, stroke, dash, label in entries:
        w = 16 + 6 + text_width(label, SMALL, False) + 16
        if x > 0 and x + w > width:
            x, y = 0, y + SMALL + 10
        out.rect(x, y, 16, 12, fill=fill, stroke=stroke, dash=dash)
        out.text(x + 22, y + 10.5, label, SMALL, mono=False)
        out.width = max(out.width, x + w - 16)
        x += w
    out.height = y + 14
    return out


def stack(canvases, gap=14):
    """CANVASES one under the other."""
    out = Canvas()
    y = 0
    for c in canvases:
        out.place(c, 0, y)
        out.width = max(out.width, c.width)
        y += c.height + gap
    out.height = y - gap if canvases else 0
    return out
