"""Writes for the expert pool and draws; each one transaction that records its ledger events."""
