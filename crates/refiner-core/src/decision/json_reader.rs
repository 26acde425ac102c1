//! Reads a logged `{ decision, request, context }` record into the packed layout, with the same
//! rules as the JS packer (`lib/pack.js`): unknown rule types are tolerated, wrong types are
//! errors naming the field path.

use super::*;

type Obj = Map<String, Value>;

/// Reads one record; see [`RawInput::from_json`].
pub fn read_record(record: &Value) -> Result<OwnedInput> {
    let root = object(record, "input")?.ok_or_else(|| RefinerError::input("input", "an object"))?;
    let mut nums = vec![0.0; WIDTH];
    let mut texts = OwnedTexts::default();
    nums[Slot::At as usize] = match field(root, "at") {
        Value::Null => 0.0,
        v => v.as_f64().filter(|t| t.is_finite() && *t > 0.0).ok_or_else(|| RefinerError::input("at", "a time in ms since the Unix epoch"))?,
    };
    let mut arcjet_fp = "";
    if let Some(d) = object(field(root, "decision"), "decision")? {
        read_decision(d, &mut nums)?;
        arcjet_fp = arcjet_fingerprint(d);
    }
    if let Some(r) = object(field(root, "request"), "request")? {
        read_request(r, &mut nums, &mut texts)?;
    }
    nums[CONTEXT_BASE..RESULTS_BASE].fill(f64::NAN);
    let context = object(field(root, "context"), "context")?;
    if let Some(c) = context {
        read_context(c, &mut nums)?;
    }
    for (i, t) in TEXT_FIELDS.iter().enumerate() {
        let Some(key) = t.source.strip_prefix("context.") else { continue };
        if let Some(c) = context {
            texts.fixed[i] = string(field(c, key), || t.source.to_owned())?.unwrap_or("").to_owned();
        }
        if key == "fingerprint" && texts.fixed[i].is_empty() {
            texts.fixed[i] = arcjet_fp.to_owned();
        }
    }
    nums[Slot::HeaderPairs as usize] = texts.header_pairs.len() as f64;
    nums[Slot::BodyFields as usize] = texts.body_fields.len() as f64;
    Ok(OwnedInput::new(nums, texts))
}

/// The first fingerprint Arcjet computed for a rule result (from the configured characteristics).
fn arcjet_fingerprint(d: &Obj) -> &str {
    let Value::Array(results) = field(d, "results") else { return "" };
    results.iter().take(MAX_RESULTS).find_map(|r| r.get("fingerprint").and_then(Value::as_str).filter(|f| !f.is_empty())).unwrap_or("")
}

fn field<'a>(o: &'a Obj, key: &str) -> &'a Value {
    o.get(key).unwrap_or(&Value::Null)
}

fn object<'a>(v: &'a Value, path: &str) -> Result<Option<&'a Obj>> {
    match v {
        Value::Null => Ok(None),
        Value::Object(o) => Ok(Some(o)),
        _ => Err(RefinerError::input(path, "an object")),
    }
}

fn string(v: &Value, path: impl FnOnce() -> String) -> Result<Option<&str>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => Err(RefinerError::input(path(), "a string")),
    }
}

fn number(v: &Value, path: impl FnOnce() -> String) -> Result<f64> {
    match v {
        Value::Null => Ok(0.0),
        Value::Number(n) => n.as_f64().ok_or_else(|| RefinerError::input(path(), "a number")),
        _ => Err(RefinerError::input(path(), "a number")),
    }
}

fn flag(v: &Value, path: impl FnOnce() -> String) -> Result<f64> {
    match v {
        Value::Null => Ok(0.0),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        _ => Err(RefinerError::input(path(), "a boolean")),
    }
}

