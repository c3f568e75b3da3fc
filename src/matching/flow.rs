//! Exact maximum-weight assignment of visitors to hosts with capacities.

/// Left side: `n_visitors` visitors, each assigned at most once. Right side:
/// hosts `0..capacity.len()`, host `h` takes at most `capacity[h]` visitors.
/// Edges are `(visitor, host, weight)`. Returns the host of each visitor.
/// With `max_cardinality`, the most visitors are placed and, among those
/// assignments, the total weight is largest.
pub fn max_weight_assignment(
    n_visitors: usize,
    capacity: &[u32],
    edges: &[(u32, u32, i64)],
    max_cardinality: bool,
) -> Vec<Option<u32>> {
    let _ = (n_visitors, capacity, edges, max_cardinality);
    unimplemented!("being written")
}
