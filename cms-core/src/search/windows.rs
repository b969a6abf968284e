//! PostgreSQL: the newest (or oldest) matches of a public search read window
//! by window of months, for words found in a few percent of the articles.
//!
//! The capped ids of a search are read newest first by publication time.
//! For a word in most articles the planner walks a listing index and tests
//! each article's `tsvector` until it has enough, a thousand tests or so;
//! for a rare word it takes every match from the GIN index. In between (a
//! word in 1–25 % of the articles) it still walked, testing tens of
//! thousands of `tsvector`s (41–150 ms at a million articles): nothing tells
//! it that the matches it wants are all recent. A window says so: the words
//! and `'#m202610' | '#m202611'`, the months' facets (migration
//! `2026-11-29-000014_search_facets_postgres`), which the GIN index
//! intersects, so only about the matches wanted are read. The first window
//! is sized from the planner's estimate of the matches, each next one from
//! the matches found so far, and the last takes whatever is left.
//!
//! A word in [`WALK_SHARE`] of the articles that pass the filters or more
//! is left to the walk, with the filters as conditions rather than facets
//! (given `'council' & '#c10'`, the planner took the category's facet from
//! GIN, 80 000 articles, instead of walking the category: 28 ms, not 15).
//!
//! Windows are whole months, or whole years when the matches are sparser
//! than [`MAX_WINDOW_MONTHS`] months hold (a category's or an author's
//! years when the search has one: `#c10y2025`), so that a window is a few
//! facets:
//! GIN unions the lists of the facets a query may match one of, and a query
//! with twenty of them (months and years) spent 48 ms in the index alone,
//! where one with three months took 1 ms and one with three years 15 ms.
//! At either end of the search's range a window reaches to the end of its
//! year, past what the search can match (the filters and "published by now"
//! are tested on the articles), so that it stays whole years.

use chrono::{Datelike, NaiveDate};

use super::facets::Facets;
use super::*;

/// A window is sized to hold this many times the matches still wanted.
const WINDOW_MARGIN: f64 = 1.5;
/// Words in at least this share of the articles that pass the filters are
/// read by walking a listing index (the site's, or the category's or
/// author's) newest first, testing each article: about `limit / share`
/// tests, fewer than the matches a window would read.
const WALK_SHARE: f64 = 0.4;
/// After this many windows, the last takes the rest of the range.
const MAX_WINDOWS: usize = 4;
/// A window that would span more months than this spans whole years.
const MAX_WINDOW_MONTHS: i32 = 6;
/// Matches sparser than this many years hold are left to one statement,
/// which takes them all from the GIN index.
const MAX_WINDOW_YEARS: i32 = 4;

/// How to read a public search's capped ids on PostgreSQL.
pub(super) enum Read {
    /// Walk a listing index newest first, testing each article's words
    /// (the filters as conditions, not facets: the planner would take the
    /// facets' lists from GIN instead).
    Walk,
    /// One statement with the filters' facets: the planner takes the few
    /// matches from the GIN index.
    One,
    /// Read window by window: these ids.
    Windows(Vec<i32>),
}

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    plan: String,
}

