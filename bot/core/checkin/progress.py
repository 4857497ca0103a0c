"""/progress: mood over the last weeks and promises kept, as one line and a chart.

Pure: the service hands over the user's recent check-ins (local dates, moods,
kept or not); this module only counts, and describes the chart as data
(:class:`~bot.core.messages.ProgressChart`). Drawing it is the service's job
(``bot/service/charts.py``), so the core never imports a plotting library.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.dialog.schema import CheckinTexts
from bot.core.messages import ProgressChart

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
          promises: Sequence[tuple[date, str | None]]) -> ProgressChart:
    """What the /progress picture shows, as data; the service draws it."""
    return ProgressChart(
        today=today, weeks=WEEKS, moods=tuple(moods), promises=tuple(promises),
        mood_title=texts.chart_mood, promises_title=texts.chart_promises,
        kept_label=texts.chart_kept, partly_label=texts.chart_partly, missed_label=texts.chart_missed,
    )
