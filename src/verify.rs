//! `portico verify BUNDLE.json [--keys KEYS.json]`: the offline check a financier or auditor
//! runs before trusting an order's evidence.

use std::path::Path;
use std::process::ExitCode;

use portico::signing::bundle::Bundle;
use portico::signing::bundle_check::verify_bundle;
use portico::signing::jwks::Jwks;

pub fn run(bundle_path: &Path, keys_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let bundle: Bundle = read_json(bundle_path)?;
    let trusted: Option<Jwks> = keys_path.map(read_json).transpose()?;
    let checks = verify_bundle(&bundle, trusted.as_ref());
    println!(
        "Order {}: {} statement(s), keys from {}",
        bundle.order_id,
        checks.len(),
        keys_path
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the bundle".to_owned())
    );
    for check in &checks {
        match &check.result {
            Ok(()) if check.withheld => println!(
                "  held  #{} {}: {} (its place in the chain is proven by the next statement)",
                check.index, check.kind, check.attests
            ),
            Ok(()) => println!(
                "  ok    #{} {} by {} at {}: {}",
                check.index, check.kind, check.org, check.at, check.attests
            ),
            Err(why) => println!(
                "  FAIL  #{} {} by {} at {}: {} — {why}",
                check.index, check.kind, check.org, check.at, check.attests
            ),
        }
    }
    // Withheld statements prove nothing by themselves: something must be disclosed.
    let disclosed = checks.iter().filter(|c| !c.withheld).count();
    let holds = disclosed > 0 && checks.iter().all(|c| c.result.is_ok());
    if disclosed == 0 {
        println!("The bundle holds no statements: nothing is proven.");
    }
    println!("{}", if holds { "VERIFIED" } else { "NOT VERIFIED" });
    Ok(if holds {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a valid file of this kind: {e}", path.display()))
}
