"""``python -m adapter_contracts.harness.manifest``: show the manifest, ``--write`` it, ``--check`` it."""

from __future__ import annotations

import argparse
import sys

from adapter_contracts.harness.manifest import build, load_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adapter_contracts.harness.manifest",
                                     description="The contract manifest shipped with the suite.")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true",
                        help="regenerate manifest.json from the contracts (collects every engine kind and "
                             "runs the reference's property contracts at the ci budget)")
    action.add_argument("--check", action="store_true",
                        help="exit 1 when collection, the suite's files or the interface disagree with it")
    args = parser.parse_args(argv)
    if args.write:
        return build.write()
    if args.check:
        return build.check()
    manifest = load_manifest()
    print(f"manifest {manifest.short} (suite {manifest.suite_version}): "
          + ", ".join(f"{kind} {len(ids)}" for kind, ids in sorted(manifest.engines.items()))
          + f"; {len(manifest.examples)} property contracts; {len(manifest.files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
