"""The tender API (DRF): public notices, the agency's tender endpoints, the centre's filing review."""
