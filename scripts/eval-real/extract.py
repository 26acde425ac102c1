"""Turns the material install.sh fetched into two JSON files the generator reads:

  target/eval-real/material/payloads.json  attack strings: {text, family, source, ref}
  target/eval-real/material/benign.json    benign text that may look like code, and names

    target/eval-real/venv/bin/python scripts/eval-real/extract.py

Attack sources: OWASP CRS 3.3.4's regression tests (the payload of each positive test of the
attack rule files 930-944, all paranoia levels, less the rules that only count special
characters), wfuzz 3.1.0's Injections/* and vulns/dirTraversal-nix.txt, and wapiti 3.0.4's
payload files (blind SQL, exec, XSS, XXE, file handling) with their placeholders filled, plus the
few payloads wapiti keeps in its modules' code (SQL error probe, SSRF, shellshock, CRLF).
"""

import glob
import json
import os
import re
import sys
import sysconfig
from urllib.parse import unquote

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'waf'))
import crs  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
MAT = os.path.join(ROOT, 'target', 'eval-real', 'material')
DEB = os.path.join(MAT, 'root')

FAMILY_BY_FILE = {'930': 'traversal', '931': 'rfi', '932': 'command', '933': 'php', '934': 'nodejs',
                  '941': 'xss', '942': 'sqli', '943': 'session-fixation', '944': 'java'}
# CRS rules that score a count of special characters rather than an injection: their tests are
# strings like ";;;;" or "''''", not attacks.
CHAR_COUNT_RULES = {'942420', '942421', '942430', '942431', '942432', '942460', '920272', '920273', '920274'}
DEFAULT_UA = ('OWASP ModSecurity Core Rule Set', 'ModSecurity CRS 3 Tests', 'OWASP CRS test agent')
STANDARD_HEADERS = {'host', 'accept', 'accept-encoding', 'accept-language', 'connection', 'content-type',
                    'content-length', 'user-agent', 'proxy-connection', 'keep-alive', 'cache-control', 'pragma'}
PER_RULE = 25  # 944130 alone has a test per Java class name: keep the families balanced
ATTACK_CHARS = re.compile(r"""['"<>;|&$(){}\\/%`=\[\]*]""")


def crs_payloads():
    rules_dir = os.path.join(MAT, 'crs', 'rules')
    pl = {r.id: r.pl for r in crs.load_rules(rules_dir, max_pl=4)}
    out, per_rule = [], {}
    for f in sorted(glob.glob(os.path.join(MAT, 'crs', 'tests', 'regression', 'tests', 'REQUEST-9*', '*.yaml'))):
        fam = FAMILY_BY_FILE.get(os.path.basename(os.path.dirname(f))[8:11])
        if fam is None:
            continue
        doc = yaml.safe_load(open(f, encoding='utf-8', errors='replace'))
        for t in doc.get('tests', []):
            for st in t.get('stages', []):
                s = st.get('stage', {})
                want = re.search(r'id "(\d+)"', str(s.get('output', {}).get('log_contains', '')))
                if not want or want.group(1) in CHAR_COUNT_RULES:
                    continue
                req = crs.test_request(s.get('input', {}))
                text, where = test_payload(req)
                if text is None or per_rule.get(want.group(1), 0) >= PER_RULE:
                    continue
                per_rule[want.group(1)] = per_rule.get(want.group(1), 0) + 1
                try:  # the tests write UTF-8 bytes as \xNN escapes
                    text = text.encode('latin-1').decode('utf-8')
                except (UnicodeEncodeError, UnicodeDecodeError):
                    pass
                out.append({'text': text, 'family': fam, 'source': 'crs-3.3.4-regression-tests',
                            'ref': f"{t.get('test_title')} ({where}; rule {want.group(1)} PL{pl.get(want.group(1), '?')})"})
    return out


def test_payload(req):
    """The attack string of a CRS test: its longest suspicious argument, cookie or header value."""
    cands = []
    uri = req['uri']
    path, _, query = uri.partition('?')
    for k, v in crs.parse_query(query):
        cands.append((v, f'query {k}'))
        if ATTACK_CHARS.search(k) and len(k) > 3:
            cands.append((k, 'query name'))
    if not query and ATTACK_CHARS.search(unquote(path).strip('/')):
        cands.append((unquote(path), 'path'))
    body = req.get('body')
    if body:
        pairs = crs.parse_query(body) if '=' in body and '\n' not in body else []
        cands.extend((v, f'body {k}') for k, v in pairs)
        if not pairs:
            cands.append((body, 'body'))
    for k, v in req['headers']:
        kl = k.lower()
        if kl == 'cookie':
            for part in v.split(';'):
                name, _, val = part.strip().partition('=')
                cands.append((val or name, f'cookie {name}'))
        elif kl == 'user-agent' and not v.startswith(DEFAULT_UA):
            cands.append((v, 'user-agent'))
        elif kl not in STANDARD_HEADERS:
            cands.append((v, f'header {k}'))
    cands = [(v.strip(), w) for v, w in cands if v and len(v.strip()) >= 4 and ATTACK_CHARS.search(v)]
    if not cands:
        return None, None
    return max(cands, key=lambda c: len(ATTACK_CHARS.findall(c[0])) + len(c[0]) / 1000)


