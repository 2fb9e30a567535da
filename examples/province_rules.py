"""A province's own catalogue and rules, validated and tested with scenario files.

The files in examples/province/ are invented for the example. The script layers them on the bundled
catalogue and rules, validates them, resolves a few cases with their explanation, and runs the
scenario file, exactly as `govtier check-rules` and the pytest plugin would.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from govtier import Catalogue, RuleSet
from govtier.scenarios import main_check_rules

HERE = Path(__file__).parent / "province"


def main() -> int:
    catalogue = Catalogue.load(HERE / "example.catalogue.toml", base=Catalogue.bundled())
    rules = RuleSet.load(HERE / "example.rules.toml", catalogue=catalogue, base=RuleSet.bundled())
    print(f"Loaded {len(catalogue.procedures)} procedure versions and {len(rules.rules)} rules.")

    report = rules.validate(until=dt.date(2027, 2, 28))
    print(f"Validation until 2027-02-28: {report}")

    print("\nThe province's own procedure, at Phường Ba Đình:")
    assignment = rules.resolve("HN.0001", "00004", on=dt.date(2025, 9, 1))
    print("  " + assignment.explain().replace("\n", "\n  "))

    print("\nScenario tests:")
    return main_check_rules([str(HERE / "example.scenarios.toml")])


if __name__ == "__main__":
    sys.exit(main())
