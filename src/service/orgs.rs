//! Organisations and their signing keys: every organisation is created with an Ed25519 key
//! pair; keys rotate, and retired keys stay published for the statements they signed.

use crate::db::orgs::Org;
use crate::db::{self, Conn, Db};
use crate::domain::ids::OrgId;
use crate::domain::org::OrgKind;
use crate::domain::time::UtcMillis;
use crate::signing::jwks::{Jwk, Jwks};
use crate::signing::keys::{self, KeyError, PublicKey};
use crate::signing::master_key::MasterKey;

/// Creates an organisation together with its first signing key.
pub async fn create_org(
    conn: &mut Conn,
    master: &MasterKey,
    kind: OrgKind,
    name: &str,
    now: UtcMillis,
) -> Result<Org, sqlx::Error> {
    let org = Org {
        id: OrgId::new(),
        kind,
        name: name.to_owned(),
        created_at: now.0,
    };
    db::orgs::insert(conn, &org).await?;
    add_key(conn, master, org.id, now).await?;
    Ok(org)
}

async fn add_key(
    conn: &mut Conn,
    master: &MasterKey,
    org: OrgId,
    now: UtcMillis,
) -> Result<String, sqlx::Error> {
    let key = keys::generate(master);
    db::org_keys::insert(
        conn,
        org,
        &key.public.kid,
        &key.public.x,
        &key.sealed_private,
        now.0,
    )
    .await?;
    Ok(key.public.kid)
}

/// The single platform organisation, created on first use.
pub async fn ensure_platform(
    conn: &mut Conn,
    master: &MasterKey,
    now: UtcMillis,
) -> Result<Org, sqlx::Error> {
    match db::orgs::first_of_kind(conn, OrgKind::Platform).await? {
        Some(org) => Ok(org),
        None => create_org(conn, master, OrgKind::Platform, "Portico", now).await,
    }
}

/// Gives a key to every organisation that has none (databases from before keys existed).
pub async fn ensure_keys(db: &Db, master: &MasterKey) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let missing = db::orgs::without_keys(&mut tx).await?;
    for org in &missing {
        add_key(&mut tx, master, *org, UtcMillis::now()).await?;
    }
    tx.commit().await?;
    Ok(missing.len())
}

pub struct Rotation {
    pub org_name: String,
    pub retired: u64,
    pub new_kid: String,
}

/// `portico keys rotate --org …`: retires the current key and creates the next one.
pub async fn rotate_key(db: &Db, master: &MasterKey, org_ref: &str) -> anyhow::Result<Rotation> {
    let mut tx = db.begin().await?;
    let org = find_org(&mut tx, org_ref).await?;
    let now = UtcMillis::now();
    let retired = db::org_keys::retire_current(&mut tx, org.id, now.0).await?;
    let new_kid = add_key(&mut tx, master, org.id, now).await?;
    tx.commit().await?;
    Ok(Rotation {
        org_name: org.name,
        retired,
        new_kid,
    })
}

/// An organisation by id or by its (unambiguous) name, for console commands.
pub async fn find_org(conn: &mut Conn, wanted: &str) -> anyhow::Result<Org> {
    let mut found = match wanted.parse::<OrgId>() {
        Ok(id) => db::orgs::get(conn, id).await?.into_iter().collect(),
        Err(_) => db::orgs::find_by_name(conn, wanted).await?,
    };
    match found.len() {
        0 => anyhow::bail!("no organisation named {wanted:?}"),
        1 => Ok(found.remove(0)),
        _ => anyhow::bail!("several organisations are named {wanted:?}; pass its id instead"),
    }
}

/// Every organisation's public keys, current and retired.
pub async fn jwks(db: &Db) -> Result<Jwks, sqlx::Error> {
    let mut conn = db.read().await?;
    let keys = db::org_keys::all_public(&mut conn).await?;
    Ok(Jwks {
        keys: keys
            .into_iter()
            .map(|k| {
                let public = PublicKey {
                    kid: k.kid,
                    x: k.public_x,
                };
                Jwk::new(
                    &k.org_id.to_string(),
                    &public,
                    UtcMillis(k.valid_from),
                    k.valid_until.map(UtcMillis),
                )
            })
            .collect(),
    })
}

/// Signs `message` with the organisation's current key, inside the caller's transaction.
pub async fn sign_as(
    conn: &mut Conn,
    master: &MasterKey,
    org: OrgId,
    message: &[u8],
) -> anyhow::Result<(String, String)> {
    let (key, sealed) = db::org_keys::current(conn, org)
        .await?
        .ok_or_else(|| anyhow::anyhow!("organisation {org} has no signing key"))?;
    let signature = keys::sign(master, &key.kid, &sealed, message)
        .map_err(|e: KeyError| anyhow::anyhow!("signing as {org} failed: {e}"))?;
    Ok((key.kid, signature))
}
