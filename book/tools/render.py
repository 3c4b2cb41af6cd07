#!/usr/bin/env python3
"""render.py - builds the book: book/*.md to HTML pages (`make book`).

  render.py [--out DIR]      (default: build/book)

Each chapter's directives (see chapters.py) are replaced by code pulled
from the milestones, or by pictures drawn from what the milestones print
(pictures.py: the milestones must be built), the Markdown goes through
cmark-gfm (CommonMark with tables), and the page gets a
table of contents, previous/next links and the stylesheet; the images
the chapters link to (book/pictures/*.svg, such as the plots drawn from
the benchmarks) are copied next to the pages. A directive that does not
resolve, or a link to an image of pictures/ that is not there, stops the
build with its file.
"""
import argparse
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import chapters

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Strata</title>
<link rel="stylesheet" href="book.css">
</head>
<body>
<nav class="top">{nav}</nav>
{toc}
<main>
{body}
</main>
<nav class="bottom">{nav}</nav>
</body>
</html>
"""


def fence(text):
    """A backtick fence longer than any run of backticks in TEXT."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def expand(chapter_or_index, all_chapters):
    """The chapter's Markdown with every directive replaced."""
    out = []
    for kind, line_no, payload in chapter_or_index.blocks():
        if kind == "text":
            out.append(payload)
        elif kind == "session":
            text = "\n".join(payload)
            out.extend([fence(text) + "session", text, fence(text)])
        else:
            name, args = payload
            if name == "chapters":
                out.extend("1. [%s](%s.html)" % (c.title, c.slug)
                           for c in all_chapters)
                continue
            try:
                excerpt = chapters.resolve(chapter_or_index, name, args)
            except chapters.DirectiveError as e:
                sys.exit("%s:%d: %s" % (chapter_or_index.path, line_no, e))
            if isinstance(excerpt, chapters.pictures.Figure):
                try:
                    out.extend(["", excerpt.html(), ""])
                except chapters.pictures.PictureError as e:
                    sys.exit("%s:%d: %s" % (chapter_or_index.path, line_no,
                                            e))
                continue
            if excerpt.summary:
                out.append('<details class="excerpt"><summary>%s</summary>'
                           '\n' % html.escape(excerpt.summary))
            out.append('<div class="excerpt">%s</div>\n' %
                       html.escape(excerpt.caption))
            out.extend([fence(excerpt.text) + excerpt.language,
                        excerpt.text, fence(excerpt.text), ""])
            if excerpt.summary:
                out.extend(["</details>", ""])
    return "\n".join(out) + "\n"


def cmark(markdown):
    """Markdown to HTML with cmark-gfm: CommonMark plus tables."""
    try:
        proc = subprocess.run(["cmark-gfm", "--unsafe", "--smart",
                               "--extension", "table"],
                              input=markdown.encode(), stdout=subprocess.PIPE,
                              check=True)
    except FileNotFoundError:
        sys.exit("render.py: cmark-gfm is not installed; run "
                 "scripts/install-deps")
    return proc.stdout.decode()


def slugify(text):
    text = re.sub(r"<[^>]+>", "", html.unescape(text)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def decorate(body):
    """Heading anchors, marked-up sessions and coloured diffs. Returns
    (html, [(anchor, heading text)] of the h2 headings)."""
    toc = []

    def heading(m):
        level, inner = m.group(1), m.group(2)
        anchor = slugify(inner)
        if level == "2":
            toc.append((anchor, re.sub(r"<[^>]+>", "", inner)))
        return '<h%s id="%s">%s</h%s>' % (level, anchor, inner, level)

    body = re.sub(r"<h([23])>(.*?)</h\1>", heading, body)

    def session_line(line):
        if line.startswith("$ "):
            return "", '<span class="shell">$ </span><kbd>%s</kbd>' % line[2:]
        for prompt in chapters.transcript.PROMPTS:
            p = html.escape(prompt)
            if line.startswith(p):
                return "", '<span class="prompt">%s</span><kbd>%s</kbd>' % (
                    p, line[len(p):])
        return "", line

    def diff_line(line):
        if line.startswith(("+++ ", "--- ")):
            return "file", line
        return {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], ""), line

    markers = {"session": session_line, "diff": diff_line}

    def block(m):
        # Each line its own span, so that a line too long for the column
        # wraps with a hanging indent (book.css) and stays one line.
        language, text = m.group(2), m.group(3)
        mark = markers.get(language, lambda line: ("", line))
        spans = []
        for line in text[:-1].split("\n") if text.endswith("\n") else \
                text.split("\n"):
            cls, inner = mark(line)
            spans.append('<span class="line%s">%s</span>' % (
                " " + cls if cls else "", inner))
        return '<pre%s><code%s>%s</code></pre>' % (
            ' class="%s"' % language if language in markers else "",
            m.group(1) if language not in markers else "",
            "\n".join(spans))

    body = re.sub(r'<pre><code( class="language-([\w-]+)")?>(.*?)</code>'
                  r'</pre>', block, body, flags=re.S)
    return body, toc


def nav(prev, nxt):
    parts = []
    parts.append('<a href="%s.html">&larr; %s</a>' % (
        prev.slug, html.escape(prev.title)) if prev else "<span></span>")
    parts.append('<a href="index.html">Contents</a>')
    parts.append('<a href="%s.html">%s &rarr;</a>' % (
        nxt.slug, html.escape(nxt.title)) if nxt else "<span></span>")
    return "\n".join(parts)


def page(title, body, toc, prev, nxt):
    toc_html = ""
    if toc:
        toc_html = '<aside class="toc"><p>In this chapter</p><ul>%s</ul>' \
                   '</aside>' % "".join('<li><a href="#%s">%s</a></li>' % t
                                        for t in toc)
    return PAGE.format(title=html.escape(title), nav=nav(prev, nxt),
                       toc=toc_html, body=body)


def copy_images(out, pages):
    """Copies book/pictures/*.svg into OUT/pictures, and exits when one of
    PAGES ({file name: html}) links to an image of pictures/ that is not
    there. (Chapter 05's plot, ../bench/hit-ratio.svg, appears only
    after `make bench`.)"""
    pictures = out / "pictures"
    pictures.mkdir(exist_ok=True)
    for svg in sorted((chapters.BOOK / "pictures").glob("*.svg")):
        shutil.copy(svg, pictures / svg.name)
    for name, text in pages.items():
        for src in re.findall(r'<img src="([^"]+)"', text):
            if src.startswith("pictures/") and not (out / src).is_file():
                sys.exit("book: %s links to the image %s, which is not in "
                         "book/pictures" % (name, src))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "book"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    book = chapters.load()
    index = chapters.Chapter(chapters.BOOK / "index.md")
    index.slug = "index"
    body, _ = decorate(cmark(expand(index, book)))
    pages = {"index.html": page(index.title, body, [], None,
                                book[0] if book else None)}
    for i, chapter in enumerate(book):
        prev = book[i - 1] if i > 0 else None
        nxt = book[i + 1] if i + 1 < len(book) else None
        body, toc = decorate(cmark(expand(chapter, book)))
        pages[chapter.slug + ".html"] = page(chapter.title, body, toc, prev,
                                             nxt)
    for name, text in pages.items():
        (out / name).write_text(text)
    shutil.copy(HERE / "book.css", out / "book.css")
    copy_images(out, pages)
    print("book: %d chapters in %s/index.html" % (len(book), out))


if __name__ == "__main__":
    main()
