"""Loss families. Each module builds its records as plain data and ends with ``LOSSES = (...)``;
:mod:`actcli.catalog` imports them on demand."""
