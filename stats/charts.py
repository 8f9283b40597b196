"""Graphiques en SVG calculés côté serveur (aucun JavaScript) : des barres, une par mois ou par catégorie."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 8, 16, 40


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    display: str


@dataclass
class Chart:
    ident: str
    title: str
    description: str
    bars: list[Bar]
    max_display: str
    first_label: str
    last_label: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = MARGIN_LEFT
    right: int = WIDTH - MARGIN_RIGHT
    top: int = MARGIN_TOP
    baseline: int = HEIGHT - MARGIN_BOTTOM
    label_y: int = HEIGHT - MARGIN_BOTTOM + 20


def bar_chart(*, ident: str, title: str, labels: list[str], figures: list) -> Chart:
    """Un histogramme : les chiffres masqués (« secret ») ou absents ne sont pas dessinés."""
    values = [figure.value or 0 for figure in figures]
    top_value = max(values, default=0) or 1
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    step = plot_width / max(len(values), 1)
    bars = []
    for position, (label, figure, value) in enumerate(zip(labels, figures, values, strict=True)):
        height = round(plot_height * value / top_value, 2)
        bars.append(
            Bar(
                x=round(MARGIN_LEFT + position * step + step * 0.1, 2),
                y=round(HEIGHT - MARGIN_BOTTOM - height, 2),
                width=round(step * 0.8, 2),
                height=height,
                label=label,
                display=figure.display,
            )
        )
    shown = [figure.display for figure in figures if figure.value is not None]
    description = "; ".join(f"{label} : {figure.display}" for label, figure in zip(labels, figures, strict=True))
    return Chart(
        ident=ident,
        title=title,
        description=description,
        bars=bars,
        max_display=max((figure.display for figure in figures if figure.value == max(values)), default="0")
        if shown
        else "0",
        first_label=labels[0] if labels else "",
        last_label=labels[-1] if labels else "",
    )
