#!/usr/bin/env python3
"""networkx peer for the buddy solver.

Usage: nx_matching.py GRAPH.json

GRAPH.json is what `buddymatch solve --kind buddy --emit-graph` writes:
{"kind":"buddy","n":N,"max_cardinality":bool,"edges":[[u,v,w],...]}

Prints one JSON line {"peer":"networkx","total_weight":T,"matched":M,"seconds":S}.
Timed: building the networkx graph and max_weight_matching; not reading or
parsing the file. `matched` counts matched pairs. Parallel edges keep the
heaviest weight and self-loops are dropped, as in our solver.
"""
import json
import sys
import time

import networkx as nx


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        graph = json.load(f)
    if graph.get("kind") != "buddy":
        sys.exit("expected a buddy graph")
    best = {}
    for u, v, w in graph["edges"]:
        if u == v:
            continue
        key = (min(u, v), max(u, v))
        if key not in best or w > best[key]:
            best[key] = w
    maxcard = bool(graph["max_cardinality"])

    start = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(graph["n"]))
    g.add_weighted_edges_from((u, v, w) for (u, v), w in best.items())
    matching = nx.max_weight_matching(g, maxcardinality=maxcard, weight="weight")
    seconds = time.perf_counter() - start

    total = sum(best[(min(u, v), max(u, v))] for u, v in matching)
    print(json.dumps({"peer": "networkx", "total_weight": total,
                      "matched": len(matching), "seconds": round(seconds, 6)}))


if __name__ == "__main__":
    main()
