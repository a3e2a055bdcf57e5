//! Checking a proof bundle with nothing but the bundle itself (and, if given, a key set the
//! verifier trusts): no database, no network. `portico verify`, the order page's Verify panel and
//! the financier's view all check through here.

use super::bundle::{BUNDLE_FORMAT, Bundle, SignedStatement, StatementHeader, payload_hash};
use super::jwks::Jwks;
use super::{checked, jcs};
use crate::domain::time::UtcMillis;

/// The outcome for one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementCheck {
    pub index: usize,
    pub kind: String,
    pub org: String,
    pub at: String,
    pub attests: String,
    /// `Err` holds why the statement does not hold.
    pub result: Result<(), String>,
    /// The statement's content is withheld in this excerpt: only its place in the chain is proven.
    pub withheld: bool,
}

/// Checks every statement: canonical form, chain link, key ownership and validity at the
/// statement's time, signature. With `trusted`, keys are looked up there instead of in the
/// bundle, so a forged key set inside a bundle proves nothing.
pub fn verify_bundle(bundle: &Bundle, trusted: Option<&Jwks>) -> Vec<StatementCheck> {
    let keys = trusted.unwrap_or(&bundle.keys);
    let mut prev: Option<String> = None;
    let mut checks = Vec::new();
    for (index, statement) in bundle.statements.iter().enumerate() {
        if let Some(w) = &statement.withheld {
            checks.push(StatementCheck {
                index: index + 1,
                kind: w.kind.clone(),
                org: String::new(),
                at: String::new(),
                attests: format!("content withheld: {}", w.reason),
                result: Ok(()),
                withheld: true,
            });
            prev = Some(w.payload_hash.clone());
            continue;
        }
        let header = serde_json::from_str::<StatementHeader>(&statement.payload).ok();
        let hash = payload_hash(&statement.payload);
        let result = check_one(
            bundle,
            statement,
            &hash,
            header.as_ref(),
            prev.as_deref(),
            keys,
        );
        checks.push(StatementCheck {
            index: index + 1,
            kind: header.as_ref().map(|h| h.kind.clone()).unwrap_or_default(),
            org: header.as_ref().map(|h| h.org.clone()).unwrap_or_default(),
            at: header.as_ref().map(|h| h.at.clone()).unwrap_or_default(),
            attests: header
                .as_ref()
                .map(|h| h.attests.clone())
                .unwrap_or_default(),
            result,
            withheld: false,
        });
        prev = Some(hash);
    }
    checks
}

