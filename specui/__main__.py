"""`python -m specui` is the same as the `specui` console script."""

import sys

from specui.cli import main

sys.exit(main())
