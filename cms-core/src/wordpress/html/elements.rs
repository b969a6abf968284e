//! The HTML element categories the tree builder and the renderer decide by:
//! void elements, elements whose start closes a `<p>`, headings, blocks,
//! transparent containers, inline formatting, and the elements left out
//! altogether (scripts, forms, embedded players).

pub(super) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose start closes an open `<p>` (HTML's rule, abridged).
pub(super) fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "details"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "table"
            | "ul"
            | "li"
            | "dd"
            | "dt"
    )
}

pub(super) fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Elements that are left out entirely (scripts, forms, embedded players).
pub(super) fn is_dropped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "video"
            | "audio"
            | "canvas"
            | "svg"
            | "math"
            | "form"
            | "input"
            | "button"
            | "select"
            | "textarea"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "map"
            | "xmp"
            | "noembed"
            | "noframes"
    )
}

/// Dropped elements worth a warning: real content a reader would miss.
pub(super) fn is_dropped_content(name: &str) -> bool {
    matches!(
        name,
        "iframe" | "object" | "embed" | "video" | "audio" | "form" | "canvas" | "svg"
    )
}

pub(super) fn is_inline_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "big"
            | "cite"
            | "code"
            | "del"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
    )
}

/// Block-level elements the renderer treats as blocks.
pub(super) fn is_block(name: &str) -> bool {
    closes_p(name) || matches!(name, "table" | "summary" | "center" | "hgroup" | "dl")
}

/// Containers whose content flows on as if they were not there (an `<h2>` in a
/// `<div>` still starts a section).
pub(super) fn is_transparent(name: &str) -> bool {
    matches!(
        name,
        "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "aside"
            | "nav"
            | "center"
            | "hgroup"
            | "details"
            | "summary"
            | "address"
            | "fieldset"
    )
}
