//! Reads a logged `{ decision, request, context }` record into the packed layout, with the same
//! rules as the JS packer (`lib/pack.js`): unknown rule types are tolerated, wrong types are
//! errors naming the field path.

use super::*;

type Obj = Map<String, Value>;

/// Reads one record; see [`RawInput::from_json`].
pub fn read_record(record: &Value) -> Result<OwnedInput> {
    let root = object(record, "input")?.ok_or_else(|| RefinerError::input("input", "an object"))?;
    let mut nums = vec![0.0; WIDTH];
    let mut texts: [String; 10] = Default::default();
    nums[Slot::At as usize] = match field(root, "at") {
        Value::Null => 0.0,
        v => v.as_f64().filter(|t| t.is_finite() && *t > 0.0).ok_or_else(|| RefinerError::input("at", "a time in ms since the Unix epoch"))?,
    };
    if let Some(d) = object(field(root, "decision"), "decision")? {
        read_decision(d, &mut nums)?;
        texts[9] = arcjet_fingerprint(d).to_owned();
    }
    if let Some(r) = object(field(root, "request"), "request")? {
        read_request(r, &mut nums, &mut texts)?;
    }
    nums[CONTEXT_BASE..RESULTS_BASE].fill(f64::NAN);
    if let Some(c) = object(field(root, "context"), "context")? {
        read_context(c, &mut nums)?;
        for (i, (key, _)) in IDENTITY_FIELDS.iter().enumerate() {
            if let Some(id) = string(field(c, key), || format!("context.{key}"))?.filter(|id| !id.is_empty()) {
                texts[7 + i] = id.to_owned();
            }
        }
    }
    Ok(OwnedInput { nums, texts })
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

fn coded(v: &Value, table: &[&str], path: impl Fn() -> String, expected: &'static str) -> Result<f64> {
    match string(v, &path)? {
        None => Ok(0.0),
        Some(s) => code_of(table, s).ok_or_else(|| RefinerError::input(path(), expected)),
    }
}

fn array_len(v: &Value, path: impl FnOnce() -> String) -> Result<f64> {
    match v {
        Value::Null => Ok(0.0),
        Value::Array(a) => Ok(a.len() as f64),
        _ => Err(RefinerError::input(path(), "an array")),
    }
}

const CONCLUSION_EXPECTED: &str = "one of ALLOW, DENY, CHALLENGE, ERROR";

fn reason_kind(reason: Option<&Obj>, path: &str) -> Result<f64> {
    let Some(reason) = reason else { return Ok(0.0) };
    Ok(match string(field(reason, "type"), || format!("{path}.type"))? {
        None => 0.0,
        Some(t) => code_of(RULE_KINDS, t).unwrap_or(code::KIND_UNKNOWN),
    })
}

fn read_decision(d: &Obj, nums: &mut [f64]) -> Result<()> {
    nums[Slot::DecisionPresent as usize] = 1.0;
    nums[Slot::Conclusion as usize] = coded(field(d, "conclusion"), CONCLUSIONS, || "decision.conclusion".into(), CONCLUSION_EXPECTED)?;
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
    out[S::State as usize] = coded(field(r, "state"), STATES, || format!("{path}.state"), "one of RUN, NOT_RUN, CACHED, DRY_RUN")?;
    out[S::Conclusion as usize] = coded(field(r, "conclusion"), CONCLUSIONS, || format!("{path}.conclusion"), CONCLUSION_EXPECTED)?;
    let rpath = format!("{path}.reason");
    let Some(reason) = object(field(r, "reason"), &rpath)? else { return Ok(()) };
    let kind = reason_kind(Some(reason), &rpath)?;
    out[S::Kind as usize] = kind;
    let num = |key: &str| number(field(reason, key), || format!("{rpath}.{key}"));
    let len = |key: &str| array_len(field(reason, key), || format!("{rpath}.{key}"));
    let flg = |key: &str| flag(field(reason, key), || format!("{rpath}.{key}"));
    if kind == code::KIND_RATE_LIMIT {
        out[S::A as usize] = num("max")?;
        out[S::B as usize] = num("remaining")?;
        out[S::C as usize] = num("window")?;
        out[S::D as usize] = num("reset")?;
    } else if kind == code::KIND_BOT {
        out[S::A as usize] = len("denied")?;
        out[S::B as usize] = len("allowed")?;
        out[S::C as usize] = flg("verified")?;
        out[S::D as usize] = flg("spoofed")?;
    } else if kind == code::KIND_SHIELD {
        out[S::A as usize] = flg("shieldTriggered")?;
    } else if kind == code::KIND_EMAIL {
        out[S::A as usize] = email_mask(field(reason, "emailTypes"), &rpath)?;
    } else if kind == code::KIND_SENSITIVE_INFO {
        out[S::A as usize] = len("denied")?;
        out[S::B as usize] = len("allowed")?;
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
        if let Some(code) = code_of(EMAIL_TYPES, t) {
            mask |= 1 << (code as u32 - 1);
        }
    }
    Ok(f64::from(mask))
}

fn read_request(r: &Obj, nums: &mut [f64], texts: &mut [String; 10]) -> Result<()> {
    if let Some(m) = string(field(r, "method"), || "request.method".into())? {
        let upper = m.to_ascii_uppercase();
        nums[Slot::Method as usize] = code_of(METHODS, &upper).unwrap_or(METHODS.len() as f64);
    }
    let text = |key: &str| -> Result<String> {
        Ok(string(field(r, key), || format!("request.{key}"))?.unwrap_or("").to_owned())
    };
    texts[2] = text("path")?;
    texts[3] = text("email")?;
    texts[5] = text("ip")?;
    texts[4] = match field(r, "body") {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(o) => body_text(o),
        _ => return Err(RefinerError::input("request.body", "a string or an object")),
    };
    if let Some(h) = object(field(r, "headers"), "request.headers")? {
        nums[Slot::HeaderCount as usize] = h.len() as f64;
        // Node gives repeated headers as arrays; they read as one comma-joined value, as in JS.
        let get = |name: &str| -> Result<Option<String>> {
            let Some((k, v)) = h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) else { return Ok(None) };
            let path = || format!("request.headers[\"{k}\"]");
            match v {
                Value::Array(items) => {
                    let parts = items.iter().map(|i| i.as_str().ok_or_else(|| RefinerError::input(path(), "a string"))).collect::<Result<Vec<_>>>()?;
                    Ok(Some(parts.join(", ")))
                }
                other => Ok(string(other, path)?.map(str::to_owned)),
            }
        };
        for (i, name) in HEADER_FLAGS.iter().enumerate() {
            nums[HEADER_BASE + i] = f64::from(u8::from(get(name)?.is_some()));
        }
        texts[0] = get("user-agent")?.unwrap_or_default();
        texts[1] = get("sec-ch-ua")?.unwrap_or_default();
        texts[6] = get("accept-language")?.unwrap_or_default();
    }
    Ok(())
}

