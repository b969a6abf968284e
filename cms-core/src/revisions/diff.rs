//! Readable differences between two revisions: a line diff built on a longest
//! common subsequence (small enough to write here rather than add a crate), a
//! field-by-field comparison, and the one-line summary stored with each revision.

use chrono::NaiveDateTime;

use super::Snapshot;

/// Beyond this many cells the LCS table is not built; the differing middle of
/// the two texts is then shown as removed, then added. 4 million cells is a
/// 2 000 × 2 000 line section, 16 MB for a moment.
const MAX_CELLS: usize = 4_000_000;

/// Unchanged lines kept around each change; longer unchanged runs are folded.
pub const CONTEXT_LINES: usize = 2;

/// What happened to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Same,
    Added,
    Removed,
    /// A run of unchanged lines left out; [`Line::skipped`] says how many.
    Skipped,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    /// The line's text (empty for [`LineKind::Skipped`]).
    pub text: String,
    /// For [`LineKind::Skipped`]: how many unchanged lines were folded.
    pub skipped: usize,
}

impl Line {
    fn new(kind: LineKind, text: &str) -> Line {
        Line {
            kind,
            text: text.to_owned(),
            skipped: 0,
        }
    }
}

/// Index pairs `(i, j)` with `a[i] == b[j]`, increasing in both, forming a
/// longest common subsequence. Common prefix and suffix are matched first, so
/// the usual small edit in a long text costs almost nothing.
pub fn lcs<T: PartialEq>(a: &[T], b: &[T]) -> Vec<(usize, usize)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|i| (i, i)).collect();
    let (n, m) = (ma.len(), mb.len());
    if n > 0 && m > 0 && (n + 1).saturating_mul(m + 1) <= MAX_CELLS {
        // t[i * w + j]: length of the LCS of ma[i..] and mb[j..].
        let w = m + 1;
        let mut t = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                t[i * w + j] = if ma[i] == mb[j] {
                    t[(i + 1) * w + j + 1] + 1
                } else {
                    t[(i + 1) * w + j].max(t[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if ma[i] == mb[j] {
                pairs.push((prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if t[(i + 1) * w + j] >= t[i * w + j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    let (sa, sb) = (a.len() - suffix, b.len() - suffix);
    pairs.extend((0..suffix).map(|k| (sa + k, sb + k)));
    pairs
}

/// One step of an edit script over two sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

/// The edit script turning `a` into `b`: removals before additions in each gap.
fn script<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Edit> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in lcs(a, b)
        .into_iter()
        .chain(std::iter::once((a.len(), b.len())))
    {
        out.extend((i..pi).map(Edit::Removed));
        out.extend((j..pj).map(Edit::Added));
        if pi < a.len() {
            out.push(Edit::Same(pi, pj));
        }
        (i, j) = (pi + 1, pj + 1);
    }
    out
}

/// Every item of `old` and `new` as same, removed or added, in reading order.
pub fn items(old: &[&str], new: &[&str]) -> Vec<Line> {
    script(old, new)
        .into_iter()
        .map(|e| match e {
            Edit::Same(i, _) => Line::new(LineKind::Same, old[i]),
            Edit::Removed(i) => Line::new(LineKind::Removed, old[i]),
            Edit::Added(j) => Line::new(LineKind::Added, new[j]),
        })
        .collect()
}

/// A line-by-line diff of two texts, every line included.
pub fn lines(old: &str, new: &str) -> Vec<Line> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    items(&a, &b)
}

/// Folds unchanged runs longer than `context` lines on each side of a change
/// into one [`LineKind::Skipped`] line.
pub fn collapse(lines: Vec<Line>, context: usize) -> Vec<Line> {
    let total = lines.len();
    let mut out = Vec::with_capacity(total);
    let mut run: Vec<Line> = Vec::new();
    let flush = |run: &mut Vec<Line>, out: &mut Vec<Line>, at_start: bool, at_end: bool| {
        let before = if at_start { 0 } else { context };
        let after = if at_end { 0 } else { context };
        if run.len() > before + after + 1 {
            let skipped = run.len() - before - after;
            let tail = run.split_off(run.len() - after);
            run.truncate(before);
            out.append(run);
            out.push(Line {
                kind: LineKind::Skipped,
                text: String::new(),
                skipped,
            });
            out.extend(tail);
        } else {
            out.append(run);
        }
        run.clear();
    };
    let mut seen_change = false;
    for line in lines {
        if line.kind == LineKind::Same {
            run.push(line);
        } else {
            flush(&mut run, &mut out, !seen_change, false);
            seen_change = true;
            out.push(line);
        }
    }
    flush(&mut run, &mut out, !seen_change, true);
    out
}

/// One section of a [`Readable`] revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadableSection {
    /// Empty for an untitled section (the intro).
    pub heading: String,
    pub body: String,
}

impl ReadableSection {
    /// The section as Markdown, heading first, for a line diff.
    fn text(&self) -> String {
        if self.heading.is_empty() {
            self.body.clone()
        } else {
            format!("## {}\n\n{}", self.heading, self.body)
        }
    }
}

/// A revision with ids resolved to names, for showing and comparing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Readable {
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    /// The author's current name ("Deleted user #4" when gone).
    pub author: String,
    /// The category's current name, or "No category".
    pub category: String,
    /// The status label ("Published", …).
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    /// Search-engine title and description overrides ("" = the defaults).
    pub meta_title: String,
    pub meta_description: String,
    /// The cover image: "Alt text (image #4)", or "None".
    pub cover: String,
    pub sections: Vec<ReadableSection>,
    /// One line per related link: "Title (article #7)" or "Title <https://…>".
    pub links: Vec<String>,
}

/// How a field differs between the two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldChange {
    Changed,
    /// Only in the newer revision (a new section).
    Added,
    /// Only in the older revision (a removed section).
    Removed,
}

/// One field that differs, with its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDiff {
    /// "Title", "Section 2 “The vote”", "Related links", …
    pub label: String,
    pub change: FieldChange,
    pub lines: Vec<Line>,
}

/// The result of comparing two revisions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// The fields that differ, in the editor's order.
    pub changed: Vec<FieldDiff>,
    /// Labels of the fields that are the same ("Title", "3 sections", …).
    pub unchanged: Vec<String>,
}

