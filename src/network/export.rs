//! The network as files a researcher opens: GraphML (networkx, yEd, R's
//! igraph), GEXF 1.2 (Gephi; the version networkx also reads) and JSON. One node per member in scope, one
//! edge per pair of members however many links they had, carrying the
//! counts. Members are pseudonyms unless the caller may see names: a fresh
//! random order per export numbers them, so two exports cannot be joined
//! on their ids.

use super::measures::LinkCounts;
use super::History;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identities {
    /// `seed` picks this export's numbering.
    Pseudonyms {
        seed: u64,
    },
    Names,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphExport {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub domain: Option<String>,
    pub profession: Option<String>,
    pub province: Option<String>,
    pub experience: Option<String>,
    pub erased: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub cross_domain: bool,
    /// The forms of the links, comma-separated (`buddy,intervision`).
    pub kinds: String,
    #[serde(flatten)]
    pub counts: LinkCounts,
}

pub fn graph(h: &History, ids: Identities) -> GraphExport {
    let mut in_scope = vec![false; h.members.len()];
    for &(_, m) in &h.eligible {
        in_scope[m] = true;
    }
    for l in &h.links {
        in_scope[l.a] = true;
        in_scope[l.b] = true;
    }
    let mut order: Vec<usize> = (0..h.members.len()).filter(|&m| in_scope[m]).collect();
    let mut key = vec![String::new(); h.members.len()];
    // Where each member stands in the export's order: an edge runs from
    // the earlier to the later, so its direction says nothing of the
    // database's order either.
    let mut pos: Vec<usize> = (0..h.members.len()).collect();
    match ids {
        Identities::Pseudonyms { seed } => {
            order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
            for (i, &m) in order.iter().enumerate() {
                key[m] = format!("p{}", i + 1);
                pos[m] = i;
            }
        }
        Identities::Names => {
            for &m in &order {
                key[m] = h.members[m].id.clone();
            }
        }
    }
    let nodes = order
        .iter()
        .map(|&m| {
            let x = &h.members[m];
            let label = match ids {
                Identities::Names if !x.erased => x.name.clone().unwrap_or_default(),
                _ => key[m].clone(),
            };
            Node {
                id: key[m].clone(),
                label,
                domain: x.domain.map(|d| d.code().to_owned()),
                profession: x.profession.map(|d| d.code().to_owned()),
                province: x.province.map(|d| d.code().to_owned()),
                experience: x.experience.map(|d| d.code().to_owned()),
                erased: x.erased,
            }
        })
        .collect();
    let mut pairs: BTreeMap<(usize, usize), (LinkCounts, Vec<&'static str>)> = BTreeMap::new();
    for l in &h.links {
        let e = pairs.entry((l.a, l.b)).or_default();
        e.0.add(l);
        if !e.1.contains(&l.kind.code()) {
            e.1.push(l.kind.code());
        }
    }
    let mut edges: Vec<Edge> = pairs
        .into_iter()
        .map(|((a, b), (counts, mut kinds))| {
            kinds.sort_unstable();
            let (a, b) = if pos[a] <= pos[b] { (a, b) } else { (b, a) };
            Edge {
                source: key[a].clone(),
                target: key[b].clone(),
                cross_domain: matches!(
                    (h.members[a].domain, h.members[b].domain),
                    (Some(x), Some(y)) if x != y
                ),
                kinds: kinds.join(","),
                counts,
            }
        })
        .collect();
    // Pair order would leak the members' order in the database.
    if let Identities::Pseudonyms { .. } = ids {
        edges.sort_by_key(|e| (pos_of(&e.source), pos_of(&e.target)));
    }
    GraphExport { nodes, edges }
}

use crate::domain::markup::escape as esc;

const NODE_ATTRS: [&str; 5] = ["domain", "profession", "province", "experience", "erased"];
const EDGE_ATTRS: [(&str, &str); 8] = [
    ("cross_domain", "boolean"),
    ("kinds", "string"),
    ("proposed", "int"),
    ("accepted", "int"),
    ("declined", "int"),
    ("met", "int"),
    ("meetings", "long"),
    ("hours", "long"),
];

/// The number in a pseudonym (`p12` → 12).
fn pos_of(pseudonym: &str) -> usize {
    pseudonym[1..].parse().unwrap_or(usize::MAX)
}

fn node_values(n: &Node) -> [String; 5] {
    let s = |x: &Option<String>| x.clone().unwrap_or_else(|| "unknown".into());
    [
        s(&n.domain),
        s(&n.profession),
        s(&n.province),
        s(&n.experience),
        n.erased.to_string(),
    ]
}

fn edge_values(e: &Edge) -> [String; 8] {
    let c = &e.counts;
    [
        e.cross_domain.to_string(),
        e.kinds.clone(),
        c.proposed.to_string(),
        c.accepted.to_string(),
        c.declined.to_string(),
        c.met.to_string(),
        c.meetings.to_string(),
        c.hours.to_string(),
    ]
}

pub fn to_graphml(g: &GraphExport) -> String {
    let mut o = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns ",
        "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
        "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n",
    ));
    for a in NODE_ATTRS {
        let ty = if a == "erased" { "boolean" } else { "string" };
        let _ = writeln!(
            o,
            "  <key id=\"{a}\" for=\"node\" attr.name=\"{a}\" attr.type=\"{ty}\"/>"
        );
    }
    for (a, ty) in EDGE_ATTRS {
        let _ = writeln!(
            o,
            "  <key id=\"e_{a}\" for=\"edge\" attr.name=\"{a}\" attr.type=\"{ty}\"/>"
        );
    }
    o.push_str("  <graph id=\"learning-network\" edgedefault=\"undirected\">\n");
    for n in &g.nodes {
        let _ = writeln!(o, "    <node id=\"{}\">", esc(&n.id));
        let _ = writeln!(o, "      <data key=\"label\">{}</data>", esc(&n.label));
        for (a, v) in NODE_ATTRS.iter().zip(node_values(n)) {
            let _ = writeln!(o, "      <data key=\"{a}\">{}</data>", esc(&v));
        }
        o.push_str("    </node>\n");
    }
    for (i, e) in g.edges.iter().enumerate() {
        let _ = writeln!(
            o,
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\">",
            esc(&e.source),
            esc(&e.target)
        );
        for ((a, _), v) in EDGE_ATTRS.iter().zip(edge_values(e)) {
            let _ = writeln!(o, "      <data key=\"e_{a}\">{}</data>", esc(&v));
        }
        o.push_str("    </edge>\n");
    }
    o.push_str("  </graph>\n</graphml>\n");
    o
}

