"""What every part of the project shares: region codes and geometry, atomic file writes, project paths and
the ``SIAMRPN_*`` environment variables. Imports nothing else of the project."""
