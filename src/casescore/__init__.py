"""casescore: turn an inspector's case-marking spreadsheet into inspection ratings."""

__version__ = "0.1.0"