/// "one of A, B, C" for a table's names.
fn one_of<T: Coded>() -> String {
    format!("one of {}", T::VARIANTS.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "))
}

fn coded<T: Coded>(v: &Value, path: impl Fn() -> String) -> Result<f64> {
    match string(v, &path)? {
        None => Ok(0.0),
        Some(s) => T::parse(s).map(T::code).ok_or_else(|| RefinerError::input(path(), one_of::<T>())),
    }
}

fn array_len(v: &Value, path: impl FnOnce() -> String) -> Result<f64> {
    match v {
        Value::Null => Ok(0.0),
        Value::Array(a) => Ok(a.len() as f64),
        _ => Err(RefinerError::input(path(), "an array")),
    }
}

fn reason_kind(reason: Option<&Obj>, path: &str) -> Result<f64> {
    let Some(reason) = reason else { return Ok(0.0) };
    Ok(match string(field(reason, "type"), || format!("{path}.type"))? {
        None => 0.0,
        Some(t) => RuleKind::parse(t).unwrap_or(RuleKind::Unknown).code(),
    })
}

fn read_decision(d: &Obj, nums: &mut [f64]) -> Result<()> {
    nums[Slot::DecisionPresent as usize] = 1.0;
    nums[Slot::Conclusion as usize] = coded::<RulesConclusion>(field(d, "conclusion"), || "decision.conclusion".into())?;
    let reason = object(field(d, "reason"), "decision.reason")?;
    nums[Slot::ReasonKind as usize] = reason_kind(reason, "decision.reason")?;
    if let Some(ip) = object(field(d, "ip"), "decision.ip")? {
        read_ip(ip, nums)?;
    }
    let results = match field(d, "results") {
        Value::Null => &[][..],
        Value::Array(a) => a.as_slice(),
        _ => return Err(RefinerError::input("decision.results", "an array")),
    };
    nums[Slot::ResultCount as usize] = results.len() as f64;
    for (i, r) in results.iter().take(MAX_RESULTS).enumerate() {
        let path = format!("decision.results[{i}]");
        let r = object(r, &path)?.ok_or_else(|| RefinerError::input(path.clone(), "an object"))?;
        read_result(r, &path, &mut nums[RESULTS_BASE + i * RESULT_STRIDE..][..RESULT_STRIDE])?;
    }
    Ok(())
}

const IP_FLAGS: [(&str, Slot); 6] = [
    ("isHosting", Slot::IpHosting),
    ("isVpn", Slot::IpVpn),
    ("isProxy", Slot::IpProxy),
    ("isTor", Slot::IpTor),
    ("isRelay", Slot::IpRelay),
    ("isAbuser", Slot::IpAbuser),
];

fn read_ip(ip: &Obj, nums: &mut [f64]) -> Result<()> {
    nums[Slot::IpPresent as usize] = f64::from(u8::from(ip.values().any(|v| !v.is_null())));
    for (key, slot) in IP_FLAGS {
        nums[slot as usize] = flag(field(ip, key), || format!("decision.ip.{key}"))?;
    }
    Ok(())
}

fn read_result(r: &Obj, path: &str, out: &mut [f64]) -> Result<()> {
    use ResultSlot as S;
    out[S::State as usize] = coded::<RuleState>(field(r, "state"), || format!("{path}.state"))?;
    out[S::Conclusion as usize] = coded::<RulesConclusion>(field(r, "conclusion"), || format!("{path}.conclusion"))?;
    let rpath = format!("{path}.reason");
    let Some(reason) = object(field(r, "reason"), &rpath)? else { return Ok(()) };
    let kind = reason_kind(Some(reason), &rpath)?;
    out[S::Kind as usize] = kind;
    let num = |key: &str| number(field(reason, key), || format!("{rpath}.{key}"));
    let len = |key: &str| array_len(field(reason, key), || format!("{rpath}.{key}"));
    let flg = |key: &str| flag(field(reason, key), || format!("{rpath}.{key}"));
    match RuleKind::from_code(kind) {
        Some(RuleKind::RateLimit) => {
            out[S::A as usize] = num("max")?;
            out[S::B as usize] = num("remaining")?;
            out[S::C as usize] = num("window")?;
            out[S::D as usize] = num("reset")?;
        }
        Some(RuleKind::Bot) => {
            out[S::A as usize] = len("denied")?;
            out[S::B as usize] = len("allowed")?;
            out[S::C as usize] = flg("verified")?;
            out[S::D as usize] = flg("spoofed")?;
        }
        Some(RuleKind::Shield) => out[S::A as usize] = flg("shieldTriggered")?,
        Some(RuleKind::Email) => out[S::A as usize] = email_mask(field(reason, "emailTypes"), &rpath)?,
        Some(RuleKind::SensitiveInfo) => {
            out[S::A as usize] = len("denied")?;
            out[S::B as usize] = len("allowed")?;
        }
        _ => {}
    }
    Ok(())
}

fn email_mask(v: &Value, rpath: &str) -> Result<f64> {
    let items = match v {
        Value::Null => return Ok(0.0),
        Value::Array(a) => a,
        _ => return Err(RefinerError::input(format!("{rpath}.emailTypes"), "an array")),
    };
    let mut mask = 0u32;
    for (i, t) in items.iter().enumerate() {
        let t = string(t, || format!("{rpath}.emailTypes[{i}]"))?.unwrap_or("");
        mask |= EmailType::parse(t).map_or(0, EmailType::bit);
    }
    Ok(f64::from(mask))
}

fn read_request(r: &Obj, nums: &mut [f64], texts: &mut OwnedTexts) -> Result<()> {
    if let Some(m) = string(field(r, "method"), || "request.method".into())? {
        nums[Slot::Method as usize] = Method::parse(&m.to_ascii_uppercase()).unwrap_or(Method::Other).code();
    }
    for (i, t) in TEXT_FIELDS.iter().enumerate() {
        if let Some(key) = t.source.strip_prefix("request.") {
            texts.fixed[i] = string(field(r, key), || t.source.to_owned())?.unwrap_or("").to_owned();
        }
    }
    texts.header_pairs = read_headers(field(r, "headers"))?;
    let (fields, oversized) = body_fields(field(r, "body"))?;
    texts.body_fields = fields;
    nums[Slot::BodyOversized as usize] = f64::from(u8::from(oversized));
    Ok(())
}

const HEADERS_EXPECTED: &str = "an object, an array of [name, value] pairs, or a flat [name, value, …] array";

/// The header pairs of a logged request: an object (Node's `IncomingHttpHeaders`), `[name, value]`
/// pairs, or Node's flat `rawHeaders`. An array value is a repeated header, a pair per value; a
/// header whose values do not all fit under [`MAX_HEADER_PAIRS`] is left out whole, with every
/// later one (see `lib/pack.js`).
fn read_headers(v: &Value) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    let mut full = false;
    let mut add = |name: &str, v: &Value, path: &dyn Fn() -> String| -> Result<()> {
        if full {
            return Ok(());
        }
        let values: Vec<&str> = match v {
            Value::Null => return Ok(()),
            Value::String(s) => vec![s],
            Value::Array(items) => {
                let mut values = Vec::new();
                for i in items {
                    if pairs.len() + values.len() > MAX_HEADER_PAIRS {
                        break;
                    }
                    match i {
                        Value::Null => {}
                        Value::String(s) => values.push(s.as_str()),
                        _ => return Err(RefinerError::input(path(), "a string")),
                    }
                }
                values
            }
            _ => return Err(RefinerError::input(path(), "a string")),
        };
        full |= pairs.len() + values.len() > MAX_HEADER_PAIRS;
        if !full {
            pairs.extend(values.into_iter().map(|v| (name.to_owned(), v.to_owned())));
        }
        Ok(())
    };
    match v {
        Value::Null => {}
        Value::Object(o) => {
            for (k, v) in o {
                add(k, v, &|| format!("request.headers[\"{k}\"]"))?;
            }
        }
        Value::Array(items) if items.iter().all(Value::is_array) => {
            for (i, pair) in items.iter().enumerate() {
                match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(k), v]) => add(k, v, &|| format!("request.headers[{i}][1]"))?,
                    _ => return Err(RefinerError::input(format!("request.headers[{i}]"), "a [name, value] pair of strings")),
                }
            }
        }
        Value::Array(items) => {
            if items.len() % 2 != 0 {
                return Err(RefinerError::input("request.headers", HEADERS_EXPECTED));
            }
            for (i, kv) in items.chunks_exact(2).enumerate() {
                let name = string(&kv[0], || format!("request.headers[{}]", 2 * i))?.unwrap_or("");
                add(name, &kv[1], &|| format!("request.headers[{}]", 2 * i + 1))?;
            }
        }
        _ => return Err(RefinerError::input("request.headers", HEADERS_EXPECTED)),
    }
    Ok(pairs)
}

