"""Datasets with frames, experiment runners, toolkit adapters and the ``siamrpn`` command line."""
