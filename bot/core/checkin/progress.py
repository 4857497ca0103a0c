"""/progress: mood over the last weeks and promises kept, as one line and a chart.

Pure: the service hands over the user's recent check-ins (local dates, moods,
kept or not); this module only counts and draws. The chart is drawn with
matplotlib's Agg canvas on a bare ``Figure`` (no pyplot, no global state), so
it is safe in a server and needs no display.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.dialog.schema import CheckinTexts

WEEKS = 4


@dataclass(frozen=True)
class Summary:
    days: int
    average: float | None
    #: Mean of the later half minus the earlier half (None with too few days).
    trend: float | None
    kept: int
    partly: int
    missed: int

    @property
    def promises(self) -> int:
        return self.kept + self.partly + self.missed


def summarize(moods: Sequence[tuple[date, int]], promises: Sequence[tuple[date, str | None]]) -> Summary:
    values = [m for _, m in sorted(moods)]
    average = sum(values) / len(values) if values else None
    trend = None
    if len(values) >= 4:
        half = len(values) // 2
        trend = sum(values[half:]) / len(values[half:]) - sum(values[:half]) / half
    counts = Counter(kept for _, kept in promises if kept)
    return Summary(len(values), average, trend, counts["yes"], counts["partly"], counts["no"])


def line(texts: CheckinTexts, summary: Summary) -> str:
    """The one-line text that goes with the chart."""
    if summary.days == 0 and summary.promises == 0:
        return texts.progress_empty
    parts = []
    if summary.days:
        if summary.trend is None or abs(summary.trend) < 0.25:
            trend = texts.trend_flat
        else:
            trend = texts.trend_up if summary.trend > 0 else texts.trend_down
        parts.append(
            texts.progress_mood.replace("{days}", str(summary.days))
            .replace("{average}", f"{summary.average:.1f}")
            .replace("{weeks}", str(WEEKS))
            .replace("{trend}", trend)
        )
    if summary.promises:
        parts.append(
            texts.progress_promises.replace("{kept}", str(summary.kept))
            .replace("{partly}", str(summary.partly))
            .replace("{missed}", str(summary.missed))
            .replace("{total}", str(summary.promises))
        )
    return " ".join(parts)


def chart(texts: CheckinTexts, today: date, moods: Sequence[tuple[date, int]],
          promises: Sequence[tuple[date, str | None]]) -> bytes:
    """A PNG: mood per day over the last weeks, and promises per week by outcome."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    start = today - timedelta(days=WEEKS * 7 - 1)
    has_promises = any(kept for _, kept in promises)
    figure = Figure(figsize=(6.4, 4.8 if has_promises else 3.2), dpi=100)
    FigureCanvasAgg(figure)
    rows = 2 if has_promises else 1
    mood_axes = figure.add_subplot(rows, 1, 1)
    points = sorted((d, m) for d, m in moods if d >= start)
    mood_axes.plot([d for d, _ in points], [m for _, m in points], marker="o", color="#4a7c8c")
    mood_axes.set_ylim(0.5, 5.5)
    mood_axes.set_yticks([1, 2, 3, 4, 5])
    mood_axes.set_xlim(start - timedelta(days=1), today + timedelta(days=1))
    mood_axes.set_title(texts.chart_mood, fontsize=11)
    mood_axes.grid(alpha=0.3)
    mood_axes.xaxis.set_major_formatter(DateFormatter("%d %b"))
    mood_axes.tick_params(axis="x", labelsize=8, labelrotation=30)
    if has_promises:
        weeks = [start + timedelta(days=7 * w) for w in range(WEEKS)]
        tally = {(w, k): 0 for w in range(WEEKS) for k in ("yes", "partly", "no")}
        for day, kept in promises:
            if kept and day >= start:
                tally[(min((day - start).days // 7, WEEKS - 1), kept)] += 1
        axes = figure.add_subplot(rows, 1, 2)
        bottom = [0] * WEEKS
        legend = (("yes", "#5a9e6f", texts.chart_kept), ("partly", "#e0b050", texts.chart_partly),
                  ("no", "#c96a5a", texts.chart_missed))
        for kept, colour, label in legend:
            heights = [tally[(w, kept)] for w in range(WEEKS)]
            axes.bar(range(WEEKS), heights, bottom=bottom, color=colour, label=label)
            bottom = [b + h for b, h in zip(bottom, heights)]
        axes.set_xticks(range(WEEKS), [w.strftime("%d %b") for w in weeks], fontsize=8)
        axes.set_title(texts.chart_promises, fontsize=11)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max(bottom + [1]) * 1.35)  # room for the legend above the bars
        axes.legend(fontsize=8, loc="upper left", ncols=3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
