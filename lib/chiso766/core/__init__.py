"""Foundations every layer uses: errors, exact decimals, periods and working days, params schema,
Vietnamese text, targets, atomic files, and the methodology as data (``data/*.csv``)."""
