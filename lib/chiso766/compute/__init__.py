"""Pure functions and SQL from tidy tables to numbers, no I/O and no formatting: scoring, ranking, the
score card, reconciliation, facts, dossier indicators and the engines that run them (DuckDB, Spark)."""