/// The body's fields and whether it was cut (see `lib/pack.js`, which does the same on live JS
/// values): a string is one field (its head and tail when longer than [`MAX_BODY_BYTES`]); an
/// object or array is walked depth first, every string value and key a field, within half of
/// [`MAX_BODY_NODES`] and [`MAX_BODY_BYTES`] from the start and, when that does not reach the end,
/// half of each from the end.
fn body_fields(v: &Value) -> Result<(Vec<String>, bool)> {
    match v {
        Value::Null => Ok((Vec::new(), false)),
        Value::String(s) if s.len() <= MAX_BODY_BYTES => Ok((if s.is_empty() { vec![] } else { vec![s.clone()] }, false)),
        Value::String(s) => Ok((vec![head(s, MAX_BODY_BYTES / 2).to_owned(), tail(s, MAX_BODY_BYTES / 2).to_owned()], true)),
        Value::Object(_) | Value::Array(_) => {
            let mut front = Walk::default();
            front.walk(v, false);
            if !front.cut {
                return Ok((front.fields, false));
            }
            let mut back = Walk::default();
            back.walk(v, true);
            back.fields.reverse();
            front.fields.append(&mut back.fields);
            Ok((front.fields, true))
        }
        _ => Err(RefinerError::input("request.body", "a string, an object or an array")),
    }
}

