"""Lowest layer: domain errors, the clock, the acting context, the working-day calendar."""
