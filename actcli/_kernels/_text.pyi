def join(
    block: object,
    sep: str,
    row_open: str,
    row_close: str,
    row_sep: str,
    quote_nonfinite: bool,
    /,
) -> str: ...