impl Plan<'_> {
    /// How to read [`Plan::capped_ids`], and the ids when read by windows.
    pub(super) fn windowed_ids(&self, conn: &mut DbConnection, limit: i64) -> CoreResult<Read> {
        let Some((start, end)) = self.live_range(conn)? else {
            return Ok(Read::Windows(Vec::new()));
        };
        if start > end {
            return Ok(Read::Windows(Vec::new()));
        }
        let (first, last) = (month(start.date()), month(end.date()));
        let months = last - first + 1;
        let matches = self.estimate(conn, true)?;
        if matches >= WALK_SHARE * self.estimate(conn, false)? {
            return Ok(Read::Walk);
        }
        let per_month = matches / months as f64;
        let mut span = window_months(limit, per_month);
        if span > 12 * MAX_WINDOW_YEARS || span >= months {
            return Ok(Read::One);
        }
        let newest = self.q.order != SearchOrder::Oldest;
        let mut ids: Vec<i32> = Vec::new();
        // The next month to read, and how many have been read.
        let (mut next, mut read) = (if newest { last } else { first }, 0);
        for round in 1..=MAX_WINDOWS {
            let (lo, hi) = if round == MAX_WINDOWS {
                if newest {
                    (first, next)
                } else {
                    (next, last)
                }
            } else if newest {
                let lo = next - span + 1;
                let lo = if span > MAX_WINDOW_MONTHS {
                    lo - lo.rem_euclid(12)
                } else {
                    lo
                };
                (lo.max(first), next)
            } else {
                let hi = next + span - 1;
                let hi = if span > MAX_WINDOW_MONTHS {
                    hi - hi.rem_euclid(12) + 11
                } else {
                    hi
                };
                (next, hi.min(last))
            };
            let wanted = limit - ids.len() as i64;
            let window = if round < MAX_WINDOWS {
                self.window_facets(cover(lo, hi, first, last))
            } else {
                self.window_times(lo, hi)
            };
            for id in window.capped_statement(conn, wanted)? {
                // Windows never share a month, so never an article; this
                // only guards against an article moved meanwhile.
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            read += hi - lo + 1;
            if ids.len() as i64 >= limit || (newest && lo == first) || (!newest && hi == last) {
                break;
            }
            next = if newest { lo - 1 } else { hi + 1 };
            let rate = ids.len() as f64 / read as f64;
            span = if rate > 0.0 {
                window_months(limit - ids.len() as i64, rate)
            } else {
                span.saturating_mul(4)
            };
        }
        Ok(Read::Windows(ids))
    }

    /// This plan limited to articles with one of `words`, date facets, and
    /// the filters' category and author facets.
    fn window_facets(&self, mut words: Vec<String>) -> Self {
        let mut plan = self.clone();
        let mut groups = self.id_facets();
        // A year of a category (or an author) is a facet of its own, a short
        // list: with the category's and the year's, GIN would read two long
        // ones (`'league' & '#c10'` and three years: 52 ms; with three
        // `#c10y…`: see RESULTS).
        let f = &self.q.filters;
        let owner = match (f.category_id, f.author_id) {
            (Some(id), _) => Some(format!("c{id}")),
            (None, Some(id)) => Some(format!("a{id}")),
            (None, None) => None,
        };
        if let Some(owner) = owner {
            let mut all_years = true;
            for w in &mut words {
                if let Some(year) = w.strip_prefix('y') {
                    *w = format!("{owner}y{year}");
                } else {
                    all_years = false;
                }
            }
            // Each of those years says the category (or author) too: its
            // own facet would be one more long list to intersect (`'league'
            // & '#c10'` and four `#c10y…`: 2.6 ms in the index, 1.9 without),
            // and the planner estimated the matches at a tenth of what they
            // were, as if the two were independent.
            if all_years {
                groups.retain(|g| *g != [owner.clone()]);
            }
        }
        groups.push(words);
        plan.facets = Some(Facets(groups));
        plan
    }

    /// This plan limited to articles published in the months `lo..=hi` by
    /// their times, as the planner likes: for the rest of the range, which
    /// may be long.
    fn window_times(&self, lo: i32, hi: i32) -> Self {
        let mut plan = self.clone();
        let groups = self.id_facets();
        plan.facets = (!groups.is_empty()).then_some(Facets(groups));
        plan.window = Some((midnight(first_day(lo)), midnight(first_day(hi + 1))));
        plan
    }

    /// The planner's estimate of how many articles match the words (when
    /// `words`) and the filters' facets, whatever their status and time:
    /// what it would plan the search with.
    fn estimate(&self, conn: &mut DbConnection, words: bool) -> CoreResult<f64> {
        let mut sql = Sql::new(true);
        let condition = match (&self.facets, words) {
            (_, true) => format!("document @@ ({})", self.pg_tsquery(&mut sql).1),
            (Some(f), false) => {
                format!(
                    "document @@ {}::tsquery",
                    sql.bind(Value::Text(f.tsquery()))
                )
            }
            // Every article: the table's estimated size.
            (None, false) => "true".to_owned(),
        };
        sql.push(&format!(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM article_search_keys WHERE {condition}"
        ));
        let rows: Vec<PlanRow> = sql.load(conn)?;
        Ok(rows
            .first()
            .and_then(|r| serde_json::from_str::<serde_json::Value>(&r.plan).ok())
            .and_then(|v| v[0]["Plan"]["Plan Rows"].as_f64())
            .unwrap_or(0.0))
    }
}

