"""``marketsim report DIR [DIR ...] [--out FILE.md]``: the one-page board scorecard.

DIR is a run directory, a run of several replications or a sweep directory; several DIRs
are compared as options. Writes ``scorecard.md`` and ``scorecard.html`` (in the first DIR
unless ``--out``) and prints one line pointing at them. Bad input (not a run directory,
an unknown flag) ends with one line ``marketsim report: error: ...`` and exit status 2.
"""

import sys

from sim.errors import MarketsimError

USAGE = "usage: marketsim report DIR [DIR ...] [--out FILE.md]"


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE + "\n\nThe board scorecard (balanced scorecard: financial, customer, "
              "internal process, learning and growth) per year of one run, or a comparison "
              "of the runs of a sweep or of several directories.")
        return 0 if args else 2
    out, paths = None, []
    it = iter(args)
    try:
        for a in it:
            if a == "--out" or a.startswith("--out="):
                out = a.split("=", 1)[1] if "=" in a else next(it, None)
                if not out:
                    raise MarketsimError("--out needs a file name (FILE.md)")
            elif a.startswith("-"):
                raise MarketsimError(f"unknown option {a!r}; {USAGE}")
            else:
                paths.append(a)
        if out is not None:
            from pathlib import Path

            folder = Path(out).expanduser().resolve().parent
            if not folder.is_dir():  # a FileNotFoundError traceback before
                raise MarketsimError(f"--out {out!r}: the folder {str(folder)!r} does not "
                                     "exist")
        from sim.results.scorecard_page import write_scorecard

        path = write_scorecard(paths, out)
    except MarketsimError as e:
        print(f"marketsim report: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except OSError as e:  # a folder it may not write to, a name that is a folder
        where = f" ({e.filename})" if getattr(e, "filename", None) else ""
        print(f"marketsim report: error: --out {out!r}: cannot write the scorecard: "
              f"{e.strerror or e}{where}", file=sys.stderr)
        return 2
    print(f"[marketsim report] scorecard: {path} (and {path.with_suffix('.html').name})")
    return 0
