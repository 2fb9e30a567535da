"""Measure the unit registry: first load, get() and search() throughput. Prints a table."""

from __future__ import annotations

import json
import random
import sys
import time

from govtier.units import DATA_DIR, UnitRegistry


def rate(calls: int, seconds: float) -> str:
    return f"{calls / seconds:>12,.0f} /s"


def main() -> None:
    start = time.perf_counter()
    registry = UnitRegistry.from_directory(DATA_DIR)
    load = time.perf_counter() - start

    codes = [u.code for u in (*registry.provinces(), *registry.communes())]
    rng = random.Random(2025)
    sample = [rng.choice(codes) for _ in range(200_000)]
    start = time.perf_counter()
    for code in sample:
        registry.get(code)
    get_time = time.perf_counter() - start

    start = time.perf_counter()
    registry.search("ba dinh")
    index_time = time.perf_counter() - start

    names = [registry.get(code).name for code in sample[:5_000]]
    start = time.perf_counter()
    for name in names:
        registry.search(name)
    search_time = time.perf_counter() - start

    partial = ["ba", "hoa", "tan an", "p. ben", "xa phu", "TP HCM"] * 500
    start = time.perf_counter()
    for text in partial:
        registry.search(text)
    partial_time = time.perf_counter() - start

    typos = ["Phuong Ba Dinhh", "Ba Dnh", "xa duc ong", "Tp Ho Chi Mnh", "dak lakk"] * 300
    start = time.perf_counter()
    for text in typos:
        registry.search(text)
    typo_time = time.perf_counter() - start

    addresses = ["P.12, Q.Gò Vấp, TP.HCM", "quan thanh, ba dinh, ha noi"] * 250
    start = time.perf_counter()
    registry.successors("00001")
    legacy_time = time.perf_counter() - start
    start = time.perf_counter()
    for text in addresses:
        registry.resolve_legacy_address(text)
    address_time = time.perf_counter() - start

    if "--rows" in sys.argv:
        rows = {
            "get_per_s": len(sample) / get_time,
            "search_per_s": len(names) / search_time,
            "partial_search_per_s": len(partial) / partial_time,
            "typo_search_per_s": len(typos) / typo_time,
            "old_address_per_s": len(addresses) / address_time,
        }
        print("ROWS " + json.dumps(rows))
        return
    print(f"{'load units.json (first use)':<34}{load * 1000:>12.1f} ms")
    print(f"{'build search index (first search)':<34}{index_time * 1000:>12.1f} ms")
    print(f"{'load legacy.json (first use)':<34}{legacy_time * 1000:>12.1f} ms")
    print(f"{'get(code)':<34}{rate(len(sample), get_time)}")
    print(f"{'search(exact name)':<34}{rate(len(names), search_time)}")
    print(f"{'search(short partial text)':<34}{rate(len(partial), partial_time)}")
    print(f"{'search(with a typo)':<34}{rate(len(typos), typo_time)}")
    print(f"{'resolve_legacy_address':<34}{rate(len(addresses), address_time)}")


if __name__ == "__main__":
    main()
