"""The control chart of a trend alert, laid out for a server-rendered SVG line chart."""

from dataclasses import dataclass
from datetime import date

from insight.models import TrendAlert

WIDTH, HEIGHT, PAD = 640, 240, 30


@dataclass(frozen=True)
class ControlChart:
    points: str  # the SVG polyline's points
    dots: list  # dicts: x, y, week, count, flagged
    mean_y: float
    upper_y: float
    lower_y: float
    width: int = WIDTH
    height: int = HEIGHT


def control_chart(alert: TrendAlert) -> ControlChart:
    series = [(date.fromisoformat(week), count) for week, count in alert.series]
    top = max([alert.upper_limit, *(c for _, c in series)], default=1) or 1
    step = (WIDTH - 2 * PAD) / max(len(series) - 1, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / top, 1)

    dots = [
        {
            "x": round(PAD + i * step, 1),
            "y": y(count),
            "week": week,
            "count": count,
            "flagged": alert.first_week <= week <= alert.week_start,
        }
        for i, (week, count) in enumerate(series)
    ]
    return ControlChart(
        points=" ".join(f"{d['x']},{d['y']}" for d in dots),
        dots=dots,
        mean_y=y(alert.mean),
        upper_y=y(alert.upper_limit),
        lower_y=y(alert.lower_limit),
    )
