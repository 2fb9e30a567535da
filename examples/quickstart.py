"""govtier quick start (run with `make demo`).

The demo's code is the module `govtier.demo` (src/govtier/demo.py), so that `govtier demo` shows
the same thing: the working calendar around Tết and 30/4, an old address mapped to its new commune,
who handles a real procedure at a real commune and why, and one dossier's whole journey.
"""

from govtier.demo import main

if __name__ == "__main__":
    main()
