"""The static fallback of an explorer: every precomputed frame, native controls,
a few lines of inline JavaScript; no network access, no third-party code.
"""
from __future__ import annotations

import base64
import hashlib
import html as _html
import json

from .controls import LogSlider
from .render import _png_size

__all__ = []  # helpers the package's files share; nothing public

_JS = """(function () {
  var root = document.getElementById("%(id)s");
  if (!root) { return; }
  var data = JSON.parse(document.getElementById("%(id)s-data").textContent);
  var img = document.getElementById("%(id)s-img");
  var caption = document.getElementById("%(id)s-caption");
  var controls = root.querySelectorAll("[data-ilx-control]");
  function show() {
    var k = 0;
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i], pos = parseInt(c.value, 10), text = data.labels[i][pos];
      k += pos * data.strides[i];
      if (c.type === "range") {
        c.setAttribute("aria-valuetext", text);
        document.getElementById(c.id + "-out").textContent = text;
      }
    }
    img.src = "data:image/png;base64," + data.frames[data.frame_of[k]];
    img.alt = data.alt[k];
    caption.textContent = data.alt[k];
    root.setAttribute("data-ilx-frame", String(k));
  }
  for (var i = 0; i < controls.length; i++) {
    controls[i].addEventListener("input", show);
    controls[i].addEventListener("change", show);
  }
  root.setAttribute("data-ilx-ready", "1");
})();"""

_LINKS_JS = """(function () {
  var root = document.getElementById("%(id)s");
  if (!root) { return; }
  var controls = root.querySelectorAll("[data-ilx-control]");
  %(links)s.forEach(function (link) {
    controls[link[0]].addEventListener("input", function () { controls[link[1]].value = String(link[2]); });
  });
})();"""

_CSS = (
    "display:flex;flex-wrap:wrap;align-items:center;gap:0.4em 1em;margin:0.3em 0;"
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:0.9rem"
)


def static_page(explorer):
    """The ``text/html`` of ``explorer`` (see :meth:`~initlib.widgets.Explorer.static_html`)."""
    combos = explorer.grid()
    pngs = [explorer.render(*v) for v in combos]
    frames, frame_of, seen = [], [], {}
    for p in pngs:
        if p not in seen:  # identical frames (a zero init at every scale) are stored once
            seen[p] = len(frames)
            frames.append(base64.b64encode(p).decode("ascii"))
        frame_of.append(seen[p])
    alts = [explorer.describe(*v) for v in combos]
    strides, s = [], 1
    for c in reversed(explorer.controls):
        strides.insert(0, s)
        s *= len(c.grid)
    labels = [[c.text(v) for v in c.grid] for c in explorer.controls]
    payload = {"frames": frames, "frame_of": frame_of, "alt": alts, "labels": labels, "strides": strides}
    blob = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    uid = "ilx-" + hashlib.sha1((repr(explorer) + blob).encode()).hexdigest()[:12]
    start = tuple(c.grid.index(v) for c, v in zip(explorer.controls, explorer._initial))
    k0 = sum(i * st for i, st in zip(start, strides))
    w, h = _png_size(pngs[k0])
    esc = _html.escape
    safe_blob = blob.replace("<", "\\u003c")  # no "</script>" inside the JSON
    parts = [
        f'<div class="initlib-explorer" id="{uid}" data-ilx-kind="{esc(explorer.kind)}" data-ilx-frame="{k0}" '
        f'style="margin:0.5em 0 1em 0">',
        f'<div class="ilx-controls" role="group" aria-label="{esc(explorer.title)}: controls" style="{_CSS}">',
    ]
    for i, c in enumerate(explorer.controls):
        cid = f"{uid}-c{i}"
        if isinstance(c, LogSlider):
            n = len(c.grid) - 1
            txt = c.text(c.grid[start[i]])
            parts.append(
                f'<label for="{cid}">{esc(c.label)}</label>'
                f'<input type="range" id="{cid}" data-ilx-control="{esc(c.name)}" min="0" max="{n}" step="1" '
                f'value="{start[i]}" aria-label="{esc(c.label)} (log scale)" aria-valuetext="{esc(txt)}" '
                f'style="width:16em;max-width:60vw">'
                f'<output id="{cid}-out" for="{cid}" aria-live="polite" style="min-width:9em;font-weight:600">'
                f"{esc(txt)}</output>"
            )
        else:
            opts = "".join(
                f'<option value="{j}"{" selected" if j == start[i] else ""}>{esc(o)}</option>'
                for j, o in enumerate(c.grid)
            )
            parts.append(
                f'<label for="{cid}">{esc(c.label)}</label>'
                f'<select id="{cid}" data-ilx-control="{esc(c.name)}" aria-label="{esc(c.label)}">{opts}</select>'
            )
    parts += [
        "</div>",
        f'<img id="{uid}-img" src="data:image/png;base64,{frames[frame_of[k0]]}" alt="{esc(alts[k0])}" '
        f'width="{w}" height="{h}" style="max-width:100%;height:auto;display:block">',
        f'<p id="{uid}-caption" style="font-size:0.85rem;margin:0.2em 0;color:#333">{esc(alts[k0])}</p>',
        f'<p style="font-size:0.8rem;margin:0;color:#555">Static version: {len(combos)} precomputed '
        f'frame{"s" if len(combos) != 1 else ""}. Run the notebook in Jupyter to recompute for any value.</p>',
        f'<script type="application/json" id="{uid}-data">{safe_blob}</script>',
    ]
    if explorer.links:  # listeners added before the frame's: the linked control is set when the frame is chosen
        links = [[i, j, explorer.controls[j].grid.index(v)] for i, (j, v) in sorted(explorer.links.items())]
        parts.append(f"<script>{_LINKS_JS % {'id': uid, 'links': json.dumps(links)}}</script>")
    parts += [f"<script>{_JS % {'id': uid}}</script>", "</div>"]
    return "\n".join(parts)


def first_frame_page(explorer):
    """The light ``text/html`` of a live explorer: its first frame, caption and a note; no other frame.

    What a frontend without widgets (a saved notebook on GitHub, nbviewer)
    shows of an explorer that a reader displayed in Jupyter: computing every
    frame of :func:`static_page` there would delay the live widget by seconds.
    """
    values = explorer._initial
    png = explorer.render(*values)
    alt = explorer.describe(*values)
    w, h = _png_size(png)
    esc = _html.escape
    labels = "; ".join(c.text(v) for c, v in zip(explorer.controls, values))
    return "\n".join([
        f'<div class="initlib-explorer-frame" data-ilx-kind="{esc(explorer.kind)}" style="margin:0.5em 0 1em 0">',
        f'<p style="{_CSS}">{esc(labels)}</p>',
        f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{esc(alt)}" '
        f'width="{w}" height="{h}" style="max-width:100%;height:auto;display:block">',
        f'<p style="font-size:0.85rem;margin:0.2em 0;color:#333">{esc(alt)}</p>',
        '<p style="font-size:0.8rem;margin:0;color:#555">The first frame of a live explorer: run the notebook '
        "in Jupyter with ipywidgets to move its controls.</p>",
        "</div>",
    ])
