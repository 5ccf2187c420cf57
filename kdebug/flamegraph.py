"""``kdebug flamegraph [FILE]``: folded stacks in, an interactive SVG flame graph out.

Input is what ``kdebug dtrace -x stackfmt=folded`` prints for ``@[stack()] =
count()`` (and what the common stack-collapsing tools write): one line per
stack, frames outermost first joined by ``;``, a space, a count.  Output is
one self-contained SVG on standard output: each frame a box as wide as its
share of the samples, the outermost at the bottom; hovering names a frame,
a click zooms into it, "Search" highlights frames by regular expression.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from html import escape

__all__ = ["main", "parse_folded", "render_svg"]

FRAME_HEIGHT = 16
FONT_SIZE = 12
CHAR_WIDTH = 0.59 * FONT_SIZE       # width of a character of the font, for trimming names to fit
TOP, BOTTOM, SIDE = 50, 30, 10


class Frame:
    """One node of the merged stacks: a function at a depth, with its samples and its callees."""

    __slots__ = ("name", "count", "children")

    def __init__(self, name: str):
        self.name = name
        self.count = 0
        self.children: dict[str, Frame] = {}

    def child(self, name: str) -> "Frame":
        node = self.children.get(name)
        if node is None:
            node = self.children[name] = Frame(name)
        return node


def parse_folded(text: str) -> tuple[Frame, int]:
    """The merged tree of ``text``'s stacks (root "all") and how many lines were not stacks."""
    root = Frame("all")
    bad = 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        try:
            n = int(count)
        except ValueError:
            bad += 1
            continue
        if not stack or n < 0:
            bad += 1
            continue
        root.count += n
        node = root
        for name in stack.split(";"):
            node = node.child(name)
            node.count += n
    return root, bad


def _depth(node: Frame) -> int:
    return 1 + max((_depth(c) for c in node.children.values()), default=0)


def _colour(name: str) -> str:
    """A warm colour that is the same for the same function in every graph."""
    h = hashlib.md5(name.encode()).digest()
    return f"rgb({205 + h[0] % 50},{h[1] % 230},{h[2] % 55})"


def _fit(name: str, width: float) -> str:
    chars = int((width - 6) / CHAR_WIDTH)
    if chars < 3:
        return ""
    return name if len(name) <= chars else name[:chars - 2] + ".."


