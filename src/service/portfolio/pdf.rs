//! The portfolio as an A4 PDF a member hands to a certification body:
//! title, who, period, the meetings as a table whose rows wrap (and break
//! across pages under a repeated header), totals, and "page X of Y" on
//! every page.
//!
//! Pure: a [`Portfolio`] in, bytes out. Text is set in DejaVu Sans, compiled
//! into the binary and embedded as a subset (only the glyphs used), as a
//! CID font with a ToUnicode map so readers can search and copy the text.

use super::document::{Labels, Portfolio};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;

static REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
static BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans-Bold.ttf"
));

// A4 in points, and the printable area.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_W - 50.0;
const TOP: f32 = PAGE_H - 50.0;
/// The table and text stop here; the footer sits below.
const BOTTOM: f32 = 62.0;
const FOOTER_Y: f32 = 34.0;

const BODY: f32 = 8.5;
const LINE: f32 = 11.0;
const PAD: f32 = 3.5;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Weight {
    Regular,
    Bold,
}

struct Face {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    /// Font units to thousandths of an em.
    scale: f32,
    /// The glyph drawn for a character the font lacks.
    fallback: u16,
}

impl Face {
    fn new(data: &'static [u8]) -> Face {
        let face = ttf_parser::Face::parse(data, 0).expect("the embedded font parses");
        let scale = 1000.0 / f32::from(face.units_per_em());
        let fallback = face
            .glyph_index('\u{FFFD}')
            .or_else(|| face.glyph_index('?'))
            .map_or(0, |g| g.0);
        Face {
            face,
            data,
            scale,
            fallback,
        }
    }

    fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(self.fallback, |g| g.0)
    }

    /// In thousandths of an em.
    fn advance(&self, glyph: u16) -> f32 {
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(glyph))
                .unwrap_or(0),
        ) * self.scale
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }
}

struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn get(&self, w: Weight) -> &Face {
        match w {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

enum Op {
    Text {
        weight: Weight,
        size: f32,
        x: f32,
        y: f32,
        text: String,
    },
    Line {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        gray: f32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

struct Column {
    title: String,
    width: f32,
    align: Align,
}

/// Lays text out top-down over as many pages as it needs.
struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
    /// The width of the table being drawn.
    table_w: f32,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Layout {
            fonts,
            pages: vec![Vec::new()],
            y: TOP,
            table_w: RIGHT - LEFT,
        }
    }

    fn page(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn text(&mut self, weight: Weight, size: f32, x: f32, y: f32, text: &str) {
        if !text.is_empty() {
            self.page().push(Op::Text {
                weight,
                size,
                x,
                y,
                text: text.to_string(),
            });
        }
    }

    /// A paragraph across the full width; a short one is kept on one page.
    fn paragraph(&mut self, weight: Weight, size: f32, text: &str, after: f32) {
        let leading = size * 1.3;
        let lines = wrap(self.fonts.get(weight), size, text, RIGHT - LEFT);
        if lines.len() <= 6 && self.y - lines.len() as f32 * leading < BOTTOM {
            self.new_page();
        }
        for line in lines {
            if self.y - leading < BOTTOM {
                self.new_page();
            }
            self.y -= leading;
            self.text(weight, size, LEFT, self.y + size * 0.25, &line);
        }
        self.y -= after;
    }

    /// A label and its value on one line (the value wraps under itself).
    fn field(&mut self, label: &str, value: &str) {
        let label_w = 150.0;
        let lines = wrap(&self.fonts.regular, 10.0, value, RIGHT - LEFT - label_w);
        for (i, line) in lines.iter().enumerate() {
            self.y -= 14.0;
            if i == 0 {
                self.text(Weight::Bold, 10.0, LEFT, self.y, label);
            }
            self.text(Weight::Regular, 10.0, LEFT + label_w, self.y, line);
        }
    }

    fn header_row(&mut self, cols: &[Column]) {
        let cells: Vec<Vec<String>> = cols
            .iter()
            .map(|c| wrap(&self.fonts.bold, BODY, &c.title, c.width - 2.0 * PAD))
            .collect();
        let n = cells.iter().map(Vec::len).max().unwrap_or(1);
        let h = n as f32 * LINE + 2.0 * PAD;
        let y = self.y - h;
        let w = self.table_w;
        self.page().push(Op::Fill {
            x: LEFT,
            y,
            w,
            h,
            gray: 0.88,
        });
        self.cells(cols, &cells, 0..n, Weight::Bold);
        self.y -= h;
        self.rule(0.6, 0.3);
    }

    fn rule(&mut self, width: f32, gray: f32) {
        let y = self.y;
        let x2 = LEFT + self.table_w;
        self.page().push(Op::Line {
            x1: LEFT,
            x2,
            y,
            width,
            gray,
        });
    }

    /// Lines `range` of every cell, from the current top.
    fn cells(
        &mut self,
        cols: &[Column],
        cells: &[Vec<String>],
        range: std::ops::Range<usize>,
        weight: Weight,
    ) {
        let mut x = LEFT;
        let top = self.y;
        for (col, lines) in cols.iter().zip(cells) {
            for (k, i) in range.clone().enumerate() {
                let Some(line) = lines.get(i) else { break };
                let baseline = top - PAD - BODY - k as f32 * LINE + 1.0;
                let lx = match col.align {
                    Align::Left => x + PAD,
                    Align::Right => x + col.width - PAD - self.fonts.get(weight).width(line, BODY),
                };
                self.text(weight, BODY, lx, baseline, line);
            }
            x += col.width;
        }
    }

    /// A table: rows wrap within their columns; a row too long for what is
    /// left of a page continues on the next, and every page the table
    /// reaches starts with its header.
    fn table(&mut self, cols: &[Column], rows: &[(Vec<String>, Weight)]) {
        self.table_w = cols.iter().map(|c| c.width).sum();
        // The header with at least one line of the first row.
        if self.y - 3.0 * LINE - 4.0 * PAD < BOTTOM {
            self.new_page();
        }
        self.header_row(cols);
        for (row, weight) in rows {
            let cells: Vec<Vec<String>> = cols
                .iter()
                .zip(row)
                .map(|(c, text)| wrap(self.fonts.get(*weight), BODY, text, c.width - 2.0 * PAD))
                .collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut done = 0;
            while done < n {
                let room = ((self.y - BOTTOM - 2.0 * PAD) / LINE).floor().max(0.0) as usize;
                let left = n - done;
                // Break a row only where both parts keep a few lines.
                let take = if room >= left {
                    left
                } else if room >= 3 && left - room >= 2 {
                    room
                } else {
                    self.new_page();
                    self.header_row(cols);
                    continue;
                };
                self.cells(cols, &cells, done..done + take, *weight);
                self.y -= take as f32 * LINE + 2.0 * PAD;
                self.rule(0.4, 0.6);
                done += take;
                if done < n {
                    self.new_page();
                    self.header_row(cols);
                }
            }
        }
        self.y -= 14.0;
    }
}

/// Greedy line breaking at spaces; a word wider than the column is broken
/// between characters. Line breaks in the text start new lines.
fn wrap(face: &Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let space = face.width(" ", size);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        // The width of `line`, kept as it grows: measuring whole candidate
        // lines would be quadratic in a long reflection.
        let mut line_w = 0.0;
        for word in para.split_whitespace() {
            let word_w = face.width(word, size);
            let joined = if line.is_empty() {
                word_w
            } else {
                line_w + space + word_w
            };
            if joined <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w = joined;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            line_w = 0.0;
            for c in word.chars() {
                let c_w = face.width(c.encode_utf8(&mut [0; 4]), size);
                if line_w + c_w > width && !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += c_w;
            }
        }
        out.push(line);
    }
    while out.len() > 1 && out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// Renders the portfolio.
pub fn render(p: &Portfolio) -> Vec<u8> {
    let fonts = Fonts {
        regular: Face::new(REGULAR),
        bold: Face::new(BOLD),
    };
    let l: &Labels = p.labels;
    let mut lay = Layout::new(&fonts);

    lay.paragraph(Weight::Bold, 18.0, l.title, 2.0);
    lay.paragraph(Weight::Regular, 10.0, l.subtitle, 8.0);
    lay.field(l.name, &p.name);
    lay.field(l.registration, &p.registration);
    if let Some(job) = &p.job {
        lay.field(l.job, job);
    }
    lay.field(l.period, &p.period);
    lay.field(l.generated, &p.generated_on);
    lay.y -= 18.0;

    lay.paragraph(Weight::Bold, 12.0, l.meetings, 6.0);
    if p.rows.is_empty() {
        lay.paragraph(Weight::Regular, 10.0, l.none, 14.0);
    } else {
        let cols = [
            Column {
                title: l.date.into(),
                width: 62.0,
                align: Align::Left,
            },
            Column {
                title: l.form.into(),
                width: 74.0,
                align: Align::Left,
            },
            Column {
                title: l.counterparts.into(),
                width: 112.0,
                align: Align::Left,
            },
            Column {
                title: l.hours.into(),
                width: 34.0,
                align: Align::Right,
            },
            Column {
                title: l.reflection.into(),
                width: RIGHT - LEFT - 62.0 - 74.0 - 112.0 - 34.0,
                align: Align::Left,
            },
        ];
        let rows: Vec<(Vec<String>, Weight)> = p
            .rows
            .iter()
            .map(|r| {
                (
                    vec![
                        r.date_text.clone(),
                        r.form.clone(),
                        match r.counterparts.len() {
                            0 | 1 => r.counterparts.concat(),
                            _ => r
                                .counterparts
                                .iter()
                                .map(|c| format!("• {c}"))
                                .collect::<Vec<_>>()
                                .join("\n"),
                        },
                        r.hours.to_string(),
                        r.reflection.clone(),
                    ],
                    Weight::Regular,
                )
            })
            .collect();
        lay.table(&cols, &rows);
    }

    lay.paragraph(Weight::Bold, 12.0, l.totals, 6.0);
    let two = |first: &str| {
        [
            Column {
                title: first.to_string(),
                width: 300.0,
                align: Align::Left,
            },
            Column {
                title: l.hours.into(),
                width: 60.0,
                align: Align::Right,
            },
        ]
    };
    let mut per_form: Vec<(Vec<String>, Weight)> = p
        .per_form
        .iter()
        .map(|(f, h)| (vec![f.clone(), h.to_string()], Weight::Regular))
        .collect();
    per_form.push((
        vec![l.total.into(), p.total_hours.to_string()],
        Weight::Bold,
    ));
    lay.table(&two(l.per_form)[..], &per_form);
    let per_domain: Vec<(Vec<String>, Weight)> = p
        .per_domain
        .iter()
        .map(|(d, h)| (vec![d.clone(), h.to_string()], Weight::Regular))
        .collect();
    lay.table(&two(l.per_domain)[..], &per_domain);
    lay.paragraph(Weight::Regular, 8.5, l.domain_note, 10.0);
    lay.paragraph(Weight::Regular, 8.5, l.statement, 0.0);

    // Footers, now that the number of pages is known.
    let n = lay.pages.len();
    let left = format!("{} · {}", p.name, l.title);
    for (i, page) in lay.pages.iter_mut().enumerate() {
        let right = l.page_of(i + 1, n);
        let w = fonts.regular.width(&right, 8.0);
        page.push(Op::Line {
            x1: LEFT,
            x2: RIGHT,
            y: FOOTER_Y + 12.0,
            width: 0.4,
            gray: 0.6,
        });
        page.push(Op::Text {
            weight: Weight::Regular,
            size: 8.0,
            x: LEFT,
            y: FOOTER_Y,
            text: left.clone(),
        });
        page.push(Op::Text {
            weight: Weight::Regular,
            size: 8.0,
            x: RIGHT - w,
            y: FOOTER_Y,
            text: right,
        });
    }
    write(&fonts, &lay.pages, p)
}

/// The glyphs a font's text uses, renumbered for its subset, with the
/// character each stands for.
struct Used {
    remapper: subsetter::GlyphRemapper,
    chars: BTreeMap<u16, char>,
}

impl Used {
    fn new() -> Self {
        Used {
            remapper: subsetter::GlyphRemapper::new(),
            chars: BTreeMap::new(),
        }
    }

    /// The text as 2-byte CIDs (Identity-H) of the subset.
    fn encode(&mut self, face: &Face, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            let glyph = face.glyph(c);
            let cid = self.remapper.remap(glyph);
            if glyph != face.fallback || c == '\u{FFFD}' {
                self.chars.entry(cid).or_insert(c);
            }
            out.extend_from_slice(&cid.to_be_bytes());
        }
        out
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

fn write(fonts: &Fonts, pages: &[Vec<Op>], p: &Portfolio) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let weights = [Weight::Regular, Weight::Bold];
    let font_refs: Vec<Ref> = weights.iter().map(|_| alloc()).collect();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut used = [Used::new(), Used::new()];
    let mut streams = Vec::with_capacity(pages.len());
    for ops in pages {
        let mut c = Content::new();
        for op in ops {
            match op {
                Op::Fill { x, y, w, h, gray } => {
                    c.save_state();
                    c.set_fill_gray(*gray);
                    c.rect(*x, *y, *w, *h);
                    c.fill_nonzero();
                    c.restore_state();
                }
                Op::Line {
                    x1,
                    x2,
                    y,
                    width,
                    gray,
                } => {
                    c.save_state();
                    c.set_stroke_gray(*gray);
                    c.set_line_width(*width);
                    c.move_to(*x1, *y);
                    c.line_to(*x2, *y);
                    c.stroke();
                    c.restore_state();
                }
                Op::Text {
                    weight,
                    size,
                    x,
                    y,
                    text,
                } => {
                    let i = *weight as usize;
                    let bytes = used[i].encode(fonts.get(*weight), text);
                    c.begin_text();
                    c.set_font(Name(font_name(*weight)), *size);
                    c.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
                    c.show(Str(&bytes));
                    c.end_text();
                }
            }
        }
        streams.push(deflate(&c.finish()));
    }

    pdf.catalog(catalog)
        .pages(tree)
        .lang(TextStr(p.labels.lang));
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(page, _)| *page))
        .count(pages.len() as i32);
    for ((page, content), stream) in page_refs.iter().zip(&streams) {
        let mut pg = pdf.page(*page);
        pg.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        pg.parent(tree);
        pg.contents(*content);
        let mut res = pg.resources();
        let mut f = res.fonts();
        for (w, r) in weights.iter().zip(&font_refs) {
            f.pair(Name(font_name(*w)), *r);
        }
        f.finish();
        res.finish();
        pg.finish();
        pdf.stream(*content, stream).filter(Filter::FlateDecode);
    }

    for ((w, type0), used) in weights.iter().zip(&font_refs).zip(&used) {
        let face = fonts.get(*w);
        let cid = alloc();
        let descriptor = alloc();
        let file = alloc();
        let cmap_ref = alloc();
        // A subset is named with a tag of six capitals (PDF 32000 9.6.4).
        let base = format!(
            "{}+{}",
            if *w == Weight::Bold {
                "BMPFBB"
            } else {
                "BMPFRR"
            },
            if *w == Weight::Bold {
                "DejaVuSans-Bold"
            } else {
                "DejaVuSans"
            }
        );
        let info_sys = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        pdf.type0_font(*type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap_ref);
        let widths: Vec<f32> = used
            .remapper
            .remapped_gids()
            .map(|g| face.advance(g))
            .collect();
        let mut cf = pdf.cid_font(cid);
        cf.subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(info_sys)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cf.widths().consecutive(0, widths);
        cf.finish();

        let bbox = face.face.global_bounding_box();
        let s = face.scale;
        pdf.font_descriptor(descriptor)
            .name(Name(base.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * s,
                f32::from(bbox.y_min) * s,
                f32::from(bbox.x_max) * s,
                f32::from(bbox.y_max) * s,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(face.face.ascender()) * s)
            .descent(f32::from(face.face.descender()) * s)
            .cap_height(f32::from(face.face.capital_height().unwrap_or(0)) * s)
            .stem_v(if *w == Weight::Bold { 140.0 } else { 80.0 })
            .font_file2(file);

        let subset = subsetter::subset(face.data, 0, &used.remapper)
            .expect("the embedded font can be subset");
        pdf.stream(file, &deflate(&subset))
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), info_sys);
        for (cid, c) in &used.chars {
            cmap.pair(*cid, *c);
        }
        let cmap = cmap.finish();
        pdf.cmap(cmap_ref, &cmap)
            .name(Name(b"Custom"))
            .system_info(info_sys);
    }

    pdf.document_info(info)
        .title(TextStr(&format!("{} – {}", p.labels.title, p.name)))
        .author(TextStr(&p.name))
        .creator(TextStr("buddymatch"))
        .producer(TextStr("buddymatch (pdf-writer)"));
    pdf.finish()
}

fn font_name(w: Weight) -> &'static [u8] {
    match w {
        Weight::Regular => b"F1",
        Weight::Bold => b"F2",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_breaks_long_ones() {
        let face = Face::new(REGULAR);
        let text = "een twee drie vier vijf zes zeven acht negen tien";
        let lines = wrap(&face, 10.0, text, 60.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| face.width(l, 10.0) <= 60.0));
        let long = "x".repeat(200);
        let lines = wrap(&face, 10.0, &long, 50.0);
        assert!(lines.len() > 3);
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap(&face, 10.0, "", 50.0), [""]);
        assert_eq!(wrap(&face, 10.0, "a\n\nb", 50.0), ["a", "", "b"]);
    }
}
