use super::*;
use crate::domain::MatchKind;
use crate::network::matrix::domain_matrix;
use crate::network::tests::{member, round};
use crate::network::{Answered, History, LinkMeetings};

const MET: LinkMeetings = LinkMeetings {
    meetings: 2,
    hours: 3,
};
const NONE: LinkMeetings = LinkMeetings {
    meetings: 0,
    hours: 0,
};

/// UWV (0, 1, 2), municipality (3, 4), self-employed (5), an insurer who
/// was eligible but never matched (6), and an erased member (7). Nobody
/// works at an advisory firm, so it is left out of the pictures.
fn history(meetings: LinkMeetings) -> History {
    let d = [
        Some(Domain::Uwv),
        Some(Domain::Uwv),
        Some(Domain::Uwv),
        Some(Domain::Municipality),
        Some(Domain::Municipality),
        Some(Domain::SelfEmployed),
        Some(Domain::Insurer),
        None,
    ];
    let mut h = History {
        members: d.iter().enumerate().map(|(i, &d)| member(i, d)).collect(),
        rounds: vec![round(0, MatchKind::Buddy)],
        ..History::default()
    };
    h.eligible = (0..8).map(|m| (0, m)).collect();
    let pairs = [
        (0, 3, true),
        (1, 4, true),
        (2, 5, false),
        (0, 1, true),
        (3, 7, true),
    ];
    for (k, (a, b, met)) in pairs.into_iter().enumerate() {
        let m = if met { meetings } else { NONE };
        h.add_match(
            0,
            &format!("x{k}"),
            MatchKind::Buddy,
            &[(a, Answered::Accepted, m), (b, Answered::Accepted, m)],
        );
    }
    h
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(root.attribute("viewBox").is_some());
    assert_eq!(root.attribute("font-family"), Some("DejaVu Sans"));
    let title = root.first_element_child().expect("a first child");
    assert_eq!(title.tag_name().name(), "title");
    doc
}

fn with_class<'a>(
    doc: &'a roxmltree::Document<'a>,
    tag: &str,
    class: &str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == tag && n.attribute("class") == Some(class))
        .collect()
}