def render_svg(root: Frame, title: str = "Flame Graph", width: int = 1200, countname: str = "samples") -> str:
    depth = _depth(root)
    height = TOP + depth * FRAME_HEIGHT + BOTTOM
    scale = (width - 2 * SIDE) / root.count if root.count else 0
    out = [
        '<?xml version="1.0" standalone="no"?>',
        f'<svg version="1.1" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'xmlns="http://www.w3.org/2000/svg" onload="init(evt)">',
        f'<style>text {{ font-family: Verdana, sans-serif; font-size: {FONT_SIZE}px; fill: #000; }} '
        '.frame:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; } '
        '#title { font-size: 17px; } .hidden { display: none; }</style>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f8f8f8"/>',
        f'<text id="title" x="{width / 2}" y="24" text-anchor="middle">{escape(title)}</text>',
        f'<text id="details" x="{SIDE}" y="{height - 10}"> </text>',
        f'<text id="unzoom" class="hidden" x="{SIDE}" y="24">Reset Zoom</text>',
        f'<text id="search" x="{width - SIDE - 100}" y="24">Search</text>',
        f'<text id="matched" x="{width - SIDE - 100}" y="{height - 10}"> </text>',
        f'<g id="frames" data-total="{root.count}" data-countname="{escape(countname)}">',
    ]

    def draw(node: Frame, x: float, level: int) -> None:
        w = node.count * scale
        y = height - BOTTOM - (level + 1) * FRAME_HEIGHT
        pct = 100.0 * node.count / root.count if root.count else 0.0
        info = f"{node.name} ({node.count:,} {countname}, {pct:.2f}%)"
        out.append(f'<g class="frame" data-name="{escape(node.name)}" data-count="{node.count}">'
                   f'<title>{escape(info)}</title>'
                   f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{FRAME_HEIGHT - 1}" '
                   f'fill="{_colour(node.name)}" rx="2" ry="2"/>'
                   f'<text x="{x + 3:.2f}" y="{y + FRAME_HEIGHT - 4}">{escape(_fit(node.name, w))}</text></g>')
        for child in sorted(node.children.values(), key=lambda c: c.name):
            draw(child, x, level + 1)
            x += child.count * scale

    if root.count:
        draw(root, SIDE, 0)
    out.append("</g>")
    out.append(f"<script><![CDATA[{_SCRIPT}]]></script>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


# Zoom, hover details and search, with the frames' own data attributes.
_SCRIPT = """
var frames, details, unzoom, matched, side = %(side)s, width;
function init(evt) {
  var svg = document.documentElement;
  width = +svg.getAttribute("width");
  frames = document.getElementById("frames");
  details = document.getElementById("details").firstChild;
  unzoom = document.getElementById("unzoom");
  matched = document.getElementById("matched").firstChild;
  var all = frames.getElementsByClassName("frame");
  for (var i = 0; i < all.length; i++) {
    var g = all[i], r = g.querySelector("rect");
    r.setAttribute("data-x", r.getAttribute("x"));
    r.setAttribute("data-w", r.getAttribute("width"));
    g.onmouseover = function () { details.nodeValue = this.querySelector("title").textContent; };
    g.onmouseout = function () { details.nodeValue = " "; };
    g.onclick = function () { zoom(this); };
  }
  unzoom.onclick = reset;
  document.getElementById("search").onclick = search;
}
function place(g, x, w) {
  var r = g.querySelector("rect"), t = g.querySelector("text"), name = g.getAttribute("data-name");
  r.setAttribute("x", x); r.setAttribute("width", Math.max(w, 0));
  t.setAttribute("x", x + 3);
  var chars = Math.floor((w - 6) / %(charw)s);
  t.textContent = chars < 3 ? "" : (name.length <= chars ? name : name.substring(0, chars - 2) + "..");
}
function zoom(target) {
  var tr = target.querySelector("rect"), x0 = +tr.getAttribute("data-x"), w0 = +tr.getAttribute("data-w");
  var y0 = +tr.getAttribute("y"), k = (width - 2 * side) / w0, all = frames.getElementsByClassName("frame");
  for (var i = 0; i < all.length; i++) {
    var g = all[i], r = g.querySelector("rect"), x = +r.getAttribute("data-x"), w = +r.getAttribute("data-w");
    var inside = x >= x0 - 0.01 && x + w <= x0 + w0 + 0.01, below = +r.getAttribute("y") > y0;
    if (inside || (below && x <= x0 + 0.01 && x + w >= x0 + w0 - 0.01)) {
      g.classList.remove("hidden");
      place(g, inside ? side + (x - x0) * k : side, inside ? w * k : width - 2 * side);
    } else {
      g.classList.add("hidden");
    }
  }
  unzoom.classList.remove("hidden");
}
function reset() {
  var all = frames.getElementsByClassName("frame");
  for (var i = 0; i < all.length; i++) {
    var r = all[i].querySelector("rect");
    all[i].classList.remove("hidden");
    place(all[i], +r.getAttribute("data-x"), +r.getAttribute("data-w"));
  }
  unzoom.classList.add("hidden");
}
function search() {
  var term = prompt("Search for (a regular expression):", "");
  if (term === null) return;
  var re = new RegExp(term), all = frames.getElementsByClassName("frame"), n = 0;
  for (var i = 0; i < all.length; i++) {
    var g = all[i], r = g.querySelector("rect");
    if (!r.hasAttribute("data-fill")) r.setAttribute("data-fill", r.getAttribute("fill"));
    var hit = term !== "" && re.test(g.getAttribute("data-name"));
    r.setAttribute("fill", hit ? "rgb(230,0,230)" : r.getAttribute("data-fill"));
    if (hit) n++;
  }
  matched.nodeValue = term === "" ? " " : "Matched: " + n + " frames";
}
""" % {"side": SIDE, "charw": CHAR_WIDTH}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="kdebug flamegraph",
                                 description="Draw folded stacks (FRAME;FRAME;... COUNT lines) as an SVG flame "
                                             "graph on standard output.",
                                 epilog="example: kdebug dtrace -q -x stackfmt=folded -n 'profile-97 "
                                        "{ @[stack()] = count(); } tick-5s { exit(0); }' | "
                                        "kdebug flamegraph > cpu.svg")
    ap.add_argument("file", nargs="?", help="folded stacks (default: standard input)")
    ap.add_argument("--title", default="Flame Graph")
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--countname", default="samples", help="what the counts are (default: samples)")
    args = ap.parse_args(argv)
    name = args.file or "(standard input)"
    try:
        if args.file:
            with open(args.file, encoding="utf-8", errors="replace") as f:
                text = f.read()
        else:
            text = sys.stdin.read()
    except OSError as e:
        sys.stderr.write(f"kdebug flamegraph: {name}: {e.strerror}\n")
        return 1
    root, bad = parse_folded(text)
    if bad:
        sys.stderr.write(f"kdebug flamegraph: {name}: ignored {bad} line{'s' if bad != 1 else ''} "
                         "that are not FRAMES COUNT\n")
    if not root.count:
        sys.stderr.write(f"kdebug flamegraph: {name}: no stack counts found\n")
        return 1
    if args.width < 100:
        sys.stderr.write("kdebug flamegraph: --width must be at least 100\n")
        return 2
    sys.stdout.write(render_svg(root, args.title, args.width, args.countname))
    return 0
