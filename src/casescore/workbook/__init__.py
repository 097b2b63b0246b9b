"""Workbooks casescore writes: the inspection data workbook (export) and a marking template."""
