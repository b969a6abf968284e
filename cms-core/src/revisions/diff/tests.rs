//! Unit tests of the revision diff: line diffs and change summaries.

use super::*;
use crate::articles::{ArticleInput, LinkInput, SectionInput};

fn kinds(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| match l.kind {
            LineKind::Same => ' ',
            LineKind::Added => '+',
            LineKind::Removed => '-',
            LineKind::Skipped => '~',
        })
        .collect()
}

#[test]
fn lcs_finds_the_longest_common_subsequence() {
    let a: Vec<char> = "ABCBDAB".chars().collect();
    let b: Vec<char> = "BDCABA".chars().collect();
    let pairs = lcs(&a, &b);
    assert_eq!(pairs.len(), 4);
    assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
    assert!(pairs.iter().all(|&(i, j)| a[i] == b[j]));
    assert!(lcs::<char>(&[], &[]).is_empty());
    assert_eq!(lcs(&a, &a).len(), a.len());
}

#[test]
fn line_diff_marks_changed_lines() {
    let d = lines("one\ntwo\nthree\nfour", "one\n2\nthree\nfour\nfive");
    assert_eq!(kinds(&d), " -+  +");
    assert_eq!(d[1].text, "two");
    assert_eq!(d[2].text, "2");
    assert_eq!(d[5].text, "five");
    assert_eq!(kinds(&lines("", "a\nb")), "++");
    assert_eq!(kinds(&lines("a\r\nb", "a\nb")), "  ");
}

#[test]
fn long_unchanged_runs_are_folded() {
    let old: Vec<String> = (1..=20).map(|n| n.to_string()).collect();
    let mut new = old.clone();
    new[9] = "ten".into();
    let d = collapse(lines(&old.join("\n"), &new.join("\n")), 2);
    // 1..=7 folded, 8 9 kept, -10 +ten, 11 12 kept, 13..=20 folded.
    assert_eq!(kinds(&d), "~  -+  ~");
    assert_eq!(d[0].skipped, 7);
    assert_eq!(d[7].skipped, 8);
    // Short runs stay as they are.
    assert_eq!(kinds(&collapse(lines("a\nb\nc", "a\nB\nc"), 2)), " -+ ");
}

#[test]
fn huge_inputs_fall_back_to_replace() {
    let a: Vec<String> = (0..3000).map(|n| format!("a{n}")).collect();
    let b: Vec<String> = (0..3000).map(|n| format!("b{n}")).collect();
    let d = lines(&a.join("\n"), &b.join("\n"));
    assert_eq!(
        d.iter().filter(|l| l.kind == LineKind::Removed).count(),
        3000
    );
    assert_eq!(d.iter().filter(|l| l.kind == LineKind::Added).count(), 3000);
}

fn readable(sections: &[(&str, &str)]) -> Readable {
    Readable {
        title: "T".into(),
        sections: sections
            .iter()
            .map(|(h, b)| ReadableSection {
                heading: (*h).into(),
                body: (*b).into(),
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn sections_are_matched_by_content() {
    let old = readable(&[("", "Intro."), ("Vote", "It passed.")]);
    let new = readable(&[("New", "Inserted."), ("", "Intro."), ("Vote", "It failed.")]);
    let cmp = compare(&old, &new, &|t| t.to_string());
    let labels: Vec<&str> = cmp.changed.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, vec!["Section 1 “New” (new)", "Section 3 “Vote”"]);
    assert_eq!(cmp.changed[0].change, FieldChange::Added);
    let vote = &cmp.changed[1];
    assert!(vote
        .lines
        .iter()
        .any(|l| l.kind == LineKind::Removed && l.text == "It passed."));
    assert!(vote
        .lines
        .iter()
        .any(|l| l.kind == LineKind::Added && l.text == "It failed."));
    assert!(cmp.unchanged.contains(&"Title".to_owned()));
    assert!(cmp.unchanged.contains(&"1 section".to_owned()));
    assert!(compare(&old, &old, &|t| t.to_string()).is_identical());
}

fn snap(status: &str, title: &str, sections: &[&str]) -> Snapshot {
    Snapshot {
        format: 1,
        status: status.into(),
        article: ArticleInput {
            title: title.into(),
            sections: sections
                .iter()
                .map(|b| SectionInput {
                    heading: String::new(),
                    body: (*b).into(),
                })
                .collect(),
            ..Default::default()
        },
    }
}

#[test]
fn summaries_say_what_changed() {
    let a = snap("draft", "A", &["one", "two"]);
    assert_eq!(summarise(None, &a), "Created");
    assert_eq!(
        summarise(None, &snap("published", "A", &["x"])),
        "Created and published"
    );
    assert_eq!(summarise(Some(&a), &a), "No changes");
    assert_eq!(
        summarise(Some(&a), &snap("draft", "B", &["one", "2"])),
        "Edited title and section 2"
    );
    assert_eq!(
        summarise(Some(&a), &snap("published", "A", &["one", "two", "three"])),
        "Published; added 1 section"
    );
    assert_eq!(
        summarise(
            Some(&snap("published", "A", &["one"])),
            &snap("draft", "A", &[])
        ),
        "Unpublished; removed 1 section"
    );
    let mut linked = a.clone();
    linked.article.links.push(LinkInput {
        target_article_id: Some(3),
        ..Default::default()
    });
    assert_eq!(summarise(Some(&a), &linked), "Edited related links");
}
