"""The HTML report: one self-contained page (inline CSS and SVG, no script, no network), built
from Jinja2 templates over plain page data."""
