//! Typed ids: plain `u32`s underneath (`#[repr(transparent)]`), so the
//! solver's arrays keep their size while a vertex can no longer be used
//! where a blossom, group or edge is meant.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An id that numbers the slots of an [`IdVec`].
pub(super) trait Id: Copy {
    /// The slot this id names.
    fn index(self) -> usize;
}

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
        #[repr(transparent)]
        pub(super) struct $name(pub(super) u32);

        impl $name {
            /// The "no such id" sentinel, kept in unset slots.
            pub(super) const NONE: $name = $name(u32::MAX);
        }

        impl Id for $name {
            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A vertex of the graph, `0..n`.
    Vertex
);
id!(
    /// A blossom: ids below n are the vertices themselves (trivial
    /// blossoms), ids from n up to 2n are non-trivial blossoms.
    Blossom
);
id!(
    /// A vertex group: the set of vertices one top-level blossom owns.
    Group
);
id!(
    /// An edge of the deduplicated graph, stored with `eu < ev`.
    EdgeId
);

impl From<Vertex> for Blossom {
    /// A vertex as the trivial blossom that holds only it.
    #[inline]
    fn from(v: Vertex) -> Blossom {
        Blossom(v.0)
    }
}

/// An edge together with which of its ends is the even one, packed as
/// `2e + side` so a best-edge slot stays one `u32`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub(super) struct SidedEdge(u32);

impl SidedEdge {
    /// The "no edge" sentinel.
    pub(super) const NONE: SidedEdge = SidedEdge(u32::MAX);

    /// Edge `e` with its even end at `ev` (the larger vertex) when
    /// `even_is_v`, else at `eu`.
    #[inline]
    pub(super) fn new(e: EdgeId, even_is_v: bool) -> SidedEdge {
        SidedEdge(2 * e.0 + u32::from(even_is_v))
    }

    /// The edge without its side.
    #[inline]
    pub(super) fn edge(self) -> EdgeId {
        EdgeId(self.0 >> 1)
    }

    /// Whether the even end is the edge's `ev`.
    #[inline]
    pub(super) fn even_is_v(self) -> bool {
        self.0 & 1 == 1
    }
}

/// A vertex's or top-level blossom's place in the alternating forest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(super) enum Label {
    /// In no tree ("free-standing"); its dual is stored as is.
    Free,
    /// At an even distance from its tree's root; its dual falls as `d` grows.
    Even,
    /// At an odd distance; its dual rises as `d` grows.
    Odd,
}

/// A `Vec` indexed by one kind of id only.
#[derive(Clone, Debug)]
pub(super) struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I)>,
}

impl<I: Id, T> IdVec<I, T> {
    /// `len` slots holding `value`.
    pub(super) fn filled(value: T, len: usize) -> IdVec<I, T>
    where
        T: Clone,
    {
        IdVec::from(vec![value; len])
    }

    /// Number of slots.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    /// The slots in id order.
    pub(super) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// Sets every slot to `value`.
    pub(super) fn fill(&mut self, value: T)
    where
        T: Clone,
    {
        self.items.fill(value);
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    /// Slot `i` holds `items[i]`.
    fn from(items: Vec<T>) -> IdVec<I, T> {
        IdVec {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    /// Slots in iteration order.
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> IdVec<I, T> {
        IdVec::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    #[inline]
    fn index(&self, i: I) -> &T {
        &self.items[i.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    #[inline]
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.items[i.index()]
    }
}
