#!/usr/bin/env python3
"""OR-tools min-cost-flow peer for the shadowing solver.

Usage: ortools_flow.py GRAPH.json

GRAPH.json is what `buddymatch solve --kind shadowing --emit-graph` writes:
{"kind":"shadowing","n_visitors":V,"capacity":[c0,...],"max_cardinality":bool,
 "edges":[[visitor,host,w],...]}

Network: source -> visitor (cap 1), visitor -> host (cap 1, cost -w),
host -> sink (cap = capacity), plus visitor -> sink "stay unplaced" arcs
(cap 1) so every visitor's unit of supply can always be routed. Without
max_cardinality the stay arc costs 0 (a visitor is placed only for a
positive gain); with it, the stay arc costs BIG = sum|w| + 1, so placing one
more visitor always beats any weight difference. OR-tools takes int64 costs,
so BIG must fit: the script exits with an error if it does not.

Prints one JSON line {"peer":"ortools","total_weight":T,"matched":M,"seconds":S}.
Timed: building the SimpleMinCostFlow network and Solve(); not reading or
parsing the file. `matched` counts placed visitors.
"""
import json
import sys
import time

from ortools.graph.python import min_cost_flow


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        graph = json.load(f)
    if graph.get("kind") != "shadowing":
        sys.exit("expected a shadowing graph")
    nv = graph["n_visitors"]
    cap = graph["capacity"]
    nh = len(cap)
    best = {}
    for v, h, w in graph["edges"]:
        if not (0 <= v < nv and 0 <= h < nh):
            continue
        if (v, h) not in best or w > best[(v, h)]:
            best[(v, h)] = w
    maxcard = bool(graph["max_cardinality"])
    if not maxcard:
        best = {k: w for k, w in best.items() if w > 0}
    big = sum(abs(w) for w in best.values()) + 1 if maxcard else 0
    if big * 2 >= 2**62:
        sys.exit("weights too large for int64 costs")

    start = time.perf_counter()
    mcf = min_cost_flow.SimpleMinCostFlow()
    source, sink = nv + nh, nv + nh + 1
    for v in range(nv):
        mcf.add_arc_with_capacity_and_unit_cost(source, v, 1, 0)
        mcf.add_arc_with_capacity_and_unit_cost(v, sink, 1, big)
    arcs = {}
    for (v, h), w in best.items():
        arcs[mcf.add_arc_with_capacity_and_unit_cost(v, nv + h, 1, -w)] = (v, h)
    for h in range(nh):
        mcf.add_arc_with_capacity_and_unit_cost(nv + h, sink, cap[h], 0)
    mcf.set_node_supply(source, nv)
    mcf.set_node_supply(sink, -nv)
    status = mcf.solve()
    seconds = time.perf_counter() - start
    if status != mcf.OPTIMAL:
        sys.exit(f"min cost flow failed: status {status}")

    total = 0
    matched = 0
    for arc, (v, h) in arcs.items():
        if mcf.flow(arc) > 0:
            total += best[(v, h)]
            matched += 1
    print(json.dumps({"peer": "ortools", "total_weight": total,
                      "matched": matched, "seconds": round(seconds, 6)}))


if __name__ == "__main__":
    main()
