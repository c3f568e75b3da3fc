//! The domain × domain matrix: for each pair of domains (a domain with
//! itself on the diagonal), the links proposed, accepted, declined and met,
//! and the meetings and hours. Each link lands in exactly one cell, or in
//! `unattributed` when a member's domain is unknown (erased), so the cells
//! add up to the network's totals.

use super::measures::LinkCounts;
use super::History;
use crate::domain::Domain;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainMatrix {
    /// Every domain, with the members in scope who work in it.
    pub domains: Vec<DomainMembers>,
    /// Unordered pairs, `domains[0] <= domains[1]`; only pairs with a link.
    pub cells: Vec<Cell>,
    pub unattributed: LinkCounts,
    pub totals: LinkCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainMembers {
    pub domain: Domain,
    pub members: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub domains: [Domain; 2],
    #[serde(flatten)]
    pub counts: LinkCounts,
}

impl DomainMatrix {
    pub fn cell(&self, a: Domain, b: Domain) -> Option<&LinkCounts> {
        let key = if a <= b { [a, b] } else { [b, a] };
        self.cells
            .iter()
            .find(|c| c.domains == key)
            .map(|c| &c.counts)
    }
}

pub fn domain_matrix(h: &History) -> DomainMatrix {
    let mut in_scope = vec![false; h.members.len()];
    for &(_, m) in &h.eligible {
        in_scope[m] = true;
    }
    let mut cells: BTreeMap<[Domain; 2], LinkCounts> = BTreeMap::new();
    let mut unattributed = LinkCounts::default();
    let mut totals = LinkCounts::default();
    for l in &h.links {
        in_scope[l.a] = true;
        in_scope[l.b] = true;
        totals.add(l);
        match (h.members[l.a].domain, h.members[l.b].domain) {
            (Some(a), Some(b)) => {
                let key = if a <= b { [a, b] } else { [b, a] };
                cells.entry(key).or_default().add(l);
            }
            _ => unattributed.add(l),
        }
    }
    let mut per_domain: BTreeMap<Domain, usize> = Domain::ALL.iter().map(|&d| (d, 0)).collect();
    for (m, _) in in_scope.iter().enumerate().filter(|x| *x.1) {
        if let Some(d) = h.members[m].domain {
            *per_domain.entry(d).or_default() += 1;
        }
    }
    DomainMatrix {
        domains: per_domain
            .into_iter()
            .map(|(domain, members)| DomainMembers { domain, members })
            .collect(),
        cells: cells
            .into_iter()
            .map(|(domains, counts)| Cell { domains, counts })
            .collect(),
        unattributed,
        totals,
    }
}

/// The matrix as CSV a spreadsheet opens: one row per cell.
pub fn to_csv(m: &DomainMatrix) -> String {
    let mut out = String::from("domain_a,domain_b,proposed,accepted,declined,met,meetings,hours\n");
    let rows = m
        .cells
        .iter()
        .map(|c| (c.domains[0].code(), c.domains[1].code(), &c.counts))
        .chain(std::iter::once(("unknown", "unknown", &m.unattributed)));
    for (a, b, c) in rows {
        out.push_str(&format!(
            "{a},{b},{},{},{},{},{},{}\n",
            c.proposed, c.accepted, c.declined, c.met, c.meetings, c.hours
        ));
    }
    out
}
