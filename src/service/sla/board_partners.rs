//! The dashboard's partner filter, remembered per brand under the board revision it was read
//! at. Listing the partners with something late reads every late clock of the brand (hundreds
//! of partners from thousands of clocks at a million orders), while the revision is one row;
//! every change to what the board shows moves the revision (the live reload depends on that
//! too), so a list read at the current revision is still the list. Each process keeps its own,
//! keyed by the revision in the shared database, so replicas never serve each other's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::db::{self, Conn};
use crate::domain::ids::TenantId;

type Choices = Arc<Vec<(String, String)>>;

#[derive(Clone, Default)]
pub struct BoardPartners(Arc<Mutex<HashMap<TenantId, (i64, Choices)>>>);

impl BoardPartners {
    /// The partners on the board at `revision`, by name, with `chosen` added when it names a
    /// partner of the brand that has nothing late (the filter still shows what was picked).
    pub async fn choices(
        &self,
        conn: &mut Conn,
        tenant: TenantId,
        revision: i64,
        chosen: Option<&str>,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        let on_board = match self.remembered(tenant, revision) {
            Some(list) => list,
            None => {
                let list = Arc::new(db::sla_board::partners_on_board(conn, tenant).await?);
                self.remember(tenant, revision, list.clone());
                list
            }
        };
        let mut list = on_board.to_vec();
        if let Some(chosen) = chosen
            && !list.iter().any(|(id, _)| id == chosen)
            && let Some(partner) = db::sla_board::partner_of_brand(conn, tenant, chosen).await?
        {
            let at = list
                .binary_search_by(|(id, name)| (name, id).cmp(&(&partner.1, &partner.0)))
                .unwrap_or_else(|at| at);
            list.insert(at, partner);
        }
        Ok(list)
    }

    fn remembered(&self, tenant: TenantId, revision: i64) -> Option<Choices> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&tenant)
            .filter(|(at, _)| *at == revision)
            .map(|(_, list)| list.clone())
    }

    fn remember(&self, tenant: TenantId, revision: i64, list: Choices) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // An older reader finishing late must not replace a newer list.
        if map.get(&tenant).is_none_or(|(at, _)| *at <= revision) {
            map.insert(tenant, (revision, list));
        }
    }
}
