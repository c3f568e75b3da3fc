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
Timed: Solve() only. The network is added in bulk from numpy arrays before
the clock starts (adding 2.5 million arcs one Python call at a time would
time the interpreter, not OR-tools); reading and parsing the file are not
timed either. `matched` counts placed visitors.
"""
import json
import sys
import time

import numpy as np
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

    mcf = min_cost_flow.SimpleMinCostFlow()
    source, sink = nv + nh, nv + nh + 1
    pairs = list(best.items())
    visitors = np.arange(nv, dtype=np.int64)
    hosts = np.arange(nh, dtype=np.int64)
    tails = np.concatenate([
        np.full(nv, source, dtype=np.int64),      # source -> visitor
        visitors,                                  # visitor -> sink (stay)
        np.fromiter((v for (v, _), _ in pairs), dtype=np.int64, count=len(pairs)),
        nv + hosts,                                # host -> sink
    ])
    heads = np.concatenate([
        visitors,
        np.full(nv, sink, dtype=np.int64),
        np.fromiter((nv + h for (_, h), _ in pairs), dtype=np.int64, count=len(pairs)),
        np.full(nh, sink, dtype=np.int64),
    ])
    caps = np.concatenate([
        np.ones(2 * nv + len(pairs), dtype=np.int64),
        np.asarray(cap, dtype=np.int64),
    ])
    costs = np.concatenate([
        np.zeros(nv, dtype=np.int64),
        np.full(nv, big, dtype=np.int64),
        np.fromiter((-w for _, w in pairs), dtype=np.int64, count=len(pairs)),
        np.zeros(nh, dtype=np.int64),
    ])
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_node_supply(source, nv)
    mcf.set_node_supply(sink, -nv)

    start = time.perf_counter()
    status = mcf.solve()
    seconds = time.perf_counter() - start
    if status != mcf.OPTIMAL:
        sys.exit(f"min cost flow failed: status {status}")

    edge_arcs = arcs[2 * nv: 2 * nv + len(pairs)]
    flows = mcf.flows(edge_arcs)
    used = np.nonzero(flows > 0)[0]
    total = int(sum(pairs[i][1] for i in used))
    matched = int(len(used))
    print(json.dumps({"peer": "ortools", "total_weight": total,
                      "matched": matched, "seconds": round(seconds, 6)}))


if __name__ == "__main__":
    main()
