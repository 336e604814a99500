"""Bridges to the reference toolkits: the TraX server for vot-toolkit, the offline vot workspace builder and
the got10k adapter."""
