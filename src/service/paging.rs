//! Pages of a list: `page` counts from 1, `per_page` is at most
//! [`MAX_PER_PAGE`], and every paged answer has the same shape.

use crate::error::AppError;

pub const MAX_PER_PAGE: u32 = 100;

/// The row offset of a page, after checking `page` (from 1) and `per_page`
/// (1 to [`MAX_PER_PAGE`]).
pub fn offset(page: u32, per_page: u32) -> Result<i64, AppError> {
    if page == 0 {
        return Err(AppError::invalid_field("page", "must be 1 or more"));
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(AppError::invalid_field(
            "per_page",
            format!("must be between 1 and {MAX_PER_PAGE}"),
        ));
    }
    Ok(i64::from(page - 1) * i64::from(per_page))
}

#[derive(Debug, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T> Page<T> {
    /// One page of a list already in memory: for a member's own lists
    /// (matches, learning record), which grow by a few entries a round and
    /// are read whole for the export anyway.
    pub fn of(all: Vec<T>, page: u32, per_page: u32) -> Result<Page<T>, AppError> {
        let offset = usize::try_from(offset(page, per_page)?).unwrap_or(usize::MAX);
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        Ok(Page {
            items: all
                .into_iter()
                .skip(offset)
                .take(per_page as usize)
                .collect(),
            page,
            per_page,
            total,
        })
    }
}
