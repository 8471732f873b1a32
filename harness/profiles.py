"""Hypothesis settings profiles, picked by CONTRACT_HYPOTHESIS_PROFILE (or HYPOTHESIS_PROFILE).

* ``dev``: fast feedback on a laptop (the default outside CI).
* ``ci``: the default when ``CI`` is set; derandomized, so every CI run
  explores the same examples and a failure reproduces from the log alone.
* ``thorough``: many more examples, for nightly runs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, Verbosity, settings

__all__ = ["PROFILES", "load_profile"]

# Contracts reset storage inside each example, so function-scoped fixtures are
# deliberate; and real engines make examples slower than Hypothesis expects.
_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)

PROFILES = {
    "dev": settings(max_examples=25, **_COMMON),  # type: ignore[arg-type]
    "ci": settings(max_examples=40, derandomize=True, database=None, **_COMMON),  # type: ignore[arg-type]
    "thorough": settings(max_examples=500, verbosity=Verbosity.normal, **_COMMON),  # type: ignore[arg-type]
    "repro": settings(max_examples=1, phases=[Phase.explicit, Phase.reuse], **_COMMON),  # type: ignore[arg-type]
}

for _name, _profile in PROFILES.items():
    settings.register_profile(_name, _profile)


def load_profile(environ: os._Environ[str] | dict[str, str] = os.environ) -> str:
    name = environ.get("CONTRACT_HYPOTHESIS_PROFILE") or environ.get("HYPOTHESIS_PROFILE")
    if not name:
        name = "ci" if environ.get("CI") else "dev"
    if name not in PROFILES:
        raise ValueError(
            f"CONTRACT_HYPOTHESIS_PROFILE={name!r} is not a profile; choose one of {', '.join(PROFILES)}"
        )
    settings.load_profile(name)
    return name
