"""Renderers: a Result (or a problem list, or a framework) -> text for one output format."""