/// One direction of the body walk, within half of each budget.
#[derive(Default)]
struct Walk {
    fields: Vec<String>,
    nodes: usize,
    bytes: usize,
    cut: bool,
}

impl Walk {
    fn walk(&mut self, root: &Value, backward: bool) {
        // An explicit stack: a body nested 10,000 deep must not overflow the native stack.
        enum Item<'a> {
            Value(&'a Value),
            Key(&'a str),
        }
        let mut stack = vec![Item::Value(root)];
        while let Some(item) = stack.pop() {
            if self.nodes >= MAX_BODY_NODES / 2 || self.bytes >= MAX_BODY_BYTES / 2 {
                self.cut = true;
                return;
            }
            self.nodes += 1;
            let s = match item {
                Item::Key(k) => k,
                Item::Value(Value::String(s)) => s.as_str(),
                Item::Value(Value::Array(a)) => {
                    // Pushed in reverse so they pop in order (forward), or as is (backward).
                    if backward { stack.extend(a.iter().map(Item::Value)) } else { stack.extend(a.iter().rev().map(Item::Value)) }
                    continue;
                }
                Item::Value(Value::Object(o)) => {
                    if backward {
                        for (k, v) in o {
                            stack.extend([Item::Key(k), Item::Value(v)]);
                        }
                    } else {
                        for (k, v) in o.iter().rev() {
                            stack.extend([Item::Value(v), Item::Key(k)]);
                        }
                    }
                    continue;
                }
                Item::Value(_) => continue,
            };
            if s.is_empty() {
                continue;
            }
            let room = MAX_BODY_BYTES / 2 - self.bytes;
            let part = if backward { tail(s, room) } else { head(s, room) };
            self.bytes += part.len();
            self.cut |= part.len() < s.len();
            self.fields.push(part.to_owned());
        }
    }
}

/// The first at most `n` bytes of `s`, on a char boundary.
fn head(s: &str, n: usize) -> &str {
    clip(s, n)
}

/// The last at most `n` bytes of `s`, on a char boundary.
fn tail(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut start = s.len() - n;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

fn read_context(c: &Obj, nums: &mut [f64]) -> Result<()> {
    nums[Slot::Route as usize] = match string(field(c, "route"), || "context.route".into())? {
        None => 0.0,
        Some(r) => Route::parse(r).map(Route::code).ok_or_else(|| RefinerError::input("context.route", one_of::<Route>()))?,
    };
    for (i, f) in CONTEXT_FIELDS.iter().enumerate() {
        let path = || format!("context.{}", f.key);
        let v = field(c, f.key);
        if v.is_null() {
            continue;
        }
        nums[CONTEXT_BASE + i] = match f.kind {
            FieldKind::Flag => flag(v, path)?,
            FieldKind::Count => match v.as_f64() {
                Some(n) if n.is_finite() && n >= 0.0 => n,
                _ => return Err(RefinerError::input(path(), "a finite number ≥ 0")),
            },
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_logged_arcjet_decision() {
        let v = json!({
            "decision": {"conclusion": "DENY", "reason": {"type": "BOT"},
                "results": [{"state": "RUN", "conclusion": "DENY", "reason": {"type": "RATE_LIMIT", "max": 5, "remaining": 0, "window": 60, "reset": 30}},
                            {"state": "DRY_RUN", "conclusion": "ALLOW", "reason": {"type": "NEW_THING"}, "fingerprint": "fp-1"}],
                "ip": {"country": "US", "isVpn": true}},
            "request": {"method": "post", "path": "/signup", "headers": {"User-Agent": "curl/8.0", "Accept": "*/*", "cookie": ["a=1", "b=2"]}, "body": {"name": "x", "n": 3}},
            "context": {"route": "signup", "formFillMs": 800, "emailVerified": false}
        });
        let o = read_record(&v).unwrap();
        let r = o.view();
        assert_eq!(r.rules_conclusion(), Some(RulesConclusion::Deny));
        assert_eq!(r.get(Slot::ReasonKind), RuleKind::Bot.code());
        assert_eq!((r.get(Slot::IpVpn), r.get(Slot::IpPresent)), (1.0, 1.0));
        assert_eq!(r.method(), Some(Method::Post));
        assert_eq!(r.route(), Route::Signup);
        assert_eq!(r.headers.get(Header::UserAgent), "curl/8.0");
        assert_eq!(r.headers.get(Header::Cookie), "a=1", "an array is a repeated header, its first value read");
        assert!(r.headers.repeated(Header::Cookie) && r.headers.count == 4);
        assert_eq!(r.texts.body_fields().collect::<Vec<_>>(), vec!["name", "x", "n"]);
        assert_eq!(r.texts.fingerprint, "fp-1", "Arcjet's fingerprint stands in for the device id");
        let results: Vec<_> = r.results().collect();
        assert_eq!((results[0].get(ResultSlot::A), results[0].get(ResultSlot::B)), (5.0, 0.0));
        assert_eq!(results[1].kind(), Some(RuleKind::Unknown));
        assert_eq!(results[1].state(), Some(RuleState::DryRun));
        assert!(r.context(0).is_nan(), "absent context is NaN, not 0");
        assert_eq!(r.context(6), 800.0);
    }

    #[test]
    fn wrong_types_name_the_field() {
        let cases = [
            (json!({"decision": {"results": [{}, {"reason": {"type": "RATE_LIMIT", "remaining": "3"}}]}}), "decision.results[1].reason.remaining must be a number"),
            (json!({"decision": {"conclusion": "MAYBE"}}), "decision.conclusion must be one of ALLOW, DENY, CHALLENGE, ERROR"),
            (json!({"context": {"sessionAgeS": -1}}), "context.sessionAgeS must be a finite number ≥ 0"),
            (json!({"context": {"route": "shop"}}), "context.route must be one of other, signup, login, checkout, api"),
            (json!({"request": {"headers": {"user-agent": 3}}}), "request.headers[\"user-agent\"] must be a string"),
            (json!({"request": {"headers": 7}}), "request.headers must be an object, an array of [name, value] pairs, or a flat [name, value, …] array"),
            (json!({"request": {"headers": [["a", "b"], ["c"]]}}), "request.headers[1] must be a [name, value] pair of strings"),
            (json!({"request": {"body": 3}}), "request.body must be a string, an object or an array"),
            (json!({"decision": 3}), "decision must be an object"),
            (json!([]), "input must be an object"),
        ];
        for (v, msg) in cases {
            assert_eq!(read_record(&v).unwrap_err().to_string(), msg);
        }
    }

    #[test]
    fn every_header_shape_reads_the_same() {
        let shapes = [
            json!({"User-Agent": "x/1", "accept": "*/*"}),
            json!([["User-Agent", "x/1"], ["accept", "*/*"]]),
            json!(["User-Agent", "x/1", "accept", "*/*"]),
        ];
        let read = |h: &Value| read_record(&json!({"request": {"headers": h}})).unwrap();
        let bits = |o: &OwnedInput| o.nums.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let first = read(&shapes[0]);
        for h in &shapes[1..] {
            let o = read(h);
            assert_eq!((o.joined(), bits(&o)), (first.joined(), bits(&first)), "{h}");
        }
        assert_eq!(first.view().headers.count, 2);

        let repeated = read(&json!({"User-Agent": ["x/1", "y/2"], "accept": "*/*"}));
        assert_eq!(repeated.joined(), read(&json!(["User-Agent", "x/1", "User-Agent", "y/2", "accept", "*/*"])).joined(), "an array value is a repeated header");
        assert!(repeated.view().headers.repeated(Header::UserAgent));
        let mut padded: serde_json::Map<String, Value> = (1..MAX_HEADER_PAIRS).map(|i| (format!("x-{i}"), json!("1"))).collect();
        padded.insert("user-agent".into(), json!(["x/1", "y/2"]));
        let cut = read(&Value::Object(padded));
        assert!(!cut.view().headers.has(Header::UserAgent), "a repeated header past the cap is left out whole, not cut to its first value");
    }

    #[test]
    fn bodies_are_read_at_any_depth_within_the_budget() {
        // serde_json drops a Value recursively, so the depth here stays within a test thread's
        // stack; the walk itself keeps its own stack (the JS packer is tested 10,000 deep).
        let mut deep = json!("<svg onload=alert(1)>");
        for _ in 0..500 {
            deep = json!({ "a": [deep] });
        }
        let (fields, cut) = body_fields(&json!({"x": deep})).unwrap();
        assert!(!cut && fields.last().unwrap().contains("onload"), "a value 1,000 levels deep is read");

        let pad = "p".repeat(MAX_BODY_BYTES);
        let (fields, cut) = body_fields(&json!({"pad": pad, "comment": "<script>alert(1)</script>"})).unwrap();
        assert!(cut, "past the budget the body is flagged");
        assert_eq!(fields.last().map(String::as_str), Some("<script>alert(1)</script>"), "the tail is read whatever the padding");
        assert!(fields.iter().map(|f| f.len()).sum::<usize>() <= MAX_BODY_BYTES);

        let many: Vec<Value> = (0..MAX_BODY_NODES * 2).map(|i| json!(i.to_string())).collect();
        let (fields, cut) = body_fields(&Value::Array(many)).unwrap();
        assert!(cut && fields.len() < MAX_BODY_NODES);
        let last = (MAX_BODY_NODES * 2 - 1).to_string();
        assert_eq!((fields.first().unwrap().as_str(), fields.last().unwrap().as_str()), ("0", last.as_str()));

        let raw = format!("{}<img src=x onerror=alert(1)>", "a".repeat(MAX_BODY_BYTES));
        let (fields, cut) = body_fields(&json!(raw)).unwrap();
        assert!(cut && fields[1].ends_with("onerror=alert(1)>"));
    }
}