impl Comparison {
    pub fn is_identical(&self) -> bool {
        self.changed.is_empty()
    }
}

fn section_label(number: usize, s: &ReadableSection) -> String {
    if s.heading.is_empty() {
        format!("Section {number} (untitled)")
    } else {
        format!("Section {number} “{}”", s.heading)
    }
}

fn all_lines(kind: LineKind, text: &str) -> Vec<Line> {
    text.lines().map(|l| Line::new(kind, l)).collect()
}

/// Compares two revisions field by field. `time` formats a publication date
/// (in the site's timezone); sections are matched by content first, so a
/// section added at the top does not make every later one look changed.
pub fn compare(
    old: &Readable,
    new: &Readable,
    time: &dyn Fn(NaiveDateTime) -> String,
) -> Comparison {
    let mut cmp = Comparison::default();
    let date = |t: Option<NaiveDateTime>| t.map(time).unwrap_or_else(|| "None".to_owned());
    let simple = [
        ("Title", old.title.clone(), new.title.clone()),
        ("URL name", old.slug.clone(), new.slug.clone()),
        ("Standfirst", old.standfirst.clone(), new.standfirst.clone()),
        ("Author", old.author.clone(), new.author.clone()),
        ("Category", old.category.clone(), new.category.clone()),
        (
            "Publication date",
            date(old.published_at),
            date(new.published_at),
        ),
        ("Status", old.status.clone(), new.status.clone()),
        (
            "Search title",
            old.meta_title.clone(),
            new.meta_title.clone(),
        ),
        (
            "Search description",
            old.meta_description.clone(),
            new.meta_description.clone(),
        ),
        ("Cover image", old.cover.clone(), new.cover.clone()),
    ];
    for (label, a, b) in simple {
        if a == b {
            cmp.unchanged.push(label.to_owned());
        } else {
            cmp.changed.push(FieldDiff {
                label: label.to_owned(),
                change: FieldChange::Changed,
                lines: collapse(lines(&a, &b), CONTEXT_LINES),
            });
        }
    }

    let mut same_sections = 0;
    let mut removed: Vec<usize> = Vec::new();
    let mut added: Vec<usize> = Vec::new();
    let emit_gap = |removed: &mut Vec<usize>, added: &mut Vec<usize>, out: &mut Vec<FieldDiff>| {
        let paired = removed.len().min(added.len());
        for (&i, &j) in removed.iter().zip(added.iter()) {
            let (a, b) = (&old.sections[i], &new.sections[j]);
            out.push(FieldDiff {
                label: section_label(j + 1, b),
                change: FieldChange::Changed,
                lines: collapse(lines(&a.text(), &b.text()), CONTEXT_LINES),
            });
        }
        for &i in &removed[paired..] {
            let a = &old.sections[i];
            out.push(FieldDiff {
                label: format!("{} (removed)", section_label(i + 1, a)),
                change: FieldChange::Removed,
                lines: all_lines(LineKind::Removed, &a.text()),
            });
        }
        for &j in &added[paired..] {
            let b = &new.sections[j];
            out.push(FieldDiff {
                label: format!("{} (new)", section_label(j + 1, b)),
                change: FieldChange::Added,
                lines: all_lines(LineKind::Added, &b.text()),
            });
        }
        removed.clear();
        added.clear();
    };
    for e in script(&old.sections, &new.sections) {
        match e {
            Edit::Same(..) => {
                emit_gap(&mut removed, &mut added, &mut cmp.changed);
                same_sections += 1;
            }
            Edit::Removed(i) => removed.push(i),
            Edit::Added(j) => added.push(j),
        }
    }
    emit_gap(&mut removed, &mut added, &mut cmp.changed);
    if same_sections > 0 {
        cmp.unchanged.push(if same_sections == 1 {
            "1 section".to_owned()
        } else {
            format!("{same_sections} sections")
        });
    }

    if old.links == new.links {
        cmp.unchanged.push("Related links".to_owned());
    } else {
        let a: Vec<&str> = old.links.iter().map(String::as_str).collect();
        let b: Vec<&str> = new.links.iter().map(String::as_str).collect();
        cmp.changed.push(FieldDiff {
            label: "Related links".to_owned(),
            change: FieldChange::Changed,
            lines: items(&a, &b),
        });
    }
    cmp
}

