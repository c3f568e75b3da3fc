//! The network as pictures a coordinator looks at rather than reads: the
//! domain matrix as a heat map and the domains as a network. Each is built
//! once as a small display list ([`Picture`]) that is written out as SVG
//! here, rasterised to PNG by the service, and drawn as vector graphics in
//! the round outcome report's PDF, so the three never show different things.
//!
//! Pure: no IO, no fonts. Coordinates are SVG user units, y pointing down,
//! a text's `y` is its baseline. Layout only estimates text widths (DejaVu
//! Sans, the one font every renderer of these pictures uses, averages a
//! little under 0.6 em a character); a renderer that places text by its
//! anchor measures the real width itself.

use super::matrix::DomainMatrix;
use crate::domain::labels;
use crate::domain::markup::escape;
use crate::domain::{Domain, Locale};
use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// Whole units, so the PNG is exactly this many pixels.
    pub width: f32,
    pub height: f32,
    /// What screen readers say (the SVG's `<title>`); also drawn at the top.
    pub title: String,
    /// Painted in order: later shapes cover earlier ones.
    pub shapes: Vec<Shape>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const WHITE: Rgb = Rgb(255, 255, 255);
    pub const INK: Rgb = Rgb(33, 37, 41);
    pub const GREY: Rgb = Rgb(108, 117, 125);
    pub const RULE: Rgb = Rgb(206, 212, 218);

    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// As PDF's 0..1 components.
    pub fn unit(self) -> [f32; 3] {
        [self.0, self.1, self.2].map(|c| f32::from(c) / 255.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Rect {
        class: &'static str,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Rgb,
        stroke: Option<Rgb>,
    },
    Circle {
        class: &'static str,
        cx: f32,
        cy: f32,
        r: f32,
        fill: Rgb,
        stroke: Option<Rgb>,
    },
    Line {
        class: &'static str,
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        stroke: Rgb,
        dashed: bool,
    },
    Text {
        class: &'static str,
        x: f32,
        y: f32,
        text: String,
        size: f32,
        weight: Weight,
        anchor: Anchor,
        fill: Rgb,
        /// Degrees about (x, y), clockwise as SVG turns (so -45 reads
        /// upwards to the right).
        rotate: f32,
    },
}

/// The words of the pictures in one language.
struct Words {
    heat_title: &'static str,
    network_title: &'static str,
    colour_met: &'static str,
    colour_proposed: &'static str,
    network_legend: &'static str,
    network_unmet: &'static str,
    members: &'static str,
    unattributed: &'static str,
    empty: &'static str,
}

const NL: Words = Words {
    heat_title: "Koppelingen tussen domeinen",
    network_title: "Het netwerk van domeinen",
    colour_met: "Kleur en getal: koppelingen die elkaar ontmoetten (minstens één vastgelegde bijeenkomst), per paar domeinen; de diagonaal is binnen één domein.",
    colour_proposed: "Kleur en getal: voorgestelde koppelingen per paar domeinen (nog geen enkele koppeling heeft elkaar ontmoet); de diagonaal is binnen één domein.",
    network_legend: "Cirkel: leden per domein (oppervlak). Lijn: koppelingen tussen twee domeinen die elkaar ontmoetten (dikte).",
    network_unmet: "Stippellijn: voorgesteld, nog niet ontmoet.",
    members: "leden",
    unattributed: "koppelingen met een lid van onbekend domein staan hier niet in",
    empty: "Nog geen koppelingen in deze selectie.",
};

const EN: Words = Words {
    heat_title: "Links between domains",
    network_title: "The network of domains",
    colour_met: "Colour and number: links that met (at least one recorded meeting), per pair of domains; the diagonal is within one domain.",
    colour_proposed: "Colour and number: links proposed per pair of domains (no link has met yet); the diagonal is within one domain.",
    network_legend: "Circle: members per domain (area). Line: links between two domains that met (width).",
    network_unmet: "Dotted line: proposed, not yet met.",
    members: "members",
    unattributed: "links with a member of unknown domain are not shown",
    empty: "No links in this selection yet.",
};

fn words(l: Locale) -> &'static Words {
    match l {
        Locale::Nl => &NL,
        Locale::En => &EN,
    }
}

const FONT: f32 = 11.0;
const SMALL: f32 = 10.0;
const TITLE: f32 = 16.0;
const MARGIN: f32 = 16.0;
/// The widest a label line grows before it wraps, in estimated units.
const LABEL_W: f32 = 150.0;

