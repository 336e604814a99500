"""Scores from overlaps: region overlap (VOT conventions), VOT accuracy / robustness / EAO, OTB success and
precision, GOT-10k AO / SR. Pure functions on arrays; each names its convention."""
