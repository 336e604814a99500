"""Reading and writing benchmark files: annotations by layout (VOT, OTB, GOT-10k, pysot JSON), VOT trajectories
and times, one-pass result files."""
