#!/usr/bin/env python3
"""One row of bench/run's table: the engine's result against one peer's line.

Usage: row.py KIND SIZE RESULT.json WALL_SECONDS RSS_KB PEER_LINE|- [LABEL]
Prints a fixed-width row; "peer_total" is the peer's total_weight, "equal"
compares it with the engine's total (for the MIP: engine vs best found and
the gap to the MIP's bound; for the random floor: how far above it we are).
"""
import json
import os
import sys


def main():
    kind, size, result_path, wall, rss_kb, peer_line = sys.argv[1:7]
    label = sys.argv[7] if len(sys.argv) > 7 else ""
    with open(result_path) as f:
        r = json.load(f)
    t = r.get("timings", {})
    engine_solver_s = t.get("solve_seconds", 0.0)
    ours = r["total_score"]
    peer = json.loads(peer_line) if peer_line not in ("-", "") else None
    name, ptotal, verdict, ps, ratio = "-", "-", "", "-", "-"
    if peer:
        name = peer.get("peer", "?")
        ptotal = peer.get("total_weight", "-")
        ps_v = peer.get("seconds")
        ps = f"{ps_v:.3f}" if isinstance(ps_v, (int, float)) else "-"
        if isinstance(ps_v, (int, float)) and engine_solver_s > 0:
            ratio = f"{ps_v / engine_solver_s:.1f}x"
        if name == "mip":
            bound = peer.get("bound")
            if ptotal == "-":
                verdict = peer.get("status", "?")
            else:
                rel = "=" if ours == ptotal else (">" if ours > ptotal else "<")
                gap = f" gap {100 * (bound - ours) / bound:.2f}% to bound" if bound else ""
                opt = " (MIP optimal)" if peer.get("optimal") else f" ({peer.get('status')})"
                verdict = f"{rel} MIP{opt}{gap}"
        elif name == "random":
            verdict = f"+{100 * (ours - ptotal) / max(ptotal, 1):.1f}% over random"
        else:
            verdict = "EQUAL" if ptotal == ours else "DIFFERENT"
    extra = ""
    check = os.environ.get("CHECK", "")
    if check:
        extra += f" viol={json.loads(check)['violations']}"
    if r.get("upper_bound") is not None:
        extra += f" ub={r['upper_bound']}"
        # Intervision's exact search proved its grouping best.
        if r["upper_bound"] == ours:
            extra += " (proven)"
    print(
        f"{kind:<11} {size:>7} {label:<10} {r['graph']['edges']:>9} {ours:>10} "
        f"{name:<8} {str(ptotal):>10} {engine_solver_s:>8.3f} {ps:>9} {ratio:>8} "
        f"{float(wall):>7.2f} {int(rss_kb) // 1024:>6}  {verdict}{extra}"
    )


if __name__ == "__main__":
    main()