fn check_one(
    bundle: &Bundle,
    statement: &SignedStatement,
    hash: &str,
    header: Option<&StatementHeader>,
    prev: Option<&str>,
    keys: &Jwks,
) -> Result<(), String> {
    if bundle.format != BUNDLE_FORMAT {
        return Err(format!("unknown bundle format {:?}", bundle.format));
    }
    let jwk = keys.find(&statement.kid);
    // These exact bytes were canonical and verified under this key before (see `checked`).
    let seal = jwk.map(|k| checked::seal(hash, &statement.signature, &k.kid, &k.x));
    let known_good = seal.as_ref().is_some_and(checked::is_known_good);
    if !known_good && !jcs::is_canonical(&statement.payload).unwrap_or(false) {
        return Err("the payload is not canonical JSON (it was altered after signing)".into());
    }
    let header = header.ok_or("the payload lacks the statement header fields")?;
    if header.order_id != bundle.order_id {
        return Err("the statement is about another order".into());
    }
    if header.prev.as_deref() != prev {
        return Err("its link to the previous statement does not match (a statement was removed, reordered or changed)".into());
    }
    let jwk = jwk.ok_or("signed with a key that is not in the key set")?;
    let public = if known_good {
        None
    } else {
        Some(
            jwk.public_key()
                .map_err(|_| "the key in the key set is malformed or its kid is wrong")?,
        )
    };
    if jwk.org_id != header.org {
        return Err(
            "the key belongs to another organisation than the one making the statement".into(),
        );
    }
    let at = UtcMillis::parse_rfc3339(&header.at).ok_or("the statement's time is unreadable")?;
    if !jwk.valid_at(at) {
        return Err("the key was not valid at the statement's time".into());
    }
    let Some(public) = public else {
        return Ok(());
    };
    public
        .verify(statement.payload.as_bytes(), &statement.signature)
        .map_err(|_| "the signature does not match the payload".to_owned())?;
    if let Some(seal) = seal {
        checked::remember_good(seal);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::jwks::Jwk;
    use crate::signing::keys::{self, NewKey};
    use crate::signing::master_key::MasterKey;

    struct Signer {
        master: MasterKey,
        key: NewKey,
        org: &'static str,
    }

    impl Signer {
        fn new(org: &'static str) -> Self {
            let master = MasterKey::generate();
            let key = keys::generate(&master);
            Signer { master, key, org }
        }

        fn jwk(&self) -> Jwk {
            Jwk::new(self.org, &self.key.public, UtcMillis(0), None)
        }

        fn statement(&self, kind: &str, prev: Option<String>, at: i64) -> SignedStatement {
            let header = StatementHeader {
                kind: kind.into(),
                tenant: "brand-1".into(),
                order_id: "order-1".into(),
                org: self.org.into(),
                user: "user-1".into(),
                at: UtcMillis(at).rfc3339(),
                prev,
                attests: format!("{kind} on PO 4500001"),
            };
            let payload = jcs::canonical_json(&header).unwrap();
            let signature = keys::sign(
                &self.master,
                &self.key.public.kid,
                &self.key.sealed_private,
                payload.as_bytes(),
            )
            .unwrap();
            SignedStatement {
                payload,
                signature,
                kid: self.key.public.kid.clone(),
                withheld: None,
            }
        }
    }

    fn bundle() -> (Bundle, Signer, Signer) {
        let brand = Signer::new("brand-1");
        let supplier = Signer::new("supplier-1");
        let first = brand.statement("po.issued", None, 1_000);
        let second = supplier.statement("po.confirmed", Some(payload_hash(&first.payload)), 2_000);
        let bundle = Bundle {
            format: BUNDLE_FORMAT.into(),
            order_id: "order-1".into(),
            statements: vec![first, second],
            keys: Jwks {
                keys: vec![brand.jwk(), supplier.jwk()],
            },
        };
        (bundle, brand, supplier)
    }

    fn failures(bundle: &Bundle) -> Vec<(usize, String)> {
        verify_bundle(bundle, None)
            .into_iter()
            .filter_map(|c| c.result.err().map(|e| (c.index, e)))
            .collect()
    }

    #[test]
    fn an_untouched_bundle_verifies_and_says_what_each_statement_attests() {
        let (bundle, _, _) = bundle();
        let checks = verify_bundle(&bundle, None);
        assert_eq!(checks.len(), 2);
        assert!(checks.iter().all(|c| c.result.is_ok()), "{checks:?}");
        assert_eq!(checks[1].attests, "po.confirmed on PO 4500001");
        assert_eq!(checks[1].org, "supplier-1");
    }

    #[test]
    fn one_changed_byte_of_a_payload_fails_and_says_why() {
        let (mut bundle, _, _) = bundle();
        bundle.statements[0].payload = bundle.statements[0].payload.replace("4500001", "4500009");
        let failed = failures(&bundle);
        assert_eq!(
            failed[0],
            (1, "the signature does not match the payload".to_owned())
        );
        assert!(
            failed[1].1.contains("link to the previous statement"),
            "{failed:?}"
        );
    }

    #[test]
    fn a_payload_that_is_no_longer_canonical_fails() {
        let (mut bundle, _, _) = bundle();
        bundle.statements[1].payload = bundle.statements[1].payload.replacen("{", "{ ", 1);
        assert!(failures(&bundle)[0].1.contains("not canonical"));
    }

    #[test]
    fn a_changed_signature_fails() {
        let (mut bundle, _, _) = bundle();
        let sig = &mut bundle.statements[1].signature;
        let flipped = if sig.starts_with('A') { "B" } else { "A" };
        sig.replace_range(0..1, flipped);
        assert_eq!(
            failures(&bundle),
            vec![(2, "the signature does not match the payload".to_owned())]
        );
    }

    #[test]
    fn an_excerpt_withholding_a_statement_still_proves_the_chain_around_it() {
        let (mut bundle, _, supplier) = bundle();
        let third = supplier.statement(
            "po.received",
            Some(payload_hash(&bundle.statements[1].payload)),
            3_000,
        );
        bundle.statements.push(third);
        bundle.statements[1] = bundle.statements[1].withhold("po.confirmed", "names prices");
        let checks = verify_bundle(&bundle, None);
        assert!(checks.iter().all(|c| c.result.is_ok()), "{checks:?}");
        assert!(checks[1].withheld && !checks[2].withheld);
        // A withheld hash that is not the real one breaks the next statement's signed link.
        if let Some(w) = bundle.statements[1].withheld.as_mut() {
            w.payload_hash = "0".repeat(64);
        }
        assert!(
            failures(&bundle)[0]
                .1
                .contains("link to the previous statement")
        );
    }

    #[test]
    fn a_removed_statement_breaks_the_chain() {
        let (mut bundle, _, _) = bundle();
        bundle.statements.remove(0);
        assert!(
            failures(&bundle)[0]
                .1
                .contains("link to the previous statement")
        );
    }

    #[test]
    fn a_swapped_key_id_fails() {
        let (mut bundle, brand, _) = bundle();
        bundle.statements[1].kid = brand.key.public.kid.clone();
        let failed = failures(&bundle);
        assert_eq!(failed.len(), 1);
        assert!(failed[0].1.contains("another organisation"), "{failed:?}");
    }

    #[test]
    fn an_unknown_key_id_fails() {
        let (mut bundle, _, _) = bundle();
        bundle.statements[0].kid = "nope".into();
        assert!(failures(&bundle)[0].1.contains("not in the key set"));
    }

    #[test]
    fn a_statement_made_after_its_key_was_retired_fails() {
        let (mut bundle, _, supplier) = bundle();
        bundle.keys.keys[1] = Jwk::new(
            "supplier-1",
            &supplier.key.public,
            UtcMillis(0),
            Some(UtcMillis(1_500)),
        );
        assert!(
            failures(&bundle)[0]
                .1
                .contains("not valid at the statement's time")
        );
    }

    #[test]
    fn a_trusted_key_set_overrides_keys_forged_into_the_bundle() {
        let (mut bundle, brand, _) = bundle();
        let forger = Signer::new("supplier-1");
        let forged = forger.statement(
            "po.confirmed",
            Some(payload_hash(&bundle.statements[0].payload)),
            2_000,
        );
        bundle.statements[1] = forged;
        bundle.keys.keys[1] = forger.jwk();
        assert!(
            failures(&bundle).is_empty(),
            "self-consistent forgery passes on its own keys"
        );
        let trusted = Jwks {
            keys: vec![brand.jwk(), Signer::new("supplier-1").jwk()],
        };
        let checks = verify_bundle(&bundle, Some(&trusted));
        assert!(
            checks[1]
                .result
                .as_ref()
                .unwrap_err()
                .contains("not in the key set")
        );
    }

    #[test]
    fn a_bundle_verified_before_still_fails_every_later_tampering() {
        let (good, _, supplier) = bundle();
        assert!(failures(&good).is_empty());
        let mut sig = good.clone();
        sig.statements[1].signature = good.statements[0].signature.clone();
        assert!(failures(&sig)[0].1.contains("signature does not match"));
        let mut spaced = good.clone();
        spaced.statements[1].payload = spaced.statements[1].payload.replacen("{", "{ ", 1);
        assert!(failures(&spaced)[0].1.contains("not canonical"));
        let mut retired = good.clone();
        retired.keys.keys[1] = Jwk::new(
            "supplier-1",
            &supplier.key.public,
            UtcMillis(0),
            Some(UtcMillis(1_500)),
        );
        assert!(failures(&retired)[0].1.contains("not valid at"));
        let mut removed = good.clone();
        removed.statements.remove(0);
        assert!(failures(&removed)[0].1.contains("link to the previous"));
        assert!(
            failures(&good).is_empty(),
            "the untouched bundle still verifies"
        );
    }
}