fn texts(doc: &roxmltree::Document<'_>, class: &str) -> Vec<String> {
    with_class(doc, "text", class)
        .iter()
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_heat_map_has_a_cell_per_pair_of_shown_domains_with_its_met_links() {
    let m = domain_matrix(&history(MET));
    let shown: Vec<Domain> = shown_domains(&m).iter().map(|d| d.0).collect();
    assert_eq!(
        shown,
        [
            Domain::Uwv,
            Domain::SelfEmployed,
            Domain::Municipality,
            Domain::Insurer
        ]
    );
    assert!(!shown.contains(&Domain::AdvisoryFirm));

    let svg = to_svg(&heat_map(&m, Locale::En));
    let doc = parse(&svg);
    assert_eq!(with_class(&doc, "rect", "cell").len(), 16);
    // Row by row, each cell says the met links of its pair, both ways round.
    let expected: Vec<String> = shown
        .iter()
        .flat_map(|&a| shown.iter().map(move |&b| (a, b)))
        .map(|(a, b)| m.cell(a, b).map_or(0, |c| c.met).to_string())
        .collect();
    assert_eq!(texts(&doc, "count"), expected);
    let at = |a: Domain, b: Domain| {
        let (i, j) = (
            shown.iter().position(|d| *d == a).unwrap(),
            shown.iter().position(|d| *d == b).unwrap(),
        );
        expected[i * shown.len() + j].clone()
    };
    assert_eq!(at(Domain::Uwv, Domain::Municipality), "2");
    assert_eq!(at(Domain::Municipality, Domain::Uwv), "2");
    assert_eq!(at(Domain::Uwv, Domain::Uwv), "1");
    assert_eq!(at(Domain::Uwv, Domain::SelfEmployed), "0");

    let rows = texts(&doc, "row-label").join(" ");
    for d in &shown {
        assert!(rows.contains(labels::domain(*d, Locale::En)), "{rows}");
    }
    assert_eq!(texts(&doc, "title"), ["Links between domains"]);
    let notes = texts(&doc, "note").join(" ");
    assert!(notes.contains("links that met"), "{notes}");
    // The erased member's link is in no cell, and the note says so.
    assert!(notes.starts_with("Colour") && notes.contains("1: links with a member of unknown"));
}

#[test]
fn before_anything_met_the_heat_map_counts_proposed_links_and_says_so() {
    let m = domain_matrix(&history(NONE));
    assert_eq!(m.totals.met, 0);
    let doc_text = to_svg(&heat_map(&m, Locale::Nl));
    let doc = parse(&doc_text);
    let counts = texts(&doc, "count");
    let total: usize = counts.iter().map(|c| c.parse::<usize>().unwrap()).sum();
    // Off-diagonal cells are drawn twice.
    let expected: usize = m
        .cells
        .iter()
        .map(|c| c.counts.proposed * if c.domains[0] == c.domains[1] { 1 } else { 2 })
        .sum();
    assert_eq!(total, expected);
    let notes = texts(&doc, "note").join(" ");
    assert!(notes.contains("voorgestelde koppelingen"), "{notes}");
    let rows = texts(&doc, "row-label").join(" ");
    assert!(
        rows.contains("gemeente") && rows.contains("zelfstandige"),
        "{rows}"
    );
}

#[test]
fn the_network_draws_a_circle_per_domain_and_a_line_per_pair_that_met() {
    let m = domain_matrix(&history(MET));
    let shown = shown_domains(&m);
    let p = domain_network(&m, Locale::Nl);
    let svg = to_svg(&p);
    let doc = parse(&svg);
    let circles = with_class(&doc, "circle", "domain");
    assert_eq!(circles.len(), shown.len());
    // Area in proportion to members: radius by the square root.
    let r = |i: usize| circles[i].attribute("r").unwrap().parse::<f32>().unwrap();
    let members = |i: usize| shown[i].1 as f32;
    for i in 1..shown.len() {
        let ratio = (r(i) / r(0)) / (members(i) / members(0)).sqrt();
        assert!((ratio - 1.0).abs() < 0.02, "domain {i}: {ratio}");
    }
    let met_pairs = m
        .cells
        .iter()
        .filter(|c| c.domains[0] != c.domains[1] && c.counts.met > 0)
        .count();
    assert_eq!(with_class(&doc, "line", "link").len(), met_pairs);
    assert_eq!(met_pairs, 1);
    assert_eq!(with_class(&doc, "line", "link-unmet").len(), 1);
    let members_text = texts(&doc, "members");
    assert_eq!(members_text[0], "3 leden");
    assert_eq!(texts(&doc, "title"), ["Het netwerk van domeinen"]);
    // Everything drawn lies inside the picture.
    for c in &circles {
        let f = |a: &str| c.attribute(a).unwrap().parse::<f32>().unwrap();
        assert!(f("cx") - f("r") >= 0.0 && f("cx") + f("r") <= p.width);
        assert!(f("cy") - f("r") >= 0.0 && f("cy") + f("r") <= p.height);
    }
}

#[test]
fn an_empty_network_still_makes_valid_pictures() {
    let m = domain_matrix(&History::default());
    for p in [heat_map(&m, Locale::En), domain_network(&m, Locale::Nl)] {
        let svg = to_svg(&p);
        let doc = parse(&svg);
        assert!(with_class(&doc, "rect", "cell").is_empty());
        assert!(with_class(&doc, "circle", "domain").is_empty());
        assert_eq!(texts(&doc, "note").len(), 1);
    }
}

#[test]
fn text_is_escaped_and_the_output_is_deterministic() {
    let p = Picture {
        width: 100.0,
        height: 50.5,
        title: "A&G <psychologen> \"tussen\" 'domeinen'".into(),
        shapes: vec![Shape::Text {
            class: "label",
            x: 1.0 / 3.0,
            y: 20.0,
            text: "A&G-psycholoog <b>\u{7}".into(),
            size: 11.0,
            weight: Weight::Bold,
            anchor: Anchor::Middle,
            fill: Rgb::INK,
            rotate: -45.0,
        }],
    };
    let svg = to_svg(&p);
    let doc = parse(&svg);
    assert_eq!(
        doc.root_element().first_element_child().unwrap().text(),
        Some("A&G <psychologen> \"tussen\" 'domeinen'")
    );
    let t = with_class(&doc, "text", "label");
    assert_eq!(t[0].text(), Some("A&G-psycholoog <b>"));
    assert_eq!(t[0].attribute("x"), Some("0.33"));
    assert_eq!(t[0].attribute("transform"), Some("rotate(-45 0.33 20)"));
    assert_eq!(
        doc.root_element().attribute("viewBox"),
        Some("0 0 100 50.5")
    );

    let m = domain_matrix(&history(MET));
    assert_eq!(
        to_svg(&heat_map(&m, Locale::Nl)),
        to_svg(&heat_map(&m.clone(), Locale::Nl))
    );
}
