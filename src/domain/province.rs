//! The twelve Dutch provinces, each with a centroid so that travel limits can
//! be checked without storing addresses.

use super::ParseEnumError;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Province {
    Groningen,
    Friesland,
    Drenthe,
    Overijssel,
    Flevoland,
    Gelderland,
    Utrecht,
    NoordHolland,
    ZuidHolland,
    Zeeland,
    NoordBrabant,
    Limburg,
}

/// (code, Dutch name, latitude, longitude). Centroids are approximate
/// geographic centres of each province's land area, good to a few km, which
/// is finer than any travel limit a member states.
const TABLE: [(Province, &str, &str, f64, f64); 12] = [
    (Province::Groningen, "groningen", "Groningen", 53.22, 6.74),
    (Province::Friesland, "friesland", "Fryslân", 53.11, 5.85),
    (Province::Drenthe, "drenthe", "Drenthe", 52.86, 6.62),
    (
        Province::Overijssel,
        "overijssel",
        "Overijssel",
        52.44,
        6.45,
    ),
    (Province::Flevoland, "flevoland", "Flevoland", 52.53, 5.60),
    (
        Province::Gelderland,
        "gelderland",
        "Gelderland",
        52.06,
        5.95,
    ),
    (Province::Utrecht, "utrecht", "Utrecht", 52.08, 5.20),
    (
        Province::NoordHolland,
        "noord_holland",
        "Noord-Holland",
        52.58,
        4.87,
    ),
    (
        Province::ZuidHolland,
        "zuid_holland",
        "Zuid-Holland",
        51.94,
        4.50,
    ),
    (Province::Zeeland, "zeeland", "Zeeland", 51.45, 3.84),
    (
        Province::NoordBrabant,
        "noord_brabant",
        "Noord-Brabant",
        51.56,
        5.20,
    ),
    (Province::Limburg, "limburg", "Limburg", 51.21, 5.94),
];

impl Province {
    pub const ALL: [Province; 12] = [
        Province::Groningen,
        Province::Friesland,
        Province::Drenthe,
        Province::Overijssel,
        Province::Flevoland,
        Province::Gelderland,
        Province::Utrecht,
        Province::NoordHolland,
        Province::ZuidHolland,
        Province::Zeeland,
        Province::NoordBrabant,
        Province::Limburg,
    ];

    fn row(self) -> &'static (Province, &'static str, &'static str, f64, f64) {
        &TABLE[self as usize]
    }

    pub fn code(self) -> &'static str {
        self.row().1
    }

    pub fn name(self) -> &'static str {
        self.row().2
    }

    pub fn centroid(self) -> (f64, f64) {
        let r = self.row();
        (r.3, r.4)
    }

    /// Great-circle distance between centroids in whole kilometres (rounded).
    /// Same-province travel counts as 0: members in one province can meet.
    pub fn distance_km(self, other: Province) -> u32 {
        DISTANCES[self as usize][other as usize]
    }
}

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
}

/// Precomputed once so the engine's inner loops read a table, and so the
/// numbers are identical on every platform that builds this file.
static DISTANCES: std::sync::LazyLock<[[u32; 12]; 12]> = std::sync::LazyLock::new(|| {
    let mut t = [[0u32; 12]; 12];
    for a in Province::ALL {
        for b in Province::ALL {
            t[a as usize][b as usize] = haversine_km(a.centroid(), b.centroid()).round() as u32;
        }
    }
    t
});

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Province {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TABLE
            .iter()
            .find(|r| r.1 == s)
            .map(|r| r.0)
            .ok_or_else(|| ParseEnumError {
                what: "province",
                got: s.chars().take(64).collect(),
                expected: TABLE.iter().map(|r| r.1).collect::<Vec<_>>().join(", "),
            })
    }
}

impl serde::Serialize for Province {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Province {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order() {
        for (i, p) in Province::ALL.iter().enumerate() {
            assert_eq!(TABLE[i].0, *p);
            assert_eq!(p.code().parse::<Province>().unwrap(), *p);
        }
    }

    #[test]
    fn distances_are_plausible() {
        assert_eq!(Province::Utrecht.distance_km(Province::Utrecht), 0);
        let gz = Province::Groningen.distance_km(Province::Zeeland);
        assert!((240..=300).contains(&gz), "Groningen-Zeeland {gz} km");
        let ut_zh = Province::Utrecht.distance_km(Province::ZuidHolland);
        assert!(
            (40..=70).contains(&ut_zh),
            "Utrecht-Zuid-Holland {ut_zh} km"
        );
        for a in Province::ALL {
            for b in Province::ALL {
                assert_eq!(a.distance_km(b), b.distance_km(a));
            }
        }
    }
}
