"""``python -m server`` is the same as the ``newssem`` command."""

import sys

from server.cli import main

sys.exit(main())
