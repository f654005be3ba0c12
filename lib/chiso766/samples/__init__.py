"""Synthetic, seeded and deterministic input data (dossiers, complaints, registries) for the samples,
tests and benchmarks; only the CLI (``chiso766 synth``) and tests use it."""