/// "a", "a and b", "a, b and c".
fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The short description stored with a revision: what changed since `prev`
/// (the previous revision), e.g. "Published; edited title and section 2".
pub fn summarise(prev: Option<&Snapshot>, new: &Snapshot) -> String {
    let Some(prev) = prev else {
        return match new.status.as_str() {
            "published" => "Created and published",
            "scheduled" => "Created and scheduled",
            "archived" => "Created (archived)",
            _ => "Created",
        }
        .to_owned();
    };
    let (a, b) = (&prev.article, &new.article);
    let mut parts: Vec<String> = Vec::new();
    let status_changed = prev.status != new.status;
    if status_changed {
        parts.push(
            match (prev.status.as_str(), new.status.as_str()) {
                (_, "published") => "Published",
                (_, "scheduled") => "Scheduled",
                (_, "archived") => "Archived",
                ("published" | "scheduled", _) => "Unpublished",
                _ => "Moved back to draft",
            }
            .to_owned(),
        );
    }
    let mut edited: Vec<String> = Vec::new();
    for (differs, name) in [
        (a.title != b.title, "title"),
        (a.slug != b.slug, "URL name"),
        (a.standfirst != b.standfirst, "standfirst"),
        (a.author_id != b.author_id, "author"),
        (a.category_id != b.category_id, "category"),
        (
            !status_changed && a.published_at != b.published_at,
            "publication date",
        ),
        (
            a.meta_title != b.meta_title || a.meta_description != b.meta_description,
            "search snippet",
        ),
        (a.cover_media_id != b.cover_media_id, "cover image"),
    ] {
        if differs {
            edited.push(name.to_owned());
        }
    }
    let (mut changed, mut added, mut removed) = (Vec::new(), 0, 0);
    let (mut gap_removed, mut gap_added) = (0usize, Vec::new());
    let mut close_gap =
        |gap_removed: &mut usize, gap_added: &mut Vec<usize>, changed: &mut Vec<usize>| {
            let paired = (*gap_removed).min(gap_added.len());
            changed.extend(gap_added[..paired].iter().map(|j| j + 1));
            added += gap_added.len() - paired;
            removed += *gap_removed - paired;
            *gap_removed = 0;
            gap_added.clear();
        };
    for e in script(&a.sections, &b.sections) {
        match e {
            Edit::Same(..) => close_gap(&mut gap_removed, &mut gap_added, &mut changed),
            Edit::Removed(_) => gap_removed += 1,
            Edit::Added(j) => gap_added.push(j),
        }
    }
    close_gap(&mut gap_removed, &mut gap_added, &mut changed);
    match changed.len() {
        0 => {}
        1 => edited.push(format!("section {}", changed[0])),
        2 | 3 => edited.push(format!(
            "sections {}",
            join_words(&changed.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        )),
        n => edited.push(plural(n, "section")),
    }
    if a.links != b.links {
        edited.push("related links".to_owned());
    }
    if !edited.is_empty() {
        parts.push(format!("edited {}", join_words(&edited)));
    }
    if added > 0 {
        parts.push(format!("added {}", plural(added, "section")));
    }
    if removed > 0 {
        parts.push(format!("removed {}", plural(removed, "section")));
    }
    if parts.is_empty() {
        return "No changes".to_owned();
    }
    let text = parts.join("; ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

#[cfg(test)]
mod tests;
