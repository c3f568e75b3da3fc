//! Laying a document out top-down on A4 pages: paragraphs, label–value
//! fields, tables whose rows wrap (and break across pages under a repeated
//! header), pictures, and a footer on every page.

use super::fonts::{Face, Fonts, Weight};
use crate::network::picture::Picture;

// A4 in points, and the printable area.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const LEFT: f32 = 50.0;
pub const RIGHT: f32 = PAGE_W - 50.0;
pub const TOP: f32 = PAGE_H - 50.0;
/// The table and text stop here; the footer sits below.
pub const BOTTOM: f32 = 62.0;
const FOOTER_Y: f32 = 34.0;

/// A table's text size and its cells' padding.
pub const BODY: f32 = 8.5;
const LINE: f32 = 11.0;
pub const PAD: f32 = 3.5;

/// What a page shows, in PDF coordinates (points, y up).
pub enum Op {
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
    /// A picture's top-left corner at (x, top), its units scaled by `scale`.
    Picture {
        picture: Picture,
        x: f32,
        top: f32,
        scale: f32,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Column {
    pub title: String,
    pub width: f32,
    pub align: Align,
}

/// Lays text out top-down over as many pages as it needs.
pub struct Layout<'f> {
    fonts: &'f Fonts,
    pub pages: Vec<Vec<Op>>,
    pub y: f32,
    /// The width of the table being drawn.
    table_w: f32,
}

impl<'f> Layout<'f> {
    pub fn new(fonts: &'f Fonts) -> Self {
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

    pub fn new_page(&mut self) {
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
    pub fn paragraph(&mut self, weight: Weight, size: f32, text: &str, after: f32) {
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
    pub fn field(&mut self, label: &str, value: &str) {
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
    pub fn table(&mut self, cols: &[Column], rows: &[(Vec<String>, Weight)]) {
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

    /// A picture across the width at most (never enlarged), on the next page
    /// when what is left of this one would shrink it by more than a third.
    pub fn picture(&mut self, picture: &Picture, after: f32) {
        let fit = |room: f32| {
            ((RIGHT - LEFT) / picture.width)
                .min(room / picture.height)
                .min(1.0)
        };
        let full = fit(TOP - BOTTOM);
        if fit(self.y - BOTTOM) < full * 0.67 {
            self.new_page();
        }
        let scale = fit(self.y - BOTTOM);
        let x = LEFT + ((RIGHT - LEFT) - picture.width * scale) / 2.0;
        let top = self.y;
        self.page().push(Op::Picture {
            picture: picture.clone(),
            x,
            top,
            scale,
        });
        self.y -= picture.height * scale + after;
    }

    /// A rule and a line of text at the foot of every page: `left`, and on
    /// the right what `right` makes of (page, pages).
    pub fn footers(&mut self, left: &str, right: impl Fn(usize, usize) -> String) {
        let n = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            let right = right(i + 1, n);
            let w = self.fonts.regular.width(&right, 8.0);
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
                text: left.to_string(),
            });
            page.push(Op::Text {
                weight: Weight::Regular,
                size: 8.0,
                x: RIGHT - w,
                y: FOOTER_Y,
                text: right,
            });
        }
    }
}

/// Greedy line breaking at spaces; a word wider than the column is broken
/// between characters. Line breaks in the text start new lines.
pub fn wrap(face: &Face, size: f32, text: &str, width: f32) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::pdf::fonts::REGULAR;

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
