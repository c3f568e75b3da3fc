//! Exact maximum-weight matching on a general graph.

/// `mate[v]` is the vertex matched to `v`, if any. Edges are `(u, v, weight)`
/// with `u != v` and `u, v < n`. With `max_cardinality`, the matching has the
/// most edges possible and, among those, the largest total weight.
pub fn max_weight_matching(n: usize, edges: &[(u32, u32, i64)], max_cardinality: bool) -> Vec<Option<u32>> {
    let _ = (n, edges, max_cardinality);
    unimplemented!("being written")
}
