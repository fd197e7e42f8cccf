"""The live view of an explorer: ipywidgets controls, the frame as an Image, a status line.

ipywidgets is imported only here, when a live widget is made.
"""
from __future__ import annotations

import html as _html

__all__ = []  # helpers the package's files share; nothing public


def live_widget(explorer):
    """The ipywidgets view of ``explorer`` (see :meth:`~initlib.widgets.Explorer.widget`)."""
    import ipywidgets as W

    rows, live = [], []
    for c in explorer.controls:
        control, label = c.live(explorer.continuous_update)
        live.append((c, control, label))
        rows += [control] + ([label] if label is not None else [])
    status = W.HTML("", layout=W.Layout(min_width="10em"))
    image = W.Image(value=explorer.render(*explorer.values), format="png", layout=W.Layout(max_width="100%"))
    caption = W.HTML(_html.escape(explorer.describe(*explorer.values)))

    def update(change=None):
        values = tuple(c.live_value(control) for c, control, _ in live)
        for c, control, label in live:
            if label is not None:
                label.value = c.text(c.live_value(control))
        if not explorer.continuous_update and explorer._frame_key(values) not in explorer._cache:
            status.value = "<i>computing…</i>"  # sent now: the frontend shows it while we train
        try:
            png = explorer.render(*values)
        except Exception as exc:  # never leave a broken figure: say what happened
            status.value = _html.escape(f"could not draw this value: {exc}")
            return
        explorer.values = values
        image.value = png  # replaced in place: no stacked outputs
        caption.value = _html.escape(explorer.describe(*values))
        status.value = ""

    def follow(i):
        j, value = explorer.links[i]

        def on_change(change):
            target = live[j][1]
            if target.value != value:
                target.value = value  # its own observer draws the frame, with this control's new value
            else:
                update()
        return on_change

    for i, (_, control, _) in enumerate(live):
        control.observe(follow(i) if i in explorer.links else update, names="value")
    return W.VBox(
        [W.HBox(rows + [status], layout=W.Layout(flex_flow="row wrap", align_items="center")), image, caption]
    )
