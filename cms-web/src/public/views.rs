//! Page views: the one place a public view is reported to the hooks.
//!
//! Called by the article handler after it has produced a 200 *or* a 304: a
//! browser revalidating a page it already holds is still a person reading it,
//! so both count. 404s, errors and `HEAD` requests are never counted.
//!
//! Visitors are not tracked across days or processes: the visitor hash is a
//! keyed hash (SipHash, with a random key made when the process starts) of
//! the client address and the UTC date, so it can tell repeat views apart
//! within a day but cannot be reversed into an address without the key, which
//! never leaves the process, or linked to the next day's hash. (It was
//! SHA-256 with a salt: a fifth of a cache hit's instructions went to it.)

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use actix_web::http::{header, Method};
use actix_web::HttpRequest;

use crate::hooks::PageView;
use crate::state::AppState;

/// Longest user agent passed on; real ones are far shorter.
const MAX_USER_AGENT: usize = 512;

/// Strings kept per request thread for sharing (see [`shared`]).
const SHARED_STRINGS: usize = 1024;

static KEY: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// A per-thread seed for hashing user agents, and the agents by that hash.
type Agents = (
    foldhash::fast::RandomState,
    HashMap<u64, Arc<str>, foldhash::fast::RandomState>,
);

thread_local! {
    /// User agents and paths recently seen on this thread.
    static STRINGS: RefCell<HashSet<Arc<str>, foldhash::fast::RandomState>> =
        RefCell::new(HashSet::default());
    /// User agents recently seen on this thread, by a hash of their bytes.
    static AGENTS: RefCell<Agents> =
        RefCell::new(Default::default());
}

/// A `User-Agent` header's bytes as a shared string: what `shared` gives for
/// the header as text (cut to [`MAX_USER_AGENT`] characters; `""` when it is
/// not visible ASCII), found by a hash of the bytes. Checking that a header is
/// text costs a few instructions per byte, and user agents are long; here that
/// is done once per new agent rather than on every view.
fn agent(bytes: &[u8]) -> Arc<str> {
    if bytes.len() > MAX_USER_AGENT {
        return shared(as_text(&bytes[..MAX_USER_AGENT]));
    }
    AGENTS.with(|agents| {
        let mut agents = agents.borrow_mut();
        let key = agents.0.hash_one(bytes);
        if let Some(found) = agents.1.get(&key) {
            if found.as_bytes() == bytes {
                return found.clone();
            }
        }
        let text = shared(as_text(bytes));
        if agents.1.len() >= SHARED_STRINGS {
            agents.1.clear();
        }
        agents.1.insert(key, text.clone());
        text
    })
}

/// A header's bytes as text if they are visible ASCII (as `HeaderValue::to_str`
/// requires), else `""`.
fn as_text(bytes: &[u8]) -> &str {
    if bytes
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        std::str::from_utf8(bytes).unwrap_or("")
    } else {
        ""
    }
}

/// `s` as a shared string, allocated only the first time this thread sees it.
///
/// A page view is made on a request thread and freed on the plugin events
/// thread. Memory allocated on one thread and freed on another costs both
/// threads more than the allocation itself (the allocator must give it back
/// across threads), and nearly every view repeats a user agent and a path
/// this thread has seen, so views share them instead of copying.
pub fn shared(s: &str) -> Arc<str> {
    STRINGS.with(|set| {
        let mut set = set.borrow_mut();
        if let Some(found) = set.get(s) {
            return found.clone();
        }
        if set.len() >= SHARED_STRINGS {
            set.clear();
        }
        let new: Arc<str> = Arc::from(s);
        set.insert(new.clone());
        new
    })
}

/// Reports one view of article `article_id`. `is_staff`: the request carries
/// a valid admin session (staff reading their own site). `path`: the
/// request's path as a shared string, when the caller has one (a cache entry
/// keeps its own), else it is made here.
pub fn observe(
    state: &AppState,
    req: &HttpRequest,
    article_id: i32,
    is_staff: bool,
    path: Option<&Arc<str>>,
) {
    // A HEAD request is a link checker or monitor, not a reader.
    if req.method() == Method::HEAD || !state.hooks.wants_page_views() {
        return;
    }
    // One pass over the headers instead of a lookup per header.
    let (mut ua, mut x_forwarded_for, mut forwarded) = (None, None, false);
    for (name, value) in req.headers() {
        if *name == header::USER_AGENT {
            ua = ua.or(Some(value));
        } else if *name == header::X_FORWARDED_FOR {
            x_forwarded_for = x_forwarded_for.or(Some(value));
        } else if *name == header::FORWARDED {
            forwarded = true;
        }
    }
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let day = at.div_euclid(86_400);
    let forwarded = if !state.config.trust_proxy_headers {
        None
    } else if forwarded {
        crate::auth::forwarded_for(req)
    } else {
        x_forwarded_for.and_then(crate::auth::first_forwarded_for)
    };
    let visitor = match (forwarded, req.peer_addr()) {
        (Some(addr), _) => client_hash(&KEY, addr, day),
        (None, Some(peer)) => ip_hash(&KEY, peer.ip(), day),
        (None, None) => client_hash(&KEY, "unknown", day),
    };
    state.hooks.page_view(PageView {
        article_id: Some(article_id),
        path: path.cloned().unwrap_or_else(|| shared(req.path())),
        user_agent: ua.map_or_else(|| shared(""), |v| agent(v.as_bytes())),
        is_staff,
        visitor,
        at,
    });
}

