#!/usr/bin/env python3
"""Share of Quire's public declarations that carry a documentation comment, per module,
from the compiler's symbol graphs (issue 13).

    swift package dump-symbol-graph --minimum-access-level public
    python3 scripts/doc_coverage.py [--min 95] [--list MODULE]

Counts the symbols each Quire library module declares itself (not re-exported or inherited
ones, not the system-library shims, not tests or executables); an enum case, a property, a
method and a type count alike. Exits 1 when the total is under --min percent.
"""
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
minimum = float(args[args.index("--min") + 1]) if "--min" in args else 0
listing = args[args.index("--list") + 1] if "--list" in args else None
graphs = glob.glob(os.path.join(ROOT, ".build", "*", "symbolgraph", "*.symbols.json"))
if not graphs:
    sys.exit("no symbol graphs: run `swift package dump-symbol-graph --minimum-access-level public` first")

SKIP_KINDS = {"swift.extension"}
totals = {}
for path in sorted(graphs):
    name = os.path.basename(path)
    module = name.split(".")[0].split("@")[0]
    if not module.startswith("Quire") or module.startswith("QuireTest") or "@" in name:
        continue  # extensions of other modules' types are counted with their own module's graph
    graph = json.load(open(path))
    for symbol in graph.get("symbols", []):
        if symbol.get("accessLevel") not in ("public", "open"):
            continue
        if symbol["kind"]["identifier"] in SKIP_KINDS:
            continue
        location = (symbol.get("location") or {}).get("uri", "")
        if "/Sources/" not in location:
            continue  # synthesised or inherited (Equatable's ==, protocol defaults from the stdlib)
        documented = bool((symbol.get("docComment") or {}).get("lines"))
        entry = totals.setdefault(module, [0, 0, []])
        entry[0] += 1
        entry[1] += documented
        if not documented:
            line = ((symbol.get("location") or {}).get("position") or {}).get("line", -1) + 1
            entry[2].append((f"{location.split('/Sources/')[-1]}:{line}", symbol["pathComponents"]))
all_symbols = sum(t[0] for t in totals.values())
all_documented = sum(t[1] for t in totals.values())
for module, (count, documented, missing) in sorted(totals.items()):
    print(f"{module:16} {documented:5}/{count:<5} {100 * documented / max(count, 1):5.1f} %")
    if listing == module:
        for location, components in missing:
            print("    missing:", ".".join(components), "—", location)
share = 100 * all_documented / max(all_symbols, 1)
print(f"{'total':16} {all_documented:5}/{all_symbols:<5} {share:5.1f} %")
if share < minimum:
    print(f"documentation coverage {share:.1f} % is under the required {minimum} %")
    sys.exit(1)
