"""``python -m integration.cli ...``: the same as the ``siamrpn`` command."""
import sys

from integration.cli import main

sys.exit(main())
