"""Child process for the interruption test: the ``mechsim`` CLI with a pause after each commit.

Usage: python tests/grid/_slow_cli.py SECONDS mechsim-args...
Each committed chunk is followed by a sleep of SECONDS, so a signal can land mid-run.
"""

from __future__ import annotations

import sys
import time

from mechsim.grid._store import GridStore

pause = float(sys.argv[1])
commit = GridStore.commit


def slow_commit(self, *args, **kwargs):
    commit(self, *args, **kwargs)
    time.sleep(pause)


GridStore.commit = slow_commit
sys.argv = ["mechsim", *sys.argv[2:]]

from mechsim.cli import main  # noqa: E402

main()
