"""Sequences with their frames: dataset loading for every layout, the frame decoder, the generated and
synthetic sets."""
