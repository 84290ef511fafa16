"""Draws the Teams app icons into teams/appPackage: ``python -m teams.icons`` (needs Pillow).

The PNGs are committed, so building the package needs no imaging library; run this only to change
them. Teams wants a 192x192 full-colour icon (symbol inside the central 120x120) and a 32x32 outline
icon that is white on a transparent background.
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

from .package import APP_PACKAGE

# The icon's background is the colour Teams shows around it.
ACCENT_COLOUR = json.loads((APP_PACKAGE / "manifest.json").read_text(encoding="utf-8"))["accentColor"]

_SCALE = 8  # drawn large, then reduced, for smooth edges


def _bubble_with_tick(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], width: float,
                      fill: str | None, outline: str | None, tick: str) -> None:
    # A speech bubble (the group chat) holding a tick (kept to the policy).
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    body = (x0, y0, x1, y0 + h * 0.78)
    draw.rounded_rectangle(body, radius=h * 0.2, fill=fill, outline=outline, width=round(width))
    tail = [(x0 + w * 0.22, body[3] - width), (x0 + w * 0.18, y1), (x0 + w * 0.45, body[3] - width)]
    draw.polygon(tail, fill=fill or outline)
    cx, cy = x0 + w / 2, y0 + h * 0.39
    points = [(cx - w * 0.2, cy), (cx - w * 0.05, cy + h * 0.15), (cx + w * 0.22, cy - h * 0.16)]
    draw.line(points, fill=tick, width=round(width * 1.3), joint="curve")


def colour_icon() -> Image.Image:
    size = 192 * _SCALE
    image = Image.new("RGBA", (size, size), ACCENT_COLOUR)
    margin = 36 * _SCALE  # the symbol stays inside the central 120x120
    _bubble_with_tick(ImageDraw.Draw(image), (margin, margin, size - margin, size - margin),
                      width=10 * _SCALE, fill="white", outline=None, tick=ACCENT_COLOUR)
    return image.resize((192, 192), Image.LANCZOS)


def outline_icon() -> Image.Image:
    size = 32 * _SCALE
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    margin = 3 * _SCALE
    _bubble_with_tick(ImageDraw.Draw(image), (margin, margin, size - margin, size - margin),
                      width=2.5 * _SCALE, fill=None, outline="white", tick="white")
    small = image.resize((32, 32), Image.LANCZOS)
    # Reduction blends edge pixels towards the transparent colour; Teams wants white only.
    alpha = small.getchannel("A")
    return Image.merge("RGBA", (*Image.new("RGB", small.size, "white").split(), alpha))


def write_icons(directory: Path = APP_PACKAGE) -> None:
    colour_icon().convert("RGB").save(directory / "color.png", optimize=True)
    outline_icon().save(directory / "outline.png", optimize=True)


if __name__ == "__main__":
    write_icons()