/// An estimate of the text's width in DejaVu Sans, erring wide.
fn text_width(text: &str, size: f32, weight: Weight) -> f32 {
    let em = match weight {
        Weight::Regular => 0.6,
        Weight::Bold => 0.68,
    };
    text.chars().count() as f32 * size * em
}

/// Greedy wrapping at spaces by estimated width; a word never breaks.
fn wrap(text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let joined = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || text_width(&joined, size, weight) <= width {
            line = joined;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    lines.push(line);
    lines
}

fn text(x: f32, y: f32, s: &str, size: f32, weight: Weight, anchor: Anchor) -> Shape {
    Shape::Text {
        class: "label",
        x,
        y,
        text: s.to_string(),
        size,
        weight,
        anchor,
        fill: Rgb::INK,
        rotate: 0.0,
    }
}

fn with_class(mut s: Shape, c: &'static str) -> Shape {
    match &mut s {
        Shape::Rect { class, .. }
        | Shape::Circle { class, .. }
        | Shape::Line { class, .. }
        | Shape::Text { class, .. } => *class = c,
    }
    s
}

/// The domains worth drawing: those with members in scope or with a link.
/// An empty domain would only crowd the picture.
pub fn shown_domains(m: &DomainMatrix) -> Vec<(Domain, usize)> {
    m.domains
        .iter()
        .filter(|d| d.members > 0 || m.cells.iter().any(|c| c.domains.contains(&d.domain)))
        .map(|d| (d.domain, d.members))
        .collect()
}

/// What the heat map colours: met links, or the proposed ones while none
/// has met (early in a programme), so the first picture is not blank.
fn heat_counts(m: &DomainMatrix) -> (bool, impl Fn(Domain, Domain) -> usize + '_) {
    let by_met = m.totals.met > 0;
    (by_met, move |a, b| {
        m.cell(a, b)
            .map_or(0, |c| if by_met { c.met } else { c.proposed })
    })
}

/// A white-to-blue scale (ColorBrewer's "Blues" ends); zero stays grey so an
/// empty cell is not mistaken for a small count.
fn heat_colour(value: usize, max: usize) -> Rgb {
    if value == 0 || max == 0 {
        return Rgb(246, 247, 249);
    }
    let t = value as f32 / max as f32;
    let (lo, hi) = ([222.0, 235.0, 247.0], [8.0, 48.0, 107.0]);
    let c = |i: usize| (lo[i] + (hi[i] - lo[i]) * t).round() as u8;
    Rgb(c(0), c(1), c(2))
}

/// A title and, under it, a note; returns the y below them.
fn heading(shapes: &mut Vec<Shape>, title: &str) -> f32 {
    shapes.push(with_class(
        text(
            MARGIN,
            MARGIN + TITLE,
            title,
            TITLE,
            Weight::Bold,
            Anchor::Start,
        ),
        "title",
    ));
    MARGIN + TITLE + 14.0
}

/// Notes under a picture, wrapped to its width; returns the y below them.
fn notes(shapes: &mut Vec<Shape>, lines: &[&str], mut y: f32, width: f32) -> f32 {
    for note in lines {
        for line in wrap(note, SMALL, Weight::Regular, width - 2.0 * MARGIN) {
            y += SMALL * 1.4;
            let mut t = with_class(
                text(MARGIN, y, &line, SMALL, Weight::Regular, Anchor::Start),
                "note",
            );
            if let Shape::Text { fill, .. } = &mut t {
                *fill = Rgb::GREY;
            }
            shapes.push(t);
        }
    }
    y
}

fn empty(title: &str, l: Locale) -> Picture {
    let width = 420.0;
    let mut shapes = Vec::new();
    let y = heading(&mut shapes, title);
    let y = notes(&mut shapes, &[words(l).empty], y, width);
    Picture {
        width,
        height: (y + MARGIN).ceil(),
        title: title.to_string(),
        shapes,
    }
}

/// The domain matrix as a heat map: a row and a column per shown domain,
/// each pair's cell drawn twice (at (a, b) and (b, a)) so the map reads the
/// same from either side, the count written in it.
pub fn heat_map(m: &DomainMatrix, locale: Locale) -> Picture {
    let w = words(locale);
    let shown = shown_domains(m);
    if shown.is_empty() {
        return empty(w.heat_title, locale);
    }
    let n = shown.len() as f32;
    let (by_met, count) = heat_counts(m);
    let max = shown
        .iter()
        .flat_map(|a| shown.iter().map(move |b| (a.0, b.0)))
        .map(|(a, b)| count(a, b))
        .max()
        .unwrap_or(0);

    let cell = 44.0;
    let lh = FONT * 1.25;
    let names: Vec<Vec<String>> = shown
        .iter()
        .map(|(d, _)| wrap(labels::domain(*d, locale), FONT, Weight::Regular, LABEL_W))
        .collect();
    let widest = |ls: &Vec<String>| {
        ls.iter()
            .map(|s| text_width(s, FONT, Weight::Regular))
            .fold(0.0f32, f32::max)
    };
    let row_w = names.iter().map(widest).fold(0.0f32, f32::max);
    // Column labels run up at 45°, their lines stacked up and to the left:
    // the block a label needs reaches this far up and right of its foot.
    let diag = std::f32::consts::FRAC_1_SQRT_2;
    let reach = |ls: &Vec<String>| (widest(ls) + ls.len() as f32 * lh) * diag;
    let col_h = names.iter().map(reach).fold(0.0f32, f32::max);

    let mut shapes = Vec::new();
    let top = heading(&mut shapes, w.heat_title);
    let grid_x = MARGIN + row_w + 10.0;
    let grid_y = top + col_h + 8.0;
    let grid_w = n * cell;
    // The last column's label leans out past the grid on the right.
    let overhang = names
        .last()
        .map_or(0.0, |ls| widest(ls) * diag + cell / 2.0 - grid_w)
        .max(0.0);
    let width = (grid_x + grid_w + overhang.max(cell / 2.0) + MARGIN)
        .max(420.0)
        .ceil();

    for (i, ls) in names.iter().enumerate() {
        // Row label, centred on its row.
        let cy = grid_y + (i as f32 + 0.5) * cell;
        let first = cy - (ls.len() as f32 - 1.0) * lh / 2.0 + FONT * 0.35;
        for (k, line) in ls.iter().enumerate() {
            shapes.push(with_class(
                text(
                    grid_x - 8.0,
                    first + k as f32 * lh,
                    line,
                    FONT,
                    Weight::Regular,
                    Anchor::End,
                ),
                "row-label",
            ));
        }
        // Column label: its last line's foot just above the column's middle.
        let fx = grid_x + (i as f32 + 0.5) * cell + FONT * 0.35;
        let fy = grid_y - 6.0;
        let last = ls.len() - 1;
        for (k, line) in ls.iter().enumerate() {
            let up = (last - k) as f32 * lh * diag;
            let mut t = with_class(
                text(fx - up, fy - up, line, FONT, Weight::Regular, Anchor::Start),
                "column-label",
            );
            if let Shape::Text { rotate, .. } = &mut t {
                *rotate = -45.0;
            }
            shapes.push(t);
        }
    }

    for (i, (a, _)) in shown.iter().enumerate() {
        for (j, (b, _)) in shown.iter().enumerate() {
            let v = count(*a, *b);
            let fill = heat_colour(v, max);
            let x = grid_x + j as f32 * cell;
            let y = grid_y + i as f32 * cell;
            shapes.push(Shape::Rect {
                class: "cell",
                x,
                y,
                w: cell,
                h: cell,
                fill,
                stroke: Some(Rgb::WHITE),
            });
            let dark = v > 0 && max > 0 && v as f32 / max as f32 > 0.5;
            shapes.push(Shape::Text {
                class: "count",
                x: x + cell / 2.0,
                y: y + cell / 2.0 + FONT * 0.35,
                text: v.to_string(),
                size: FONT,
                weight: if i == j {
                    Weight::Bold
                } else {
                    Weight::Regular
                },
                anchor: Anchor::Middle,
                fill: if dark { Rgb::WHITE } else { Rgb::INK },
                rotate: 0.0,
            });
        }
    }

    // The scale: five swatches from none to the largest count.
    let mut y = grid_y + n * cell + 18.0;
    let steps: Vec<usize> = if max == 0 {
        vec![0]
    } else {
        let mut s: Vec<usize> = (0..5).map(|k| (max * k).div_ceil(4)).collect();
        s.dedup();
        s
    };
    let mut x = MARGIN;
    for v in &steps {
        shapes.push(Shape::Rect {
            class: "swatch",
            x,
            y,
            w: 18.0,
            h: 12.0,
            fill: heat_colour(*v, max),
            stroke: Some(Rgb::RULE),
        });
        shapes.push(with_class(
            text(
                x + 22.0,
                y + 10.0,
                &v.to_string(),
                SMALL,
                Weight::Regular,
                Anchor::Start,
            ),
            "swatch-label",
        ));
        x += 22.0 + text_width(&v.to_string(), SMALL, Weight::Regular) + 14.0;
    }
    y += 12.0;
    let mut lines = vec![if by_met {
        w.colour_met
    } else {
        w.colour_proposed
    }];
    let unknown;
    if m.unattributed.proposed > 0 {
        unknown = format!("{}: {}.", m.unattributed.proposed, w.unattributed);
        lines.push(&unknown);
    }
    let y = notes(&mut shapes, &lines, y, width);
    Picture {
        width,
        height: (y + MARGIN).ceil(),
        title: w.heat_title.to_string(),
        shapes,
    }
}

/// The domains as a network: one circle per shown domain on a ring, its
/// area in proportion to the domain's members; a line between two domains
/// as wide as the links between them that met (dotted and thin where links
/// were proposed but none met). Links within a domain are not drawn.
pub fn domain_network(m: &DomainMatrix, locale: Locale) -> Picture {
    let w = words(locale);
    let shown = shown_domains(m);
    if shown.is_empty() {
        return empty(w.network_title, locale);
    }
    let ring = 150.0;
    let biggest = 30.0;
    let max_members = shown.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let radius = |members: usize| (biggest * (members as f32 / max_members as f32).sqrt()).max(3.0);
    let labels: Vec<Vec<String>> = shown
        .iter()
        .map(|(d, n)| {
            let mut ls = wrap(labels::domain(*d, locale), FONT, Weight::Regular, LABEL_W);
            ls.push(format!("{n} {}", w.members));
            ls
        })
        .collect();
    let label_w = labels
        .iter()
        .flatten()
        .map(|s| text_width(s, FONT, Weight::Regular))
        .fold(0.0f32, f32::max);

    let mut shapes = Vec::new();
    let top = heading(&mut shapes, w.network_title);
    let half = ring + biggest + 10.0 + label_w;
    let width = (2.0 * (half + MARGIN)).ceil();
    let lh = FONT * 1.25;
    let label_h = labels.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh;
    let cx = width / 2.0;
    let cy = top + label_h + biggest + ring + 10.0;
    let count = shown.len();
    let at = |i: usize| {
        // The first domain at the top, the rest clockwise. With one domain
        // it sits in the middle.
        if count == 1 {
            return (cx, cy, 0.0f32);
        }
        let angle =
            -std::f32::consts::FRAC_PI_2 + i as f32 * 2.0 * std::f32::consts::PI / count as f32;
        (cx + ring * angle.cos(), cy + ring * angle.sin(), angle)
    };

    let max_met = m
        .cells
        .iter()
        .filter(|c| c.domains[0] != c.domains[1])
        .map(|c| c.counts.met)
        .max()
        .unwrap_or(0)
        .max(1);
    let index = |d: Domain| shown.iter().position(|s| s.0 == d);
    for c in m.cells.iter().filter(|c| c.domains[0] != c.domains[1]) {
        let (Some(i), Some(j)) = (index(c.domains[0]), index(c.domains[1])) else {
            continue;
        };
        let (x1, y1, _) = at(i);
        let (x2, y2, _) = at(j);
        let met = c.counts.met > 0;
        shapes.push(Shape::Line {
            class: if met { "link" } else { "link-unmet" },
            x1,
            y1,
            x2,
            y2,
            width: if met {
                (12.0 * c.counts.met as f32 / max_met as f32).max(1.0)
            } else {
                0.75
            },
            stroke: if met {
                Rgb(49, 130, 189)
            } else {
                Rgb(173, 181, 189)
            },
            dashed: !met,
        });
    }

    for (i, (_, members)) in shown.iter().enumerate() {
        let (x, y, angle) = at(i);
        let r = radius(*members);
        shapes.push(Shape::Circle {
            class: "domain",
            cx: x,
            cy: y,
            r,
            fill: Rgb(253, 141, 60),
            stroke: Some(Rgb::WHITE),
        });
        // The label outside the ring, on the side the circle is on.
        let (dx, dy) = (angle.cos(), angle.sin());
        let gap = r + 8.0;
        let ls = &labels[i];
        let block = ls.len() as f32 * lh;
        let (lx, anchor) = if count == 1 || dx.abs() < 0.3 {
            (x, Anchor::Middle)
        } else if dx > 0.0 {
            (x + gap, Anchor::Start)
        } else {
            (x - gap, Anchor::End)
        };
        let first = if count == 1 || dy < -0.3 && dx.abs() < 0.3 {
            // Above the circle.
            y - gap - block + FONT
        } else if dy > 0.3 && dx.abs() < 0.3 {
            y + gap + FONT
        } else {
            y - block / 2.0 + FONT * 0.9
        };
        for (k, line) in ls.iter().enumerate() {
            let last = k + 1 == ls.len();
            let mut t = with_class(
                text(
                    lx,
                    first + k as f32 * lh,
                    line,
                    FONT,
                    if last { Weight::Regular } else { Weight::Bold },
                    anchor,
                ),
                if last { "members" } else { "domain-label" },
            );
            if let (true, Shape::Text { fill, .. }) = (last, &mut t) {
                *fill = Rgb::GREY;
            }
            shapes.push(t);
        }
    }

    let y = cy + ring + biggest + label_h + 10.0;
    let mut lines = vec![w.network_legend, w.network_unmet];
    let unknown;
    if m.unattributed.proposed > 0 {
        unknown = format!("{}: {}.", m.unattributed.proposed, w.unattributed);
        lines.push(&unknown);
    }
    let y = notes(&mut shapes, &lines, y, width);
    Picture {
        width,
        height: (y + MARGIN).ceil(),
        title: w.network_title.to_string(),
        shapes,
    }
}

/// Numbers as SVG writes them: at most two decimals, no trailing zeros, so
/// the output is the same on every machine and small.
fn num(v: f32) -> String {
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The picture as a standalone SVG 1.1 document.
pub fn to_svg(p: &Picture) -> String {
    let mut s = String::new();
    let (w, h) = (num(p.width), num(p.height));
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" \
         width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"DejaVu Sans\">\n<title>{}</title>\n\
         <rect class=\"background\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
        escape(&p.title)
    );
    for shape in &p.shapes {
        match shape {
            Shape::Rect {
                class,
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                let _ = write!(
                    s,
                    "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"",
                    num(*x),
                    num(*y),
                    num(*w),
                    num(*h),
                    fill.hex()
                );
                if let Some(c) = stroke {
                    let _ = write!(s, " stroke=\"{}\"", c.hex());
                }
                s.push_str("/>\n");
            }
            Shape::Circle {
                class,
                cx,
                cy,
                r,
                fill,
                stroke,
            } => {
                let _ = write!(
                    s,
                    "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"",
                    num(*cx),
                    num(*cy),
                    num(*r),
                    fill.hex()
                );
                if let Some(c) = stroke {
                    let _ = write!(s, " stroke=\"{}\" stroke-width=\"1.5\"", c.hex());
                }
                s.push_str("/>\n");
            }
            Shape::Line {
                class,
                x1,
                y1,
                x2,
                y2,
                width,
                stroke,
                dashed,
            } => {
                let _ = write!(
                    s,
                    "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" \
                     stroke=\"{}\" stroke-width=\"{}\" stroke-linecap=\"round\"",
                    num(*x1),
                    num(*y1),
                    num(*x2),
                    num(*y2),
                    stroke.hex(),
                    num(*width)
                );
                if *dashed {
                    s.push_str(" stroke-dasharray=\"3 3\"");
                }
                s.push_str("/>\n");
            }
            Shape::Text {
                class,
                x,
                y,
                text,
                size,
                weight,
                anchor,
                fill,
                rotate,
            } => {
                let _ = write!(
                    s,
                    "<text class=\"{class}\" x=\"{}\" y=\"{}\" font-size=\"{}\"",
                    num(*x),
                    num(*y),
                    num(*size)
                );
                if *weight == Weight::Bold {
                    s.push_str(" font-weight=\"bold\"");
                }
                match anchor {
                    Anchor::Start => {}
                    Anchor::Middle => s.push_str(" text-anchor=\"middle\""),
                    Anchor::End => s.push_str(" text-anchor=\"end\""),
                }
                if *rotate != 0.0 {
                    let _ = write!(
                        s,
                        " transform=\"rotate({} {} {})\"",
                        num(*rotate),
                        num(*x),
                        num(*y)
                    );
                }
                let _ = writeln!(s, " fill=\"{}\">{}</text>", fill.hex(), escape(text));
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests;
