//! Search filters as facet words of the index (migration
//! `2026-11-29-000013_search_facets` on SQLite,
//! `2026-11-29-000014_search_facets_postgres` on PostgreSQL): what a filtered
//! search adds to its full-text query so that the index skips straight to
//! the articles that pass the filters. See `FACETS_SQL` (SQLite) and the SQL
//! function `article_search_facets_of` (PostgreSQL) for the words each
//! article carries.

use super::*;

/// Filters as facet words: an article passes when it has one word of every
/// group. Words are written as SQLite stores them (`c3`, `y2020`);
/// PostgreSQL's carry a `#` before them, which no word of a searcher can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Facets(pub(super) Vec<Vec<String>>);

impl Facets {
    /// An FTS5 clause on the `facets` column.
    pub(super) fn fts5(&self) -> String {
        let group = |g: &Vec<String>| {
            let any: Vec<String> = g.iter().map(|w| format!("\"{w}\"")).collect();
            match any.len() {
                1 => format!("facets : {}", any[0]),
                _ => format!("facets : ({})", any.join(" OR ")),
            }
        };
        self.0.iter().map(group).collect::<Vec<_>>().join(" AND ")
    }

    /// `tsquery` text, for a cast (`::tsquery`), which unlike `to_tsquery`
    /// keeps the `#` (the parser would split it off).
    pub(super) fn tsquery(&self) -> String {
        let group = |g: &Vec<String>| {
            let any: Vec<String> = g.iter().map(|w| format!("'#{w}'")).collect();
            match any.len() {
                1 => any[0].clone(),
                _ => format!("({})", any.join(" | ")),
            }
        };
        self.0.iter().map(group).collect::<Vec<_>>().join(" & ")
    }
}

impl Plan<'_> {
    /// The filters as facets, which every article that passes them has: its
    /// category (`c3`), its author (`a12`), and for a date range the years,
    /// months and days it spans (`y2019`, `m202001`, `d20200105`). The
    /// filters themselves are still tested on the articles, so this only
    /// narrows where the index looks. A date range open at one end is closed
    /// with what can match (see [`Plan::live_range`]) and left out when it
    /// spans more than [`MAX_DATE_FACETS`] words (it would hardly narrow
    /// anything; fewer on PostgreSQL) or the admin scope leaves an end open.
    pub(super) fn filter_facets(&self, conn: &mut DbConnection) -> CoreResult<Option<Facets>> {
        let f = &self.q.filters;
        let mut groups = self.id_facets();
        if f.published_after.is_some() || f.published_before.is_some() {
            let range = match self.q.scope {
                Scope::Public => self.live_range(conn)?,
                Scope::Admin { .. } => f.published_after.zip(f.published_before),
            };
            if let Some((start, end)) = range {
                let max = if self.pg {
                    MAX_PG_DATE_FACETS
                } else {
                    MAX_DATE_FACETS
                };
                groups.extend(date_group(start.date(), end.date()).filter(|g| g.len() <= max));
            }
        }
        Ok((!groups.is_empty()).then_some(Facets(groups)))
    }

    /// The category and author filters as facet groups.
    pub(super) fn id_facets(&self) -> Vec<Vec<String>> {
        let f = &self.q.filters;
        let mut groups = Vec::new();
        if let Some(id) = f.category_id {
            groups.push(vec![format!("c{id}")]);
        }
        if let Some(id) = f.author_id {
            groups.push(vec![format!("a{id}")]);
        }
        groups
    }

    /// A public search's publication times, from the oldest live
    /// publication (or the filter's start) to now (or the filter's end);
    /// `None` when no article is live.
    pub(super) fn live_range(
        &self,
        conn: &mut DbConnection,
    ) -> CoreResult<Option<(NaiveDateTime, NaiveDateTime)>> {
        let f = &self.q.filters;
        let end = f.published_before.map_or(now(), |t| t.min(now()));
        let start = match f.published_after {
            Some(t) => Some(t),
            None => articles::first_live_publication(conn)?,
        };
        Ok(start.map(|s| (s, end)))
    }
}

/// The facet group of the days from `start` to `end` (see [`date_facets`]):
/// `None` when they span too many words to narrow anything; a facet no
/// article has when the range is empty.
pub(super) fn date_group(start: chrono::NaiveDate, end: chrono::NaiveDate) -> Option<Vec<String>> {
    let words = date_facets(start, end)?;
    Some(if words.is_empty() {
        vec!["none".to_owned()]
    } else {
        words
    })
}

/// A date range that spans more facet words than this is not narrowed by them.
pub(super) const MAX_DATE_FACETS: usize = 24;

/// PostgreSQL narrows by fewer: its GIN index unions the lists of all the
/// words, and seventeen (2013 to mid-2020) made a search of one category
/// slower (95 ms) than the same search without them.
const MAX_PG_DATE_FACETS: usize = 6;

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
