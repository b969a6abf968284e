//! Post HTML as tokens: html5ever's tokenizer (the one ammonia uses, so
//! entities, raw-text elements like `<script>` and odd markup are read as
//! browsers read them) turned into start tags, end tags and text. On the way it
//! notes the block editor's dynamic blocks (`<!-- wp:latest-posts /-->`), which
//! WordPress renders at view time and so have no content in the export.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::text::is_marker;

#[derive(Debug)]
pub(super) enum Tok {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End(String),
    Text(String),
}

#[derive(Default)]
struct Sink {
    tokens: RefCell<Vec<Tok>>,
    dynamic_blocks: RefCell<Vec<String>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut tokens = self.tokens.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                match tag.kind {
                    TagKind::StartTag => {
                        let raw = match name.as_str() {
                            "script" => Some(RawKind::ScriptData),
                            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                                Some(RawKind::Rawtext)
                            }
                            "textarea" | "title" => Some(RawKind::Rcdata),
                            _ => None,
                        };
                        let self_closing = tag.self_closing;
                        tokens.push(Tok::Start {
                            name,
                            attrs: tag
                                .attrs
                                .iter()
                                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                                .collect(),
                            self_closing,
                        });
                        if let (Some(kind), false) = (raw, self_closing) {
                            return TokenSinkResult::RawData(kind);
                        }
                    }
                    TagKind::EndTag => tokens.push(Tok::End(name)),
                }
            }
            Token::CharacterTokens(t) => {
                let clean: String = t.chars().filter(|&c| !is_marker(c)).collect();
                match tokens.last_mut() {
                    Some(Tok::Text(prev)) => prev.push_str(&clean),
                    _ => tokens.push(Tok::Text(clean)),
                }
            }
            Token::CommentToken(c) => {
                // `<!-- wp:latest-posts {"x":1} /-->`: a block WordPress renders at view time.
                let c = c.trim();
                if let (Some(rest), true) = (c.strip_prefix("wp:"), c.ends_with('/')) {
                    let name: String = rest
                        .chars()
                        .take_while(|ch| !ch.is_whitespace() && *ch != '/')
                        .collect();
                    let name = format!("wp:{name}");
                    let mut blocks = self.dynamic_blocks.borrow_mut();
                    if !blocks.contains(&name) {
                        blocks.push(name);
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

pub(super) fn tokenize(html: &str) -> (Vec<Tok>, Vec<String>) {
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let sink = tokenizer.sink;
    (sink.tokens.into_inner(), sink.dynamic_blocks.into_inner())
}
