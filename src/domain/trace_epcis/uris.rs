//! The URIs the document names things by (lot classes, batches, shipments, POs), percent-encoded
//! so codes cannot split them, and CBV vocabulary in its short and long spellings.

/// `urn:portico:{kind}:{seg}:{seg}…`, each segment percent-encoded so `:` and `/` in codes and
/// names cannot split it.
pub(super) fn urn(kind: &str, segments: &[&str]) -> String {
    let mut out = format!("urn:portico:{kind}");
    for s in segments {
        out.push(':');
        out.push_str(&pct(s));
    }
    out
}

/// The decoded segments of a `urn:portico:{kind}:…` URI with exactly `n` segments.
pub(super) fn parse_urn(uri: &str, kind: &str, n: usize) -> Option<Vec<String>> {
    let rest = uri.strip_prefix("urn:portico:")?.strip_prefix(kind)?;
    let rest = rest.strip_prefix(':')?;
    let segs: Vec<String> = rest.split(':').map(unpct).collect::<Option<_>>()?;
    (segs.len() == n).then_some(segs)
}

/// The last path segment of another system's identifier (GS1 Digital Link `…/10/LOT1` or
/// `urn:epc:class:lgtin:…`), which is the closest thing to a code it carries.
pub(super) fn last_segment(uri: &str) -> String {
    let uri = uri.split(['?', '#']).next().unwrap_or(uri);
    let seg = uri.rsplit([':', '/']).next().unwrap_or(uri);
    unpct(seg).unwrap_or_else(|| seg.to_owned())
}

/// Lot class URI of a material lot; (supplier name, lot code) back from one.
pub(super) fn lot_class(owner: &str, supplier: &str, code: &str) -> String {
    urn("lot", &[owner, supplier, code])
}

pub(super) fn lot_of_class(class: &str) -> (String, String) {
    match parse_urn(class, "lot", 3) {
        Some(mut s) => {
            let code = s.pop().unwrap_or_default();
            (s.pop().unwrap_or_default(), code)
        }
        None => (String::new(), last_segment(class)),
    }
}

pub(super) fn finished_class(owner: &str, code: &str) -> String {
    urn("finished", &[owner, code])
}

pub(super) fn finished_of_class(class: &str) -> String {
    parse_urn(class, "finished", 2)
        .and_then(|mut s| s.pop())
        .unwrap_or_else(|| last_segment(class))
}

/// Percent-encodes all but RFC 3986 unreserved characters.
pub(super) fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(super) fn unpct(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// CBV values may come short (`receiving`) or as URIs (CBV 1.x URNs, GS1 Web Vocabulary).
pub(super) fn cbv_short(v: &str) -> &str {
    const PREFIXES: [&str; 6] = [
        "urn:epcglobal:cbv:bizstep:",
        "https://ref.gs1.org/cbv/BizStep-",
        "https://gs1.org/voc/BizStep-",
        "urn:epcglobal:cbv:btt:",
        "https://ref.gs1.org/cbv/BTT-",
        "https://gs1.org/voc/BTT-",
    ];
    PREFIXES.iter().find_map(|p| v.strip_prefix(p)).unwrap_or(v)
}
