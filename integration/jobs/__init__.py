"""Whole jobs built on the runner and the analysis: the main job (run, score, report) and the regression gate."""
