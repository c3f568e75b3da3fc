//! DejaVu Sans, compiled into the binary so every document and picture is
//! set the same on every machine, with what a PDF needs of it: glyphs,
//! widths, and a subset of only the glyphs used, embedded as a CID font with
//! a ToUnicode map so readers can search and copy the text.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;

pub static REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
pub static BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans-Bold.ttf"
));

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    pub const ALL: [Weight; 2] = [Weight::Regular, Weight::Bold];

    /// The font's name in a page's resources.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Weight::Regular => b"F1",
            Weight::Bold => b"F2",
        }
    }
}

pub struct Face {
    pub face: ttf_parser::Face<'static>,
    data: &'static [u8],
    /// Font units to thousandths of an em.
    pub scale: f32,
    /// The glyph drawn for a character the font lacks.
    pub fallback: u16,
}

impl Face {
    pub fn new(data: &'static [u8]) -> Face {
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

    pub fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(self.fallback, |g| g.0)
    }

    /// In thousandths of an em.
    pub fn advance(&self, glyph: u16) -> f32 {
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(glyph))
                .unwrap_or(0),
        ) * self.scale
    }

    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }
}

pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

impl Fonts {
    pub fn new() -> Fonts {
        Fonts {
            regular: Face::new(REGULAR),
            bold: Face::new(BOLD),
        }
    }

    pub fn get(&self, w: Weight) -> &Face {
        match w {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

impl Default for Fonts {
    fn default() -> Self {
        Fonts::new()
    }
}

/// The glyphs a font's text uses, renumbered for its subset, with the
/// character each stands for.
pub struct Used {
    remapper: subsetter::GlyphRemapper,
    chars: BTreeMap<u16, char>,
}

impl Used {
    pub fn new() -> Self {
        Used {
            remapper: subsetter::GlyphRemapper::new(),
            chars: BTreeMap::new(),
        }
    }

    /// The text as 2-byte CIDs (Identity-H) of the subset.
    pub fn encode(&mut self, face: &Face, text: &str) -> Vec<u8> {
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

impl Default for Used {
    fn default() -> Self {
        Used::new()
    }
}

pub fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Writes the font `type0` refers to: its CID font, descriptor, subset and
/// ToUnicode map, taking further object numbers from `alloc`.
pub fn embed(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    type0: Ref,
    weight: Weight,
    face: &Face,
    used: &Used,
) {
    let cid = alloc();
    let descriptor = alloc();
    let file = alloc();
    let cmap_ref = alloc();
    // A subset is named with a tag of six capitals (PDF 32000 9.6.4).
    let base = match weight {
        Weight::Regular => "BMPFRR+DejaVuSans",
        Weight::Bold => "BMPFBB+DejaVuSans-Bold",
    };
    let info_sys = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0)
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
        .stem_v(if weight == Weight::Bold { 140.0 } else { 80.0 })
        .font_file2(file);

    let subset =
        subsetter::subset(face.data, 0, &used.remapper).expect("the embedded font can be subset");
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