/// String values of a body object, one per line (numbers and nested objects are not free text).
fn body_text(o: &Obj) -> String {
    o.values().filter_map(Value::as_str).collect::<Vec<_>>().join("\n")
}

fn read_context(c: &Obj, nums: &mut [f64]) -> Result<()> {
    nums[Slot::Route as usize] = match string(field(c, "route"), || "context.route".into())? {
        None => 0.0,
        Some(r) => code_of(ROUTES, r)
            .map(|code| code - 1.0)
            .ok_or_else(|| RefinerError::input("context.route", "one of other, signup, login, checkout, api"))?,
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
                            {"state": "DRY_RUN", "conclusion": "ALLOW", "reason": {"type": "NEW_THING"}}],
                "ip": {"country": "US", "isVpn": true}},
            "request": {"method": "post", "path": "/signup", "headers": {"User-Agent": "curl/8.0", "Accept": "*/*", "cookie": ["a=1", "b=2"]}, "body": {"name": "x", "n": 3}},
            "context": {"route": "signup", "formFillMs": 800, "emailVerified": false}
        });
        let o = read_record(&v).unwrap();
        let r = o.view();
        assert_eq!(r.get(Slot::Conclusion), code::DENY);
        assert_eq!(r.get(Slot::ReasonKind), code::KIND_BOT);
        assert_eq!(r.get(Slot::IpVpn), 1.0);
        assert_eq!(r.get(Slot::IpPresent), 1.0);
        assert_eq!(r.get(Slot::Method), 3.0);
        assert_eq!(r.get(Slot::Route), 1.0);
        assert_eq!(r.texts.user_agent, "curl/8.0");
        assert_eq!(r.texts.body, "x");
        let results: Vec<_> = r.results().collect();
        assert_eq!(results[0][ResultSlot::B as usize], 0.0);
        assert_eq!(results[0][ResultSlot::A as usize], 5.0);
        assert_eq!(results[1][ResultSlot::Kind as usize], code::KIND_UNKNOWN);
        assert_eq!(results[1][ResultSlot::State as usize], code::STATE_DRY_RUN);
        assert!(r.context(0).is_nan(), "absent context is NaN, not 0");
        assert_eq!(r.context(6), 800.0);
    }

    #[test]
    fn wrong_types_name_the_field() {
        let cases = [
            (json!({"decision": {"results": [{}, {"reason": {"type": "RATE_LIMIT", "remaining": "3"}}]}}), "decision.results[1].reason.remaining must be a number"),
            (json!({"decision": {"conclusion": "MAYBE"}}), "decision.conclusion must be one of ALLOW, DENY, CHALLENGE, ERROR"),
            (json!({"context": {"sessionAgeS": -1}}), "context.sessionAgeS must be a finite number ≥ 0"),
            (json!({"request": {"headers": {"user-agent": 3}}}), "request.headers[\"user-agent\"] must be a string"),
            (json!({"decision": 3}), "decision must be an object"),
            (json!([]), "input must be an object"),
        ];
        for (v, msg) in cases {
            assert_eq!(read_record(&v).unwrap_err().to_string(), msg);
        }
    }
}
