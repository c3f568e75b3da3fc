#!/usr/bin/env python3
"""Exact intervision grouping as a MIP (PuLP + HiGHS), or a random floor.

Reads the graph written by `buddymatch solve --kind intervision --emit-graph`
and prints one JSON line:
  {"peer": "mip", "total_weight": T, "bound": B, "status": S, "matched": M, "seconds": s}
With --random it prints the value of a random balanced grouping instead (a
floor: it ignores every group rule and scores only compatible pairs).

The model is a set packing over every valid group (enumerated as cliques of
the candidate graph that pass the engine's group rules: size in [min, max],
a shared language, a shared meeting mode (all online, or all in person with
every pair within travel), at least two domains, not juniors only), each
weighted by the sum of its pairwise edge weights; every member in at most one
group. It is exact while the groups can be enumerated (--max-groups).
"""
import argparse
import json
import random
import sys
import time


def random_floor(g, seed):
    n, mx = g["n"], g["group_max"]
    w = {(u, v): wt for u, v, wt, _ in g["edges"]}
    order = list(range(n))
    random.Random(seed).shuffle(order)
    groups = max(1, -(-n // mx))
    total = 0
    for k in range(groups):
        members = sorted(order[k::groups])
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                total += w.get((members[a], members[b]), 0)
    return {"peer": "random", "total_weight": total, "matched": n, "seconds": 0.0}


def valid_groups(g, limit):
    """Every group the engine's rules allow: a clique of the candidate graph
    of size in [min, max] with a shared language and meeting mode, two or
    more domains and not juniors only. Yields (members, weight)."""
    n, mn, mx = g["n"], g["group_min"], g["group_max"]
    nodes = g["nodes"]
    adj = [0] * n
    w = {}
    near = set()
    for u, v, wt, ip in g["edges"]:
        adj[u] |= 1 << v
        adj[v] |= 1 << u
        w[u, v] = w[v, u] = wt
        if ip:
            near.add((u, v))
            near.add((v, u))
    langs = [frozenset(nd["languages"]) for nd in nodes]
    out = []

    def grow(members, cand, weight, lang, online, inperson):
        if len(members) >= mn:
            doms = {nodes[i]["domain"] for i in members}
            if len(doms) >= 2 and any(not nodes[i]["junior"] for i in members):
                out.append((tuple(members), weight))
                if len(out) > limit:
                    raise OverflowError
        if len(members) == mx:
            return
        c = cand
        while c:
            low = c & -c
            j = low.bit_length() - 1
            c ^= low
            lang2 = lang & langs[j]
            if not lang2:
                continue
            on2 = online and nodes[j]["online"]
            ip2 = inperson and nodes[j]["in_person"] and all((i, j) in near for i in members)
            if not (on2 or ip2):
                continue
            add = sum(w[i, j] for i in members)
            members.append(j)
            grow(members, c & adj[j], weight + add, lang2, on2, ip2)
            members.pop()

    for i in range(n):
        higher = adj[i] & ~((1 << (i + 1)) - 1)
        grow([i], higher, 0, langs[i], nodes[i]["online"], nodes[i]["in_person"])
    return out


def mip(g, time_limit, threads, limit):
    """Set packing over all valid groups: exact, and its LP bound is tight."""
    import highspy
    import numpy as np

    t0 = time.time()
    n = g["n"]
    try:
        groups = valid_groups(g, limit)
    except OverflowError:
        return {"peer": "mip", "status": "too_many_groups", "seconds": round(time.time() - t0, 3)}
    if not groups:
        return {"peer": "mip", "total_weight": 0, "bound": 0, "optimal": True,
                "status": "Optimal", "matched": 0, "groups": 0, "seconds": 0.0}
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # HiGHS's presolve spends minutes on the many near-parallel columns of a
    # set packing and reduces nothing; the LP itself is quick.
    h.setOptionValue("presolve", "off")
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", threads)
    lp = highspy.HighsLp()
    ncol = len(groups)
    lp.num_col_ = ncol
    lp.num_row_ = n
    lp.col_cost_ = np.array([float(wt) for _, wt in groups])
    lp.col_lower_ = np.zeros(ncol)
    lp.col_upper_ = np.ones(ncol)
    lp.row_lower_ = np.full(n, -highspy.kHighsInf)
    lp.row_upper_ = np.ones(n)
    starts = np.zeros(ncol + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(m) for m, _ in groups])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.array([i for m, _ in groups for i in m], dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(int(starts[-1]))
    lp.sense_ = highspy.ObjSense.kMaximize
    # The LP relaxation first: a valid bound even when the MIP stops early
    # (HiGHS reports no usable dual bound if its root is not finished).
    h.setOptionValue("solver", "ipm")
    h.passModel(lp)
    h.run()
    lp_ok = h.modelStatusToString(h.getModelStatus()) == "Optimal"
    lp_bound = h.getInfo().objective_function_value if lp_ok else float("inf")
    h.setOptionValue("solver", "choose")
    lp.integrality_ = [highspy.HighsVarType.kInteger] * ncol
    h.clearSolver()
    h.passModel(lp)
    h.setOptionValue("time_limit", max(1.0, float(time_limit) - (time.time() - t0)))
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    sol = h.getSolution().col_value
    chosen = [k for k in range(ncol) if sol[k] > 0.5]
    # HiGHS's MIP dual bound is only meaningful once its root LP is solved.
    mip_bound = info.mip_dual_bound
    if status != "Optimal" and not (abs(mip_bound) < 1e12):
        mip_bound = float("inf")
    bound = min(lp_bound, mip_bound)
    if status == "Optimal":
        bound = min(bound, sum(groups[k][1] for k in chosen))
    total = int(round(sum(groups[k][1] for k in chosen)))
    return {
        "peer": "mip",
        "total_weight": total,
        "bound": None if bound == float("inf") else round(bound, 1),
        "lp_bound": round(lp_bound, 1) if lp_ok else None,
        "optimal": status == "Optimal",
        "status": status,
        "matched": sum(len(groups[k][0]) for k in chosen),
        "groups": ncol,
        "seconds": round(time.time() - t0, 3),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("graph")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--random", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-groups", type=int, default=3_000_000)
    a = ap.parse_args()
    with open(a.graph) as f:
        g = json.load(f)
    if g.get("kind") != "intervision":
        sys.exit("not an intervision graph")
    out = random_floor(g, a.seed) if a.random else mip(g, a.time_limit, a.threads, a.max_groups)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
