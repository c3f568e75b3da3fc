//! The A4 documents the service hands out as PDF (the portfolio, the round
//! outcome report): the compiled-in font, a top-down layout, and the writer
//! that turns laid-out pages into a file. Pure: pages in, bytes out, the
//! same bytes for the same pages on every machine.
//!
//! Pictures ([`crate::network::picture::Picture`]) are drawn as vector
//! graphics from the same display list the SVG is written from.

pub mod fonts;
pub mod layout;

use crate::network::picture::{Anchor, Picture, Shape};
use fonts::{Fonts, Used, Weight};
use layout::{Op, PAGE_H, PAGE_W};
use pdf_writer::types::LineCapStyle;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// What the file says about itself.
pub struct Meta<'a> {
    /// BCP 47, e.g. "nl".
    pub lang: &'a str,
    pub title: &'a str,
    pub author: Option<&'a str>,
}

/// The pages as a PDF.
pub fn write(fonts: &Fonts, pages: &[Vec<Op>], meta: &Meta) -> Vec<u8> {
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
    let font_refs: Vec<Ref> = Weight::ALL.iter().map(|_| alloc()).collect();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut used = [Used::new(), Used::new()];
    let streams: Vec<Vec<u8>> = pages
        .iter()
        .map(|ops| {
            let mut c = Content::new();
            for op in ops {
                draw(&mut c, fonts, &mut used, op);
            }
            fonts::deflate(&c.finish())
        })
        .collect();

    pdf.catalog(catalog).pages(tree).lang(TextStr(meta.lang));
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
        for (w, r) in Weight::ALL.iter().zip(&font_refs) {
            f.pair(Name(w.resource()), *r);
        }
        f.finish();
        res.finish();
        pg.finish();
        pdf.stream(*content, stream).filter(Filter::FlateDecode);
    }

    for ((w, type0), used) in Weight::ALL.iter().zip(&font_refs).zip(&used) {
        fonts::embed(&mut pdf, &mut alloc, *type0, *w, fonts.get(*w), used);
    }

    let mut doc = pdf.document_info(info);
    doc.title(TextStr(meta.title));
    if let Some(author) = meta.author {
        doc.author(TextStr(author));
    }
    doc.creator(TextStr("buddymatch"))
        .producer(TextStr("buddymatch (pdf-writer)"));
    doc.finish();
    pdf.finish()
}

fn text(
    c: &mut Content,
    fonts: &Fonts,
    used: &mut [Used; 2],
    w: Weight,
    size: f32,
    matrix: [f32; 6],
    s: &str,
) {
    let bytes = used[w as usize].encode(fonts.get(w), s);
    c.begin_text();
    c.set_font(Name(w.resource()), size);
    c.set_text_matrix(matrix);
    c.show(Str(&bytes));
    c.end_text();
}

fn draw(c: &mut Content, fonts: &Fonts, used: &mut [Used; 2], op: &Op) {
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
            text: s,
        } => text(
            c,
            fonts,
            used,
            *weight,
            *size,
            [1.0, 0.0, 0.0, 1.0, *x, *y],
            s,
        ),
        Op::Picture {
            picture,
            x,
            top,
            scale,
        } => draw_picture(c, fonts, used, picture, *x, *top, *scale),
    }
}

/// Bézier handles for a quarter circle.
const KAPPA: f32 = 0.552_284_8;

/// The picture's shapes in page coordinates: its (0, 0) at (x0, top), its y
/// turned to point up, every length times `s`.
fn draw_picture(
    c: &mut Content,
    fonts: &Fonts,
    used: &mut [Used; 2],
    p: &Picture,
    x0: f32,
    top: f32,
    s: f32,
) {
    let px = |x: f32| x0 + x * s;
    let py = |y: f32| top - y * s;
    c.save_state();
    // A white ground, as the SVG has.
    c.set_fill_rgb(1.0, 1.0, 1.0);
    c.rect(px(0.0), py(p.height), p.width * s, p.height * s);
    c.fill_nonzero();
    for shape in &p.shapes {
        match shape {
            Shape::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
                ..
            } => {
                let [r, g, b] = fill.unit();
                c.set_fill_rgb(r, g, b);
                c.rect(px(*x), py(y + h), w * s, h * s);
                match stroke {
                    Some(st) => {
                        let [r, g, b] = st.unit();
                        c.set_stroke_rgb(r, g, b);
                        c.set_line_width(s);
                        c.fill_nonzero_and_stroke();
                    }
                    None => {
                        c.fill_nonzero();
                    }
                }
            }
            Shape::Circle {
                cx,
                cy,
                r: radius,
                fill,
                stroke,
                ..
            } => {
                let (x, y, r) = (px(*cx), py(*cy), radius * s);
                let k = r * KAPPA;
                c.move_to(x + r, y);
                c.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
                c.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
                c.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
                c.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
                c.close_path();
                let [fr, fg, fb] = fill.unit();
                c.set_fill_rgb(fr, fg, fb);
                match stroke {
                    Some(st) => {
                        let [r, g, b] = st.unit();
                        c.set_stroke_rgb(r, g, b);
                        c.set_line_width(1.5 * s);
                        c.fill_nonzero_and_stroke();
                    }
                    None => {
                        c.fill_nonzero();
                    }
                }
            }
            Shape::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                stroke,
                dashed,
                ..
            } => {
                c.save_state();
                let [r, g, b] = stroke.unit();
                c.set_stroke_rgb(r, g, b);
                c.set_line_width(width * s);
                c.set_line_cap(LineCapStyle::RoundCap);
                if *dashed {
                    c.set_dash_pattern([3.0 * s, 3.0 * s], 0.0);
                }
                c.move_to(px(*x1), py(*y1));
                c.line_to(px(*x2), py(*y2));
                c.stroke();
                c.restore_state();
            }
            Shape::Text {
                x,
                y,
                text: s_,
                size,
                weight,
                anchor,
                fill,
                rotate,
                ..
            } => {
                let w = match weight {
                    crate::network::picture::Weight::Regular => Weight::Regular,
                    crate::network::picture::Weight::Bold => Weight::Bold,
                };
                let size = size * s;
                let width = fonts.get(w).width(s_, size);
                let back = match anchor {
                    Anchor::Start => 0.0,
                    Anchor::Middle => width / 2.0,
                    Anchor::End => width,
                };
                // SVG turns clockwise with y down; the page's y points up.
                let (sin, cos) = (-rotate.to_radians()).sin_cos();
                let [r, g, b] = fill.unit();
                c.set_fill_rgb(r, g, b);
                let (ax, ay) = (px(*x), py(*y));
                let matrix = [cos, sin, -sin, cos, ax - back * cos, ay - back * sin];
                text(c, fonts, used, w, size, matrix, s_);
            }
        }
    }
    c.restore_state();
}
