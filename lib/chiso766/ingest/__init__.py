"""Readers that turn input files into validated, NFC-normalised tidy tables: CSV/XLSX/Parquet, portal
snapshots, score tables, dossiers and complaints (DuckDB), the unit registry, the snapshot client."""
