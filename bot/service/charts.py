"""Draw the charts the core describes (``Reply.chart``) as PNG images.

Drawing lives here, at the edge, so the core stays free of a plotting
library. matplotlib's Agg canvas on a bare ``Figure`` (no pyplot, no global
state) is safe in a server and needs no display; it runs in a worker thread
because drawing takes tens of milliseconds of CPU.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.core.messages import Outcome, ProgressChart

if TYPE_CHECKING:
    from matplotlib.ticker import Formatter

_KEPT_COLOURS = (("yes", "#5a9e6f"), ("partly", "#e0b050"), ("no", "#c96a5a"))


async def draw_charts(outcome: Outcome) -> Outcome:
    """The outcome with every reply's chart drawn into its image."""
    if not any(r.chart is not None for r in outcome.replies):
        return outcome
    replies = []
    for reply in outcome.replies:
        if reply.chart is not None:
            image = await asyncio.to_thread(draw, reply.chart)
            reply = replace(reply, image=image, chart=None)
        replies.append(reply)
    return replace(outcome, replies=tuple(replies))


def draw(chart: ProgressChart) -> bytes:
    """A PNG: mood per day over the last weeks, and promises per week by outcome."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    start = chart.today - timedelta(days=chart.weeks * 7 - 1)
    has_promises = any(kept for _, kept in chart.promises)
    figure = Figure(figsize=(6.4, 4.8 if has_promises else 3.2), dpi=100)
    FigureCanvasAgg(figure)
    rows = 2 if has_promises else 1
    _moods(figure.add_subplot(rows, 1, 1), chart, start)
    if has_promises:
        _promises(figure.add_subplot(rows, 1, 2), chart, start)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _moods(axes: object, chart: ProgressChart, start: date) -> None:
    from matplotlib import dates
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    date2num: Callable[[date], float] = dates.date2num
    formatter: Callable[[str], Formatter] = dates.DateFormatter
    points = sorted((d, m) for d, m in chart.moods if d >= start)
    axes.plot([date2num(d) for d, _ in points], [m for _, m in points], marker="o", color="#4a7c8c")
    axes.set_ylim(0.5, 5.5)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_xlim(date2num(start - timedelta(days=1)), date2num(chart.today + timedelta(days=1)))
    axes.set_title(chart.mood_title, fontsize=11)
    axes.grid(alpha=0.3)
    axes.xaxis.set_major_formatter(formatter("%d %b"))
    axes.tick_params(axis="x", labelsize=8, labelrotation=30)


def _promises(axes: object, chart: ProgressChart, start: date) -> None:
    from matplotlib.axes import Axes
    from matplotlib.ticker import MaxNLocator

    assert isinstance(axes, Axes)
    weeks = [start + timedelta(days=7 * w) for w in range(chart.weeks)]
    tally = {(w, k): 0 for w in range(chart.weeks) for k, _ in _KEPT_COLOURS}
    for day, kept in chart.promises:
        if kept in dict(_KEPT_COLOURS) and day >= start:
            tally[(min((day - start).days // 7, chart.weeks - 1), kept)] += 1
    labels = {"yes": chart.kept_label, "partly": chart.partly_label, "no": chart.missed_label}
    bottom = [0] * chart.weeks
    for kept, colour in _KEPT_COLOURS:
        heights = [tally[(w, kept)] for w in range(chart.weeks)]
        axes.bar(range(chart.weeks), heights, bottom=bottom, color=colour, label=labels[kept])
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_xticks(range(chart.weeks), [w.strftime("%d %b") for w in weeks], fontsize=8)
    axes.set_title(chart.promises_title, fontsize=11)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max([*bottom, 1]) * 1.35)  # room for the legend above the bars
    axes.legend(fontsize=8, loc="upper left", ncols=3)