def guess_family(s):
    l = s.lower()
    if re.search(r'<\s*/?\s*(script|img|svg|iframe|body|a\s|div|style|input|marquee|object|embed)|javascript:|on\w+\s*=|alert\(', l):
        return 'xss'
    if re.search(r'<!entity|<!doctype|<\?xml', l):
        return 'xxe'
    if re.search(r'(\.\.[/\\%]|%2e%2e|/etc/passwd|boot\.ini|win\.ini|\.\.%c0)', l):
        return 'traversal'
    if re.search(r"(\bunion\b|\bselect\b|\bor\b\s*['\"\d]|\band\b\s*['\"\d]|sleep\(|benchmark\(|waitfor|--\s*$|'\s*or|\bdrop\b|\binsert\b|\bexec\b|xp_)", l):
        return 'sqli'
    if re.search(r'(;|\||`|\$\()\s*(id|ls|cat|whoami|uname|ping|env|dir|echo|wget|curl|nc)\b', l):
        return 'command'
    if re.search(r'\$\{|\{\{|<%', l):
        return 'template'
    return 'fuzz'


def read_lines(path):
    with open(path, encoding='latin-1') as f:
        return [l.rstrip('\r\n') for l in f]


def keep_fuzz(s):
    return len(s) >= 5 and ATTACK_CHARS.search(s) is not None


