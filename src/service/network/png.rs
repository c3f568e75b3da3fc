//! The network pictures as PNG, rasterised by resvg from the same SVG the
//! SVG endpoints send. Only the compiled-in DejaVu fonts are in its font
//! database (no system fonts), so every machine draws the same pixels.

use crate::service::pdf::fonts::{BOLD, REGULAR};
use resvg::usvg::{self, fontdb};
use std::sync::{Arc, OnceLock};

fn fonts() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        for data in [REGULAR, BOLD] {
            db.load_font_source(fontdb::Source::Binary(Arc::new(data)));
        }
        Arc::new(db)
    })
    .clone()
}

/// An SVG written by [`crate::network::picture::to_svg`] as a PNG of its
/// size in pixels. Panics only on an SVG that is not well-formed or has no
/// size, which `to_svg` never writes.
pub fn to_png(svg: &str) -> Vec<u8> {
    let opt = usvg::Options {
        font_family: "DejaVu Sans".into(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).expect("to_svg writes well-formed SVG");
    let size = tree.size().to_int_size();
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("a picture has a size");
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().expect("a pixmap encodes as PNG")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Domain, Locale};
    use crate::network::matrix::{Cell, DomainMatrix, DomainMembers};
    use crate::network::measures::LinkCounts;
    use crate::network::picture::{domain_network, heat_map, to_svg};

    fn matrix() -> DomainMatrix {
        let counts = |proposed, met| LinkCounts {
            proposed,
            met,
            ..LinkCounts::default()
        };
        DomainMatrix {
            domains: Domain::ALL
                .iter()
                .map(|&domain| DomainMembers {
                    domain,
                    members: if domain == Domain::Other { 0 } else { 4 },
                })
                .collect(),
            cells: vec![
                Cell {
                    domains: [Domain::Uwv, Domain::Municipality],
                    counts: counts(5, 3),
                },
                Cell {
                    domains: [Domain::Uwv, Domain::Uwv],
                    counts: counts(2, 2),
                },
            ],
            unattributed: LinkCounts::default(),
            totals: counts(7, 5),
        }
    }

    /// Width and height from the IHDR chunk, which follows the signature.
    fn png_size(png: &[u8]) -> (u32, u32) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
        (be(16), be(20))
    }

    #[test]
    fn pictures_rasterise_to_their_size_the_same_every_time() {
        for locale in [Locale::Nl, Locale::En] {
            for picture in [
                heat_map(&matrix(), locale),
                domain_network(&matrix(), locale),
            ] {
                let svg = to_svg(&picture);
                let png = to_png(&svg);
                assert_eq!(
                    png_size(&png),
                    (picture.width.ceil() as u32, picture.height.ceil() as u32)
                );
                assert_eq!(png, to_png(&svg));
            }
        }
    }

    #[test]
    fn text_is_drawn_with_the_embedded_font() {
        // The same picture with and without its words: if no font were found
        // the text would draw nothing and the two would be equal.
        let p = heat_map(&matrix(), Locale::Nl);
        let mut bare = p.clone();
        bare.shapes
            .retain(|s| !matches!(s, crate::network::picture::Shape::Text { .. }));
        assert_ne!(to_png(&to_svg(&p)), to_png(&to_svg(&bare)));
        assert!(fonts()
            .faces()
            .any(|f| f.families.iter().any(|(name, _)| name == "DejaVu Sans")));
    }

    #[test]
    fn every_word_lies_inside_its_picture_measured_with_the_real_font() {
        use crate::network::picture::{Anchor, Shape, Weight};
        use crate::service::pdf::fonts::{Fonts, Weight as FontWeight};
        let fonts = Fonts::new();
        let mut m = matrix();
        // Every domain with members: the longest names all on show.
        for d in &mut m.domains {
            d.members = 3;
        }
        for locale in [Locale::Nl, Locale::En] {
            for p in [heat_map(&m, locale), domain_network(&m, locale)] {
                for s in &p.shapes {
                    let Shape::Text {
                        x,
                        y,
                        text,
                        size,
                        weight,
                        anchor,
                        rotate,
                        ..
                    } = s
                    else {
                        continue;
                    };
                    let face = fonts.get(match weight {
                        Weight::Regular => FontWeight::Regular,
                        Weight::Bold => FontWeight::Bold,
                    });
                    let w = face.width(text, *size);
                    let back = match anchor {
                        Anchor::Start => 0.0,
                        Anchor::Middle => w / 2.0,
                        Anchor::End => w,
                    };
                    let (sin, cos) = rotate.to_radians().sin_cos();
                    let (x0, y0) = (x - back * cos, y - back * sin);
                    let (x1, y1) = (x0 + w * cos, y0 + w * sin);
                    for (px, py) in [(x0, y0), (x1, y1)] {
                        assert!(
                            px >= 0.0 && px <= p.width && py - size >= 0.0 && py <= p.height,
                            "{text:?} at ({px}, {py}) outside {} × {}",
                            p.width,
                            p.height
                        );
                    }
                }
            }
        }
    }
}
