"""``python -m ringkas.evaluate score ...`` is ``ringkas eval score ...``."""

import sys

from ringkas.evaluate.cli import main

raise SystemExit(main(["eval", *sys.argv[1:]]))
