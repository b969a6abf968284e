//! What a write changed ([`Change`]) and how an admin handler declares it
//! ([`declare`]) for the invalidation that follows the request.

use std::cell::Cell;
use std::rc::Rc;

/// What a write may have changed on public pages and Content API responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing a visitor can see.
    Nothing,
    /// One article's own content: its page and every listing (feeds, search,
    /// API responses) may show it; other articles' pages do not.
    Article(i32),
    /// Anything: settings, names, a listing card, publication.
    Everything,
}

impl Change {
    /// Two changes made by one request.
    pub fn and(self, other: Change) -> Change {
        match (self, other) {
            (Change::Nothing, c) | (c, Change::Nothing) => c,
            (Change::Article(a), Change::Article(b)) if a == b => Change::Article(a),
            _ => Change::Everything,
        }
    }
}

tokio::task_local! {
    /// The change declared by the admin write being handled (see [`declare`]).
    pub(super) static DECLARED: Rc<Cell<Option<Change>>>;
}

/// Declares what the admin write being handled changed, instead of the
/// default (everything). Called from inside a request to `/admin` or
/// `/api/v1/admin`; anywhere else it does nothing. Declaring twice combines.
pub fn declare(change: Change) {
    let _ = DECLARED.try_with(|d| {
        d.set(Some(d.get().map_or(change, |c| c.and(change))));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_combine_towards_more() {
        use Change::*;
        assert_eq!(Nothing.and(Nothing), Nothing);
        assert_eq!(Nothing.and(Article(3)), Article(3));
        assert_eq!(Article(3).and(Article(3)), Article(3));
        assert_eq!(Article(3).and(Article(4)), Everything);
        assert_eq!(Everything.and(Nothing), Everything);
    }

    #[test]
    fn declaring_works_only_inside_a_write() {
        declare(Change::Nothing); // outside: ignored, no panic
        let cell = Rc::new(Cell::new(None));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(DECLARED.scope(cell.clone(), async {
            declare(Change::Article(7));
            declare(Change::Nothing);
        }));
        assert_eq!(cell.get(), Some(Change::Article(7)));
    }
}
