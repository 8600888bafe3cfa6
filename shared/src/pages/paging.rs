//! The dashboard beyond 10,000 pulses: pages of 10,000 rows, most overdue first, instead of one page
//! that grows without end (at about 200 B a row, a page stays near 2 MB and quick in a browser).

/// Rows on one dashboard page.
pub const PAGE_ROWS: usize = 10_000;

/// Which slice of the sorted rows a page shows, and the links to its neighbours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    /// 1-based number of the page's first row, and of its last.
    pub first_row: usize,
    pub last_row: usize,
    pub total: usize,
}

impl Paging {
    /// The page `requested` of `total` rows; past the last page (pulses deleted since the link was
    /// made), the last page.
    pub fn new(requested: usize, total: usize) -> Self {
        let pages = total.div_ceil(PAGE_ROWS).max(1);
        let page = requested.clamp(1, pages);
        let first = (page - 1) * PAGE_ROWS;
        Self {
            page,
            pages,
            first_row: (first + 1).min(total),
            last_row: (first + PAGE_ROWS).min(total),
            total,
        }
    }

    /// The range of the sorted rows this page shows.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.first_row.saturating_sub(1)..self.last_row
    }

    /// `10,000`, as the page says it.
    pub fn per_page(&self) -> String {
        let digits = PAGE_ROWS.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    pub fn previous(&self) -> Option<usize> {
        (self.page > 1).then(|| self.page - 1)
    }

    pub fn next(&self) -> Option<usize> {
        (self.page < self.pages).then(|| self.page + 1)
    }
}

/// `?page=N`: absent is the first page; anything but a whole number from 1 is refused, naming it.
pub fn parse_page(raw: Option<&str>) -> Result<usize, String> {
    match raw {
        None => Ok(1),
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(page) if page >= 1 => Ok(page),
            _ => Err(format!("page must be a whole number from 1, not “{raw}”")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cut_the_rows_in_tens_of_thousands() {
        let p = Paging::new(1, 25_000);
        assert_eq!((p.page, p.pages, p.first_row, p.last_row), (1, 3, 1, 10_000));
        assert_eq!((p.previous(), p.next()), (None, Some(2)));
        let p = Paging::new(3, 25_000);
        assert_eq!((p.first_row, p.last_row, p.range()), (20_001, 25_000, 20_000..25_000));
        assert_eq!((p.previous(), p.next()), (Some(2), None));
        // Past the end: the last page, as pulses may have been deleted since.
        assert_eq!(Paging::new(9, 25_000).page, 3);
        // Up to 10,000 rows: one page, no links.
        let p = Paging::new(1, 10_000);
        assert_eq!((p.pages, p.range(), p.next()), (1, 0..10_000, None));
        assert_eq!(p.per_page(), "10,000");
        let p = Paging::new(1, 0);
        assert_eq!((p.pages, p.range(), p.first_row), (1, 0..0, 0));
    }

    #[test]
    fn the_page_parameter_is_a_whole_number_from_one() {
        assert_eq!(parse_page(None), Ok(1));
        assert_eq!(parse_page(Some("2")), Ok(2));
        for bad in ["0", "-1", "two", "1.5", ""] {
            let err = parse_page(Some(bad)).unwrap_err();
            assert!(err.starts_with("page must be a whole number from 1"), "{bad}: {err}");
        }
    }
}
