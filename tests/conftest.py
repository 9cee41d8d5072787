"""Shared test configuration."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

# Deterministic, CI-friendly hypothesis runs: no deadline (shared machines are noisy), a fixed
# derandomised seed so a CI failure reproduces locally.
settings.register_profile(
    "actcli",
    deadline=None,
    derandomize=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "actcli"))

# The CLI keeps Python warnings off stderr unless Python was asked for them (-W,
# PYTHONWARNINGS, i.e. sys.warnoptions). Ask, so that a warning inside a CliRunner run still
# meets pytest's filterwarnings=error instead of being silenced.
if "error" not in sys.warnoptions:
    sys.warnoptions.append("error")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that collected no test is a failure (exit 1), never pytest's silent exit 5."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