/// Months that hold [`WINDOW_MARGIN`] times `wanted` matches at `per_month`.
fn window_months(wanted: i64, per_month: f64) -> i32 {
    let months = WINDOW_MARGIN * wanted as f64 / per_month.max(f64::MIN_POSITIVE);
    months.ceil().clamp(1.0, i32::MAX as f64) as i32
}

/// The date facets of the months `lo..=hi` (numbered as [`month`] numbers
/// them): a year's when all its months are in, else its months'. At the
/// range's ends (`first`, `last`) the window reaches to the end of the
/// year, where no article the search can match was published.
fn cover(lo: i32, hi: i32, first: i32, last: i32) -> Vec<String> {
    // As far as the window may reach; a year is one word if it all fits.
    let reach_lo = if lo == first {
        lo - lo.rem_euclid(12)
    } else {
        lo
    };
    let reach_hi = if hi == last {
        hi - hi.rem_euclid(12) + 11
    } else {
        hi
    };
    let mut words = Vec::new();
    for year in lo.div_euclid(12)..=hi.div_euclid(12) {
        let january = year * 12;
        if january >= reach_lo && january + 11 <= reach_hi {
            words.push(format!("y{year:04}"));
        } else {
            let months = january.max(lo)..=(january + 11).min(hi);
            words.extend(months.map(|m| format!("m{year:04}{:02}", m - january + 1)));
        }
    }
    words
}

/// Months since year 0, so that consecutive months are consecutive numbers.
fn month(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

/// The first day of a month numbered as [`month`] numbers them.
fn first_day(m: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(NaiveDate::MAX)
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(chrono::NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_consecutive_numbers() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(month(d(2020, 1, 31)) + 1, month(d(2020, 2, 1)));
        assert_eq!(month(d(2019, 12, 1)) + 1, month(d(2020, 1, 15)));
        assert_eq!(first_day(month(d(2019, 12, 24))), d(2019, 12, 1));
        assert_eq!(first_day(month(d(2019, 12, 24)) + 1), d(2020, 1, 1));
    }

    #[test]
    fn windows_are_whole_years_and_months() {
        let m = |y: i32, mo: i32| y * 12 + mo - 1;
        let range = (m(2013, 8), m(2026, 11));
        // The newest months, reaching past now to the end of the year.
        assert_eq!(
            cover(m(2026, 1), m(2026, 11), range.0, range.1),
            vec!["y2026"]
        );
        assert_eq!(
            cover(m(2026, 9), m(2026, 11), range.0, range.1),
            vec!["m202609", "m202610", "m202611"]
        );
        assert_eq!(
            cover(m(2026, 3), m(2026, 8), range.0, range.1),
            vec!["m202603", "m202604", "m202605", "m202606", "m202607", "m202608"]
        );
        assert_eq!(
            cover(m(2024, 1), m(2026, 2), range.0, range.1),
            vec!["y2024", "y2025", "m202601", "m202602"]
        );
        assert_eq!(
            cover(m(2023, 12), m(2024, 12), range.0, range.1),
            vec!["m202312", "y2024"]
        );
        // The oldest months, reaching back to the start of the year.
        assert_eq!(
            cover(m(2013, 8), m(2014, 12), range.0, range.1),
            vec!["y2013", "y2014"]
        );
        assert_eq!(cover(range.0, range.1, range.0, range.1).len(), 14);
    }

    #[test]
    fn windows_hold_the_margin() {
        assert_eq!(window_months(1000, 1500.0), 1);
        assert_eq!(window_months(1000, 500.0), 3);
        assert_eq!(window_months(1000, 0.0), i32::MAX);
        assert_eq!(window_months(1, 1e9), 1);
    }
}
