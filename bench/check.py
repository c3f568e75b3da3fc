#!/usr/bin/env python3
"""Independent check of a result against its instance: every hard constraint
restated from the instance file, none of the engine's code.

Usage: check.py INSTANCE.json RESULT.json
Prints one JSON line {"violations": N, "first": [...], "checked": M} and
exits 1 when N > 0.
"""
import json
import math
import sys

# Province centroids (lat, lon), as in src/domain/province.rs.
CENTROIDS = {
    "groningen": (53.22, 6.74), "friesland": (53.11, 5.85), "drenthe": (52.86, 6.62),
    "overijssel": (52.44, 6.45), "flevoland": (52.53, 5.60), "gelderland": (52.06, 5.95),
    "utrecht": (52.08, 5.20), "noord_holland": (52.58, 4.87), "zuid_holland": (51.94, 4.50),
    "zeeland": (51.45, 3.84), "noord_brabant": (51.56, 5.20), "limburg": (51.21, 5.94),
}


def km(a, b):
    (la1, lo1), (la2, lo2) = [tuple(math.radians(x) for x in CENTROIDS[p]) for p in (a, b)]
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return round(2 * 6371.0 * math.asin(math.sqrt(h)))


def junior(m):
    e = m["experience"]
    return e == "in_training" or e < 3


def main():
    inst = json.load(open(sys.argv[1]))
    res = json.load(open(sys.argv[2]))
    rp = inst["round"]
    rnd, window = rp.get("round", 1), rp.get("repeat_window", 6)
    hours = {"buddy": 2, "intervision": 3, "shadowing_visit": 4}
    hours.update(rp.get("form_hours", {}))
    gmin, gmax = rp.get("group_min", 4), rp.get("group_max", 6)
    M = {m["id"]: m for m in inst["members"]}
    banned = {frozenset((h["a"], h["b"])) for h in inst.get("history", [])
              if h["round"] <= rnd and rnd - h["round"] <= window}
    banned |= {frozenset((p["a"], p["b"])) for p in inst.get("blocked", [])}
    bad = []

    def near(a, b):
        return ("in_person" in a["meeting_modes"] and "in_person" in b["meeting_modes"]
                and km(a["province"], b["province"]) <= min(a["max_travel_km"], b["max_travel_km"]))

    def online(a):
        return "online" in a["meeting_modes"]

    def pair(a, b, in_person_only):
        ma, mb = M[a], M[b]
        if a == b:
            bad.append(f"{a} with themselves")
        if frozenset((a, b)) in banned:
            bad.append(f"{a}-{b} recent or blocked")
        if not set(ma["languages"]) & set(mb["languages"]):
            bad.append(f"{a}-{b} no common language")
        if not (near(ma, mb) or (not in_person_only and online(ma) and online(mb))):
            bad.append(f"{a}-{b} cannot meet")

    def takes_part(i, form, need):
        m = M[i]
        if m.get("paused") or form not in m["forms"] or m["hours_per_month"] < need:
            bad.append(f"{i} not eligible for {form}")

    seen = {}
    total = 0
    kind = res["kind"]
    if kind == "buddy":
        for p in res["pairs"]:
            for i in (p["a"], p["b"]):
                takes_part(i, "buddy", hours["buddy"])
                seen[i] = seen.get(i, 0) + 1
            pair(p["a"], p["b"], False)
            total += p["score"]
    elif kind == "shadowing":
        used, hosted = {}, {}
        for v in res["visits"]:
            vi, ho = M[v["visitor"]], M[v["host"]]
            if vi.get("paused") or ho.get("paused") or "shadowing_visitor" not in vi["forms"] \
                    or "shadowing_host" not in ho["forms"]:
                bad.append(f"{v['visitor']}->{v['host']} not asked")
            seen[v["visitor"]] = seen.get(v["visitor"], 0) + 1
            pair(v["visitor"], v["host"], True)
            for i in (v["visitor"], v["host"]):
                used[i] = used.get(i, 0) + hours["shadowing_visit"]
            hosted[v["host"]] = hosted.get(v["host"], 0) + 1
            total += v["score"]
        bad += [f"{h} over capacity" for h, n in hosted.items() if n > M[h]["host_capacity"]]
        bad += [f"{i} over hours" for i, u in used.items() if u > M[i]["hours_per_month"]]
    else:
        for g in res["groups"]:
            ids = g["members"]
            ms = [M[i] for i in ids]
            if not gmin <= len(ids) <= gmax:
                bad.append(f"group of {len(ids)}")
            for x, a in enumerate(ids):
                takes_part(a, "intervision", hours["intervision"])
                seen[a] = seen.get(a, 0) + 1
                for b in ids[x + 1:]:
                    pair(a, b, False)
            if len({m["domain"] for m in ms}) < 2:
                bad.append(f"single-domain group {ids[0]}")
            if all(junior(m) for m in ms):
                bad.append(f"juniors-only group {ids[0]}")
            if not set.intersection(*[set(m["languages"]) for m in ms]):
                bad.append(f"no common language {ids[0]}")
            all_near = all(near(a, b) for x, a in enumerate(ms) for b in ms[x + 1:])
            if not (all(online(m) for m in ms) or all_near):
                bad.append(f"no common meeting mode {ids[0]}")
            total += g["score"]
    bad += [f"{i} matched {n} times" for i, n in seen.items() if n > 1]
    if total != res["total_score"]:
        bad.append(f"total {res['total_score']} != sum of matches {total}")
    print(json.dumps({"violations": len(bad), "first": bad[:5], "checked": len(seen)}))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