/// The keyed hash of a client address (as `auth::client_addr` gives it) and
/// a day (days since the Unix epoch). An address that parses hashes as
/// [`ip_hash`] of it, so the same client has one hash whether or not proxy
/// headers are trusted.
fn client_hash(key: &RandomState, addr: &str, day: i64) -> u64 {
    let parsed = match ipv4(addr.as_bytes()) {
        Some(v4) => Some(IpAddr::V4(v4)),
        None => addr.parse::<IpAddr>().ok(),
    };
    match parsed {
        Some(ip) => ip_hash(key, ip, day),
        None => {
            let mut h = key.build_hasher();
            h.write(addr.as_bytes());
            h.write_u8(0xff);
            h.write_i64(day);
            h.finish()
        }
    }
}

/// A dotted-quad IPv4 address in the form `Ipv4Addr`'s parser accepts
/// (four decimal parts of at most three digits, no leading zeros, each at
/// most 255), parsed without its general machinery: on every page view that
/// cost more than the keyed hash itself (callgrind: ~250 instructions against
/// ~150). Anything else is `None` and goes to
/// the standard parser.
fn ipv4(b: &[u8]) -> Option<std::net::Ipv4Addr> {
    let mut octets = [0u8; 4];
    let (mut part, mut value, mut digits) = (0usize, 0u16, 0u8);
    for &c in b {
        match c {
            b'0'..=b'9' => {
                // A part of two or more digits may not start with a zero.
                if digits == 1 && value == 0 {
                    return None;
                }
                value = value * 10 + u16::from(c - b'0');
                digits += 1;
                if digits > 3 {
                    return None;
                }
            }
            b'.' if digits > 0 && part < 3 => {
                octets[part] = u8::try_from(value).ok()?;
                (part, value, digits) = (part + 1, 0, 0);
            }
            _ => return None,
        }
    }
    if part != 3 || digits == 0 {
        return None;
    }
    octets[3] = u8::try_from(value).ok()?;
    Some(octets.into())
}

/// SipHash over one fixed-size input: an IPv4 address and the day fill a
/// single 64-bit word, one write instead of the several that hashing an
/// `(IpAddr, day)` tuple through `Hash` makes.
fn ip_hash(key: &RandomState, ip: IpAddr, day: i64) -> u64 {
    let mut h = key.build_hasher();
    match ip {
        IpAddr::V4(v4) => h.write_u64(u64::from(v4.to_bits()) | ((day as u64) << 32)),
        IpAddr::V6(v6) => {
            h.write_u128(v6.to_bits());
            h.write_i64(day);
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_key_address_and_day() {
        let (d1, d2) = (20_513, 20_514);
        let key = RandomState::new();
        let a = client_hash(&key, "192.0.2.1", d1);
        assert_eq!(a, client_hash(&key, "192.0.2.1", d1));
        assert_eq!(a, ip_hash(&key, [192, 0, 2, 1].into(), d1));
        assert_ne!(a, client_hash(&key, "192.0.2.2", d1));
        assert_ne!(a, client_hash(&key, "192.0.2.1", d2));
        assert_ne!(a, client_hash(&RandomState::new(), "192.0.2.1", d1));
        let odd = client_hash(&key, "unknown", d1);
        assert_eq!(odd, client_hash(&key, "unknown", d1));
        assert_ne!(odd, a);
        let v6 = client_hash(&key, "2001:db8::1", d1);
        assert_eq!(v6, ip_hash(&key, "2001:db8::1".parse().expect("ip"), d1));
        assert_ne!(v6, client_hash(&key, "2001:db8::2", d1));
        assert_ne!(v6, client_hash(&key, "2001:db8::1", d2));
    }

    #[test]
    fn ipv4_parses_as_the_standard_parser_does() {
        let cases = [
            "10.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1.2.3.04",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4 ",
            "a.b.c.d",
            "1000.1.1.1",
            "192.168.001.1",
            "::1",
            "2001:db8::1",
            "",
            "1.2.3.-4",
            "+1.2.3.4",
        ];
        for c in cases {
            let std = c.parse::<std::net::Ipv4Addr>().ok();
            let fast = ipv4(c.as_bytes());
            assert!(fast.is_none() || fast == std, "{c}: {fast:?} vs {std:?}");
            if std.is_some() {
                assert_eq!(fast, std, "{c}: every address std accepts is fast too");
            }
        }
        for n in 0..=300u16 {
            let c = format!("{n}.{}.7.{n}", 255 - n.min(255));
            assert_eq!(ipv4(c.as_bytes()), c.parse().ok(), "{c}");
        }
    }

    #[test]
    fn strings_are_shared_not_copied() {
        let a = shared("Mozilla/5.0");
        let b = shared("Mozilla/5.0");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*shared("/articles/x"), "/articles/x");
        for i in 0..SHARED_STRINGS + 10 {
            let _ = shared(&format!("agent {i}"));
        }
        STRINGS.with(|s| assert!(s.borrow().len() <= SHARED_STRINGS));
        assert_eq!(&*shared("Mozilla/5.0"), "Mozilla/5.0");
    }

    #[test]
    fn user_agents_are_text_cut_to_the_limit() {
        let a = agent(b"Mozilla/5.0 (X11)");
        assert!(Arc::ptr_eq(&a, &agent(b"Mozilla/5.0 (X11)")));
        assert!(Arc::ptr_eq(&a, &shared("Mozilla/5.0 (X11)")));
        assert_eq!(&*agent(b"tab\there"), "tab\there");
        assert_eq!(&*agent(b"caf\xc3\xa9"), "", "not visible ASCII");
        assert_eq!(&*agent(b"new\nline"), "");
        let long = "x".repeat(MAX_USER_AGENT + 40);
        assert_eq!(&*agent(long.as_bytes()), &long[..MAX_USER_AGENT]);
        assert_eq!(&*agent(b""), "");
    }
}
