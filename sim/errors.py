"""The one exception users see.

``MarketsimError`` is bad input or an impossible request: the command line reports it as
one line (``marketsim: error: ...``) with exit status 2 and no traceback. It is a
``ValueError``, so library callers that catch ``ValueError`` keep working.
"""


class MarketsimError(ValueError):
    """Bad input: reported as one line naming the key and the value, exit status 2."""
