"""Matplotlib figures of the scores: shared style (:mod:`.style`), VOT, OTB / GOT-10k and real-time plots."""
