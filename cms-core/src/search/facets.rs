//! SQLite: search filters as facet words of the FTS5 index (migration
//! `2026-11-29-000013_search_facets`): what a filtered search adds to its
//! full-text query so that FTS5 skips straight to the articles that pass the
//! filters. See `FACETS_SQL` for the words each article carries.

use super::*;

impl Plan<'_> {
    /// The filters as an FTS5 clause on the `facets` column, which every
    /// article that passes them matches (see `FACETS_SQL`): its category
    /// (`c3`), its author (`a12`), and for a date range the years and months
    /// it spans (`y2019`, `m202001`). The filters themselves are still tested
    /// on the articles, so this only narrows where FTS5 looks. A date range
    /// open at one end is closed with what can match — now for a public
    /// search, the oldest live publication for an open start — and left out
    /// when it spans more than [`MAX_DATE_FACETS`] words (it would hardly
    /// narrow anything) or the admin scope leaves an end open.
    pub(super) fn facets(&self, conn: &mut DbConnection) -> CoreResult<Option<String>> {
        let f = &self.q.filters;
        let mut clauses: Vec<String> = Vec::new();
        if let Some(id) = f.category_id {
            clauses.push(format!("facets : \"c{id}\""));
        }
        if let Some(id) = f.author_id {
            clauses.push(format!("facets : \"a{id}\""));
        }
        if f.published_after.is_some() || f.published_before.is_some() {
            let public = self.q.scope == Scope::Public;
            let end = match (f.published_before, public) {
                (Some(t), true) => Some(t.min(now())),
                (Some(t), false) => Some(t),
                (None, true) => Some(now()),
                (None, false) => None,
            };
            let start = match (f.published_after, public) {
                (Some(t), _) => Some(t),
                (None, true) => articles::first_live_publication(conn)?,
                (None, false) => None,
            };
            if let (Some(start), Some(end)) = (start, end) {
                if let Some(words) = date_facets(start.date(), end.date()) {
                    if words.is_empty() {
                        // Nothing can match; a facet no article has says so.
                        clauses.push("facets : \"none\"".to_owned());
                    } else {
                        let any: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                        clauses.push(format!("facets : ({})", any.join(" OR ")));
                    }
                }
            }
        }
        Ok((!clauses.is_empty()).then(|| clauses.join(" AND ")))
    }
}

/// A date range that spans more facet words than this is not narrowed by them.
pub(super) const MAX_DATE_FACETS: usize = 24;

/// A part of a month of at most this many days is covered by its days
/// (`d<year><month><day>`), a longer part by the month.
const MAX_DAY_FACETS: u32 = 7;

/// The facet words that cover every day from `start` to `end`: `y<year>` for
/// a whole year, `m<year><month>` for a whole month (or most of one), and
/// `d<year><month><day>` for the days of a short part of a month. Empty when
/// `start` is after `end`; `None` when more than [`MAX_DATE_FACETS`] words.
pub(super) fn date_facets(start: chrono::NaiveDate, end: chrono::NaiveDate) -> Option<Vec<String>> {
    use chrono::{Datelike, NaiveDate};
    let mut out = Vec::new();
    if start > end {
        return Some(out);
    }
    for year in start.year()..=end.year() {
        let first = if year == start.year() {
            start.month()
        } else {
            1
        };
        let last = if year == end.year() { end.month() } else { 12 };
        if first == 1
            && last == 12
            && (year != start.year() || start.day() == 1)
            && (year != end.year() || end.day() == 31)
        {
            out.push(format!("y{year:04}"));
            continue;
        }
        for month in first..=last {
            let next = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)
            };
            let days_in_month = next.and_then(|n| n.pred_opt()).map_or(31, |d| d.day());
            let from = if year == start.year() && month == start.month() {
                start.day()
            } else {
                1
            };
            let to = if year == end.year() && month == end.month() {
                end.day()
            } else {
                days_in_month
            };
            if to - from < MAX_DAY_FACETS && !(from == 1 && to == days_in_month) {
                out.extend((from..=to).map(|d| format!("d{year:04}{month:02}{d:02}")));
            } else {
                out.push(format!("m{year:04}{month:02}"));
            }
        }
        if out.len() > MAX_DATE_FACETS {
            return None;
        }
    }
    (out.len() <= MAX_DATE_FACETS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn date_facets_cover_years_months_and_days() {
        let v = |words: &[&str]| Some(words.iter().map(|w| w.to_string()).collect::<Vec<_>>());
        assert_eq!(
            date_facets(d(2020, 1, 5), d(2020, 1, 6)),
            v(&["d20200105", "d20200106"])
        );
        assert_eq!(
            date_facets(d(2020, 1, 5), d(2020, 1, 20)),
            v(&["m202001"]),
            "most of a month"
        );
        assert_eq!(
            date_facets(d(2019, 12, 31), d(2020, 2, 1)),
            v(&["d20191231", "m202001", "d20200201"])
        );
        assert_eq!(
            date_facets(d(2019, 11, 1), d(2022, 1, 31)),
            v(&["m201911", "m201912", "y2020", "y2021", "m202201"])
        );
        assert_eq!(date_facets(d(2020, 1, 1), d(2020, 12, 31)), v(&["y2020"]));
        assert_eq!(
            date_facets(d(2020, 1, 2), d(2020, 12, 31)).map(|w| w.len()),
            Some(12),
            "not the whole year"
        );
        assert_eq!(
            date_facets(d(2020, 2, 25), d(2020, 2, 29)),
            v(&[
                "d20200225",
                "d20200226",
                "d20200227",
                "d20200228",
                "d20200229"
            ])
        );
        assert_eq!(
            date_facets(d(2020, 2, 1), d(2020, 2, 29)),
            v(&["m202002"]),
            "a whole leap February"
        );
        assert_eq!(
            date_facets(d(2021, 1, 1), d(2020, 1, 1)),
            v(&[]),
            "an empty range"
        );
        assert_eq!(
            date_facets(d(1990, 6, 1), d(2026, 6, 1)),
            None,
            "too wide to narrow anything"
        );
        assert_eq!(
            date_facets(d(999, 6, 1), d(999, 6, 1)),
            v(&["d09990601"]),
            "years as strftime writes them"
        );
    }
}
