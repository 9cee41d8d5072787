"""``python -m actcli``: the same program as the ``actcli`` command."""

from actcli.cli import cli

if __name__ == "__main__":
    cli(prog_name="actcli")
