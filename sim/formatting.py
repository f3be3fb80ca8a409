"""Writing numbers as text, shared by every layer that prints them (no heavy imports: the
command line's table uses it before pandas is loaded)."""


def unsigned_zero(text: str) -> str:
    """``text`` without its minus sign where its digits are all zero ("-0", "-0.0%",
    "-0.00M": a value that rounds to zero is written without a sign)."""
    zero = any(c == "0" for c in text) and not any(c in "123456789" for c in text)
    return text[1:] if text.startswith("-") and zero else text  # "-inf" keeps its sign
