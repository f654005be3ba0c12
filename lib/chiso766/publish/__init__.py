"""Output folders and what is done with them: run a report into ``outputs/<report>/<period>/`` with its
manifest, verify and explain it from the manifest, and build the static site."""
