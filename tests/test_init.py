"""actcli/__init__.py: the public namespace."""

from __future__ import annotations

import actcli


def test_dir_shows_the_api_only() -> None:
    shown = dir(actcli)
    assert shown == sorted(actcli.__all__)
    for helper in ("Any", "annotations", "catalog", "engine", "errors", "records", "lossengine"):
        assert helper not in shown
    assert {"evaluate", "gradient", "loss", "define", "Activation", "ActcliError"} <= set(shown)
    for name in shown:  # everything listed is there
        getattr(actcli, name)
    from actcli import engine  # the submodules stay importable

    assert engine.evaluate is actcli.evaluate