def wfuzz_payloads():
    base = os.path.join(DEB, 'usr', 'share', 'wfuzz', 'wordlist')
    out = []
    fams = {'SQL.txt': 'sqli', 'XSS.txt': 'xss', 'Traversal.txt': 'traversal', 'XML.txt': 'xxe', 'All_attack.txt': None}
    for name, fam in fams.items():
        for s in read_lines(os.path.join(base, 'Injections', name)):
            f = fam or guess_family(s)
            if keep_fuzz(s) and f != 'fuzz':  # All_attack.txt's unclassifiable fragments are left out
                out.append({'text': s, 'family': f, 'source': f'wfuzz-3.1.0 Injections/{name}', 'ref': name})
    trav = [s for s in read_lines(os.path.join(base, 'vulns', 'dirTraversal-nix.txt')) if keep_fuzz(s)]
    step = max(1, len(trav) // 300)
    for s in trav[::step]:
        out.append({'text': s, 'family': 'traversal', 'source': 'wfuzz-3.1.0 vulns/dirTraversal-nix.txt', 'ref': 'dirTraversal-nix.txt'})
    return out


WAPITI_FILL = {
    '[TIME]': '5', '[TIMEOUT]': '5', '[VALUE]': '1', '[LF]': '\n', '[TAB]': '\t', '[FF]': '\f',
    '[EXTERNAL_ENDPOINT]': 'http://wapiti3.ovh/', '[FILE_NAME]': 'index.php', '[FILE_NOEXT]': 'index',
    '[DIRVALUE]': 'pages', '[EXTVALUE]': 'php', '[ATTR_SEP]': ' ', '[VALUE_SEP]': '=', '[PATH_ID]': '7',
    '[SESSION_ID]': 'a81f2c', '[PARAM_AS_HEX]': '71', '__XSS__': 'w4p1t1', '__TEMP__': 'tmp',
}


def wapiti_fill(s):
    for k, v in WAPITI_FILL.items():
        s = s.replace(k, v)
    return s.replace('[]', '').replace('\\0', '\x00')


def wapiti_payloads():
    base = os.path.join(DEB, 'usr', 'lib', 'python3', 'dist-packages', 'wapitiCore', 'data', 'attacks')
    out = []
    for name, fam in (('blindSQLPayloads.txt', 'sqli'), ('execPayloads.txt', 'command')):
        for s in read_lines(os.path.join(base, name)):
            s = wapiti_fill(s)
            if keep_fuzz(s):
                out.append({'text': s, 'family': fam, 'source': f'wapiti-3.0.4 {name}', 'ref': name})
    for name, fam in (('xssPayloads.ini', 'xss'), ('xxePayloads.ini', 'xxe'), ('fileHandlingPayloads.ini', None)):
        section = ''
        for line in read_lines(os.path.join(base, name)):
            m = re.match(r'\[(.+)\]$', line.strip())
            if m:
                section = m.group(1)
            if line.startswith('payload = '):
                s = wapiti_fill(line[len('payload = '):])
                f = fam or ('rfi' if 'remote' in section or s.startswith('http') else 'traversal')
                if keep_fuzz(s):
                    out.append({'text': s, 'family': f, 'source': f'wapiti-3.0.4 {name}', 'ref': section})
    mods = os.path.join(base, '..', '..', 'attack')
    inline = [
        ("1\xbf'\"(", 'sqli', 'mod_sql.py'),
        ('http://wapiti3.ovh/ssrf/a81f2c/7/71/', 'ssrf', 'mod_ssrf.py'),
        ('() { :;}; echo; echo; echo $(/bin/cat /etc/passwd)', 'command', 'mod_shellshock.py'),
        ('http://www.google.fr\r\nwapiti: 3.0.4 version', 'crlf', 'mod_crlf.py'),
    ]
    for s, fam, mod in inline:
        if os.path.exists(os.path.join(mods, mod)):
            out.append({'text': s, 'family': fam, 'source': f'wapiti-3.0.4 {mod}', 'ref': mod})
    return out


def fortunes(paths, lo=25, hi=420):
    out = []
    for p in paths:
        if p.endswith('.dat') or os.path.isdir(p) or os.path.islink(p):
            continue
        text = open(p, encoding='utf-8', errors='replace').read()
        for e in text.split('\n%\n'):
            e = e.strip().replace('\t', ' ')
            if lo <= len(e) <= hi and '\x1b' not in e and '\ufffd' not in e and not re.search(r'(.)\1{6}', e):
                out.append(e)
    return out


def code_lines():
    py = []
    std = sysconfig.get_paths()['stdlib']
    for name in ('json/__init__.py', 'json/decoder.py', 'http/client.py', 'urllib/parse.py', 'csv.py',
                 'shutil.py', 'subprocess.py', 'sqlite3/dump.py', 'email/utils.py', 'string.py'):
        p = os.path.join(std, name)
        if os.path.exists(p):
            py += [(l.strip(), name) for l in read_lines(p) if 24 <= len(l.strip()) <= 110 and not l.strip().startswith('#')]
    js = []
    for p in sorted(glob.glob(os.path.join(ROOT, 'node_modules', 'express', 'lib', '**', '*.js'), recursive=True)):
        rel = os.path.relpath(p, os.path.join(ROOT, 'node_modules'))
        js += [(l.strip(), rel) for l in read_lines(p) if 24 <= len(l.strip()) <= 110 and not l.strip().startswith(('//', '*', '/*'))]
    return py, js, std


def benign():
    g = os.path.join(DEB, 'usr', 'share', 'games', 'fortunes')
    en = fortunes(sorted(glob.glob(os.path.join(g, '*'))))
    de = fortunes(sorted(glob.glob(os.path.join(g, 'de', '*'))))
    words = read_lines(os.path.join(DEB, 'usr', 'share', 'dict', 'american-english'))
    words = [w.encode('latin-1').decode('utf-8', 'replace') for w in words]
    apost_names = sorted({w for w in words if re.match(r"^[A-Z]'[A-Z][a-z]+$", w)})
    surnames = sorted({w for w in words if re.match(r'^[A-Z][a-z]{3,11}$', w)})
    contractions = sorted({w for w in words if re.match(r"^[a-z]+'(t|s|re|ve|ll|d|m)$", w)})
    fr = [w.encode('latin-1').decode('utf-8', 'replace') for w in read_lines(os.path.join(DEB, 'usr', 'share', 'dict', 'french'))]
    fr_apost = sorted({w for w in fr if "'" in w and len(w) > 3})
    fr_words = sorted({w for w in fr if re.match(r'^[a-zàâçéèêëîïôûùüÿœ]{4,12}$', w)})
    first = [n for n in read_lines(os.path.join(DEB, 'usr', 'share', 'wfuzz', 'wordlist', 'others', 'names.txt')) if re.match(r'^[A-Z][a-z]{2,10}$', n)]
    py, js, std = code_lines()
    return {
        'fortunes_en': en, 'fortunes_de': de, 'apostrophe_names': apost_names, 'surnames': surnames,
        'first_names': first, 'contractions': contractions, 'french_apostrophe': fr_apost, 'french_words': fr_words,
        'code_python': [{'text': t, 'file': f} for t, f in py], 'code_js': [{'text': t, 'file': f} for t, f in js],
        'python_stdlib': std,
    }


def main():
    payloads = crs_payloads() + wfuzz_payloads() + wapiti_payloads()
    seen, uniq = set(), []
    for p in payloads:
        if p['text'] in seen:
            continue
        seen.add(p['text'])
        uniq.append(p)
    with open(os.path.join(MAT, 'payloads.json'), 'w', encoding='utf-8') as f:
        json.dump(uniq, f, ensure_ascii=False, indent=0)
    b = benign()
    with open(os.path.join(MAT, 'benign.json'), 'w', encoding='utf-8') as f:
        json.dump(b, f, ensure_ascii=False, indent=0)
    counts = {}
    for p in uniq:
        k = (p['source'], p['family'])
        counts[k] = counts.get(k, 0) + 1
    for (s, fam), n in sorted(counts.items()):
        print(f'{n:5d}  {s}  {fam}', file=sys.stderr)
    print({k: len(v) for k, v in b.items() if isinstance(v, list)}, file=sys.stderr)


if __name__ == '__main__':
    main()
