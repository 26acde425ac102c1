"""An emulation of a real WAF: the OWASP Core Rule Set (Debian's modsecurity-crs 3.3.4), paranoia
level 1, as ModSecurity v2 evaluates it, in Python with the real PCRE2 (`pcre2` bindings) and the
real libinjection (`libinjection-python`, what CRS's @detectSQLi / @detectXSS call).

Only the request rules that look for attacks are loaded: REQUEST-913 (scanner detection) and
REQUEST-930..944 (LFI, RFI, RCE, PHP, Node.js, XSS, SQLi, session fixation, Java). Protocol
enforcement (920/921/922), ip reputation (910), method enforcement (911) and DoS (912) are left out:
they judge the HTTP framing of a real connection, which a replayed corpus does not have.

A request is blocked when its inbound anomaly score reaches the default threshold of 5 (every PL1
attack rule is CRITICAL = 5, so one match blocks), as REQUEST-949 decides.

    python crs.py --rules DIR --in requests.jsonl --out verdicts.jsonl
    python crs.py --rules DIR --selftest TESTS_DIR        # CRS's own regression tests, PL1 rules

A request line: {"id": …, "method": "GET", "uri": "/p?q=1", "headers": [[name, value], …],
"body": "…" | null}. A verdict line: {"id": …, "blocked": bool, "score": int, "rules": [ids],
"var": "ARGS:q"} (the first matched variable).
"""

import argparse
import base64
import glob
import json
import os
import re
import sys
from urllib.parse import unquote_to_bytes

import libinjection
import pcre2

FILES = ['913', '930', '931', '932', '933', '934', '941', '942', '943', '944']
SEVERITY = {'CRITICAL': 5, 'ERROR': 4, 'WARNING': 3, 'NOTICE': 2}
THRESHOLD = 5


# ---------------------------------------------------------------- parsing the .conf files

def logical_lines(text):
    out, cur = [], ''
    for line in text.split('\n'):
        s = line.rstrip()
        if not cur and (s.lstrip().startswith('#') or not s.strip()):
            continue
        if s.endswith('\\'):
            cur += s[:-1] + ' '
        else:
            cur += s
            out.append(cur.strip())
            cur = ''
    return out


def tokens(line):
    """Splits a directive into its arguments; double quotes group, \\" is a quote."""
    toks, i, n = [], 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        if line[i] == '"':
            j, buf = i + 1, []
            while j < n and line[j] != '"':
                if line[j] == '\\' and j + 1 < n and line[j + 1] == '"':
                    buf.append('"')
                    j += 2
                    continue
                buf.append(line[j])
                j += 1
            toks.append(''.join(buf))
            i = j + 1
        else:
            j = i
            while j < n and not line[j].isspace():
                j += 1
            toks.append(line[i:j])
            i = j
    return toks


