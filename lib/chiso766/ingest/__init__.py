"""Readers that turn input files into validated, NFC-normalised tidy tables."""
