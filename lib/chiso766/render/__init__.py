"""Documents out of report models: HTML from Jinja templates, Typst PDF, CSV/XLSX tables and charts,
and the calls a report's notebook makes, one step a cell."""