def split_actions(s):
    """Splits an action list on commas outside single quotes."""
    out, cur, q = [], [], False
    for ch in s:
        if ch == "'":
            q = not q
        if ch == ',' and not q:
            out.append(''.join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if cur:
        out.append(''.join(cur).strip())
    return [a for a in out if a]


class Rule:
    def __init__(self, file, variables, operator, actions):
        self.file = file
        acts = split_actions(actions)
        self.actions = acts
        self.id = next((a[3:] for a in acts if a.startswith('id:')), None)
        self.chain_next = 'chain' in acts
        self.multimatch = 'multiMatch' in acts
        self.transforms = []
        for a in acts:
            if a.startswith('t:'):
                t = a[2:]
                if t == 'none':
                    self.transforms = []
                else:
                    self.transforms.append(t.lower())
        sev = next((a.split(':', 1)[1].strip("'") for a in acts if a.startswith('severity:')), None)
        self.severity = SEVERITY.get(sev, 0)
        self.variables = parse_variables(variables)
        neg = operator.startswith('!')
        op = operator[1:] if neg else operator
        if op.startswith('@'):
            name, _, arg = op[1:].partition(' ')
        else:
            name, arg = 'rx', op
        self.negated = neg
        self.op = name.lower()
        self.arg = arg
        self.chain = []           # the rules chained after this one (the head holds them)
        self.problem = None       # why it cannot be evaluated, if it cannot


def parse_variables(spec):
    include, exclude = [], []
    for part in spec.split('|'):
        part = part.strip()
        count = part.startswith('&')
        if count:
            part = part[1:]
        neg = part.startswith('!')
        if neg:
            part = part[1:]
        coll, _, sel = part.partition(':')
        item = (coll.upper(), sel or None, count)
        (exclude if neg else include).append(item)
    return {'include': include, 'exclude': exclude}


def load_rules(rules_dir, max_pl=1):
    """The request attack rules at paranoia level <= max_pl, chains attached to their head."""
    rules = []
    for f in sorted(glob.glob(os.path.join(rules_dir, 'REQUEST-9*.conf'))):
        base = os.path.basename(f)
        if base[8:11] not in FILES:
            continue
        pl = 0
        head = None
        for line in logical_lines(open(f, encoding='utf-8').read()):
            t = tokens(line)
            if not t or t[0] != 'SecRule':
                continue
            t += [''] * (4 - len(t))
            m = re.match(r'@lt (\d)', t[2])
            if t[1] == 'TX:EXECUTING_PARANOIA_LEVEL' and m:
                pl = int(m.group(1))
                continue
            r = Rule(base, t[1], t[2], t[3])
            if head is not None:
                head.chain.append(r)
                if not r.chain_next:
                    head = None
                continue
            if r.chain_next:
                head = r
            if 1 <= pl <= max_pl and r.id:
                r.pl = pl
                rules.append(r)
    for r in rules:
        prepare(r, rules_dir)
        for c in r.chain:
            prepare(c, rules_dir)
            if c.problem and not r.problem:
                r.problem = 'chained rule: ' + c.problem
    return rules


def pm_regex(phrases):
    phrases = sorted({p.lower() for p in phrases if p}, key=len, reverse=True)
    return pcre2.compile('|'.join(re.escape(p) for p in phrases), jit=True)


def prepare(r, rules_dir):
    if r.op == 'rx':
        if '%{' in r.arg:
            r.problem = 'macro in @rx'
            return
        try:
            r.matcher = pcre2.compile(r.arg, flags=pcre2.DOTALL, jit=True)
        except Exception as e:  # noqa: BLE001 - reported as a rule we could not translate
            r.problem = f'PCRE2 rejects the pattern: {e}'
    elif r.op in ('pm', 'pmf', 'pmfromfile'):
        if r.op == 'pm':
            phrases = r.arg.split()
        else:
            phrases = []
            for name in r.arg.split():
                for line in open(os.path.join(rules_dir, name), encoding='utf-8', errors='replace'):
                    line = line.strip()
                    if line and not line.startswith('#'):
                        phrases.append(line)
        r.matcher = pm_regex(phrases)
        r.op = 'pm'
    elif r.op in ('detectsqli', 'detectxss'):
        pass
    else:
        r.problem = f'operator @{r.op} {r.arg}'.strip()
    for coll, sel, count in r.variables['include']:
        if count:
            r.problem = r.problem or f'counts (&{coll})'
        if coll in ('TX', 'IP', 'GEO'):
            r.problem = r.problem or f'variable {coll}'


# ---------------------------------------------------------------- transformations (ModSecurity v2)

HEX = '0123456789abcdefABCDEF'


def t_urldecode(s, uni):
    out, i, n = [], 0, len(s)
    while i < n:
        c = s[i]
        if c == '%':
            if uni and i + 5 < n + 0 and s[i + 1] in 'uU' and all(ch in HEX for ch in s[i + 2:i + 6]) and len(s[i + 2:i + 6]) == 4:
                hi, lo = int(s[i + 2:i + 4], 16), int(s[i + 4:i + 6], 16)
                out.append(chr(lo + 0x20 if hi == 0xFF and lo + 0x20 <= 0xFF else lo))
                i += 6
                continue
            if i + 2 < n + 0 and s[i + 1] in HEX and s[i + 2] in HEX:
                out.append(chr(int(s[i + 1:i + 3], 16)))
                i += 3
                continue
            out.append(c)
        elif c == '+':
            out.append(' ')
        else:
            out.append(c)
        i += 1
    return ''.join(out)


def t_utf8tounicode(s):
    # The value is held as bytes (one char per byte, latin-1); multibyte UTF-8 becomes %uHHHH.
    try:
        u = s.encode('latin-1').decode('utf-8')
    except UnicodeDecodeError:
        return s
    return ''.join(c if ord(c) < 0x80 else '%%u%04x' % (ord(c) & 0xFFFF) for c in u)


ENT = {'quot': '"', 'amp': '&', 'lt': '<', 'gt': '>', 'nbsp': '\xa0'}
ENT_RE = re.compile(r'&(?:#[xX]([0-9a-fA-F]+);?|#([0-9]+);?|(quot|amp|lt|gt|nbsp);?)', re.I)


def t_htmlentitydecode(s):
    def rep(m):
        if m.group(1):
            return chr(int(m.group(1)[-2:] or '0', 16) & 0xFF)
        if m.group(2):
            return chr(int(m.group(2)) & 0xFF)
        return ENT[m.group(3).lower()]
    return ENT_RE.sub(rep, s)


JS_RE = re.compile(r'\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-7]{1,3})|(.))', re.S)
JS_ESC = {'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}


def t_jsdecode(s):
    def rep(m):
        if m.group(1):
            hi, lo = int(m.group(1)[:2], 16), int(m.group(1)[2:], 16)
            return chr(lo + 0x20 if hi == 0xFF and lo + 0x20 <= 0xFF else lo)
        if m.group(2):
            return chr(int(m.group(2), 16))
        if m.group(3):
            return chr(int(m.group(3), 8) & 0xFF)
        return JS_ESC.get(m.group(4), m.group(4))
    return JS_RE.sub(rep, s)


CSS_RE = re.compile(r'\\(?:([0-9a-fA-F]{1,6})[ \t\n\f\r]?|\n|(.))', re.S)


def t_cssdecode(s):
    def rep(m):
        if m.group(1):
            h = m.group(1)
            v = int(h[-2:], 16)
            if len(h) >= 4 and h[-4:-2].lower() == 'ff' and v + 0x20 <= 0xFF:
                v += 0x20
            return chr(v)
        if m.group(2) is not None:
            return m.group(2)
        return ''
    return CSS_RE.sub(rep, s)


def t_cmdline(s):
    s = re.sub(r'[\\"\'^]', '', s)
    s = re.sub(r'\s+(?=[/(])', '', s)
    s = re.sub(r'[,;]', ' ', s)
    s = re.sub(r'\s+', ' ', s)
    return s.lower()


def t_compresswhitespace(s):
    return re.sub(r'[ \f\t\n\r\v\xa0]+', ' ', s)


def t_replacecomments(s):
    s = re.sub(r'/\*.*?\*/', ' ', s, flags=re.S)
    return re.sub(r'/\*.*$', ' ', s, flags=re.S)


def t_normalisepath(s, win=False):
    if win:
        s = s.replace('\\', '/')
    absolute = s.startswith('/')
    trailing = s.endswith('/')
    out = []
    for part in s.split('/'):
        if part in ('', '.'):
            continue
        if part == '..':
            if out and out[-1] != '..':
                out.pop()
            elif not absolute:
                out.append('..')
            continue
        out.append(part)
    r = ('/' if absolute else '') + '/'.join(out)
    if trailing and out:
        r += '/'
    return r


def t_base64decode(s):
    try:
        return base64.b64decode(s + '=' * (-len(s) % 4), validate=False).decode('latin-1')
    except Exception:  # noqa: BLE001 - ModSecurity leaves undecodable input as it is
        return s


TRANSFORMS = {
    'urldecode': lambda s: t_urldecode(s, False),
    'urldecodeuni': lambda s: t_urldecode(s, True),
    'utf8tounicode': t_utf8tounicode,
    'removenulls': lambda s: s.replace('\x00', ''),
    'lowercase': str.lower,
    'htmlentitydecode': t_htmlentitydecode,
    'jsdecode': t_jsdecode,
    'cssdecode': t_cssdecode,
    'cmdline': t_cmdline,
    'compresswhitespace': t_compresswhitespace,
    'replacecomments': t_replacecomments,
    'normalisepath': t_normalisepath,
    'normalizepath': t_normalisepath,
    'normalizepathwin': lambda s: t_normalisepath(s, True),
    'base64decode': t_base64decode,
}


# ---------------------------------------------------------------- the request's collections

def latin(s):
    """ModSecurity sees bytes: hold them one char per byte."""
    return s.encode('utf-8').decode('latin-1')


def parse_query(q):
    pairs = []
    if not q:
        return pairs
    for part in q.split('&'):
        if part == '':
            continue
        k, eq, v = part.partition('=')
        pairs.append((t_urldecode(k, False), t_urldecode(v, False)))
    return pairs


def flatten_json(value, prefix, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten_json(v, f'{prefix}.{k}', out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            flatten_json(v, f'{prefix}.array_{i}', out)
    elif value is None:
        out.append((prefix, ''))
    elif isinstance(value, bool):
        out.append((prefix, 'true' if value else 'false'))
    else:
        out.append((prefix, latin(str(value))))


def collections(req):
    uri = latin(req.get('uri') or '/')
    path, _, query = uri.partition('?')
    headers = [(latin(k), latin(v)) for k, v in req.get('headers') or []]
    hmap = {}
    for k, v in headers:
        hmap.setdefault(k.lower(), v)
    cookies = []
    for k, v in headers:
        if k.lower() == 'cookie':
            for part in v.split(';'):
                name, _, val = part.strip().partition('=')
                if name:
                    cookies.append((name, val))
    args_get = parse_query(query)
    args_post = []
    body = req.get('body')
    body = latin(body) if body else ''
    ctype = hmap.get('content-type', '').lower()
    if body:
        if 'json' in ctype:
            try:
                flatten_json(json.loads(body.encode('latin-1').decode('utf-8')), 'json', args_post)
            except ValueError:
                pass
        elif 'x-www-form-urlencoded' in ctype:
            args_post = parse_query(body)
    args = args_get + args_post
    filename = t_urldecode(path, False)
    c = {
        'ARGS': args,
        'ARGS_GET': args_get,
        'ARGS_POST': args_post,
        'ARGS_NAMES': [(k, k) for k, _ in args],
        'ARGS_GET_NAMES': [(k, k) for k, _ in args_get],
        'REQUEST_COOKIES': cookies,
        'REQUEST_COOKIES_NAMES': [(k, k) for k, _ in cookies],
        'REQUEST_HEADERS': headers,
        'REQUEST_HEADERS_NAMES': [(k, k) for k, _ in headers],
        'REQUEST_URI': [('', uri)],
        'REQUEST_URI_RAW': [('', uri)],
        'REQUEST_FILENAME': [('', filename)],
        'REQUEST_BASENAME': [('', filename.rsplit('/', 1)[-1])],
        'QUERY_STRING': [('', query)],
        'REQUEST_BODY': [('', body)] if body else [],
        'REQUEST_LINE': [('', f"{req.get('method', 'GET')} {uri} HTTP/1.1")],
        'REQUEST_METHOD': [('', req.get('method', 'GET'))],
        'FILES': [], 'FILES_NAMES': [], 'XML': [],
    }
    return c


def select(rule, cols, matched):
    out = []
    for coll, sel, _ in rule.variables['include']:
        if coll == 'MATCHED_VARS':
            out.extend(matched)
            continue
        items = cols.get(coll, [])
        for name, value in items:
            if sel is not None and not name_matches(sel, name, coll):
                continue
            if any(ex_coll == coll and ex_sel is not None and name_matches(ex_sel, name, coll)
                   for ex_coll, ex_sel, _ in rule.variables['exclude']):
                continue
            out.append((f'{coll}:{name}' if name else coll, value))
    return out


def name_matches(sel, name, coll):
    if sel.startswith('/') and sel.endswith('/') and len(sel) > 1:
        return re.search(sel[1:-1], name, re.I) is not None
    return sel.lower() == name.lower()


# ---------------------------------------------------------------- evaluation

class Engine:
    def __init__(self, rules):
        self.rules = [r for r in rules if not r.problem]
        self.skipped = [r for r in rules if r.problem]
        self.tcache = {}
        self.mcache = {}
        self.vcache = {}   # (collection, name, value) -> ids of the chain-less rules it trips
        self.rcache = {}   # (collection, name) -> the chain-less rules that read that variable
        self.plain = [r for r in self.rules if not r.chain]
        self.chained = [r for r in self.rules if r.chain]

    def rules_for(self, coll, name):
        key = (coll, name.lower())
        hit = self.rcache.get(key)
        if hit is None:
            hit = []
            for r in self.plain:
                inc = any(c == coll and (sel is None or name_matches(sel, name, coll)) for c, sel, _ in r.variables['include'])
                exc = any(c == coll and sel is not None and name_matches(sel, name, coll) for c, sel, _ in r.variables['exclude'])
                if inc and not exc:
                    hit.append(r)
            self.rcache[key] = hit
        return hit

    def values_to_test(self, rule, value):
        key = (tuple(rule.transforms), rule.multimatch, value)
        hit = self.tcache.get(key)
        if hit is not None:
            return hit
        vals = [value]
        v = value
        for t in rule.transforms:
            v = TRANSFORMS[t](v)
            if rule.multimatch:
                vals.append(v)
        if not rule.multimatch:
            vals = [v]
        vals = tuple(dict.fromkeys(vals))
        if len(self.tcache) > 400000:
            self.tcache.clear()
        self.tcache[key] = vals
        return vals

    def op_matches(self, rule, v):
        key = (id(rule), v)
        hit = self.mcache.get(key)
        if hit is not None:
            return hit
        if rule.op in ('rx', 'pm'):
            m = rule.matcher.search(v if rule.op == 'rx' else v.lower()) is not None
        elif rule.op == 'detectsqli':
            m = bool(libinjection.is_sql_injection(v)['is_sqli']) if v else False
        elif rule.op == 'detectxss':
            m = bool(libinjection.is_xss(v)['is_xss']) if v else False
        else:
            m = False
        m = m != rule.negated
        if len(self.mcache) > 2000000:
            self.mcache.clear()
        self.mcache[key] = m
        return m

    def rule_matches(self, rule, cols, matched_before):
        matched = []
        for name, value in select(rule, cols, matched_before):
            if any(self.op_matches(rule, v) for v in self.values_to_test(rule, value)):
                matched.append((name, value))
        return matched

    def evaluate(self, req):
        cols = collections(req)
        first = {}
        # Chain-less rules: each variable's verdicts are memoized by its value (headers repeat).
        for coll, items in cols.items():
            for name, value in items:
                key = (coll, name.lower(), value)
                ids = self.vcache.get(key)
                if ids is None:
                    ids = tuple(r.id for r in self.rules_for(coll, name)
                                if any(self.op_matches(r, v) for v in self.values_to_test(r, value)))
                    if len(self.vcache) > 1000000:
                        self.vcache.clear()
                    self.vcache[key] = ids
                for rid in ids:
                    first.setdefault(rid, f'{coll}:{name}' if name else coll)
        # Chained rules: the next rule reads what the previous one matched (MATCHED_VARS).
        for r in self.chained:
            m = self.rule_matches(r, cols, [])
            ok, prev = bool(m), m
            for c in r.chain:
                if not ok:
                    break
                prev = self.rule_matches(c, cols, prev)
                ok = bool(prev)
            if ok:
                first.setdefault(r.id, m[0][0])
        score, hits, var = 0, [], None
        for r in self.rules:
            if r.id in first:
                score += r.severity
                hits.append(r.id)
                var = var or first[r.id]
        return {'blocked': score >= THRESHOLD, 'score': score, 'rules': hits, 'var': var}


# ---------------------------------------------------------------- CLI

def selftest(engine, tests_dir):
    """Runs CRS's own regression tests of the loaded PL1 rules: how many positive tests we flag."""
    import yaml
    ids = {r.id for r in engine.rules}
    total, found, per_rule = 0, 0, {}
    for f in sorted(glob.glob(os.path.join(tests_dir, 'REQUEST-9*', '*.yaml'))):
        doc = yaml.safe_load(open(f, encoding='utf-8', errors='replace'))
        for t in doc.get('tests', []):
            for st in t.get('stages', []):
                s = st.get('stage', {})
                out = s.get('output', {})
                want = re.search(r'id "(\d+)"', str(out.get('log_contains', '')))
                if not want or want.group(1) not in ids:
                    continue
                req = test_request(s.get('input', {}))
                if req is None:
                    continue
                v = engine.evaluate(req)
                total += 1
                got = want.group(1) in v['rules']
                found += got
                a = per_rule.setdefault(want.group(1), [0, 0])
                a[0] += 1
                a[1] += got
    return {'tests': total, 'flagged_by_that_rule': found, 'per_rule': per_rule}


def test_request(inp):
    """A CRS regression test's input as a request line (None when it has no usable form)."""
    data = inp.get('data')
    if isinstance(data, list):
        data = '\r\n'.join(str(x) for x in data)
    headers = [[str(k), str(v)] for k, v in (inp.get('headers') or {}).items()]
    if data and not any(k.lower() == 'content-type' for k, _ in headers):
        headers.append(['Content-Type', 'application/x-www-form-urlencoded'])
    return {'method': inp.get('method', 'GET'), 'uri': str(inp.get('uri', '/')),
            'headers': headers, 'body': data if isinstance(data, str) else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rules', required=True)
    ap.add_argument('--in', dest='inp')
    ap.add_argument('--out')
    ap.add_argument('--selftest')
    ap.add_argument('--describe', action='store_true', help='print the loaded and skipped rules as JSON')
    a = ap.parse_args()
    rules = load_rules(a.rules)
    engine = Engine(rules)
    if a.describe:
        json.dump({'loaded': [{'id': r.id, 'file': r.file, 'op': r.op, 'chain': len(r.chain)} for r in engine.rules],
                   'skipped': [{'id': r.id, 'file': r.file, 'why': r.problem} for r in engine.skipped]},
                  sys.stdout, indent=1)
        return
    if a.selftest:
        json.dump(selftest(engine, a.selftest), sys.stdout, indent=1)
        return
    src = open(a.inp, encoding='utf-8') if a.inp else sys.stdin
    dst = open(a.out, 'w', encoding='utf-8') if a.out else sys.stdout
    for line in src:
        if not line.strip():
            continue
        req = json.loads(line)
        v = engine.evaluate(req)
        v['id'] = req.get('id')
        dst.write(json.dumps(v) + '\n')
    dst.close()


if __name__ == '__main__':
    main()
