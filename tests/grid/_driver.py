"""Child process for the resume and sharding tests: run the small grid into a store.

Usage: python tests/grid/_driver.py NETWORK_FILE OUT [--resume] [--sleep S]
Prints one JSON line: device count, chunks computed / skipped.
"""

from __future__ import annotations

import argparse
import json
import time

import jax

from mechsim.grid import dose_response
from tests.grid.networks import small_spec

parser = argparse.ArgumentParser()
parser.add_argument("network")
parser.add_argument("out")
parser.add_argument("--resume", action="store_true")
parser.add_argument("--sleep", type=float, default=0.0)
args = parser.parse_args()

ds = dose_response(
    None, small_spec(model=args.network), out=args.out, chunk_size=5, resume=args.resume,
    progress=False, callback=(lambda info: time.sleep(args.sleep)) if args.sleep else None,
)
print(json.dumps({"devices": len(jax.devices()), "computed": ds.attrs["chunks_computed"],
                  "skipped": ds.attrs["chunks_skipped"]}))
