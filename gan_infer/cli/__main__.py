"""`python -m gan_infer.cli`: the `gan-infer` command."""

import sys

from gan_infer.cli import main

sys.exit(main())