pub fn to_gexf(g: &GraphExport) -> String {
    let mut o = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n",
        "  <meta><creator>buddymatch</creator>",
        "<description>learning network</description></meta>\n",
        "  <graph mode=\"static\" defaultedgetype=\"undirected\">\n",
        "    <attributes class=\"node\">\n",
    ));
    for (i, a) in NODE_ATTRS.iter().enumerate() {
        let ty = if *a == "erased" { "boolean" } else { "string" };
        let _ = writeln!(
            o,
            "      <attribute id=\"{i}\" title=\"{a}\" type=\"{ty}\"/>"
        );
    }
    o.push_str("    </attributes>\n    <attributes class=\"edge\">\n");
    for (i, (a, ty)) in EDGE_ATTRS.iter().enumerate() {
        let ty = if *ty == "int" { "integer" } else { ty };
        let _ = writeln!(
            o,
            "      <attribute id=\"{i}\" title=\"{a}\" type=\"{ty}\"/>"
        );
    }
    o.push_str("    </attributes>\n    <nodes>\n");
    for n in &g.nodes {
        let _ = writeln!(
            o,
            "      <node id=\"{}\" label=\"{}\"><attvalues>",
            esc(&n.id),
            esc(&n.label)
        );
        for (i, v) in node_values(n).iter().enumerate() {
            let _ = writeln!(o, "        <attvalue for=\"{i}\" value=\"{}\"/>", esc(v));
        }
        o.push_str("      </attvalues></node>\n");
    }
    o.push_str("    </nodes>\n    <edges>\n");
    for (i, e) in g.edges.iter().enumerate() {
        let _ = writeln!(
            o,
            "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" weight=\"{}\"><attvalues>",
            esc(&e.source),
            esc(&e.target),
            e.counts.proposed
        );
        for (i, v) in edge_values(e).iter().enumerate() {
            let _ = writeln!(o, "        <attvalue for=\"{i}\" value=\"{}\"/>", esc(v));
        }
        o.push_str("      </attvalues></edge>\n");
    }
    o.push_str("    </edges>\n  </graph>\n</gexf>\n");
    o
}
